using System.Buffers.Binary;
using System.Net;
using NitroCard.Bgp.Wire;

namespace NitroCard.Bgp.Session;

/// <summary>
/// One BGP session with one neighbor: the finite state machine of RFC 4271 §8 (Idle, Connect, Active, OpenSent,
/// OpenConfirm, Established) with its ConnectRetry, hold and keepalive timers on an injected <see cref="TimeProvider"/>,
/// connection collision detection (§6.8), the Adj-RIB-In of the routes the peer sent, and the set of prefixes we
/// advertise to it. Thread-safe: every event (a message, a timer, a call) is handled under one lock, and the
/// .NET events are raised after it is released, in order.
/// </summary>
public sealed class BgpSession : IDisposable
{
    private static readonly byte[] Ipv4UnicastCapabilityTlv = [BgpCapability.MultiprotocolCode, 4, 0, 1, 0, 1];
    private const int PrefixesPerUpdate = 700;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Func<CancellationToken, Task<IBgpConnection>>? _connector;
    private readonly Dictionary<IPNetwork, PathAttributes> _adjRibIn = [];
    private readonly Queue<Action> _events = new();
    private readonly BgpSessionCounters _counters = new();
    private HashSet<IPNetwork> _advertised = [];
    private HashSet<IPNetwork> _sentToPeer = [];
    private Link? _primary;
    private Link? _secondary;
    private ITimer? _connectRetryTimer;
    private ITimer? _idleHoldTimer;
    private CancellationTokenSource? _connectCancel;
    private int _connectAttempt;
    private int _depth;
    private bool _flushing;
    private bool _stopped = true;
    private bool _disposed;

    /// <summary>Creates a session (Idle until <see cref="Start"/>).</summary>
    /// <param name="options">The neighbor and our settings.</param>
    /// <param name="time">The clock for the timers.</param>
    /// <param name="connector">Opens an outgoing connection to the peer; null for a passive-only session.</param>
    public BgpSession(BgpSessionOptions options, TimeProvider? time = null, Func<CancellationToken, Task<IBgpConnection>>? connector = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.HoldTime is 1 or 2)
        {
            throw new ArgumentException("hold time must be 0 or at least 3 seconds (RFC 4271 §4.2)", nameof(options));
        }

        Options = options;
        _time = time ?? TimeProvider.System;
        _connector = connector;
    }

    /// <summary>Raised on every state change.</summary>
    public event EventHandler<BgpStateChange>? StateChanged;

    /// <summary>Raised when the peer announces a prefix (new, or with new attributes).</summary>
    public event EventHandler<BgpRoute>? RouteLearned;

    /// <summary>Raised when a prefix leaves the Adj-RIB-In (withdrawn, treated as withdrawn, or the session went down).</summary>
    public event EventHandler<BgpRoute>? RouteWithdrawn;

    /// <summary>Raised when an established session goes down, after its routes were withdrawn.</summary>
    public event EventHandler<BgpSessionDown>? SessionDown;

    /// <summary>The settings.</summary>
    public BgpSessionOptions Options { get; }

    /// <summary>The current state.</summary>
    public BgpSessionState State { get; private set; } = BgpSessionState.Idle;

    /// <summary>The hold time in use once OPENs were exchanged (the smaller of both, §4.2), else null.</summary>
    public ushort? NegotiatedHoldTime { get { lock (_gate) { return _primary?.PeerOpen is null ? null : _primary.HoldTime; } } }

    /// <summary>Whether both sides announced 4-octet AS numbers.</summary>
    public bool FourOctetAs { get { lock (_gate) { return _primary?.FourOctetAs ?? false; } } }

    /// <summary>The peer's OPEN on the current connection, once received.</summary>
    public OpenMessage? PeerOpen { get { lock (_gate) { return _primary?.PeerOpen; } } }

    /// <summary>The last NOTIFICATION we sent.</summary>
    public NotificationMessage? LastNotificationSent { get; private set; }

    /// <summary>The last NOTIFICATION the peer sent.</summary>
    public NotificationMessage? LastNotificationReceived { get; private set; }

    /// <summary>The last reason the session left a connection (an error, a NOTIFICATION, a timer).</summary>
    public string? LastError { get; private set; }

    /// <summary>A copy of the counters.</summary>
    public BgpSessionCounters Counters { get { lock (_gate) { return _counters with { }; } } }

    /// <summary>A copy of the Adj-RIB-In: each prefix the peer announced and its attributes.</summary>
    public IReadOnlyDictionary<IPNetwork, PathAttributes> Routes { get { lock (_gate) { return new Dictionary<IPNetwork, PathAttributes>(_adjRibIn); } } }

    /// <summary>A copy of the prefixes we advertise.</summary>
    public IReadOnlySet<IPNetwork> Advertised { get { lock (_gate) { return new HashSet<IPNetwork>(_advertised); } } }

    /// <summary>ManualStart (§8.1.2 events 1 and 4): connect out (unless passive) and accept the peer's connection.</summary>
    public void Start() => Run(() =>
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _stopped = false;
        if (State == BgpSessionState.Idle)
        {
            StartFromIdle();
        }
    });

    /// <summary>ManualStop (§8.1.2 event 2): Cease/Administrative Shutdown to the peer, routes withdrawn, Idle.</summary>
    public void Stop() => Run(() =>
    {
        _stopped = true;
        var cease = new NotificationMessage(BgpErrorCode.Cease, CeaseSubcode.AdministrativeShutdown);
        foreach (var link in Links())
        {
            SendNotification(link, cease);
        }

        GoIdle("stopped", cease, null);
    });

    /// <summary>Sets the prefixes to advertise (the VPC CIDRs); on an established session the difference goes out as UPDATEs.</summary>
    public void SetAdvertised(IEnumerable<IPNetwork> prefixes)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        var wanted = new HashSet<IPNetwork>(prefixes);
        foreach (var prefix in wanted)
        {
            if (prefix.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                throw new ArgumentException($"{prefix} is not IPv4 (the session carries IPv4 unicast)", nameof(prefixes));
            }
        }

        Run(() =>
        {
            _advertised = wanted;
            if (State == BgpSessionState.Established)
            {
                SendAdvertisementDelta(_primary!);
            }
        });
    }

    /// <summary>
    /// Offers an incoming connection from the peer (§8.1.4 TcpConnectionConfirmed). Returns false if it was refused (a
    /// NOTIFICATION Cease then goes on it and it is closed): the session is Idle, or already established (§6.8).
    /// </summary>
    public bool AcceptConnection(IBgpConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        bool accepted = false;
        Run(() =>
        {
            switch (State)
            {
                case BgpSessionState.Connect or BgpSessionState.Active:
                    CancelConnect();
                    Adopt(connection, inbound: true);
                    accepted = true;
                    break;
                case BgpSessionState.OpenSent or BgpSessionState.OpenConfirm when _secondary is null:
                    _secondary = NewLink(connection, inbound: true);
                    accepted = true;
                    break;
                default:
                    _counters.ConnectionsRefused++;
                    byte subcode = State == BgpSessionState.Idle ? CeaseSubcode.ConnectionRejected : CeaseSubcode.ConnectionCollisionResolution;
                    var refusal = new NotificationMessage(BgpErrorCode.Cease, subcode);
                    connection.Send(BgpCodec.Encode(refusal));
                    connection.Close();
                    break;
            }
        });
        return accepted;
    }

    /// <summary>Stops the session and its timers.</summary>
    public void Dispose()
    {
        Stop();
        Run(() =>
        {
            _disposed = true;
            _idleHoldTimer?.Dispose();
            _connectRetryTimer?.Dispose();
        });
    }

    // ---- the state machine ----
    private void StartFromIdle()
    {
        _idleHoldTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        RestartConnectRetry();
        if (Options.Passive || _connector is null)
        {
            SetState(BgpSessionState.Active);
        }
        else
        {
            SetState(BgpSessionState.Connect);
            BeginConnect();
        }
    }

    private void BeginConnect()
    {
        CancelConnect();
        var cancel = new CancellationTokenSource();
        _connectCancel = cancel;
        int attempt = ++_connectAttempt;
        Task<IBgpConnection> task;
        try
        {
            task = _connector!(cancel.Token);
        }
#pragma warning disable CA1031 // a connector that throws is a failed connection attempt, like one whose task faults
        catch (Exception ex)
#pragma warning restore CA1031
        {
            task = Task.FromException<IBgpConnection>(ex);
        }

        task.ContinueWith(t => Run(() => OnConnectCompleted(attempt, t)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnConnectCompleted(int attempt, Task<IBgpConnection> task)
    {
        bool current = attempt == _connectAttempt && State is BgpSessionState.Connect or BgpSessionState.Active && _primary is null && !_stopped;
        if (!task.IsCompletedSuccessfully)
        {
            if (current && State == BgpSessionState.Connect)
            {
                // §8.2.2 Connect, TcpConnectionFails: restart ConnectRetryTimer, go Active.
                LastError = "connection failed: " + (task.Exception?.InnerException?.Message ?? "cancelled");
                RestartConnectRetry();
                SetState(BgpSessionState.Active);
            }

            return;
        }

        if (!current)
        {
            task.Result.Close();
            return;
        }

        Adopt(task.Result, inbound: false);
    }

    private void OnConnectRetryExpired()
    {
        switch (State)
        {
            case BgpSessionState.Connect:
                RestartConnectRetry();
                BeginConnect();
                break;
            case BgpSessionState.Active:
                RestartConnectRetry();
                if (!Options.Passive && _connector is not null)
                {
                    SetState(BgpSessionState.Connect);
                    BeginConnect();
                }

                break;
        }
    }

    private void Adopt(IBgpConnection connection, bool inbound)
    {
        StopConnectRetry();
        _primary = NewLink(connection, inbound);
        SetState(BgpSessionState.OpenSent);
    }

    private Link NewLink(IBgpConnection connection, bool inbound)
    {
        var link = new Link(connection, inbound);
        link.HoldTimer = _time.CreateTimer(_ => Run(() => OnHoldTimerExpired(link)), null, Options.OpenHoldTime, Timeout.InfiniteTimeSpan);
        connection.Start((c, m) => Run(() => OnMessage(link, m)), _ => Run(() => OnConnectionClosed(link)));
        Send(link, OpenMessage.Create(Options.LocalAsn, Options.HoldTime, Options.RouterId));
        return link;
    }

    private void OnMessage(Link link, ReadOnlyMemory<byte> bytes)
    {
        if (!IsCurrent(link))
        {
            return;
        }

        _counters.MessagesReceived++;
        BgpMessage message;
        try
        {
            message = BgpCodec.Decode(bytes.Span, link.FourOctetAs);
        }
        catch (BgpProtocolException ex)
        {
            ProtocolError(link, ex.Error);
            return;
        }

        if (link.State != BgpSessionState.OpenSent && link.HoldTime > 0)
        {
            link.HoldTimer?.Change(TimeSpan.FromSeconds(link.HoldTime), Timeout.InfiniteTimeSpan);
        }

        switch (message)
        {
            case OpenMessage open:
                OnOpen(link, open);
                break;
            case KeepaliveMessage:
                _counters.KeepalivesReceived++;
                OnKeepalive(link);
                break;
            case UpdateMessage update:
                _counters.UpdatesReceived++;
                OnUpdate(link, update);
                break;
            case NotificationMessage notification:
                _counters.NotificationsReceived++;
                LastNotificationReceived = notification;
                LastError = "peer sent " + notification;
                CloseLink(link, $"peer sent {notification}", null, notification);
                break;
            case RouteRefreshMessage refresh:
                OnRouteRefresh(link, refresh);
                break;
        }
    }

    private void OnOpen(Link link, OpenMessage open)
    {
        if (link.State != BgpSessionState.OpenSent)
        {
            FsmError(link);
            return;
        }

        if (open.Asn != Options.PeerAsn)
        {
            var data = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(data, open.MyAutonomousSystem);
            ProtocolError(link, new BgpError(BgpErrorCode.OpenMessage, OpenErrorSubcode.BadPeerAs, data, $"peer AS {open.Asn}, expected {Options.PeerAsn}"));
            return;
        }

        if (Options.IsInternal && open.BgpIdentifier.Equals(Options.RouterId))
        {
            ProtocolError(link, new BgpError(BgpErrorCode.OpenMessage, OpenErrorSubcode.BadBgpIdentifier, ReadOnlyMemory<byte>.Empty, $"internal peer has our BGP Identifier {open.BgpIdentifier}"));
            return;
        }

        if (!open.SupportsIpv4Unicast)
        {
            ProtocolError(link, new BgpError(BgpErrorCode.OpenMessage, OpenErrorSubcode.UnsupportedCapability, Ipv4UnicastCapabilityTlv, "peer does not carry IPv4 unicast"));
            return;
        }

        link.PeerOpen = open;
        link.FourOctetAs = open.SupportsFourOctetAs;
        link.HoldTime = Math.Min(Options.HoldTime, open.HoldTime);
        link.State = BgpSessionState.OpenConfirm;
        Send(link, KeepaliveMessage.Instance);
        if (link.HoldTime > 0)
        {
            var hold = TimeSpan.FromSeconds(link.HoldTime);
            var keepalive = hold / 3;
            link.HoldTimer!.Change(hold, Timeout.InfiniteTimeSpan);
            link.KeepaliveTimer = _time.CreateTimer(_ => Run(() => OnKeepaliveTimerExpired(link)), null, keepalive, keepalive);
        }
        else
        {
            link.HoldTimer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        if (link == _primary)
        {
            SetState(BgpSessionState.OpenConfirm);
        }

        var other = link == _primary ? _secondary : _primary;
        if (other?.PeerOpen is not null)
        {
            ResolveCollision();
        }
    }

    /// <summary>§6.8: keep the connection opened by the speaker with the higher BGP Identifier.</summary>
    private void ResolveCollision()
    {
        var primary = _primary!;
        var secondary = _secondary!;
        uint local = BinaryPrimitives.ReadUInt32BigEndian(Options.RouterId.GetAddressBytes());
        uint remote = BinaryPrimitives.ReadUInt32BigEndian(secondary.PeerOpen!.BgpIdentifier.GetAddressBytes());
        bool keepInbound = local < remote;
        var keep = primary.Inbound == secondary.Inbound ? primary : (primary.Inbound == keepInbound ? primary : secondary);
        var drop = keep == primary ? secondary : primary;
        _counters.CollisionsResolved++;
        Promote(keep, drop);
    }

    /// <summary>Makes <paramref name="keep"/> the session's connection and closes <paramref name="drop"/> with Cease/collision.</summary>
    private void Promote(Link keep, Link drop)
    {
        SendNotification(drop, new NotificationMessage(BgpErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution));
        Dispose(drop);
        _primary = keep;
        _secondary = null;
        SetState(keep.State);
    }

    private void OnKeepalive(Link link)
    {
        switch (link.State)
        {
            case BgpSessionState.OpenSent:
                FsmError(link);
                break;
            case BgpSessionState.OpenConfirm:
                link.State = BgpSessionState.Established;
                if (link == _secondary)
                {
                    Promote(link, _primary!);
                }
                else
                {
                    if (_secondary is { } pending)
                    {
                        SendNotification(pending, new NotificationMessage(BgpErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution));
                        Dispose(pending);
                        _secondary = null;
                        _counters.CollisionsResolved++;
                    }

                    SetState(BgpSessionState.Established);
                }

                _counters.EstablishedTransitions++;
                _sentToPeer = [];
                SendAdvertisementDelta(link);
                break;
        }
    }

    private void OnUpdate(Link link, UpdateMessage update)
    {
        if (link.State != BgpSessionState.Established)
        {
            FsmError(link);
            return;
        }

        var errors = update.Errors.ToList();
        var attributes = update.Attributes;
        if (attributes is not null && update.Nlri.Count > 0 && !Options.IsInternal && attributes.AsPath is { } path
            && (path.FirstAs != Options.PeerAsn || path.Segments.Any(s => s.Type is AsPathSegmentType.ConfedSequence or AsPathSegmentType.ConfedSet)))
        {
            // §6.3: an external peer's AS_PATH must start with its AS; RFC 7606 §7.2: treat-as-withdraw.
            errors.Add(new BgpError(BgpErrorCode.UpdateMessage, UpdateErrorSubcode.MalformedAsPath, ReadOnlyMemory<byte>.Empty, $"AS_PATH [{path}] does not start with the peer's AS {Options.PeerAsn}", BgpErrorAction.TreatAsWithdraw));
        }

        _counters.ProtocolErrors += errors.Count;
        var reset = errors.FirstOrDefault(e => e.Action == BgpErrorAction.SessionReset || !Options.RevisedErrorHandling);
        if (reset is not null)
        {
            SendNotificationAndClose(link, reset);
            return;
        }

        bool withdrawAll = errors.Any(e => e.Action == BgpErrorAction.TreatAsWithdraw);
        _counters.AttributesDiscarded += errors.Count(e => e.Action == BgpErrorAction.AttributeDiscard);
        if (withdrawAll)
        {
            _counters.TreatedAsWithdraw++;
            LastError = "treated as withdraw: " + errors.First(e => e.Action == BgpErrorAction.TreatAsWithdraw);
        }

        foreach (var prefix in update.Withdrawn.Concat(withdrawAll ? update.Nlri : []))
        {
            Withdraw(prefix);
        }

        if (withdrawAll || attributes is null)
        {
            return;
        }

        if (!Options.IsInternal && attributes.LocalPref is not null)
        {
            attributes = attributes with { LocalPref = null }; // §5.1.5: ignored from an external peer
        }

        bool loop = attributes.AsPath?.AllAsns.Contains(Options.LocalAsn) == true;
        bool ownNextHop = attributes.NextHop is { } nextHop && nextHop.Equals(Unmapped(link.Connection.LocalEndPoint.Address));
        foreach (var prefix in update.Nlri)
        {
            if (loop || ownNextHop)
            {
                // §9.1.2 (our AS in the path) and §6.3 (a NEXT_HOP that is our own address): the route is ignored.
                _counters.RoutesIgnored++;
                Withdraw(prefix);
                continue;
            }

            if (Options.MaxPrefixes is { } max && _adjRibIn.Count >= max && !_adjRibIn.ContainsKey(prefix))
            {
                var data = new byte[7];
                BinaryPrimitives.WriteUInt16BigEndian(data, MultiprotocolCapability.AfiIpv4);
                data[2] = MultiprotocolCapability.SafiUnicast;
                BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(3), (uint)max);
                SendNotificationAndClose(link, new BgpError(BgpErrorCode.Cease, CeaseSubcode.MaximumPrefixes, data, $"more than {max} prefixes"));
                return;
            }

            if (!_adjRibIn.TryGetValue(prefix, out var old) || !old.Equals(attributes))
            {
                _adjRibIn[prefix] = attributes;
                var route = new BgpRoute(prefix, attributes);
                Raise(() => RouteLearned?.Invoke(this, route));
            }
        }
    }

    private void OnRouteRefresh(Link link, RouteRefreshMessage refresh)
    {
        if (link.State != BgpSessionState.Established)
        {
            FsmError(link);
            return;
        }

        if (refresh.Afi == MultiprotocolCapability.AfiIpv4 && refresh.Safi == MultiprotocolCapability.SafiUnicast)
        {
            _sentToPeer = [];
            SendAdvertisementDelta(link); // RFC 2918 §4: re-advertise the Adj-RIB-Out
        }
    }

    private void OnHoldTimerExpired(Link link)
    {
        if (!IsCurrent(link))
        {
            return;
        }

        SendNotificationAndClose(link, new BgpError(BgpErrorCode.HoldTimerExpired, 0, ReadOnlyMemory<byte>.Empty, "hold timer expired"));
    }

    private void OnKeepaliveTimerExpired(Link link)
    {
        if (IsCurrent(link) && link.State is BgpSessionState.OpenConfirm or BgpSessionState.Established)
        {
            Send(link, KeepaliveMessage.Instance);
        }
    }

    private void OnConnectionClosed(Link link)
    {
        if (!IsCurrent(link))
        {
            return;
        }

        if (link == _primary && link.State == BgpSessionState.OpenSent && _secondary is null && !_stopped)
        {
            // §8.2.2 OpenSent, TcpConnectionFails: close, restart ConnectRetryTimer, go Active.
            LastError = "connection closed in OpenSent";
            Dispose(link);
            _primary = null;
            RestartConnectRetry();
            SetState(BgpSessionState.Active);
            return;
        }

        LastError = "connection closed by the peer";
        CloseLink(link, LastError, null, null);
    }

    private void FsmError(Link link)
    {
        byte subcode = link.State switch
        {
            BgpSessionState.OpenSent => FsmErrorSubcode.UnexpectedInOpenSent,
            BgpSessionState.OpenConfirm => FsmErrorSubcode.UnexpectedInOpenConfirm,
            _ => FsmErrorSubcode.UnexpectedInEstablished,
        };
        _counters.ProtocolErrors++;
        SendNotificationAndClose(link, new BgpError(BgpErrorCode.FiniteStateMachine, subcode, ReadOnlyMemory<byte>.Empty, $"unexpected message in {link.State}"));
    }

    private void ProtocolError(Link link, BgpError error)
    {
        _counters.ProtocolErrors++;
        SendNotificationAndClose(link, error);
    }

    private void SendNotificationAndClose(Link link, BgpError error)
    {
        var notification = error.ToNotification();
        SendNotification(link, notification);
        LastError = error.ToString();
        CloseLink(link, error.ToString(), notification, null);
    }

    /// <summary>Closes one connection; if it was the session's, the session goes Idle.</summary>
    private void CloseLink(Link link, string reason, NotificationMessage? sent, NotificationMessage? received)
    {
        if (link == _secondary)
        {
            Dispose(link);
            _secondary = null;
            return;
        }

        if (_secondary is { } pending && pending.PeerOpen is not null)
        {
            // The other connection of a collision carries on (§6.8).
            Dispose(link);
            _primary = pending;
            _secondary = null;
            SetState(pending.State);
            return;
        }

        GoIdle(reason, sent, received);
    }

    private void GoIdle(string reason, NotificationMessage? sent, NotificationMessage? received)
    {
        bool wasEstablished = State == BgpSessionState.Established;
        foreach (var link in Links())
        {
            Dispose(link);
        }

        _primary = null;
        _secondary = null;
        CancelConnect();
        StopConnectRetry();
        _sentToPeer = [];
        foreach (var prefix in _adjRibIn.Keys.ToList())
        {
            Withdraw(prefix);
        }

        SetState(BgpSessionState.Idle);
        if (wasEstablished)
        {
            var down = new BgpSessionDown(reason, sent, received);
            Raise(() => SessionDown?.Invoke(this, down));
        }

        if (!_stopped && Options.AutomaticRestart)
        {
            _idleHoldTimer ??= _time.CreateTimer(_ => Run(OnIdleHoldExpired), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _idleHoldTimer.Change(Options.IdleHoldTime, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnIdleHoldExpired()
    {
        if (State == BgpSessionState.Idle && !_stopped && !_disposed)
        {
            StartFromIdle();
        }
    }

    // ---- advertising ----
    private void SendAdvertisementDelta(Link link)
    {
        var withdrawn = _sentToPeer.Except(_advertised).OrderBy(p => p.ToString(), StringComparer.Ordinal).ToList();
        var announced = _advertised.Except(_sentToPeer).OrderBy(p => p.ToString(), StringComparer.Ordinal).ToList();
        foreach (var chunk in withdrawn.Chunk(PrefixesPerUpdate))
        {
            Send(link, new UpdateMessage(chunk, null, []));
        }

        if (announced.Count > 0)
        {
            var attributes = new PathAttributes
            {
                Origin = BgpOrigin.Igp,
                AsPath = Options.IsInternal ? AsPath.Empty : AsPath.Sequence(Options.LocalAsn),
                NextHop = Options.NextHop ?? Unmapped(link.Connection.LocalEndPoint.Address),
                LocalPref = Options.IsInternal ? 100 : null,
            };
            foreach (var chunk in announced.Chunk(PrefixesPerUpdate))
            {
                Send(link, new UpdateMessage([], attributes, chunk));
            }
        }

        _sentToPeer = [.. _advertised];
    }

    private void Withdraw(IPNetwork prefix)
    {
        if (_adjRibIn.Remove(prefix, out var old))
        {
            var route = new BgpRoute(prefix, old);
            Raise(() => RouteWithdrawn?.Invoke(this, route));
        }
    }

    // ---- plumbing ----
    private void Send(Link link, BgpMessage message)
    {
        link.Connection.Send(BgpCodec.Encode(message, link.FourOctetAs));
        _counters.MessagesSent++;
        switch (message.Type)
        {
            case BgpMessageType.Update:
                _counters.UpdatesSent++;
                break;
            case BgpMessageType.Keepalive:
                _counters.KeepalivesSent++;
                break;
            case BgpMessageType.Notification:
                _counters.NotificationsSent++;
                LastNotificationSent = (NotificationMessage)message;
                break;
        }
    }

    private void SendNotification(Link link, NotificationMessage notification)
    {
        if (!link.Closed)
        {
            Send(link, notification);
        }
    }

    private static void Dispose(Link link)
    {
        link.Closed = true;
        link.HoldTimer?.Dispose();
        link.KeepaliveTimer?.Dispose();
        link.Connection.Close();
    }

    private bool IsCurrent(Link link) => !link.Closed && (link == _primary || link == _secondary);

    private List<Link> Links() => new[] { _primary, _secondary }.OfType<Link>().ToList();

    private void RestartConnectRetry()
    {
        _connectRetryTimer ??= _time.CreateTimer(_ => Run(OnConnectRetryExpired), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _connectRetryTimer.Change(Options.ConnectRetryTime, Timeout.InfiniteTimeSpan);
    }

    private void StopConnectRetry() => _connectRetryTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    private void CancelConnect()
    {
        _connectAttempt++;
        _connectCancel?.Cancel();
        _connectCancel?.Dispose();
        _connectCancel = null;
    }

    private void SetState(BgpSessionState state)
    {
        if (State == state)
        {
            return;
        }

        var change = new BgpStateChange(State, state);
        State = state;
        Raise(() => StateChanged?.Invoke(this, change));
    }

    private void Raise(Action action) => _events.Enqueue(action);

    /// <summary>Runs one FSM step under the lock, then raises the events it queued (outside the lock, in order).</summary>
    private void Run(Action step)
    {
        lock (_gate)
        {
            _depth++;
            try
            {
                step();
            }
            finally
            {
                _depth--;
            }

            if (_depth > 0 || _flushing)
            {
                return;
            }

            _flushing = true;
        }

        try
        {
            while (true)
            {
                Action next;
                lock (_gate)
                {
                    if (!_events.TryDequeue(out next!))
                    {
                        _flushing = false;
                        return;
                    }
                }

                next();
            }
        }
        catch
        {
            lock (_gate)
            {
                _flushing = false;
            }

            throw;
        }
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>One transport connection and its part of the FSM (two exist only during a collision, §6.8).</summary>
    private sealed class Link(IBgpConnection connection, bool inbound)
    {
        public IBgpConnection Connection { get; } = connection;

        public bool Inbound { get; } = inbound;

        public BgpSessionState State { get; set; } = BgpSessionState.OpenSent;

        public OpenMessage? PeerOpen { get; set; }

        public bool FourOctetAs { get; set; }

        public ushort HoldTime { get; set; }

        public ITimer? HoldTimer { get; set; }

        public ITimer? KeepaliveTimer { get; set; }

        public bool Closed { get; set; }
    }
}
