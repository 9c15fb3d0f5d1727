using System.Globalization;
using NitroCard.Mapping.State;

namespace NitroCard.Mapping.Distribution;

/// <summary>
/// Streams versioned per-host deltas to subscribed hosts, tracks their acknowledgements, and orders
/// ENI moves make-before-break across hosts:
/// <list type="number">
/// <item>the ENI's new host gets the version first (it programs the ENI and its mapping as local);</item>
/// <item>once it has acknowledged, every other host of the VPC switches the ENI's mapping to the new host;</item>
/// <item>once those have acknowledged, the old host removes the ENI (and points its mapping at the new host).</item>
/// </list>
/// A host that is not connected does not hold others back; a connected host that does not acknowledge
/// holds them back at most <see cref="GateTimeout"/>. All state is guarded by the service's lock.
/// <para>
/// What a subscriber has not consumed is bounded: deltas are read from the one shared log (<see cref="LogCapacity"/>
/// versions), a session holds only its cursor, and the bytes written to a host and not yet acknowledged by it stay
/// under <see cref="BacklogLimitBytes"/> (plus the one message that crossed it). Past the limit the host is sent
/// nothing more and its backlog is coalesced into one full snapshot, sent once it has acknowledged what it had; a
/// host that acknowledges nothing it was sent (or whose write does not complete) for <see cref="StallTimeout"/> is
/// disconnected with <see cref="SubscriberStalledException"/>. A host over the limit holds back no move.
/// </para>
/// </summary>
public sealed class DistributionHub
{
    /// <summary>Versions kept for resuming agents; an agent further behind resyncs fully.</summary>
    public const int DefaultLogCapacity = 4096;

    /// <summary>The default of <see cref="BacklogLimitBytes"/>: tens of full snapshots of a host of 64 ENIs, far more than an agent that keeps up ever has in flight.</summary>
    public const long DefaultBacklogLimitBytes = 4L << 20;

    /// <summary>The default of <see cref="StallTimeout"/>: longer than a Verilated card's full resync takes.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _sync;
    private readonly Func<RegionState> _state;
    private readonly TimeProvider _time;
    private readonly List<VersionEntry> _log = [];
    private readonly Dictionary<string, HostSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _acked = new(StringComparer.Ordinal);
    private readonly HashSet<HostSession> _gated = [];
    private readonly Lock _ackReports = new();
    private long _logStart;
    private long _stalledDisconnects;
    private long _coalescedBacklogs;

    internal DistributionHub(Lock sync, Func<RegionState> state, TimeProvider time, long startVersion)
    {
        _sync = sync;
        _state = state;
        _time = time;
        _logStart = startVersion;
    }

    /// <summary>How long a connected host that does not acknowledge may hold back the next phase of a move.</summary>
    public TimeSpan GateTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public int LogCapacity { get; set; } = DefaultLogCapacity;

    /// <summary>The most bytes written to one host and not yet acknowledged by it before the hub stops sending to it and coalesces its backlog into a snapshot.</summary>
    public long BacklogLimitBytes { get; set; } = DefaultBacklogLimitBytes;

    /// <summary>How long a message written to a host may stay unacknowledged (or a write incomplete) before the host is disconnected.</summary>
    public TimeSpan StallTimeout { get; set; } = DefaultStallTimeout;

    /// <summary>Bytes written to a host and not yet acknowledged by it (0 when it is not connected).</summary>
    public long QueuedBytes(string host)
    {
        lock (_sync)
            return _sessions.TryGetValue(host, out var session) ? session.UnackedBytes : 0;
    }

    /// <summary>Hosts disconnected because they did not read (since the service started).</summary>
    public long StalledDisconnects => Interlocked.Read(ref _stalledDisconnects);

    /// <summary>Backlogs coalesced into a snapshot because they passed <see cref="BacklogLimitBytes"/> (since the service started).</summary>
    public long CoalescedBacklogs => Interlocked.Read(ref _coalescedBacklogs);

    /// <summary>Raised when a host acknowledges a version: outside the service lock, once the ack is counted.</summary>
    public event Action<string, long>? Acknowledged;

    /// <summary>The connected hosts.</summary>
    public IReadOnlyList<string> ConnectedHosts
    {
        get
        {
            lock (_sync)
                return [.. _sessions.Keys];
        }
    }

    /// <summary>The last version a host acknowledged (0: none since the service started).</summary>
    public long AckedVersion(string host)
    {
        lock (_sync)
            return _acked.GetValueOrDefault(host);
    }

    /// <summary>The hosts a committed version concerns (every connected host for a full change), or null when it is no longer logged.</summary>
    public IReadOnlyCollection<string>? HostsOf(long version)
    {
        lock (_sync)
        {
            var i = FirstAfter(version - 1);
            if (i >= _log.Count || _log[i].Version != version)
                return null;
            return _log[i].Full ? [.. _sessions.Keys] : [.. _log[i].Deltas.Keys];
        }
    }

    public bool IsConnected(string host)
    {
        lock (_sync)
            return _sessions.ContainsKey(host);
    }

    /// <summary>Records a committed version (caller holds the service lock).</summary>
    internal void Publish(RegionChange change, Dictionary<string, HostDelta>? deltas)
    {
        Dictionary<string, int>? phases = null;
        if (!change.Full && change.Enis.Any(c => c.IsMove) && deltas is not null)
        {
            var newHosts = change.Enis.Where(c => c.IsMove).Select(c => c.After!.Host).ToHashSet(StringComparer.Ordinal);
            var oldHosts = change.Enis.Where(c => c.IsMove).Select(c => c.Before!.Host).ToHashSet(StringComparer.Ordinal);
            phases = deltas.Keys.ToDictionary(h => h, h => newHosts.Contains(h) ? 0 : oldHosts.Contains(h) ? 2 : 1, StringComparer.Ordinal);
        }
        _log.Add(new VersionEntry(change.Version, change.Full, deltas ?? [], phases, _time.GetTimestamp()));
        while (_log.Count > LogCapacity)
        {
            _logStart = _log[0].Version;
            _log.RemoveAt(0);
        }
        if (change.Full)
        {
            foreach (var session in _sessions.Values)
                session.Signal();
        }
        else if (deltas is not null)
        {
            foreach (var host in deltas.Keys)
            {
                if (_sessions.TryGetValue(host, out var session))
                    session.Signal();
            }
        }
    }

    /// <summary>Starts a host's subscription; a previous one of the same host is ended.</summary>
    internal HostSession Connect(string host, long lastVersion)
    {
        lock (_sync)
        {
            if (_sessions.Remove(host, out var previous))
                previous.End();
            var state = _state();
            var resumable = lastVersion > 0 && lastVersion >= _logStart && lastVersion <= state.Version;
            var session = new HostSession(this, host, resumable ? lastVersion : 0, needsFull: !resumable);
            _sessions[host] = session;
            _acked[host] = Math.Max(_acked.GetValueOrDefault(host), resumable ? lastVersion : 0);
            session.Signal();
            return session;
        }
    }

    internal TimeProvider Time => _time;

    /// <summary>Counts a message written to a host; 0 bytes (an in-process pump, with no transport to fill) is not tracked.</summary>
    internal void Written(HostSession session, long version, long bytes)
    {
        if (bytes == 0)
            return;
        lock (_sync)
            session.Written(version, bytes, _time.GetTimestamp());
    }

    internal void Disconnect(HostSession session)
    {
        lock (_sync)
        {
            if (_sessions.TryGetValue(session.Host, out var current) && ReferenceEquals(current, session))
                _sessions.Remove(session.Host);
            _gated.Remove(session);
            foreach (var gated in _gated)
                gated.Signal();
        }
    }

    internal void Ack(string host, long version)
    {
        // Acks are counted and reported one at a time: otherwise a second host's ack, counted while the first's report
        // is still running, could open a gate that both hold, and the host it releases report its ack first.
        lock (_ackReports)
        {
            lock (_sync)
            {
                if (version > _acked.GetValueOrDefault(host))
                    _acked[host] = version;
                if (_sessions.TryGetValue(host, out var session) && session.Acknowledge(version))
                    session.Signal();
            }
            // Raised outside the lock it shares with the service (a handler cannot deadlock with the service or stall its
            // pushes; a slow one delays only the next ack's report), after the ack is counted (a handler sees it in
            // AckedVersion) and before the gates waiting on it are signalled (no host they release can have its ack
            // reported first).
            Acknowledged?.Invoke(host, version);
        }
        lock (_sync)
        {
            foreach (var gated in _gated)
                gated.Signal();
        }
    }

    /// <summary>The next message for a session, or null and how long to wait before looking again.</summary>
    internal HostDelta? Next(HostSession session, out TimeSpan wait)
    {
        lock (_sync)
        {
            _gated.Remove(session);
            // The oldest message the host has not acknowledged times its stall: it is woken when that runs out.
            var stall = Timeout.InfiniteTimeSpan;
            if (session.OldestUnacked is { } oldest)
            {
                stall = StallTimeout - _time.GetElapsedTime(oldest.Written);
                if (stall <= TimeSpan.Zero)
                {
                    throw Stalled(session, string.Create(CultureInfo.InvariantCulture,
                        $"version {oldest.Version} unacknowledged for {StallTimeout.TotalSeconds:0.#} s, {session.UnackedBytes} bytes in all, limit {BacklogLimitBytes}"));
                }
            }
            if (session.UnackedBytes >= BacklogLimitBytes)
            {
                Coalesce(session);
                wait = stall;
                return null;
            }
            var next = NextDue(session, out wait);
            if (next is null && stall != Timeout.InfiniteTimeSpan && (wait == Timeout.InfiniteTimeSpan || stall < wait))
                wait = stall;
            return next;
        }
    }

    /// <summary>The next message for a session under its backlog limit (caller holds the lock).</summary>
    private HostDelta? NextDue(HostSession session, out TimeSpan wait)
    {
        wait = Timeout.InfiniteTimeSpan;
        var state = _state();
        if (session.NeedsFull || session.Sent < _logStart)
            return FullFor(session, state);

        var i = FirstAfter(session.Sent);
        for (; i < _log.Count; i++)
        {
            var entry = _log[i];
            if (entry.Full)
                return FullFor(session, state);
            if (!entry.Deltas.TryGetValue(session.Host, out var delta))
            {
                session.Sent = entry.Version;
                continue;
            }
            if (entry.Phases is not null && Blocked(entry, session.Host, out var remaining))
            {
                _gated.Add(session);
                wait = remaining;
                return null;
            }
            var result = delta with { BaseVersion = session.Sent };
            session.Sent = entry.Version;
            session.Resuming = false;
            return result;
        }
        if (session.Resuming)
        {
            // A resumed agent learns it is current even when nothing since concerned it.
            session.Resuming = false;
            var baseVersion = session.Sent;
            session.Sent = state.Version;
            return HostDelta.Empty(session.Host, state.Version, baseVersion);
        }
        session.Sent = Math.Max(session.Sent, state.Version);
        return null;
    }

    /// <summary>A host over its backlog limit: nothing more is sent, and what it missed becomes one snapshot.</summary>
    private void Coalesce(HostSession session)
    {
        if (!session.NeedsFull && HasPending(session))
        {
            session.NeedsFull = true;
            Interlocked.Increment(ref _coalescedBacklogs);
        }
    }

    /// <summary>Whether a version after the last one sent concerns the host.</summary>
    private bool HasPending(HostSession session)
    {
        if (session.Sent < _logStart)
            return true;
        for (var i = FirstAfter(session.Sent); i < _log.Count; i++)
        {
            if (_log[i].Full || _log[i].Deltas.ContainsKey(session.Host))
                return true;
        }
        return false;
    }

    internal SubscriberStalledException Stalled(HostSession session, string what)
    {
        Interlocked.Increment(ref _stalledDisconnects);
        return new SubscriberStalledException(session.Host, string.Create(CultureInfo.InvariantCulture,
            $"host {session.Host} is not reading its subscription ({what}): disconnected; it catches up when it subscribes again (from its last version, or a full snapshot)"));
    }

    private static HostDelta FullFor(HostSession session, RegionState state)
    {
        var baseVersion = session.Sent;
        session.NeedsFull = false;
        session.Resuming = false;
        session.Sent = state.Version;
        return state.Host(session.Host) is null
            ? HostDelta.Empty(session.Host, state.Version, baseVersion) with { Full = true }
            : DeltaBuilder.Snapshot(state, session.Host, baseVersion);
    }

    private bool Blocked(VersionEntry entry, string host, out TimeSpan remaining)
    {
        remaining = TimeSpan.Zero;
        var elapsed = _time.GetElapsedTime(entry.Timestamp);
        if (elapsed >= GateTimeout)
            return false;
        var mine = entry.Phases![host];
        foreach (var (other, phase) in entry.Phases)
        {
            if (phase < mine && _sessions.TryGetValue(other, out var session) && session.UnackedBytes < BacklogLimitBytes && _acked.GetValueOrDefault(other) < entry.Version)
            {
                remaining = GateTimeout - elapsed;
                return true;
            }
        }
        return false;
    }

    private int FirstAfter(long version)
    {
        int lo = 0, hi = _log.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_log[mid].Version <= version)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    private sealed record VersionEntry(long Version, bool Full, Dictionary<string, HostDelta> Deltas, Dictionary<string, int>? Phases, long Timestamp);
}

/// <summary>One host's subscription: the versions sent so far, the bytes it has not acknowledged, and a wake-up signal.</summary>
public sealed class HostSession : IDisposable
{
    private readonly DistributionHub _hub;
    // (version, bytes) of each message written and not yet acknowledged, oldest first: bounded, as nothing is written
    // once their sum passes the hub's limit.
    private readonly Queue<(long Version, long Bytes, long Written)> _unacked = new();
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _ended = new();

    internal HostSession(DistributionHub hub, string host, long sent, bool needsFull)
    {
        _hub = hub;
        Host = host;
        Sent = sent;
        NeedsFull = needsFull;
        Resuming = !needsFull;
    }

    public string Host { get; }

    /// <summary>The last version sent to the host.</summary>
    public long Sent { get; internal set; }

    internal bool NeedsFull { get; set; }

    internal bool Resuming { get; set; }

    /// <summary>Bytes written to the host and not yet acknowledged (guarded by the service's lock).</summary>
    internal long UnackedBytes { get; private set; }

    /// <summary>The oldest message written and not acknowledged, and when it was written (null: none).</summary>
    internal (long Version, long Written)? OldestUnacked => _unacked.TryPeek(out var oldest) ? (oldest.Version, oldest.Written) : null;

    /// <summary>Counts a message written (caller holds the service lock).</summary>
    internal void Written(long version, long bytes, long timestamp)
    {
        _unacked.Enqueue((version, bytes, timestamp));
        UnackedBytes += bytes;
    }

    /// <summary>Releases what an acknowledgement covers (caller holds the service lock); true when something was released.</summary>
    internal bool Acknowledge(long version)
    {
        var released = false;
        while (_unacked.TryPeek(out var oldest) && oldest.Version <= version)
        {
            _unacked.Dequeue();
            UnackedBytes -= oldest.Bytes;
            released = true;
        }
        return released;
    }

    /// <summary>Cancelled when another subscription of the same host replaced this one.</summary>
    public CancellationToken Ended => _ended.Token;

    internal void Signal()
    {
        try
        {
            if (_signal.CurrentCount == 0)
                _signal.Release();
        }
        catch (Exception e) when (e is SemaphoreFullException or ObjectDisposedException)
        {
            // already signalled
        }
    }

    internal void End() => _ended.Cancel();

    public void Dispose()
    {
        _signal.Dispose();
        _ended.Dispose();
    }

    /// <summary>Sends every delta due to the host, in version order, until cancelled (in process: nothing is queued, so neither the backlog limit nor the stall timeout applies).</summary>
    public Task PumpAsync(Func<HostDelta, Task> send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        return PumpAsync(async (delta, _) =>
        {
            await send(delta).ConfigureAwait(false);
            return 0;
        }, cancellationToken);
    }

    /// <summary>
    /// Sends every delta due to the host, in version order, until cancelled; <paramref name="send"/> returns the bytes it
    /// wrote, counted until the host acknowledges the version. Throws <see cref="SubscriberStalledException"/> when the
    /// host stays over the backlog limit, or a write does not complete, for the hub's stall timeout.
    /// </summary>
    public async Task PumpAsync(Func<HostDelta, CancellationToken, Task<long>> send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _ended.Token);
        try
        {
            while (!linked.IsCancellationRequested)
            {
                var next = _hub.Next(this, out var wait);
                if (next is not null)
                {
                    // A write blocked by the transport's flow control does not observe cancellation: race it against the
                    // stall timeout instead, and leave it to the end of the call.
                    var write = send(next, linked.Token);
                    using (var stall = CancellationTokenSource.CreateLinkedTokenSource(linked.Token))
                    {
                        if (await Task.WhenAny(write, Task.Delay(_hub.StallTimeout, _hub.Time, stall.Token)).ConfigureAwait(false) != write)
                        {
                            linked.Token.ThrowIfCancellationRequested();
                            _ = write.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                            throw _hub.Stalled(this, string.Create(CultureInfo.InvariantCulture, $"a write of version {next.Version} did not complete in {_hub.StallTimeout.TotalSeconds:0.#} s"));
                        }
                        await stall.CancelAsync().ConfigureAwait(false);
                    }
                    _hub.Written(this, next.Version, await write.ConfigureAwait(false));
                    continue;
                }
                await _signal.WaitAsync(wait, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // the subscription ended
        }
        finally
        {
            _hub.Disconnect(this);
        }
    }

    /// <summary>Records the host's acknowledgement of a version.</summary>
    public void Ack(long version) => _hub.Ack(Host, version);
}

/// <summary>A subscriber disconnected because it did not read what it was sent; the message says what and how long.</summary>
public sealed class SubscriberStalledException(string host, string message) : Exception(message)
{
    public string Host { get; } = host;
}
