using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NitroCard.Card;
using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.Replication;
using NitroCard.Mapping.State;
using NitroCard.Mapping.Storage;
using NitroCard.Region;

namespace NitroCard.Mapping.Api;

/// <summary>Options of the Mapping Service.</summary>
/// <param name="Geometry">The cards' table sizes the per-host capacity checks use.</param>
public sealed record MappingServiceOptions(CardGeometry? Geometry = null)
{
    /// <summary>The default of <see cref="AlarmRetention"/> (<c>mapping serve --alarm-retention</c>).</summary>
    public static readonly TimeSpan DefaultAlarmRetention = TimeSpan.FromDays(7);

    /// <summary>Alarms older than this are deleted from the store.</summary>
    public TimeSpan AlarmRetention { get; init; } = DefaultAlarmRetention;

    /// <summary>At most this many alarms of one host and reason are stored per <see cref="AlarmWindow"/>; the rest are counted.</summary>
    public int AlarmBurst { get; init; } = 10;

    public TimeSpan AlarmWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes a subscribed host may leave unacknowledged before its backlog is coalesced into a snapshot (<see cref="DistributionHub.BacklogLimitBytes"/>).</summary>
    public long SubscriberBacklogBytes { get; init; } = DistributionHub.DefaultBacklogLimitBytes;

    /// <summary>How long a subscribed host may not read before it is disconnected (<see cref="DistributionHub.StallTimeout"/>).</summary>
    public TimeSpan SubscriberStallTimeout { get; init; } = DistributionHub.DefaultStallTimeout;

    /// <summary>
    /// Every <c>apply</c> validated and diffed as a whole region, never incrementally (<see cref="IncrementalApply"/>): the
    /// reference the incremental path is tested against, and a way to measure what it saves.
    /// </summary>
    public bool WholeRegionApply { get; init; }

    /// <summary>Edge heartbeats: interval and how many may be missed (docs/card-edges.md).</summary>
    public Edges.EdgeHealthOptions EdgeHealth { get; init; } = Edges.EdgeHealthOptions.Default;
}

/// <summary>
/// The Mapping Service core: the authoritative region (a <see cref="RegionTopology"/> plus a version),
/// the EC2-style operations on it (each validated completely before anything changes, stored
/// durably, then distributed as per-host deltas), subscriptions, authorization and alarms.
/// </summary>
public sealed partial class MappingService : IAsyncDisposable
{
    private readonly Lock _sync = new();
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly IRegionStore _store;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CardGeometry _geometry;
    private readonly List<AlarmRecord> _alarms = [];
    private readonly AlarmLimiter _alarmLimiter;
    private readonly TimeSpan _alarmRetention;
    private readonly bool _wholeRegionApply;
    private readonly Dictionary<string, HostCounters> _hostCounters = new(StringComparer.Ordinal);
    private RegionState _state;
    private long _nextAlarm;
    private ReplicaElection? _election;
    private bool _reloadBeforeWrite;

    private MappingService(IRegionStore store, RegionState state, IReadOnlyList<AlarmRecord> alarms, MappingServiceOptions options, ILogger logger, TimeProvider time)
    {
        _store = store;
        _state = state;
        _logger = logger;
        _time = time;
        _geometry = options.Geometry ?? CardGeometry.Default;
        _alarms.AddRange(alarms);
        _alarmLimiter = new AlarmLimiter(options.AlarmBurst, options.AlarmWindow);
        _alarmRetention = options.AlarmRetention;
        _wholeRegionApply = options.WholeRegionApply;
        _nextAlarm = alarms.Count == 0 ? 1 : alarms.Max(a => a.Id) + 1;
        Hub = new DistributionHub(_sync, () => _state, time, state.Version)
        {
            BacklogLimitBytes = options.SubscriberBacklogBytes,
            StallTimeout = options.SubscriberStallTimeout,
        };
        _store.ExternalChange += OnExternalChange;
        EdgeHealth = new Edges.EdgeHealthMonitor(time, options.EdgeHealth);
        _edgeHealthWatch = WatchEdgeHealthAsync();
    }

    private readonly Task _edgeHealthWatch;

    /// <summary>Per-host delta distribution.</summary>
    public DistributionHub Hub { get; }

    public IRegionStore Store => _store;

    /// <summary>
    /// The replica election this service takes part in (null: a single service, which always writes). A replica that
    /// is not the leader refuses writes, naming the leader, and serves reads and subscriptions from its state, which
    /// follows the store's commits through the watch.
    /// </summary>
    public ReplicaElection? Election
    {
        get => _election;
        set => _election = value;
    }

    /// <summary>
    /// Called by the election when this replica wins: every later write is fenced on the key it won, interrupted
    /// commits of the previous leader are finished, and the state catches up with the store before any write, so the
    /// next version follows the last one committed by anyone.
    /// </summary>
    public async Task TakeLeadershipAsync(V3Electionpb.LeaderKey leader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leader);
        if (_store is not EtcdRegionStore etcd)
            throw new InvalidOperationException($"{_store.Description}: only an etcd store has replicas");
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await etcd.TakeWriterAsync(leader.Key, leader.Rev, cancellationToken).ConfigureAwait(false);
            await ReloadIfBehindAsync(cancellationToken).ConfigureAwait(false);
            _reloadBeforeWrite = false;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// Brings a replica that is behind <paramref name="version"/> (a host resuming from a newer replica) up to the store;
    /// false when the store cannot be read now (the caller refuses, and the host tries another replica).
    /// </summary>
    public async Task<bool> CatchUpAsync(long version, CancellationToken cancellationToken)
    {
        if (Version >= version)
            return true;
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(2));
            await ReloadIfBehindAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException or IOException)
        {
            return false;
        }
        finally
        {
            _writer.Release();
        }
        return Version >= version;
    }

    /// <summary>Loads the store and takes its region when it is newer than ours (never older: versions only go forward). Under <see cref="_writer"/>.</summary>
    private async Task ReloadIfBehindAsync(CancellationToken cancellationToken)
    {
        var (stored, records) = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        lock (_sync)
        {
            if (stored <= _state.Version)
                return;
            MappingServiceLog.ExternalReload(_logger, stored);
            _state.ReplaceAll(RegionRecords.Load(records), stored);
            Hub.Publish(new RegionChange(stored, [], Full: true), null);
        }
    }

    /// <summary>The current version.</summary>
    public long Version
    {
        get
        {
            lock (_sync)
                return _state.Version;
        }
    }

    /// <summary>The current region (an immutable snapshot).</summary>
    public RegionTopology Topology
    {
        get
        {
            lock (_sync)
                return _state.Topology;
        }
    }

    /// <summary>The current version and the region at that version, read together.</summary>
    public (long Version, RegionTopology Topology) Snapshot
    {
        get
        {
            lock (_sync)
                return (_state.Version, _state.Topology);
        }
    }

    /// <summary>Opens the service on a store, loading what it holds.</summary>
    public static async Task<MappingService> OpenAsync(IRegionStore store, MappingServiceOptions? options = null, ILogger? logger = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        logger ??= NullLogger.Instance;
        var (version, records) = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        options ??= new MappingServiceOptions();
        var state = records.Count == 0 ? RegionState.Empty() : RegionState.From(LoadValid(store, records, options.Geometry ?? CardGeometry.Default), version, records.Where(r => r.Key.StartsWith(RecordKeys.EniPrefix, StringComparison.Ordinal)).Select(r => r.Seq + 1).DefaultIfEmpty(0).Max());
        if (records.Count == 0)
            state.SetVersion(version);
        var alarms = await store.ReadAlarmsAsync(cancellationToken).ConfigureAwait(false);
        MappingServiceLog.Loaded(logger, store.Description, state.Version, state.Topology.Vpcs.Length, state.EniCount, state.Topology.Hosts.Length);
        var service = new MappingService(store, state, alarms, options, logger, time ?? TimeProvider.System);
        await service.AgeOutAlarmsAsync(cancellationToken).ConfigureAwait(false);
        return service;
    }

    /// <summary>
    /// The stored region, checked like a region file: a store edited by hand (a subnet removed under its ENIs, say)
    /// fails here, naming the store and the field, instead of failing later inside a host's subscription.
    /// </summary>
    private static RegionTopology LoadValid(IRegionStore store, IReadOnlyList<StoredRecord> records, CardGeometry geometry)
    {
        RegionTopology topology;
        try
        {
            topology = RegionRecords.Load(records);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new RegionStoreException($"{store.Description}: a stored record cannot be read ({e.Message})", e);
        }
        var vpcs = topology.Vpcs.Select(v => v.Id).ToHashSet(StringComparer.Ordinal);
        var orphan = records.FirstOrDefault(r => r.Key.StartsWith(RecordKeys.EniPrefix, StringComparison.Ordinal)
            && !vpcs.Contains(r.Key[RecordKeys.EniPrefix.Length..].Split('/')[0]));
        if (orphan is not null)
            throw new RegionStoreException($"{store.Description}: the stored region is not valid: record {orphan.Key} is an ENI of a VPC the store does not hold");
        var errors = RegionValidator.Validate(topology, geometry);
        if (errors.IsEmpty)
            return topology;
        var shown = errors.Take(10).Select(e => StoredPath(topology, e.ToString()));
        var more = errors.Length > 10 ? $" (and {errors.Length - 10} more)" : "";
        throw new RegionStoreException($"{store.Description}: the stored region is not valid: {string.Join("; ", shown)}{more}");
    }

    /// <summary>A validator path with the VPC and ENI named by id (<c>vpcs[vpc-red].enis[eni-a1].subnet</c>): a store has no file order.</summary>
    private static string StoredPath(RegionTopology topology, string error)
        => StoredPathPattern().Replace(error, m =>
        {
            var vpc = topology.Vpcs[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)];
            if (!m.Groups[2].Success)
                return $"vpcs[{vpc.Id}]";
            var eni = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            return eni < vpc.Enis.Length ? $"vpcs[{vpc.Id}].enis[{vpc.Enis[eni].Id}]" : m.Value;
        }, 1);

    [System.Text.RegularExpressions.GeneratedRegex(@"^vpcs\[(\d+)\](?:\.enis\[(\d+)\])?")]
    private static partial System.Text.RegularExpressions.Regex StoredPathPattern();

    /// <summary>Cancelled when the service stops: subscriptions end so agents reconnect elsewhere or later.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Ends every subscription.</summary>
    public void Stop() => _stopping.Cancel();

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await _edgeHealthWatch.ConfigureAwait(false);
        _store.ExternalChange -= OnExternalChange;
        await _store.DisposeAsync().ConfigureAwait(false);
        _writer.Dispose();
        _edgeHealthCheck.Dispose();
    }

    // ---- commit pipeline -----------------------------------------------------------------------

    /// <summary>A validated change: what to store, how to apply it to the state, what it changes on cards.</summary>
    private sealed record Plan<TResult>(
        IReadOnlyList<StoreWrite> Writes,
        Action<RegionState> Apply,
        ImmutableArray<EniChange> Enis,
        bool Full,
        TResult Result,
        RegionTopology? Replacement = null)
    {
        /// <summary>VPCs whose non-ENI parts (or ENI order) the change alters: their hosts' plans are recompiled.</summary>
        public ImmutableArray<string> Vpcs { get; init; } = [];

        /// <summary>With <see cref="Replacement"/>: the positions of the only VPCs it changes (the state re-indexes those alone).</summary>
        public ImmutableArray<int>? ReplacedVpcs { get; init; }
    }

    /// <summary>Validates, stores, applies and distributes one change; <paramref name="planUnderLock"/> false for a plan
    /// that may take long (an apply validating a whole region): it reads the state without the service lock, which is safe
    /// because the state changes only under the writer semaphore held here, and readers are not held up meanwhile.</summary>
    private async Task<TResult> CommitAsync<TResult>(string action, Func<RegionState, Plan<TResult>> plan, CancellationToken cancellationToken, bool planUnderLock = true)
    {
        if (_election is { IsLeader: false } election)
        {
            var leader = await election.LeaderAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            throw new MappingApiException(ErrorCodes.ReplicaNotLeader, leader is null
                ? $"this Mapping Service replica ({election.Self}) is not the leader and no leader is elected now (etcd unreachable or without quorum); try again later"
                : $"this Mapping Service replica ({election.Self}) is not the leader: send writes to the leader, {leader}");
        }
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_reloadBeforeWrite)
            {
                // The last commit's outcome is unknown (it timed out or was refused): take what the store holds first.
                try
                {
                    await ReloadIfBehindAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RpcException or IOException)
                {
                    throw new MappingApiException(ErrorCodes.ServiceUnavailable, $"{_store.Description}: the store cannot be read ({e.Message}); the change is not acknowledged");
                }
                _reloadBeforeWrite = false;
            }
            Plan<TResult> p;
            long version;
            try
            {
                if (planUnderLock)
                {
                    lock (_sync)
                        p = plan(_state);
                }
                else
                {
                    p = plan(_state);
                }
                version = _state.Version + 1;
            }
            catch (MappingApiException e)
            {
                MappingServiceLog.Refused(_logger, action, e.Code, e.Message);
                throw;
            }
            try
            {
                await _store.CommitAsync(version, p.Writes, cancellationToken).ConfigureAwait(false);
            }
            catch (RegionStoreException e)
            {
                _reloadBeforeWrite = true;
                MappingServiceLog.Refused(_logger, action, ErrorCodes.ServiceUnavailable, e.Message);
                throw new MappingApiException(ErrorCodes.ServiceUnavailable, e.Message);
            }
            lock (_sync)
            {
                var touched = p.Enis.Select(c => c.VpcId).Concat(p.Vpcs).Distinct(StringComparer.Ordinal).ToList();
                var before = p.Full ? null : RegionBefore.Capture(_state, touched, replacing: p.Replacement is not null && p.ReplacedVpcs is null);
                if (p.Replacement is not null && p.ReplacedVpcs is { } vpcs)
                    _state.ReplaceVpcs(p.Replacement, vpcs, version);
                else if (p.Replacement is not null)
                    _state.ReplaceAll(p.Replacement, version);
                else
                    p.Apply(_state);
                _state.SetVersion(version);
                var change = new RegionChange(version, p.Enis, p.Full) { Vpcs = p.Vpcs };
                var deltas = before is null ? null : DeltaBuilder.Deltas(_state, change, before, _geometry);
                Hub.Publish(change, deltas);
            }
            MappingServiceLog.Committed(_logger, action, version, p.Enis.Length, p.Full);
            return p.Result;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>
    /// Another writer committed <paramref name="version"/>: load the store until this replica holds it. A load that fails
    /// (etcd went away between the event and the read, a member died) is tried again every 500 ms: there may be no later
    /// event to catch up with, and a replica left behind would serve an old region until the next commit.
    /// </summary>
    private void OnExternalChange(long version)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await _writer.WaitAsync(_stopping.Token).ConfigureAwait(false);
                    try
                    {
                        lock (_sync)
                        {
                            if (version <= _state.Version)
                                return;
                        }
                        await ReloadIfBehindAsync(_stopping.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is RpcException or IOException)
                    {
                        // tried again below
                    }
                    finally
                    {
                        _writer.Release();
                    }
                    await Task.Delay(500, _stopping.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                // the service is stopping
            }
        });
    }

    // ---- validation helpers --------------------------------------------------------------------

    private sealed class Problems
    {
        private readonly List<(string Code, string Message)> _items = [];

        public void Add(string code, string message) => _items.Add((code, message));

        public bool Any => _items.Count > 0;

        public void ThrowIfAny()
        {
            if (_items.Count > 0)
                throw MappingApiException.FromProblems(_items[0].Code, [.. _items.Select(i => i.Message)]);
        }
    }

    /// <summary>
    /// The region validator over the hosts, edges and the one VPC a change touches: every rule of the
    /// region file (reserved addresses, references, rule shapes, per-host capacity for that VPC) without
    /// walking the whole region. Region-wide uniqueness is checked through the indexes.
    /// </summary>
    private void ValidateVpc(RegionState state, Vpc vpc)
    {
        var mini = state.Topology with { Vpcs = [vpc] };
        var errors = RegionValidator.Validate(mini, _geometry);
        if (!errors.IsEmpty)
            throw MappingApiException.FromProblems(ErrorCodes.InvalidParameterValue, [.. errors.Select(e => e.ToString().Replace("vpcs[0]", vpc.Id, StringComparison.Ordinal))]);
    }

    private static string Required(string? value, string name)
        => !string.IsNullOrWhiteSpace(value) ? value : throw new MappingApiException(ErrorCodes.MissingParameter, $"The request must contain the parameter {name}");

    /// <summary>The value, or null when it is absent (null or blank).</summary>
    private static string? Optional(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string NewId(string prefix) => prefix + "-" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 9))[..17];

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    // ---- alarms and status ---------------------------------------------------------------------

    /// <summary>
    /// Records alarms region-wide (stored) and logs them, at most <see cref="MappingServiceOptions.AlarmBurst"/> per host and
    /// reason per window (the rest counted on the last one stored), and ages out those older than the retention.
    /// </summary>
    public async Task RecordAlarmsAsync(IEnumerable<AlarmRecord> alarms, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alarms);
        var numbered = new List<AlarmRecord>();
        var updated = new Dictionary<long, AlarmRecord>();
        lock (_sync)
        {
            var now = _time.GetUtcNow();
            foreach (var alarm in alarms)
            {
                if (_alarmLimiter.Admit(alarm, now, out var counted))
                {
                    var record = alarm with { Id = _nextAlarm++, Time = alarm.Time == default ? now : alarm.Time };
                    _alarmLimiter.Stored(record);
                    numbered.Add(record);
                    _alarms.Add(record);
                }
                else if (counted is not null)
                {
                    updated[counted.Id] = counted;
                    var index = _alarms.BinarySearch(counted, ById);
                    if (index >= 0)
                        _alarms[index] = counted;
                }
            }
        }
        foreach (var a in numbered)
            MappingServiceLog.Alarm(_logger, a.Kind, a.Reason, a.Host, a.Message);
        // A suppressed alarm rewrites the stored one it is counted on (same id), after any new ones of this batch.
        for (var i = 0; i < numbered.Count; i++)
        {
            if (updated.Remove(numbered[i].Id, out var latest))
                numbered[i] = latest;
        }
        try
        {
            await _store.AppendAlarmsAsync([.. numbered, .. updated.Values], cancellationToken).ConfigureAwait(false);
            await AgeOutAlarmsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RegionStoreException e) when (_election is not null)
        {
            // A replica whose etcd lost its quorum keeps the alarms it was told in memory (describe-alarms shows them)
            // and keeps the host's subscription, which a failure here would otherwise end.
            MappingServiceLog.AlarmsNotStored(_logger, numbered.Count + updated.Count, e.Message);
        }
    }

    private static readonly Comparer<AlarmRecord> ById = Comparer<AlarmRecord>.Create((a, b) => a.Id.CompareTo(b.Id));

    /// <summary>Deletes the alarms older than the retention (the oldest first, in id order) from memory and the store.</summary>
    private async Task AgeOutAlarmsAsync(CancellationToken cancellationToken)
    {
        long through;
        lock (_sync)
        {
            var cutoff = _time.GetUtcNow() - _alarmRetention;
            var expired = 0;
            while (expired < _alarms.Count && _alarms[expired].Time < cutoff)
                expired++;
            if (expired == 0)
                return;
            through = _alarms[expired - 1].Id;
            _alarms.RemoveRange(0, expired);
            _alarmLimiter.Trim(_time.GetUtcNow());
        }
        await _store.DeleteAlarmsThroughAsync(through, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored alarms within the retention, oldest first.</summary>
    public IReadOnlyList<AlarmRecord> Alarms
    {
        get
        {
            lock (_sync)
            {
                var cutoff = _time.GetUtcNow() - _alarmRetention;
                return [.. _alarms.Where(a => a.Time >= cutoff)];
            }
        }
    }

    /// <summary>Keeps the counters a host's agent last reported (shown by describe-hosts).</summary>
    public void ReportCounters(string host, HostCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        lock (_sync)
            _hostCounters[host] = counters;
    }

    internal RegionState StateUnsafe => _state;

    internal Lock Sync => _sync;

    internal ILogger Logger => _logger;

    internal static Prefix ParsePrefix(string text)
        => AddressText.TryParsePrefix(text, out var prefix, out var problem) ? prefix : throw new InvalidOperationException(problem);

    internal static MacAddress ParseMac(string text) => MacAddress.Parse(text);
}
