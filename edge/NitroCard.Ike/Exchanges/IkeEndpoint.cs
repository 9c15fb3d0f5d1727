using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using NitroCard.Ike.Crypto;
using NitroCard.Ike.Wire;

namespace NitroCard.Ike.Exchanges;

/// <summary>A datagram between two IKE endpoints: the bare IKE message (no non-ESP marker; see <see cref="NatTraversal"/>).</summary>
public sealed record IkeDatagram(IPEndPoint Local, IPEndPoint Remote, ReadOnlyMemory<byte> Message);

/// <summary>What happened, for the host (logs, installing ESP SAs).</summary>
public enum IkeEventKind
{
    IkeSaEstablished,
    IkeSaRekeyed,
    IkeSaClosed,
    ChildSaInstalled,
    ChildSaDeleted,
    Failed,
}

/// <summary>One event; <see cref="Notify"/> is the error notify that caused a failure, if any.</summary>
public sealed record IkeEvent(IkeEventKind Kind, IkeSa Sa, ChildSa? Child = null, NotifyType? Notify = null, string? Detail = null);

/// <summary>Counters of what the endpoint refused or did (names are stable: tests and the edge read them).</summary>
public sealed class IkeCounters
{
    private readonly Dictionary<string, long> _values = [];

    public long this[string name] => _values.GetValueOrDefault(name);

    public IReadOnlyDictionary<string, long> All => _values;

    internal void Add(string name) => _values[name] = _values.GetValueOrDefault(name) + 1;

    internal void Add(ParseStatus status) => Add("parse." + status);
}

/// <summary>
/// One IKEv2 endpoint (RFC 7296): initiates and responds, holds its IKE SAs by SPI. No sockets: datagrams come in
/// through <see cref="Receive"/> and leave through the send callback; time comes from the injected
/// <see cref="TimeProvider"/> and the host calls <see cref="Poll"/> periodically (retransmissions, DPD, half-open expiry).
/// Not thread-safe: the host serializes calls.
/// </summary>
public sealed class IkeEndpoint : IDisposable
{
    private readonly Dictionary<ulong, IkeSa> _sas = [];
    private readonly Dictionary<(ulong SpiI, string Remote), IkeSa> _halfOpen = [];
    private readonly HashSet<uint> _childSpis = [];
    private readonly byte[] _cookieSecret = RandomNumberGenerator.GetBytes(32);
    private readonly Action<IkeDatagram> _send;
    private readonly Action<IkeEvent>? _observer;

    public IkeEndpoint(IkeConfig config, IPEndPoint local, TimeProvider time, Action<IkeDatagram> send, Action<IkeEvent>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(send);
        if (config.IkeProposals.IsDefaultOrEmpty || config.IkeProposals.Any(s => !s.IsValid))
            throw new ArgumentException("IKE proposals must be non-empty and implemented here", nameof(config));
        Config = config;
        Local = local;
        Time = time;
        _send = send;
        _observer = observer;
    }

    public IkeConfig Config { get; }

    /// <summary>Our address and IKE port (500); NAT-T uses the same address on 4500.</summary>
    public IPEndPoint Local { get; }

    public TimeProvider Time { get; }

    public IkeCounters Counters { get; } = new();

    /// <summary>Live IKE SAs (including half-open and ones being deleted).</summary>
    public IReadOnlyCollection<IkeSa> Sas => _sas.Values;

    /// <summary>Responder SAs that answered IKE_SA_INIT and wait for IKE_AUTH.</summary>
    public int HalfOpenCount => _halfOpen.Count;

    /// <summary>Starts an IKE SA to <paramref name="remote"/> (IKE_SA_INIT goes out now).</summary>
    public IkeSa Initiate(IPEndPoint remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var sa = new IkeSa(this, initiator: true, NewIkeSpi(), 0, Local, remote);
        Register(sa);
        sa.StartInit();
        return sa;
    }

    /// <summary>Handles one received datagram (bare IKE message; strip the non-ESP marker first on 4500).</summary>
    public void Receive(IkeDatagram datagram)
    {
        ArgumentNullException.ThrowIfNull(datagram);
        var status = IkeMessage.TryParse(datagram.Message, out var message);
        if (status != ParseStatus.Ok)
        {
            Counters.Add(status);
            return;
        }
        if (message!.Exchange == ExchangeType.IkeSaInit && !message.IsResponse && message.SpiR == 0)
        {
            HandleInitRequest(datagram, message);
            return;
        }
        // The SPI we chose is SPIr when the sender is the original initiator, SPIi otherwise.
        var ours = message.FromOriginalInitiator ? message.SpiR : message.SpiI;
        if (!_sas.TryGetValue(ours, out var sa))
        {
            Counters.Add("unknown-spi");
            return;
        }
        sa.Handle(datagram, message);
    }

    /// <summary>Runs timers: retransmissions, DPD, half-open expiry.</summary>
    public void Poll()
    {
        foreach (var sa in _sas.Values.ToList())
            sa.Poll();
    }

    private void HandleInitRequest(IkeDatagram datagram, IkeMessage request)
    {
        var key = (request.SpiI, datagram.Remote.ToString());
        if (_halfOpen.TryGetValue(key, out var existing))
        {
            existing.ResendInitResponse(datagram); // a retransmitted IKE_SA_INIT (§2.1)
            return;
        }
        var sa = request.Get<SaPayload>();
        var ke = request.Get<KePayload>();
        var nonce = request.Get<NoncePayload>();
        if (sa is null || ke is null || nonce is null || request.MessageId != 0 || !request.FromOriginalInitiator)
        {
            Counters.Add("init.invalid-syntax");
            ReplyStateless(datagram, request, NotifyPayload.Of(NotifyType.InvalidSyntax));
            return;
        }
        // §2.6: under load, state is kept only for initiators that echo a cookie bound to their nonce, address and SPI.
        if (_halfOpen.Count >= Config.CookieThreshold)
        {
            var expected = Cookie(nonce.Data.Span, datagram.Remote.Address, request.SpiI);
            var cookie = request.Payloads[0] as NotifyPayload;
            if (cookie is not { NotifyType: NotifyType.Cookie } || !CryptographicOperations.FixedTimeEquals(cookie.Data.Span, expected))
            {
                Counters.Add("init.cookie-demanded");
                ReplyStateless(datagram, request, NotifyPayload.Of(NotifyType.Cookie, expected));
                return;
            }
        }
        var (suite, number) = SelectIkeSuite(sa.Proposals, ke.Group, ignoreGroup: false);
        if (suite is null)
        {
            var (other, _) = SelectIkeSuite(sa.Proposals, ke.Group, ignoreGroup: true);
            if (other is null)
            {
                Counters.Add("init.no-proposal-chosen");
                ReplyStateless(datagram, request, NotifyPayload.Of(NotifyType.NoProposalChosen));
            }
            else
            {
                // §1.2: the proposal is acceptable with another group; tell the initiator which one.
                Counters.Add("init.invalid-ke");
                var data = new byte[2];
                BinaryPrimitives.WriteUInt16BigEndian(data, other.DhGroup);
                ReplyStateless(datagram, request, NotifyPayload.Of(NotifyType.InvalidKePayload, data));
            }
            return;
        }
        var responder = new IkeSa(this, initiator: false, request.SpiI, NewIkeSpi(), datagram.Local, datagram.Remote);
        if (!responder.RespondInit(datagram, request, suite, number, nonce, ke))
        {
            Counters.Add("init.invalid-ke-value");
            ReplyStateless(datagram, request, NotifyPayload.Of(NotifyType.InvalidSyntax));
            return;
        }
        Register(responder);
        _halfOpen[key] = responder;
    }

    /// <summary>
    /// Proposal selection (§2.7, §3.3.6): the peer's proposals in its order, each against our suites in our order; the
    /// first of ours that the proposal offers wins and is answered with the proposal's number.
    /// </summary>
    internal (IkeSuite? Suite, byte Number) SelectIkeSuite(ImmutableArray<Proposal> proposals, ushort keGroup, bool ignoreGroup)
    {
        foreach (var p in proposals)
        {
            foreach (var suite in Config.IkeProposals)
            {
                if (suite.OfferedBy(p) && (ignoreGroup || suite.DhGroup == keGroup))
                    return (suite, p.Number);
            }
        }
        return (null, 0);
    }

    private void ReplyStateless(IkeDatagram datagram, IkeMessage request, NotifyPayload notify)
    {
        var reply = new IkeMessage(request.SpiI, 0, ExchangeType.IkeSaInit, HeaderBits.Response, 0, [notify]);
        _send(new IkeDatagram(datagram.Local, datagram.Remote, reply.Encode()));
    }

    /// <summary>§2.6: Cookie = VersionIDofSecret | HMAC-SHA256(secret, Ni | IPi | SPIi).</summary>
    private byte[] Cookie(ReadOnlySpan<byte> ni, IPAddress address, ulong spiI)
    {
        Span<byte> spi = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(spi, spiI);
        return [1, .. HMACSHA256.HashData((ReadOnlySpan<byte>)_cookieSecret, (ReadOnlySpan<byte>)[.. ni, .. address.GetAddressBytes(), .. spi])];
    }

    internal void Send(IkeDatagram datagram) => _send(datagram);

    internal void Raise(IkeEvent e) => _observer?.Invoke(e);

    internal ulong NewIkeSpi()
    {
        while (true)
        {
            var spi = BinaryPrimitives.ReadUInt64BigEndian(RandomNumberGenerator.GetBytes(8));
            if (spi != 0 && !_sas.ContainsKey(spi))
                return spi;
        }
    }

    internal uint NewChildSpi()
    {
        while (true)
        {
            var spi = BinaryPrimitives.ReadUInt32BigEndian(RandomNumberGenerator.GetBytes(4));
            if (spi >= 256 && _childSpis.Add(spi)) // 1–255 are reserved by IANA (RFC 4303 §2.1)
                return spi;
        }
    }

    internal void ReleaseChildSpi(uint spi) => _childSpis.Remove(spi);

    internal void Register(IkeSa sa) => _sas[sa.OurSpi] = sa;

    internal void Unregister(IkeSa sa)
    {
        if (_sas.TryGetValue(sa.OurSpi, out var registered) && ReferenceEquals(registered, sa))
            _sas.Remove(sa.OurSpi);
        LeaveHalfOpen(sa);
    }

    internal void LeaveHalfOpen(IkeSa sa)
    {
        foreach (var (key, value) in _halfOpen)
        {
            if (ReferenceEquals(value, sa))
            {
                _halfOpen.Remove(key);
                return;
            }
        }
    }

    public void Dispose()
    {
        foreach (var sa in _sas.Values.ToList())
            sa.Dispose();
        _sas.Clear();
    }
}
