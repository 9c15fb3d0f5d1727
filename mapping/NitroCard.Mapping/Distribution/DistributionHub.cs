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
/// </summary>
public sealed class DistributionHub
{
    /// <summary>Versions kept for resuming agents; an agent further behind resyncs fully.</summary>
    public const int DefaultLogCapacity = 4096;

    private readonly Lock _sync;
    private readonly Func<RegionState> _state;
    private readonly TimeProvider _time;
    private readonly List<VersionEntry> _log = [];
    private readonly Dictionary<string, HostSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _acked = new(StringComparer.Ordinal);
    private readonly HashSet<HostSession> _gated = [];
    private long _logStart;

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
        lock (_sync)
        {
            if (version > _acked.GetValueOrDefault(host))
                _acked[host] = version;
        }
        // Raised outside the lock it shares with the service (a handler can neither deadlock nor stall the hub), after
        // the ack is counted (a handler sees it in AckedVersion) and before the gates waiting on it are signalled (no
        // host they release can have its ack reported first).
        Acknowledged?.Invoke(host, version);
        lock (_sync)
        {
            foreach (var gated in _gated)
                gated.Signal();
        }
    }

    /// <summary>The next message for a session, or null and how long to wait before looking again.</summary>
    internal HostDelta? Next(HostSession session, out TimeSpan wait)
    {
        wait = Timeout.InfiniteTimeSpan;
        lock (_sync)
        {
            _gated.Remove(session);
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
            if (phase < mine && _sessions.ContainsKey(other) && _acked.GetValueOrDefault(other) < entry.Version)
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

/// <summary>One host's subscription: the versions sent so far and a wake-up signal.</summary>
public sealed class HostSession : IDisposable
{
    private readonly DistributionHub _hub;
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

    /// <summary>Sends every delta due to the host, in version order, until cancelled.</summary>
    public async Task PumpAsync(Func<HostDelta, Task> send, CancellationToken cancellationToken)
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
                    await send(next).ConfigureAwait(false);
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
