namespace NitroCard.Card;

/// <summary>A card build's table sizes, as its PARAM_* registers report them.</summary>
/// <param name="EniSlots">ENI slots.</param>
/// <param name="MappingWays">Mapping table ways.</param>
/// <param name="MappingWayDepth">Entries per way.</param>
/// <param name="EdgeEntries">Edge table entries.</param>
/// <param name="IpMtu">Largest IPv4 total length an instance may send.</param>
/// <param name="BatchDepth">Table writes one commit can hold.</param>
/// <param name="MappingBucketSlots">Entries per mapping bucket: a key may sit in any slot of its bucket in either way.</param>
/// <param name="PuntQueueBeats">PARAM_PUNT.QUEUE_BEATS: 64-byte beats the punt and injection queues each hold (docs/card-punt.md).</param>
/// <param name="FlowRecordDepth">PARAM_FLOW.DEPTH: flow records the record FIFO holds (docs/card-flow-records.md).</param>
/// <param name="Filtering">
/// Route tables, network ACLs, security groups and connection tracking (PARAM_FILTER, PARAM_CONNTRACK);
/// null when the card has no filtering hardware (those registers read 0): such a card forwards by mapping
/// lookup alone, as docs/card-semantics.md describes.
/// </param>
public sealed record CardGeometry(int EniSlots, int MappingWays, int MappingWayDepth, int EdgeEntries, int IpMtu, int BatchDepth, FilterGeometry? Filtering = null, int MappingBucketSlots = 1, int PuntQueueBeats = 64, int FlowRecordDepth = 512)
{
    /// <summary>The defaults the RTL is built with (docs/card-semantics.md and docs/card-filtering.md, "Parameters").</summary>
    public static CardGeometry Default { get; } = new(64, 2, 1 << 15, 8, 9001, 64, FilterGeometry.Default, MappingBucketSlots: 4);

    public int MappingCapacity => MappingWays * MappingWayDepth;

    /// <summary>Largest frame an instance may send: Ethernet header + IP MTU.</summary>
    public int MaxInnerFrame => 14 + IpMtu;

    /// <summary>The longest frame the punt and injection queues carry.</summary>
    public int PuntQueueBytes => 64 * PuntQueueBeats;
}

/// <summary>The filtering tables' sizes (docs/card-filtering.md, "Parameters").</summary>
/// <param name="RouteLevels">ROUTE_LEVELS: a route bank holds 2^RouteLevels − 1 intervals.</param>
/// <param name="NaclCount">NUM_NACL: network ACLs on the card.</param>
/// <param name="NaclRules">NACL_RULES: rules per ACL and direction.</param>
/// <param name="SgRulesLog2">SG_RULES_LOG2: log2 of the shared security group rule array.</param>
/// <param name="ConntrackBucketsLog2">CT_BUCKETS_LOG2: log2 of the tracking table's buckets.</param>
/// <param name="ConntrackWays">CT_WAYS: entries per bucket.</param>
public sealed record FilterGeometry(int RouteLevels, int NaclCount, int NaclRules, int SgRulesLog2, int ConntrackBucketsLog2, int ConntrackWays)
{
    /// <summary>The defaults of docs/card-filtering.md.</summary>
    public static FilterGeometry Default { get; } = new(12, 16, 40, 14, 18, 4);

    /// <summary>Route table positions per bank (ROUTE_DEPTH = 2^ROUTE_LEVELS): bank b's position p is route index b * RouteDepth + p.</summary>
    public int RouteDepth => 1 << RouteLevels;

    /// <summary>Intervals one bank holds: 2^ROUTE_LEVELS − 1 (the last position of each bank is never used).</summary>
    public int RouteCapacity => RouteDepth - 1;

    /// <summary>Entries of the shared security group rule array.</summary>
    public int SgRuleCapacity => 1 << SgRulesLog2;

    /// <summary>Tracking table buckets.</summary>
    public int ConntrackBuckets => 1 << ConntrackBucketsLog2;

    /// <summary>Flows the tracking table holds.</summary>
    public int ConntrackCapacity => ConntrackBuckets * ConntrackWays;
}
