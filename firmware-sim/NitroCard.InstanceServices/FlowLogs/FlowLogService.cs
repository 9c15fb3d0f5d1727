namespace NitroCard.InstanceServices.FlowLogs;

/// <summary>One flow log: the aggregator and its sinks. The firmware hands it the card's records and ticks it.</summary>
public sealed class FlowLogService(FlowLogDefinition definition, TimeProvider time, params IFlowLogSink[] sinks)
{
    private readonly FlowLogAggregator aggregator = new(definition, time);

    /// <summary>The aggregator (counters).</summary>
    public FlowLogAggregator Aggregator => aggregator;

    /// <summary>Takes records of the card.</summary>
    public void Add(IEnumerable<FlowRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
            aggregator.Add(record);
    }

    /// <summary>Closes ended intervals and delivers their records to every sink; returns them.</summary>
    public IReadOnlyList<FlowLogEntry> Tick() => Deliver(aggregator.Flush());

    /// <summary>The log stops: delivers its ended intervals and its open one, closed now (<see cref="FlowLogAggregator.Close"/>); returns them.</summary>
    public IReadOnlyList<FlowLogEntry> Stop() => Deliver(aggregator.Close());

    private IReadOnlyList<FlowLogEntry> Deliver(IReadOnlyList<FlowLogEntry> entries)
    {
        if (entries.Count > 0)
        {
            foreach (var sink in sinks)
                sink.Write(entries);
        }
        return entries;
    }
}
