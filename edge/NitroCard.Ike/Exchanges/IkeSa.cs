using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using NitroCard.Ike.Crypto;
using NitroCard.Ike.Wire;

namespace NitroCard.Ike.Exchanges;

/// <summary>Life of an IKE SA.</summary>
public enum IkeSaState
{
    /// <summary>Initiator: IKE_SA_INIT sent.</summary>
    Connecting,

    /// <summary>IKE_SA_INIT done, IKE_AUTH pending (a responder here is half-open).</summary>
    Authenticating,

    Established,

    /// <summary>Our Delete is outstanding.</summary>
    Deleting,

    Closed,

    /// <summary>Closed by an error (see <see cref="IkeSa.FailureNotify"/>).</summary>
    Failed,
}

/// <summary>
/// One IKE SA and its child SAs: the exchanges of RFC 7296 as a state machine, initiator or responder. Requests go out
/// one at a time (window size 1, §2.3) and are retransmitted until answered (§2.1); a retransmitted request gets the
/// cached response again.
/// </summary>
public sealed class IkeSa : IDisposable
{
    private const int NonceLength = 32;
    private const int MaxInitAttempts = 4;

    private readonly IkeEndpoint _endpoint;
    private readonly List<ChildSa> _children = [];
    private readonly Queue<Outgoing> _queue = new();

    private Prf? _prf;
    private byte[] _skD = [];
    private byte[] _skPi = [];
    private byte[] _skPr = [];
    private SkCipher? _out;
    private SkCipher? _in;

    private DhGroup? _dh;
    private byte[] _ni = [];
    private byte[] _nr = [];
    private byte[] _initRequest = [];
    private byte[] _initResponse = [];
    private ReadOnlyMemory<byte>? _cookie;
    private int _initAttempts;
    private uint _authChildSpi;

    private uint _nextRequestId;
    private uint _expectedPeerId;
    private uint _lastResponseId = uint.MaxValue;
    private byte[]? _lastResponse;
    private Pending? _pending;
    private DateTimeOffset _lastReceived;
    private readonly DateTimeOffset _created;

    private DateTimeOffset? _rekeyAt;
    private DateTimeOffset? _expiresAt;
    private bool _rekeyingIke;
    private IkeSa? _peerIkeRekey;
    private byte[] _rekeyNi = [];
    private byte[] _rekeyNr = [];

    internal IkeSa(IkeEndpoint endpoint, bool initiator, ulong spiI, ulong spiR, IPEndPoint local, IPEndPoint remote)
    {
        _endpoint = endpoint;
        IsOriginalInitiator = initiator;
        SpiI = spiI;
        SpiR = spiR;
        Local = local;
        Remote = remote;
        _created = _lastReceived = endpoint.Time.GetUtcNow();
    }

    /// <summary>A request waiting for the window; <see cref="OnHandOver"/> re-issues it on the successor if this SA is rekeyed first.</summary>
    private sealed record Outgoing(ExchangeType Exchange, ImmutableArray<Payload> Payloads, Action<IkeMessage> OnResponse, Action<IkeSa>? OnHandOver = null);

    private sealed class Pending(uint id, byte[] bytes, Action<IkeMessage>? onResponse, DateTimeOffset deadline)
    {
        public uint Id { get; } = id;

        public byte[] Bytes { get; } = bytes;

        public Action<IkeMessage>? OnResponse { get; } = onResponse;

        public DateTimeOffset Deadline { get; set; } = deadline;

        public int Retransmits { get; set; }
    }

    private IkeConfig Config => _endpoint.Config;

    private DateTimeOffset Now => _endpoint.Time.GetUtcNow();

    public ulong SpiI { get; private set; }

    public ulong SpiR { get; private set; }

    /// <summary>True when we initiated this IKE SA (or the rekey that created it).</summary>
    public bool IsOriginalInitiator { get; }

    public IkeSaState State { get; private set; }

    /// <summary>The negotiated suite (after IKE_SA_INIT).</summary>
    public IkeSuite? Suite { get; private set; }

    /// <summary>Where our messages leave from: port 500, or 4500 after the NAT-T float (§2.23).</summary>
    public IPEndPoint Local { get; private set; }

    /// <summary>Where our messages go; a responder follows the address its requests come from.</summary>
    public IPEndPoint Remote { get; private set; }

    /// <summary>NAT detection (§2.23): we are behind a NAT.</summary>
    public bool NatLocal { get; private set; }

    /// <summary>NAT detection (§2.23): the peer is behind a NAT.</summary>
    public bool NatRemote { get; private set; }

    /// <summary>ESP of the child SAs goes in UDP 4500.</summary>
    public bool UdpEncapsulation => NatLocal || NatRemote || Config.ForceUdpEncapsulation;

    /// <summary>The peer's authenticated identity.</summary>
    public IdPayload? PeerId { get; private set; }

    /// <summary>The error notify that failed the SA, if any.</summary>
    public NotifyType? FailureNotify { get; private set; }

    /// <summary>The IKE SA that took over after a rekey (§2.18).</summary>
    public IkeSa? ReplacedBy { get; private set; }

    public IReadOnlyList<ChildSa> ChildSas => _children;

    /// <summary>True while a request of ours waits for its response.</summary>
    public bool RequestOutstanding => _pending is not null || _queue.Count > 0;

    internal ulong OurSpi => IsOriginalInitiator ? SpiI : SpiR;

    /// <summary>The IKE SA the child SAs live in now: this one, or the end of its chain of successors.</summary>
    private IkeSa Current => ReplacedBy?.Current ?? this;

    private HeaderBits Bits(bool response) => (IsOriginalInitiator ? HeaderBits.Initiator : HeaderBits.None) | (response ? HeaderBits.Response : HeaderBits.None);

    // ---------------------------------------------------------------- public operations

    /// <summary>Rekeys <paramref name="child"/> with CREATE_CHILD_SA (§1.3.3); the initiator of the rekey deletes the old one.</summary>
    public void RekeyChild(ChildSa child)
    {
        ArgumentNullException.ThrowIfNull(child);
        if (State != IkeSaState.Established || !_children.Contains(child) || child.State != ChildSaState.Installed)
            throw new InvalidOperationException("only an installed child SA of an established IKE SA can be rekeyed");
        StartChildRekey(child, Config.ChildProposals[0].PfsGroup);
    }

    private void StartChildRekey(ChildSa child, ushort? group)
    {
        child.State = ChildSaState.Rekeying;
        var spi = _endpoint.NewChildSpi();
        var ni = RandomNumberGenerator.GetBytes(NonceLength);
        var dh = group is { } g ? DhGroup.Create(g) : null;
        var spiBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(spiBytes, child.InboundSpi);
        var payloads = new List<Payload>
        {
            new NotifyPayload(ProtocolId.Esp, spiBytes, NotifyType.RekeySa, ReadOnlyMemory<byte>.Empty),
            ChildSaPayload(spi, withGroup: true),
            new NoncePayload(ni),
        };
        if (dh is not null)
            payloads.Add(new KePayload(dh.Id, dh.PublicValue));
        payloads.Add(new TrafficSelectorPayload(true, child.LocalTrafficSelectors));
        payloads.Add(new TrafficSelectorPayload(false, child.RemoteTrafficSelectors));
        Enqueue(ExchangeType.CreateChildSa, [.. payloads], response => OnChildRekeyResponse(response, child, spi, ni, dh), successor =>
        {
            // Not sent before the IKE SA was rekeyed: the successor rekeys the child instead.
            dh?.Dispose();
            _endpoint.ReleaseChildSpi(spi);
            if (child.State == ChildSaState.Rekeying)
                child.State = ChildSaState.Installed;
            successor.RekeyChild(child);
        });
    }

    /// <summary>Rekeys this IKE SA with CREATE_CHILD_SA (§1.3.2); its child SAs move to the new one.</summary>
    public void Rekey()
    {
        if (State != IkeSaState.Established || _rekeyingIke || ReplacedBy is not null)
            throw new InvalidOperationException("only an established IKE SA that is not being rekeyed can be rekeyed");
        // The group in use is the one the peer accepted last time: the likeliest to need no INVALID_KE_PAYLOAD round.
        StartIkeRekey(Config.IkeProposals.Any(s => s.DhGroup == Suite!.DhGroup) ? Suite!.DhGroup : Config.IkeProposals[0].DhGroup);
    }

    private void StartIkeRekey(ushort group)
    {
        _rekeyingIke = true;
        var spi = _endpoint.NewIkeSpi();
        var spiBytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(spiBytes, spi);
        var ni = RandomNumberGenerator.GetBytes(NonceLength);
        var dh = DhGroup.Create(group);
        var sa = new SaPayload([.. Config.IkeProposals.Select((s, i) => s.ToProposal((byte)(i + 1), spiBytes))]);
        Enqueue(ExchangeType.CreateChildSa, [sa, new NoncePayload(ni), new KePayload(dh.Id, dh.PublicValue)],
            response => OnIkeRekeyResponse(response, spi, ni, dh));
    }

    /// <summary>Sends a liveness check: an empty INFORMATIONAL request (§1.4); no answer after the retransmissions closes the SA.</summary>
    public void SendDpd()
    {
        if (State == IkeSaState.Established)
            Enqueue(ExchangeType.Informational, [], _ => { });
    }

    /// <summary>Deletes child SAs with an INFORMATIONAL Delete (§1.4.1).</summary>
    public void DeleteChildSas(params ChildSa[] children)
    {
        ArgumentNullException.ThrowIfNull(children);
        var mine = children.Where(_children.Contains).ToList();
        if (mine.Count == 0 || State is not (IkeSaState.Established or IkeSaState.Deleting))
            return;
        Enqueue(ExchangeType.Informational, [new DeletePayload(ProtocolId.Esp, [.. mine.Select(c => c.InboundSpi)])], _ =>
        {
            foreach (var c in mine)
                Current.RemoveChild(c);
        }, successor => successor.DeleteChildSas([.. mine]));
    }

    /// <summary>Deletes this IKE SA and its child SAs (§1.4.1).</summary>
    public void Delete()
    {
        if (State is IkeSaState.Closed or IkeSaState.Failed or IkeSaState.Deleting)
            return;
        if (State != IkeSaState.Established)
        {
            Close(IkeEventKind.IkeSaClosed, null, "deleted before establishment");
            return;
        }
        State = IkeSaState.Deleting;
        Enqueue(ExchangeType.Informational, [new DeletePayload(ProtocolId.Ike, [])], _ => Close(IkeEventKind.IkeSaClosed, null, "deleted"));
    }

    // ---------------------------------------------------------------- timers

    internal void Poll()
    {
        if (State is IkeSaState.Closed or IkeSaState.Failed)
            return;
        var now = Now;
        if (!IsOriginalInitiator && State == IkeSaState.Authenticating && now - _created >= Config.HalfOpenTimeout)
        {
            _endpoint.Counters.Add("half-open-expired");
            Close(IkeEventKind.IkeSaClosed, null, "half-open SA expired");
            return;
        }
        if (_pending is { } p && now >= p.Deadline)
        {
            if (p.Retransmits >= Config.RetransmitTries)
            {
                _endpoint.Counters.Add("peer-dead");
                Close(IkeEventKind.Failed, null, $"no response after {p.Retransmits} retransmissions");
                return;
            }
            p.Retransmits++;
            p.Deadline = now + (Config.RetransmitTimeout * Math.Pow(2, p.Retransmits));
            _endpoint.Counters.Add("retransmit");
            Transmit(p.Bytes);
            return;
        }
        if (State != IkeSaState.Established || ReplacedBy is not null)
            return;
        if (_expiresAt is { } end && now >= end)
        {
            _endpoint.Counters.Add("ike-sa-expired");
            Delete();
            return;
        }
        if (_rekeyAt is { } rekey && now >= rekey && !_rekeyingIke && _peerIkeRekey is null)
        {
            _rekeyAt = null;
            Rekey();
        }
        foreach (var child in _children.ToList())
        {
            if (child.ExpiresAt is { } expires && now >= expires && child.State is ChildSaState.Installed or ChildSaState.Rekeyed)
            {
                child.ExpiresAt = null;
                _endpoint.Counters.Add("child-sa-expired");
                DeleteChildSas(child);
            }
            else if (child.RekeyAt is { } due && now >= due && child.State == ChildSaState.Installed && !_rekeyingIke && _peerIkeRekey is null)
            {
                child.RekeyAt = null;
                RekeyChild(child);
            }
        }
        if (!RequestOutstanding && Config.DpdDelay is { } dpd && now - _lastReceived >= dpd)
            SendDpd();
    }

    // ---------------------------------------------------------------- IKE_SA_INIT

    internal void StartInit()
    {
        _ni = RandomNumberGenerator.GetBytes(NonceLength);
        _dh = DhGroup.Create(Config.IkeProposals[0].DhGroup);
        SendInit();
    }

    /// <summary>
    /// NAT_DETECTION_SOURCE_IP: the hash of our address and port — or, with <see cref="IkeConfig.ForceUdpEncapsulation"/>,
    /// of 0.0.0.0:0, which matches no real source, so the peer sees a NAT in front of us and encapsulates ESP in UDP too
    /// (what strongSwan's <c>encap = yes</c> does); otherwise only our side would.
    /// </summary>
    private byte[] SourceNatDetection(ulong spiI, ulong spiR) =>
        KeyDerivation.NatDetectionHash(spiI, spiR, Config.ForceUdpEncapsulation ? new IPEndPoint(IPAddress.Any, 0) : Local);

    private void SendInit()
    {
        var payloads = new List<Payload>();
        if (_cookie is { } cookie)
            payloads.Add(NotifyPayload.Of(NotifyType.Cookie, cookie)); // §2.6: the cookie comes first
        payloads.Add(new SaPayload([.. Config.IkeProposals.Select((s, i) => s.ToProposal((byte)(i + 1), ReadOnlyMemory<byte>.Empty))]));
        payloads.Add(new KePayload(_dh!.Id, _dh.PublicValue));
        payloads.Add(new NoncePayload(_ni));
        payloads.Add(NotifyPayload.Of(NotifyType.NatDetectionSourceIp, SourceNatDetection(SpiI, 0)));
        payloads.Add(NotifyPayload.Of(NotifyType.NatDetectionDestinationIp, KeyDerivation.NatDetectionHash(SpiI, 0, Remote)));
        _initRequest = new IkeMessage(SpiI, 0, ExchangeType.IkeSaInit, HeaderBits.Initiator, 0, [.. payloads]).Encode();
        _pending = new Pending(0, _initRequest, null, Now + Config.RetransmitTimeout);
        Transmit(_initRequest);
    }

    private void HandleInitResponse(IkeDatagram datagram, IkeMessage response)
    {
        _lastReceived = Now;
        if (response.Notify(NotifyType.Cookie) is { } cookie)
        {
            if (++_initAttempts >= MaxInitAttempts || cookie.Data.Length is 0 or > 64)
            {
                Fail(NotifyType.Cookie, "responder keeps demanding cookies");
                return;
            }
            _cookie = cookie.Data.ToArray();
            SendInit();
            return;
        }
        if (response.Notify(NotifyType.InvalidKePayload) is { } invalidKe)
        {
            var group = invalidKe.Data.Length == 2 ? BinaryPrimitives.ReadUInt16BigEndian(invalidKe.Data.Span) : (ushort)0;
            if (++_initAttempts >= MaxInitAttempts || group == _dh!.Id || !Config.IkeProposals.Any(s => s.DhGroup == group))
            {
                Fail(NotifyType.InvalidKePayload, $"responder wants group {group}");
                return;
            }
            _dh.Dispose();
            _dh = DhGroup.Create(group); // §1.2: retry with the group the responder named
            SendInit();
            return;
        }
        if (response.FirstError is { } error)
        {
            Fail(error.NotifyType, "IKE_SA_INIT refused");
            return;
        }
        var sa = response.Get<SaPayload>();
        var ke = response.Get<KePayload>();
        var nonce = response.Get<NoncePayload>();
        var suite = sa is { Proposals.Length: 1 } ? Config.IkeProposals.FirstOrDefault(s => s.IsExactly(sa.Proposals[0])) : null;
        var shared = suite is not null && ke is not null && ke.Group == suite.DhGroup && ke.Group == _dh!.Id ? _dh.TryComputeShared(ke.Data.Span) : null;
        if (response.SpiR == 0 || nonce is null || shared is null)
        {
            _endpoint.Counters.Add("init.bad-response");
            Fail(NotifyType.InvalidSyntax, "IKE_SA_INIT response without an acceptable SA, KE or nonce");
            return;
        }
        SpiR = response.SpiR;
        Suite = suite;
        _nr = nonce.Data.ToArray();
        _initResponse = datagram.Message.ToArray();
        DetectNat(response, SpiI, SpiR, Local, Remote);
        DeriveInitialKeys(shared);
        _dh!.Dispose(); // the private value is not needed any more
        _dh = null;
        if (UdpEncapsulation && Local.Port != NatTraversal.NatTPort)
        {
            // §2.23: move to 4500 (the non-ESP marker is the host's framing).
            Local = new IPEndPoint(Local.Address, NatTraversal.NatTPort);
            Remote = new IPEndPoint(Remote.Address, NatTraversal.NatTPort);
        }
        _pending = null;
        _nextRequestId = 1;
        State = IkeSaState.Authenticating;
        SendAuth();
    }

    /// <summary>Responder side of IKE_SA_INIT; false when the KE value is not a group element.</summary>
    internal bool RespondInit(IkeDatagram datagram, IkeMessage request, IkeSuite suite, byte proposalNumber, NoncePayload nonce, KePayload ke)
    {
        _dh = DhGroup.Create(suite.DhGroup);
        var shared = _dh.TryComputeShared(ke.Data.Span);
        if (shared is null)
            return false;
        Suite = suite;
        _ni = nonce.Data.ToArray();
        _nr = RandomNumberGenerator.GetBytes(NonceLength);
        _initRequest = datagram.Message.ToArray();
        DetectNat(request, SpiI, 0, Local, Remote);
        DeriveInitialKeys(shared);
        var payloads = new List<Payload>
        {
            new SaPayload([suite.ToProposal(proposalNumber, ReadOnlyMemory<byte>.Empty)]),
            new KePayload(_dh.Id, _dh.PublicValue),
            new NoncePayload(_nr),
        };
        if (request.Notify(NotifyType.NatDetectionSourceIp) is not null)
        {
            payloads.Add(NotifyPayload.Of(NotifyType.NatDetectionSourceIp, SourceNatDetection(SpiI, SpiR)));
            payloads.Add(NotifyPayload.Of(NotifyType.NatDetectionDestinationIp, KeyDerivation.NatDetectionHash(SpiI, SpiR, Remote)));
        }
        _initResponse = new IkeMessage(SpiI, SpiR, ExchangeType.IkeSaInit, HeaderBits.Response, 0, [.. payloads]).Encode();
        _dh.Dispose(); // the private value is not needed any more
        _dh = null;
        _expectedPeerId = 1;
        State = IkeSaState.Authenticating;
        Transmit(_initResponse);
        return true;
    }

    internal void ResendInitResponse(IkeDatagram datagram)
    {
        _endpoint.Counters.Add("init.retransmitted-request");
        _endpoint.Send(new IkeDatagram(datagram.Local, datagram.Remote, _initResponse));
    }

    /// <summary>§2.23: a NAT is between us when the hashes of the addresses as seen differ from the ones sent.</summary>
    private void DetectNat(IkeMessage message, ulong spiI, ulong spiR, IPEndPoint local, IPEndPoint remote)
    {
        var sources = message.Payloads.OfType<NotifyPayload>().Where(n => n.NotifyType == NotifyType.NatDetectionSourceIp).ToList();
        var destination = message.Notify(NotifyType.NatDetectionDestinationIp);
        if (sources.Count == 0 && destination is null)
            return; // the peer does not do NAT-T
        var remoteHash = KeyDerivation.NatDetectionHash(spiI, spiR, remote);
        NatRemote = !sources.Any(s => s.Data.Span.SequenceEqual(remoteHash));
        NatLocal = destination is null || !destination.Data.Span.SequenceEqual(KeyDerivation.NatDetectionHash(spiI, spiR, local));
    }

    private void DeriveInitialKeys(byte[] shared)
    {
        _prf = new Prf(Suite!.Prf);
        var skeyseed = KeyDerivation.Skeyseed(_prf, _ni, _nr, shared);
        InstallKeys(KeyDerivation.DeriveIkeKeys(Suite, skeyseed, _ni, _nr, SpiI, SpiR));
    }

    private void InstallKeys(IkeSaKeys keys)
    {
        _skD = keys.SkD;
        _skPi = keys.SkPi;
        _skPr = keys.SkPr;
        var ei = SkCipher.Create(Suite!.Encryption, Suite.Integrity, keys.SkEi, keys.SkAi);
        var er = SkCipher.Create(Suite.Encryption, Suite.Integrity, keys.SkEr, keys.SkAr);
        (_out, _in) = IsOriginalInitiator ? (ei, er) : (er, ei);
    }

    // ---------------------------------------------------------------- IKE_AUTH

    private void SendAuth()
    {
        _authChildSpi = _endpoint.NewChildSpi();
        var idi = Config.LocalId.ToPayload(initiator: true);
        var auth = KeyDerivation.PskAuth(_prf!, Config.PreSharedKey.AsSpan(), _initRequest, _nr, _skPi, PayloadCodec.EncodeBody(idi));
        var payloads = new List<Payload> { idi };
        if (Config.RemoteId is { } remoteId)
            payloads.Add(remoteId.ToPayload(initiator: false));
        payloads.Add(new AuthPayload(AuthMethod.SharedKeyMessageIntegrityCode, auth));
        payloads.Add(ChildSaPayload(_authChildSpi, withGroup: false));
        payloads.Add(new TrafficSelectorPayload(true, Config.LocalTrafficSelectors));
        payloads.Add(new TrafficSelectorPayload(false, Config.RemoteTrafficSelectors));
        Enqueue(ExchangeType.IkeAuth, [.. payloads], OnAuthResponse);
    }

    private void OnAuthResponse(IkeMessage response)
    {
        var idr = response.Id(initiator: false);
        var auth = response.Get<AuthPayload>();
        if (idr is null || auth is null)
        {
            _endpoint.ReleaseChildSpi(_authChildSpi);
            Fail(response.FirstError?.NotifyType ?? NotifyType.InvalidSyntax, "IKE_AUTH refused");
            return;
        }
        var expected = KeyDerivation.PskAuth(_prf!, Config.PreSharedKey.AsSpan(), _initResponse, _ni, _skPr, PayloadCodec.EncodeBody(idr));
        if ((Config.RemoteId is { } id && !id.Matches(idr)) || auth.Method != AuthMethod.SharedKeyMessageIntegrityCode
            || !CryptographicOperations.FixedTimeEquals(expected, auth.Data.Span))
        {
            _endpoint.ReleaseChildSpi(_authChildSpi);
            Fail(NotifyType.AuthenticationFailed, "the responder's AUTH does not verify");
            return;
        }
        PeerId = idr;
        MarkEstablished();
        _endpoint.Raise(new IkeEvent(IkeEventKind.IkeSaEstablished, this));
        // §1.2: a refused child SA leaves the IKE SA up.
        var child = CompleteChild(response, _authChildSpi, _ni, _nr, [], checkGroup: false, Config.LocalTrafficSelectors, Config.RemoteTrafficSelectors, out var refusal);
        if (child is null)
        {
            _endpoint.ReleaseChildSpi(_authChildSpi);
            _endpoint.Raise(new IkeEvent(IkeEventKind.Failed, this, Notify: refusal, Detail: "first child SA refused"));
            return;
        }
        AddChild(child);
    }

    private (ImmutableArray<Payload> Reply, Action? After) HandleAuthRequest(IkeMessage request)
    {
        var idi = request.Id(initiator: true);
        var auth = request.Get<AuthPayload>();
        var verified = idi is not null && auth is { Method: AuthMethod.SharedKeyMessageIntegrityCode }
            && (Config.RemoteId is not { } id || id.Matches(idi))
            && CryptographicOperations.FixedTimeEquals(
                KeyDerivation.PskAuth(_prf!, Config.PreSharedKey.AsSpan(), _initRequest, _nr, _skPi, PayloadCodec.EncodeBody(idi)), auth.Data.Span);
        if (!verified)
        {
            _endpoint.Counters.Add("auth.failed");
            return ([NotifyPayload.Of(NotifyType.AuthenticationFailed)], () => Fail(NotifyType.AuthenticationFailed, "the initiator's AUTH does not verify"));
        }
        PeerId = idi;
        MarkEstablished();
        _endpoint.LeaveHalfOpen(this);
        _endpoint.Raise(new IkeEvent(IkeEventKind.IkeSaEstablished, this));
        var idr = Config.LocalId.ToPayload(initiator: false);
        var myAuth = KeyDerivation.PskAuth(_prf!, Config.PreSharedKey.AsSpan(), _initResponse, _ni, _skPr, PayloadCodec.EncodeBody(idr));
        var reply = new List<Payload> { idr, new AuthPayload(AuthMethod.SharedKeyMessageIntegrityCode, myAuth) };
        var (suite, number, tsi, tsr, refusal) = SelectChild(request, checkGroup: false);
        if (refusal is { } r)
        {
            _endpoint.Raise(new IkeEvent(IkeEventKind.Failed, this, Notify: r, Detail: "first child SA refused"));
            reply.Add(NotifyPayload.Of(r));
            return ([.. reply], null);
        }
        var child = BuildResponderChild(request, suite!, number, tsi, tsr, _ni, _nr, [], withGroup: false, out var chosen);
        reply.Add(chosen);
        reply.Add(new TrafficSelectorPayload(true, tsi));
        reply.Add(new TrafficSelectorPayload(false, tsr));
        return ([.. reply], () => AddChild(child));
    }

    // ---------------------------------------------------------------- child SAs

    private SaPayload ChildSaPayload(uint spi, bool withGroup) =>
        new([.. Config.ChildProposals.Select((s, i) => s.ToProposal((byte)(i + 1), spi, withGroup))]);

    /// <summary>Responder: the first of the peer's ESP proposals we accept, and the narrowed traffic selectors (§2.9).</summary>
    private (ChildSuite? Suite, byte Number, ImmutableArray<TrafficSelector> Tsi, ImmutableArray<TrafficSelector> Tsr, NotifyType? Refusal) SelectChild(IkeMessage request, bool checkGroup)
    {
        var sa = request.Get<SaPayload>();
        var tsi = request.Ts(initiator: true);
        var tsr = request.Ts(initiator: false);
        if (sa is null || tsi is null || tsr is null)
            return (null, 0, [], [], NotifyType.InvalidSyntax);
        foreach (var p in sa.Proposals)
        {
            var suite = Config.ChildProposals.FirstOrDefault(s => s.OfferedBy(p, checkGroup));
            if (suite is null)
                continue;
            var narrowedI = Narrow(tsi.Selectors, Config.RemoteTrafficSelectors);
            var narrowedR = Narrow(tsr.Selectors, Config.LocalTrafficSelectors);
            if (narrowedI.IsEmpty || narrowedR.IsEmpty)
                return (null, 0, [], [], NotifyType.TsUnacceptable);
            return (suite, p.Number, narrowedI, narrowedR, null);
        }
        return (null, 0, [], [], NotifyType.NoProposalChosen);
    }

    /// <summary>§2.9: what both sides' selectors allow, pairwise intersected, without duplicates.</summary>
    internal static ImmutableArray<TrafficSelector> Narrow(ImmutableArray<TrafficSelector> proposed, ImmutableArray<TrafficSelector> allowed)
    {
        var result = new List<TrafficSelector>();
        foreach (var p in proposed)
        {
            foreach (var a in allowed)
            {
                if (p.Intersect(a) is { } i && !result.Contains(i))
                    result.Add(i);
            }
        }
        return [.. result];
    }

    private ChildSa BuildResponderChild(IkeMessage request, ChildSuite suite, byte number, ImmutableArray<TrafficSelector> tsi, ImmutableArray<TrafficSelector> tsr,
        byte[] ni, byte[] nr, byte[] shared, bool withGroup, out SaPayload chosen)
    {
        // The SPI comes from the proposal that was selected (an AND of several with the same number is not used for ESP).
        var p = request.Get<SaPayload>()!.Proposals.First(x => x.Number == number && suite.OfferedBy(x, checkGroup: false));
        var peerSpi = BinaryPrimitives.ReadUInt32BigEndian(p.Spi.Span);
        var mySpi = _endpoint.NewChildSpi();
        var (eIr, aIr, eRi, aRi) = KeyDerivation.DeriveChildKeys(_prf!, _skD, suite, shared, ni, nr);
        chosen = new SaPayload([suite.ToProposal(p.Number, mySpi, withGroup)]); // IKE_AUTH answers without a group (§1.2)
        return new ChildSa(mySpi, peerSpi, suite, eIr, aIr, eRi, aRi, tsr, tsi, UdpEncapsulation, Local, Remote, ni, nr, weInitiated: false);
    }

    /// <summary>Initiator: the child SA the response accepts, or null with the reason.</summary>
    private ChildSa? CompleteChild(IkeMessage response, uint mySpi, byte[] ni, byte[] nr, byte[] shared, bool checkGroup,
        ImmutableArray<TrafficSelector> sentI, ImmutableArray<TrafficSelector> sentR, out NotifyType? refusal)
    {
        refusal = response.FirstError?.NotifyType;
        var sa = response.Get<SaPayload>();
        var tsi = response.Ts(initiator: true);
        var tsr = response.Ts(initiator: false);
        if (refusal is not null || sa is not { Proposals.Length: 1 } || tsi is null || tsr is null)
        {
            refusal ??= NotifyType.NoProposalChosen;
            return null;
        }
        var p = sa.Proposals[0];
        var suite = Config.ChildProposals.FirstOrDefault(s => s.OfferedBy(p, checkGroup));
        // The responder may narrow, never widen (§2.9).
        if (suite is null || !tsi.Selectors.All(s => sentI.Any(s.IsWithin)) || !tsr.Selectors.All(s => sentR.Any(s.IsWithin)))
        {
            refusal = suite is null ? NotifyType.NoProposalChosen : NotifyType.TsUnacceptable;
            return null;
        }
        var peerSpi = BinaryPrimitives.ReadUInt32BigEndian(p.Spi.Span);
        var (eIr, aIr, eRi, aRi) = KeyDerivation.DeriveChildKeys(_prf!, _skD, suite, shared, ni, nr);
        return new ChildSa(mySpi, peerSpi, suite, eRi, aRi, eIr, aIr, tsi.Selectors, tsr.Selectors, UdpEncapsulation, Local, Remote, ni, nr, weInitiated: true);
    }

    /// <summary>Rekey and expiry times for something established now with <paramref name="lifetime"/>.</summary>
    private (DateTimeOffset? RekeyAt, DateTimeOffset? ExpiresAt) Schedule(TimeSpan? lifetime)
    {
        if (lifetime is not { } life)
            return (null, null);
        var now = Now;
        var fuzz = Config.RekeyMargin * Config.RekeyFuzz * Random.Shared.NextDouble();
        var rekey = life - Config.RekeyMargin - fuzz;
        return (now + (rekey > TimeSpan.Zero ? rekey : life / 2), now + life);
    }

    private void MarkEstablished()
    {
        State = IkeSaState.Established;
        (_rekeyAt, _expiresAt) = Schedule(Config.IkeSaLifetime);
    }

    private void AddChild(ChildSa child)
    {
        child.InstalledAt = Now;
        (child.RekeyAt, child.ExpiresAt) = Schedule(Config.ChildSaLifetime);
        _children.Add(child);
        _endpoint.Raise(new IkeEvent(IkeEventKind.ChildSaInstalled, this, child));
    }

    private void RemoveChild(ChildSa child)
    {
        if (!_children.Remove(child))
            return;
        child.State = ChildSaState.Deleted;
        _endpoint.ReleaseChildSpi(child.InboundSpi);
        _endpoint.Raise(new IkeEvent(IkeEventKind.ChildSaDeleted, this, child));
    }

    private (ImmutableArray<Payload> Reply, Action? After) HandleCreateChildRequest(IkeMessage request)
    {
        var sa = request.Get<SaPayload>();
        var nonce = request.Get<NoncePayload>();
        if (sa is null || nonce is null)
            return ([NotifyPayload.Of(NotifyType.InvalidSyntax)], null);
        if (sa.Proposals.Any(p => p.Protocol == ProtocolId.Ike))
            return HandleIkeRekeyRequest(request, sa, nonce);
        ChildSa? old = null;
        if (request.Notify(NotifyType.RekeySa) is { } rekey)
        {
            if (rekey.Spi.Length != 4)
                return ([NotifyPayload.Of(NotifyType.InvalidSyntax)], null);
            var spi = BinaryPrimitives.ReadUInt32BigEndian(rekey.Spi.Span);
            old = Current._children.FirstOrDefault(c => c.OutboundSpi == spi);
            if (old is null)
                return ([new NotifyPayload(ProtocolId.Esp, rekey.Spi, NotifyType.ChildSaNotFound, ReadOnlyMemory<byte>.Empty)], null);
            if (old.State == ChildSaState.Rekeyed)
                return ([NotifyPayload.Of(NotifyType.TemporaryFailure)], null); // §2.25: already replaced
        }
        var (suite, number, tsi, tsr, refusal) = SelectChild(request, checkGroup: true);
        if (refusal is { } r)
            return ([NotifyPayload.Of(r)], null);
        byte[] shared = [];
        DhGroup? dh = null;
        if (suite!.PfsGroup is { } group)
        {
            var ke = request.Get<KePayload>();
            if (ke is null || ke.Group != group)
            {
                var data = new byte[2];
                BinaryPrimitives.WriteUInt16BigEndian(data, group);
                return ([NotifyPayload.Of(NotifyType.InvalidKePayload, data)], null);
            }
            dh = DhGroup.Create(group);
            if (dh.TryComputeShared(ke.Data.Span) is not { } s)
            {
                dh.Dispose();
                return ([NotifyPayload.Of(NotifyType.InvalidSyntax)], null);
            }
            shared = s;
        }
        var nr = RandomNumberGenerator.GetBytes(NonceLength);
        var child = BuildResponderChild(request, suite, number, tsi, tsr, nonce.Data.ToArray(), nr, shared, withGroup: true, out var chosen);
        var reply = new List<Payload> { chosen, new NoncePayload(nr) };
        if (dh is not null)
        {
            reply.Add(new KePayload(dh.Id, dh.PublicValue));
            dh.Dispose();
        }
        reply.Add(new TrafficSelectorPayload(true, tsi));
        reply.Add(new TrafficSelectorPayload(false, tsr));
        if (old is { State: ChildSaState.Rekeying })
            old.CollidingPeerRekey = child; // §2.8.1: both sides rekey the same child; resolved when our response arrives
        return ([.. reply], () =>
        {
            Current.AddChild(child);
            if (old is { State: ChildSaState.Installed })
                old.State = ChildSaState.Rekeyed; // replaced; the peer deletes it
        });
    }

    private void OnChildRekeyResponse(IkeMessage response, ChildSa old, uint spi, byte[] ni, DhGroup? dh)
    {
        using var _ = dh;
        if (RetryGroup(response, dh?.Id, Config.ChildProposals.Select(c => c.PfsGroup ?? 0)) is { } retry && old.State == ChildSaState.Rekeying)
        {
            // §1.3: INVALID_KE_PAYLOAD names the group the responder wants; try once more with it.
            _endpoint.ReleaseChildSpi(spi);
            _endpoint.Counters.Add("rekey.invalid-ke-retry");
            StartChildRekey(old, retry);
            return;
        }
        var nonce = response.Get<NoncePayload>();
        byte[]? shared = [];
        if (dh is not null)
            shared = response.Get<KePayload>() is { } ke && ke.Group == dh.Id ? dh.TryComputeShared(ke.Data.Span) : null;
        NotifyType? refusal = response.FirstError?.NotifyType;
        var child = nonce is null || shared is null ? null
            : CompleteChild(response, spi, ni, nonce.Data.ToArray(), shared, checkGroup: true, old.LocalTrafficSelectors, old.RemoteTrafficSelectors, out refusal);
        if (child is null)
        {
            _endpoint.ReleaseChildSpi(spi);
            if (old.State == ChildSaState.Rekeying)
            {
                old.State = ChildSaState.Installed;
                if (old.ExpiresAt is not null)
                    old.RekeyAt = Now + (Config.RekeyMargin / 10); // try again, well before the hard end
            }
            old.CollidingPeerRekey = null;
            _endpoint.Raise(new IkeEvent(IkeEventKind.Failed, this, old, refusal ?? NotifyType.InvalidSyntax, "child SA rekey refused"));
            return;
        }
        var home = Current; // the IKE SA may have been rekeyed while this exchange was in flight
        home.AddChild(child);
        var wasDeleted = old.State == ChildSaState.Deleted;
        old.State = wasDeleted ? ChildSaState.Deleted : ChildSaState.Rekeyed;
        if (old.CollidingPeerRekey is { } peers && LowestNonce(ni, child.Nr).SequenceCompareTo(LowestNonce(peers.Ni, peers.Nr)) < 0)
        {
            // §2.8.1: our exchange holds the lowest nonce, so our new SA is the redundant one and we close it; the peer,
            // whose SA survives, deletes the old one.
            _endpoint.Counters.Add("rekey-collision.lost");
            home.DeleteChildSas(child);
        }
        else
        {
            if (old.CollidingPeerRekey is not null)
                _endpoint.Counters.Add("rekey-collision.won");
            if (!wasDeleted)
                home.DeleteChildSas(old);
        }
        old.CollidingPeerRekey = null;
    }

    /// <summary>The group an INVALID_KE_PAYLOAD response names, when we offer it and did not just use it; otherwise null.</summary>
    private static ushort? RetryGroup(IkeMessage response, ushort? used, IEnumerable<ushort> offered)
    {
        if (response.Notify(NotifyType.InvalidKePayload) is not { Data.Length: 2 } n)
            return null;
        var group = BinaryPrimitives.ReadUInt16BigEndian(n.Data.Span);
        return group != 0 && group != used && offered.Contains(group) ? group : null;
    }

    private static ReadOnlySpan<byte> LowestNonce(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b) <= 0 ? a : b;

    // ---------------------------------------------------------------- IKE SA rekey

    private (ImmutableArray<Payload> Reply, Action? After) HandleIkeRekeyRequest(IkeMessage request, SaPayload sa, NoncePayload nonce)
    {
        var ke = request.Get<KePayload>();
        if (ke is null)
            return ([NotifyPayload.Of(NotifyType.InvalidSyntax)], null);
        if (ReplacedBy is not null)
            return ([NotifyPayload.Of(NotifyType.TemporaryFailure)], null);
        var (suite, number) = _endpoint.SelectIkeSuite(sa.Proposals, ke.Group, ignoreGroup: false);
        if (suite is null)
        {
            var (other, _) = _endpoint.SelectIkeSuite(sa.Proposals, ke.Group, ignoreGroup: true);
            if (other is null)
                return ([NotifyPayload.Of(NotifyType.NoProposalChosen)], null);
            var data = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(data, other.DhGroup);
            return ([NotifyPayload.Of(NotifyType.InvalidKePayload, data)], null);
        }
        var proposal = sa.Proposals.First(p => p.Number == number && suite.OfferedBy(p));
        if (proposal.Spi.Length != 8)
            return ([NotifyPayload.Of(NotifyType.InvalidSyntax)], null);
        using var dh = DhGroup.Create(suite.DhGroup);
        if (dh.TryComputeShared(ke.Data.Span) is not { } shared)
            return ([NotifyPayload.Of(NotifyType.InvalidSyntax)], null);
        var nr = RandomNumberGenerator.GetBytes(NonceLength);
        var spi = _endpoint.NewIkeSpi();
        var peerSpi = BinaryPrimitives.ReadUInt64BigEndian(proposal.Spi.Span);
        var ni = nonce.Data.ToArray();
        var successor = CreateSuccessor(initiator: false, peerSpi, spi, suite, ni, nr, shared);
        var spiBytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(spiBytes, spi);
        var reply = ImmutableArray.Create<Payload>(new SaPayload([suite.ToProposal(number, spiBytes)]), new NoncePayload(nr), new KePayload(dh.Id, dh.PublicValue));
        return (reply, () =>
        {
            _endpoint.Register(successor);
            if (_rekeyingIke)
                _peerIkeRekey = successor; // §2.8.1 collision: resolved when our own rekey's response arrives
            else
                HandOver(successor);
        });
    }

    private void OnIkeRekeyResponse(IkeMessage response, ulong spi, byte[] ni, DhGroup dh)
    {
        using var _ = dh;
        _rekeyingIke = false;
        if (RetryGroup(response, dh.Id, Config.IkeProposals.Select(p => p.DhGroup)) is { } retry && _peerIkeRekey is null && ReplacedBy is null)
        {
            _endpoint.Counters.Add("rekey.invalid-ke-retry");
            StartIkeRekey(retry);
            return;
        }
        var sa = response.Get<SaPayload>();
        var ke = response.Get<KePayload>();
        var nonce = response.Get<NoncePayload>();
        var proposal = sa is { Proposals.Length: 1 } ? sa.Proposals[0] : null;
        var suite = proposal is { Spi.Length: 8 } ? Config.IkeProposals.FirstOrDefault(s => s.IsExactly(proposal)) : null;
        var shared = suite is not null && ke is not null && ke.Group == dh.Id && suite.DhGroup == dh.Id ? dh.TryComputeShared(ke.Data.Span) : null;
        if (response.FirstError is not null || nonce is null || shared is null)
        {
            _endpoint.Raise(new IkeEvent(IkeEventKind.Failed, this, Notify: response.FirstError?.NotifyType ?? NotifyType.InvalidSyntax, Detail: "IKE SA rekey refused"));
            if (_expiresAt is not null && ReplacedBy is null)
                _rekeyAt = Now + (Config.RekeyMargin / 10);
            if (_peerIkeRekey is { } peers)
                HandOver(peers);
            _peerIkeRekey = null;
            return;
        }
        var nr = nonce.Data.ToArray();
        var successor = CreateSuccessor(initiator: true, spi, BinaryPrimitives.ReadUInt64BigEndian(proposal!.Spi.Span), suite!, ni, nr, shared);
        _endpoint.Register(successor);
        if (_peerIkeRekey is { } other)
        {
            _peerIkeRekey = null;
            if (LowestNonce(ni, nr).SequenceCompareTo(LowestNonce(other._rekeyNi, other._rekeyNr)) < 0)
            {
                // §2.8.1: ours is redundant; we close it, the peer (initiator of the survivor) deletes this old SA.
                _endpoint.Counters.Add("rekey-collision.lost");
                HandOver(other);
                successor.Delete();
                return;
            }
            _endpoint.Counters.Add("rekey-collision.won");
        }
        HandOver(successor);
        Delete();
    }

    private IkeSa CreateSuccessor(bool initiator, ulong spiI, ulong spiR, IkeSuite suite, byte[] ni, byte[] nr, byte[] shared)
    {
        var successor = new IkeSa(_endpoint, initiator, spiI, spiR, Local, Remote)
        {
            Suite = suite,
            NatLocal = NatLocal,
            NatRemote = NatRemote,
            PeerId = PeerId,
            _prf = new Prf(suite.Prf),
            _rekeyNi = ni,
            _rekeyNr = nr,
        };
        // §2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), the keys with the new SPIs.
        var skeyseed = KeyDerivation.RekeySkeyseed(_prf!, _skD, shared, ni, nr);
        successor.InstallKeys(KeyDerivation.DeriveIkeKeys(suite, skeyseed, ni, nr, spiI, spiR));
        successor.MarkEstablished();
        return successor;
    }

    /// <summary>The child SAs move to <paramref name="successor"/>; this SA only waits for its Delete.</summary>
    private void HandOver(IkeSa successor)
    {
        if (ReplacedBy is not null)
            return;
        ReplacedBy = successor;
        successor._children.AddRange(_children);
        _children.Clear();
        // Child operations still waiting for the window belong to the successor now (§2.18); the one in flight, if
        // any, finishes here and puts its result into the successor (Current).
        var waiting = _queue.ToList();
        _queue.Clear();
        foreach (var o in waiting)
            o.OnHandOver?.Invoke(successor);
        _endpoint.Raise(new IkeEvent(IkeEventKind.IkeSaRekeyed, this, Detail: $"replaced by {successor.SpiI:x16}_i {successor.SpiR:x16}_r"));
    }

    // ---------------------------------------------------------------- INFORMATIONAL

    private (ImmutableArray<Payload> Reply, Action? After) HandleInformational(IkeMessage request)
    {
        var deletes = request.Payloads.OfType<DeletePayload>().ToList();
        if (deletes.Any(d => d.Protocol == ProtocolId.Ike))
            return ([], () => Close(IkeEventKind.IkeSaClosed, null, "deleted by the peer"));
        var mine = new List<uint>();
        var home = Current; // a Delete that crossed our IKE rekey still finds the child
        foreach (var spi in deletes.Where(d => d.Protocol == ProtocolId.Esp).SelectMany(d => d.Spis))
        {
            if (home._children.FirstOrDefault(c => c.OutboundSpi == spi) is { } child)
            {
                mine.Add(child.InboundSpi);
                home.RemoveChild(child);
            }
        }
        return (mine.Count == 0 ? [] : [new DeletePayload(ProtocolId.Esp, [.. mine])], null);
    }

    // ---------------------------------------------------------------- message flow

    private void Enqueue(ExchangeType exchange, ImmutableArray<Payload> payloads, Action<IkeMessage> onResponse, Action<IkeSa>? onHandOver = null)
    {
        _queue.Enqueue(new Outgoing(exchange, payloads, onResponse, onHandOver));
        Pump();
    }

    private void Pump()
    {
        if (_pending is not null || _queue.Count == 0 || State is IkeSaState.Closed or IkeSaState.Failed or IkeSaState.Connecting || _out is null)
            return;
        var next = _queue.Dequeue();
        var id = _nextRequestId++;
        var bytes = new IkeMessage(SpiI, SpiR, next.Exchange, Bits(response: false), id, next.Payloads).Encode(_out);
        _pending = new Pending(id, bytes, next.OnResponse, Now + Config.RetransmitTimeout);
        Transmit(bytes);
    }

    private void Transmit(byte[] message) => _endpoint.Send(new IkeDatagram(Local, Remote, message));

    internal void Handle(IkeDatagram datagram, IkeMessage outer)
    {
        if (State is IkeSaState.Closed or IkeSaState.Failed)
        {
            _endpoint.Counters.Add("closed-sa");
            return;
        }
        if (outer.Exchange == ExchangeType.IkeSaInit)
        {
            if (IsOriginalInitiator && outer.IsResponse && State == IkeSaState.Connecting && outer.MessageId == 0)
                HandleInitResponse(datagram, outer);
            else
                _endpoint.Counters.Add("unexpected-init");
            return;
        }
        if (outer.FromOriginalInitiator == IsOriginalInitiator || _in is null || State == IkeSaState.Connecting)
        {
            _endpoint.Counters.Add("unexpected-message");
            return;
        }
        if (outer.IsResponse)
        {
            if (_pending is null || outer.MessageId != _pending.Id)
            {
                _endpoint.Counters.Add("unexpected-response");
                return;
            }
            if (!Decrypt(datagram, outer, out var response))
                return;
            _lastReceived = Now;
            var pending = _pending;
            _pending = null;
            pending.OnResponse?.Invoke(response);
            Pump();
            return;
        }
        var retransmitted = _lastResponse is not null && outer.MessageId == _lastResponseId;
        if (!retransmitted && outer.MessageId != _expectedPeerId)
        {
            _endpoint.Counters.Add("message-id-outside-window");
            return;
        }
        if (!Decrypt(datagram, outer, out var request))
            return;
        _lastReceived = Now;
        if (!IsOriginalInitiator || State == IkeSaState.Established)
        {
            // Follow the peer's address (its NAT mapping may change; §2.23).
            Remote = datagram.Remote;
            Local = datagram.Local;
        }
        if (retransmitted)
        {
            _endpoint.Counters.Add("retransmitted-request");
            Transmit(_lastResponse!);
            return;
        }
        _expectedPeerId++;
        var (reply, after) = request.Exchange switch
        {
            ExchangeType.IkeAuth when !IsOriginalInitiator && State == IkeSaState.Authenticating => HandleAuthRequest(request),
            ExchangeType.CreateChildSa when State is IkeSaState.Established => HandleCreateChildRequest(request),
            ExchangeType.CreateChildSa when State is IkeSaState.Deleting => ([NotifyPayload.Of(NotifyType.TemporaryFailure)], null),
            ExchangeType.Informational when State is IkeSaState.Established or IkeSaState.Deleting => HandleInformational(request),
            _ => ([NotifyPayload.Of(NotifyType.InvalidSyntax)], (Action?)null),
        };
        _lastResponseId = request.MessageId;
        _lastResponse = new IkeMessage(SpiI, SpiR, request.Exchange, Bits(response: true), request.MessageId, reply).Encode(_out!);
        Transmit(_lastResponse);
        after?.Invoke();
    }

    private bool Decrypt(IkeDatagram datagram, IkeMessage outer, out IkeMessage message)
    {
        var status = IkeMessage.TryDecrypt(datagram.Message, outer, _in!, out var inner);
        message = inner!;
        if (status == ParseStatus.Ok)
            return true;
        _endpoint.Counters.Add(status);
        return false;
    }

    private void Fail(NotifyType notify, string detail)
    {
        FailureNotify = notify;
        Close(IkeEventKind.Failed, notify, detail);
    }

    private void Close(IkeEventKind kind, NotifyType? notify, string detail)
    {
        if (State is IkeSaState.Closed or IkeSaState.Failed)
            return;
        foreach (var child in _children.ToList())
            RemoveChild(child);
        State = kind == IkeEventKind.Failed ? IkeSaState.Failed : IkeSaState.Closed;
        _pending = null;
        _queue.Clear();
        _endpoint.Unregister(this);
        _endpoint.Raise(new IkeEvent(kind, this, Notify: notify, Detail: detail));
        Dispose();
    }

    public override string ToString() => $"IKE {SpiI:x16}_i {SpiR:x16}_r {State} {Suite} {Local} -> {Remote}";

    public void Dispose()
    {
        _dh?.Dispose();
        _dh = null;
        _out?.Dispose();
        _in?.Dispose();
    }
}
