using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NitroCard.Card.FlowRecords;
using NitroCard.InstanceServices.FlowLogs;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Firmware;

/// <summary>
/// The firmware's side of VPC Flow Logs: <see cref="FollowAsync"/> runs a <see cref="FlowLogService"/> per flow log that covers
/// a local ENI (the Mapping Service's push says which, <see cref="EniServiceInfo.FlowLogs"/>) and sets each slot's record
/// interval on the card to the shortest <c>maxAggregationInterval</c> of the logs on it (0: none, the card keeps no
/// records for the slot); <see cref="RunAsync"/> drains the card's records every <see cref="DrainInterval"/>, converts
/// the card's time base to wall time and hands each record to the flow logs of its slot, which write their closed
/// intervals to <c>LOG-ROOT/FLOW-LOG-ID/ENI-ID.log</c> and, when the log names an <c>ipfixCollector</c>, as IPFIX.
/// A card that keeps no flow records (not an <see cref="IFlowRecordSource"/>) runs no flow logs: an interval of NODATA
/// records would claim there was no traffic.
/// </summary>
public sealed class FlowLogRuntime : IDisposable
{
    /// <summary>The file in each flow log's directory that says what the log is (read by <c>nitroctl describe-flow-logs</c>).</summary>
    public const string DescriptionFile = "flow-log.json";

    private static readonly JsonSerializerOptions DescriptionJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly ICardAccess _card;
    private readonly string _logRoot;
    private readonly Func<ulong, DateTimeOffset> _wallTimeOf;
    private readonly TimeProvider _time;
    private readonly uint _observationDomain;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RunningLog> _logs = new(StringComparer.Ordinal);
    private readonly Dictionary<int, uint> _cardIntervals = [];
    private Dictionary<int, RunningLog[]> _bySlot = [];
    private bool? _cardKeepsRecords;
    private long _records;
    private ulong _overflows;

    /// <param name="card">The card (its record FIFO and per-slot intervals, on its thread).</param>
    /// <param name="logRoot">Where the flow logs' directories are made.</param>
    /// <param name="wallTimeOf">The wall time of a card time (microseconds of the time base the card host sets).</param>
    /// <param name="observationDomain">The IPFIX observation domain of this card (its exports carry it).</param>
    /// <param name="time">The clock the aggregation intervals close by.</param>
    /// <param name="logger">Where the runtime says what it cannot do.</param>
    public FlowLogRuntime(ICardAccess card, string logRoot, Func<ulong, DateTimeOffset> wallTimeOf, uint observationDomain, TimeProvider? time = null, ILogger? logger = null)
    {
        _card = card;
        _logRoot = logRoot;
        _wallTimeOf = wallTimeOf;
        _observationDomain = observationDomain;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>How often the card's records are drained and ended intervals closed.</summary>
    public TimeSpan DrainInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The flow log directories' parent.</summary>
    public string LogRoot => _logRoot;

    /// <summary>Records drained from the card.</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>The card's record FIFO overflows at the last drain (records the card could not keep).</summary>
    public ulong CardOverflows => Interlocked.Read(ref _overflows);

    /// <summary>The record interval set on each slot of the card (slots with 0 are absent).</summary>
    public IReadOnlyDictionary<int, uint> CardIntervals
    {
        get
        {
            lock (_lock)
                return _cardIntervals.Where(i => i.Value > 0).ToDictionary();
        }
    }

    /// <summary>The flow logs running now, by id.</summary>
    public IReadOnlyDictionary<string, FlowLogService> Services
    {
        get
        {
            lock (_lock)
                return _logs.ToDictionary(l => l.Key, l => l.Value.Service, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Follows the firmware's mirror after a push: starts the flow logs that now cover a local ENI, stops those that no
    /// longer do, and sets the card's per-slot record intervals (on the card's thread; completes when they are set).
    /// </summary>
    public async Task FollowAsync(CardProgrammer programmer)
    {
        ArgumentNullException.ThrowIfNull(programmer);
        _cardKeepsRecords ??= await _card.InvokeAsync(engine => engine is IFlowRecordSource).ConfigureAwait(false);
        var wanted = new Dictionary<string, (FlowLog Log, string AccountId, Dictionary<int, string> Interfaces)>(StringComparer.Ordinal);
        if (_cardKeepsRecords == true)
        {
            var slots = programmer.Slots;
            foreach (var (id, eni) in programmer.Enis)
            {
                if (eni.Services is not { } services)
                    continue;
                foreach (var log in services.FlowLogs)
                {
                    if (!wanted.TryGetValue(log.Id, out var w))
                        wanted[log.Id] = w = (log, services.AccountId, []);
                    w.Interfaces[slots[id]] = id;
                }
            }
        }
        bool Unchanged(string id, RunningLog running)
            => wanted.TryGetValue(id, out var w) && running.Log == w.Log && running.AccountId == w.AccountId;
        bool stopping;
        lock (_lock)
            stopping = _logs.Any(l => !Unchanged(l.Key, l.Value));
        // A log that leaves or changes takes the card's records up to now with it (those the card still counts go to
        // the logs that cover their slot when the card hands them over).
        if (stopping)
            await DrainAsync().ConfigureAwait(false);
        List<(int Slot, uint Seconds)> changes;
        lock (_lock)
        {
            foreach (var (id, running) in _logs.ToList())
            {
                if (Unchanged(id, running))
                    continue;
                // Its ended intervals and its open one, closed now, go out: a log replaced by other settings (or deleted)
                // publishes what it took; a changed log starts again with a new open interval.
                running.Service.Stop();
                running.Dispose();
                _logs.Remove(id);
            }
            foreach (var (id, w) in wanted)
            {
                if (_logs.TryGetValue(id, out var running))
                {
                    // Same log, perhaps other ENIs: the open interval carries on with the ENIs it covers now.
                    running.Interfaces.Clear();
                    foreach (var (slot, eni) in w.Interfaces)
                        running.Interfaces[slot] = eni;
                    continue;
                }
                _logs[id] = Start(w.Log, w.AccountId, w.Interfaces);
            }
            _bySlot = _logs.Values.SelectMany(l => l.Interfaces.Keys.Select(slot => (slot, l)))
                .GroupBy(x => x.slot).ToDictionary(g => g.Key, g => g.Select(x => x.l).ToArray());
            var intervals = _bySlot.ToDictionary(s => s.Key, s => (uint)s.Value.Min(l => l.Log.MaxAggregationInterval));
            changes = [.. intervals.Where(i => !_cardIntervals.TryGetValue(i.Key, out var now) || now != i.Value).Select(i => (i.Key, i.Value)),
                .. _cardIntervals.Where(i => i.Value > 0 && !intervals.ContainsKey(i.Key)).Select(i => (i.Key, 0u))];
            foreach (var (slot, seconds) in changes)
                _cardIntervals[slot] = seconds;
        }
        if (changes.Count > 0)
        {
            await _card.InvokeAsync(engine =>
            {
                if (engine is IFlowRecordSource source)
                {
                    foreach (var (slot, seconds) in changes)
                        source.SetFlowRecordInterval(slot, seconds);
                }
                return changes.Count;
            }).ConfigureAwait(false);
        }
    }

    /// <summary>Drains the card's records, hands them to the flow logs of their slots and closes ended intervals, once.</summary>
    public async Task DrainAsync()
    {
        if (_cardKeepsRecords != true)
            return;
        var (records, overflows) = await _card.InvokeAsync(engine => engine is IFlowRecordSource source
            ? (source.DrainFlowRecords(), source.FlowRecordOverflows)
            : ([], 0UL)).ConfigureAwait(false);
        Interlocked.Exchange(ref _overflows, overflows);
        Interlocked.Add(ref _records, records.Count);
        lock (_lock)
        {
            foreach (var record in records)
            {
                // A record of a slot no log covers (any more) belongs to no one.
                if (!_bySlot.TryGetValue(record.Slot, out var logs))
                    continue;
                var converted = ToFlowRecord(record);
                foreach (var log in logs)
                    log.Service.Aggregator.Add(converted);
            }
            foreach (var log in _logs.Values)
                log.Service.Tick();
        }
    }

    /// <summary>Drains every <see cref="DrainInterval"/> until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var ticks = new PeriodicTimer(DrainInterval, _time);
        try
        {
            while (await ticks.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await DrainAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failing drain loses those records; the logs and the card go on.
                    FirmwareLog.FlowLogsFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// The card's record as the flow logs take it: card time to wall time, the action from the rejected bit, and bytes as
    /// AWS counts them, the IP packets': the card counts whole frames, as its ENI counters do (docs/card-flow-records.md),
    /// and an ENI's frames carry no VLAN tag, so each packet is its frame less the Ethernet header.
    /// </summary>
    public FlowRecord ToFlowRecord(in CardFlowRecord record)
    {
        var headers = (ulong)record.Packets * EthernetHeader.Length;
        return new(record.Slot, record.SourceAddress, record.DestinationAddress, record.SourcePort, record.DestinationPort, record.Protocol,
            record.Packets, record.Bytes > headers ? record.Bytes - headers : 0, _wallTimeOf(record.FirstMicros), _wallTimeOf(record.LastMicros),
            record.Rejected ? FlowAction.Reject : FlowAction.Accept);
    }

    /// <summary>The filter of a validated <c>trafficType</c>.</summary>
    public static FlowLogFilter FilterOf(string trafficType) => trafficType switch
    {
        "ACCEPT" => FlowLogFilter.Accept,
        "REJECT" => FlowLogFilter.Reject,
        _ => FlowLogFilter.All,
    };

    private RunningLog Start(FlowLog log, string accountId, Dictionary<int, string> interfaces)
    {
        // The definition holds the runtime's own dictionary, so a push that moves ENIs changes the open interval's ENIs.
        var owned = new Dictionary<int, string>(interfaces);
        var definition = new FlowLogDefinition(log.Id, accountId, FilterOf(log.TrafficType), TimeSpan.FromSeconds(log.MaxAggregationInterval), owned);
        var files = new FlowLogFiles(_logRoot, log.Id);
        WriteDescription(files.Directory, log);
        IpfixExporter? ipfix = log.IpfixCollector is { } collector
            ? new IpfixExporter(RegionCompiler.EndpointOf(collector, 4739), _observationDomain, _time)
            : null;
        var service = ipfix is null ? new FlowLogService(definition, _time, files) : new FlowLogService(definition, _time, files, ipfix);
        return new RunningLog(log, accountId, owned, service, files, ipfix);
    }

    /// <summary>What the log is, next to its files: written whole to a temporary name, then renamed over the old one.</summary>
    private static void WriteDescription(string directory, FlowLog log)
    {
        var path = Path.Combine(directory, DescriptionFile);
        var temporary = path + "." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(log, DescriptionJson));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The flow log a directory holds (its <see cref="DescriptionFile"/>); null when the file is empty JSON.</summary>
    /// <exception cref="JsonException">The file is not a flow log's description.</exception>
    public static FlowLog? ReadDescription(string directory)
        => JsonSerializer.Deserialize<FlowLog>(File.ReadAllText(Path.Combine(directory, DescriptionFile)), DescriptionJson);

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var log in _logs.Values)
                log.Dispose();
            _logs.Clear();
            _bySlot = [];
        }
    }

    private sealed record RunningLog(FlowLog Log, string AccountId, Dictionary<int, string> Interfaces, FlowLogService Service, FlowLogFiles Files, IpfixExporter? Ipfix) : IDisposable
    {
        public void Dispose() => Ipfix?.Dispose();
    }
}
