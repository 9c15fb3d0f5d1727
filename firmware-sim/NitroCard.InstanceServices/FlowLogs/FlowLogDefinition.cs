namespace NitroCard.InstanceServices.FlowLogs;

/// <summary>Which records a flow log captures (EC2's TrafficType).</summary>
public enum FlowLogFilter
{
    /// <summary>Accepted traffic only.</summary>
    Accept,

    /// <summary>Rejected traffic only.</summary>
    Reject,

    /// <summary>Both.</summary>
    All,
}

/// <summary>A flow log as the firmware runs it for the ENIs of its card.</summary>
/// <param name="Id">The flow log's id (<c>fl-...</c>): the name of its log directory.</param>
/// <param name="AccountId">The account written in every record.</param>
/// <param name="Filter">ACCEPT, REJECT or ALL.</param>
/// <param name="AggregationInterval">EC2 allows 60 or 600 seconds; anything from a second is accepted here, for tests.</param>
/// <param name="Interfaces">The ENIs the flow log covers: slot to ENI id (the interface-id).</param>
public sealed record FlowLogDefinition(
    string Id,
    string AccountId,
    FlowLogFilter Filter,
    TimeSpan AggregationInterval,
    IReadOnlyDictionary<int, string> Interfaces)
{
    /// <summary>Distinct flows kept per ENI and interval; beyond, records are skipped and a SKIPDATA record says so.</summary>
    public int MaxFlowsPerInterval { get; init; } = 10_000;

    /// <summary>Every problem with the definition (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!FlowLogFiles.IsSafeName(Id))
            problems.Add($"flow log id '{Id}' is not lowercase letters, digits and hyphens");
        if (AggregationInterval < TimeSpan.FromSeconds(1) || AggregationInterval.Ticks % TimeSpan.TicksPerSecond != 0)
            problems.Add($"aggregation interval {AggregationInterval} is not a whole number of seconds, at least one");
        if (MaxFlowsPerInterval < 1)
            problems.Add("MaxFlowsPerInterval must be at least 1");
        foreach (var (slot, eni) in Interfaces)
        {
            if (!FlowLogFiles.IsSafeName(eni))
                problems.Add($"interface id '{eni}' of slot {slot} is not lowercase letters, digits and hyphens");
        }
        return problems;
    }
}
