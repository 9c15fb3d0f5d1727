namespace NitroCard.InstanceServices.FlowLogs;

/// <summary>
/// Aggregates the card's flow records into VPC Flow Logs records, one aggregation interval at a time (intervals aligned
/// to the Unix epoch; the first starts when the log does, and <see cref="Close"/> ends the last early). A record goes into the interval open when it arrives; records of one 5-tuple and action on one ENI
/// add up, start is the earliest first packet and end the latest last packet. When an interval closes: the records that
/// pass the filter, a NODATA record for an ENI that had no traffic at all, and a SKIPDATA record for an ENI whose
/// distinct flows went over <see cref="FlowLogDefinition.MaxFlowsPerInterval"/>. Not thread-safe: one caller.
/// </summary>
public sealed class FlowLogAggregator
{
    private readonly FlowLogDefinition definition;
    private readonly TimeProvider time;
    private readonly Dictionary<int, EniWindow> enis = [];
    private DateTimeOffset windowStart;
    private readonly DateTimeOffset openedAt;

    /// <summary>An aggregator for a valid <paramref name="definition"/>.</summary>
    public FlowLogAggregator(FlowLogDefinition definition, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var problems = definition.Validate();
        if (problems.Count > 0)
            throw new ArgumentException(string.Join("; ", problems), nameof(definition));
        this.definition = definition;
        this.time = time;
        openedAt = time.GetUtcNow();
        windowStart = Align(openedAt);
    }

    /// <summary>Records from slots the flow log does not cover.</summary>
    public long UnknownSlot { get; private set; }

    /// <summary>Records skipped for capacity.</summary>
    public long Skipped { get; private set; }

    /// <summary>The start of the open interval.</summary>
    public DateTimeOffset WindowStart => windowStart;

    /// <summary>Takes one record of the card.</summary>
    public void Add(in FlowRecord record)
    {
        if (!definition.Interfaces.ContainsKey(record.EniSlot))
        {
            UnknownSlot++;
            return;
        }
        if (!enis.TryGetValue(record.EniSlot, out var eni))
            enis[record.EniSlot] = eni = new EniWindow();
        eni.Traffic = true;
        if (definition.Filter == FlowLogFilter.Accept && record.Action != FlowAction.Accept
            || definition.Filter == FlowLogFilter.Reject && record.Action != FlowAction.Reject)
            return;
        var key = (record.SourceAddress, record.DestinationAddress, record.SourcePort, record.DestinationPort, record.Protocol, record.Action);
        if (eni.Flows.TryGetValue(key, out var sum))
        {
            eni.Flows[key] = (sum.Packets + record.Packets, sum.Bytes + record.Bytes,
                record.First < sum.First ? record.First : sum.First, record.Last > sum.Last ? record.Last : sum.Last);
        }
        else if (eni.Flows.Count >= definition.MaxFlowsPerInterval)
        {
            eni.Skipped = true;
            Skipped++;
        }
        else
        {
            eni.Flows[key] = (record.Packets, record.Bytes, record.First, record.Last);
        }
    }

    /// <summary>Closes every interval that has ended by now and returns its records (ENI by ENI, in slot order).</summary>
    public IReadOnlyList<FlowLogEntry> Flush()
    {
        var now = time.GetUtcNow();
        var output = new List<FlowLogEntry>();
        while (windowStart + definition.AggregationInterval <= now)
            CloseWindow(windowStart + definition.AggregationInterval, output);
        return output;
    }

    /// <summary>
    /// The log stops (deleted, or replaced by a log of other settings): closes the ended intervals and the open one, which
    /// ends now, and returns their records, so what the log took is published rather than lost with it.
    /// </summary>
    public IReadOnlyList<FlowLogEntry> Close()
    {
        var output = new List<FlowLogEntry>(Flush());
        var now = time.GetUtcNow();
        if (now > windowStart)
            CloseWindow(now, output);
        return output;
    }

    private void CloseWindow(DateTimeOffset end, List<FlowLogEntry> output)
    {
        // The log's first interval covers only the time since it began: a NODATA record claims no more than it watched.
        var start = windowStart < openedAt ? openedAt : windowStart;
        foreach (var (slot, eniId) in definition.Interfaces.OrderBy(i => i.Key))
        {
            enis.TryGetValue(slot, out var eni);
            if (eni is null || !eni.Traffic)
            {
                output.Add(new FlowLogEntry(definition.AccountId, eniId, slot, start, end, FlowLogStatus.NoData));
                continue;
            }
            foreach (var (key, sum) in eni.Flows)
            {
                output.Add(new FlowLogEntry(definition.AccountId, eniId, slot, sum.First, sum.Last, FlowLogStatus.Ok)
                {
                    SourceAddress = key.Source,
                    DestinationAddress = key.Destination,
                    SourcePort = key.SourcePort,
                    DestinationPort = key.DestinationPort,
                    Protocol = key.Protocol,
                    Packets = sum.Packets,
                    Bytes = sum.Bytes,
                    Action = key.Action,
                });
            }
            if (eni.Skipped)
                output.Add(new FlowLogEntry(definition.AccountId, eniId, slot, start, end, FlowLogStatus.SkipData));
        }
        enis.Clear();
        windowStart = end;
    }

    private DateTimeOffset Align(DateTimeOffset t)
    {
        var seconds = (long)definition.AggregationInterval.TotalSeconds;
        return DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds() / seconds * seconds);
    }

    private sealed class EniWindow
    {
        public bool Traffic { get; set; }

        public bool Skipped { get; set; }

        public Dictionary<(uint Source, uint Destination, ushort SourcePort, ushort DestinationPort, byte Protocol, FlowAction Action),
            (ulong Packets, ulong Bytes, DateTimeOffset First, DateTimeOffset Last)> Flows { get; } = [];
    }
}
