namespace NitroCard.Driver.Simulation;

/// <summary>A card build's table sizes, as its PARAM_* registers report them.</summary>
/// <param name="EniSlots">ENI slots.</param>
/// <param name="MappingWays">Mapping table ways.</param>
/// <param name="MappingWayDepth">Buckets per way.</param>
/// <param name="EdgeEntries">Edge table entries.</param>
/// <param name="IpMtu">Largest IPv4 total length an instance may send.</param>
/// <param name="BatchDepth">Table writes one commit can hold.</param>
public sealed record CardGeometry(int EniSlots, int MappingWays, int MappingWayDepth, int EdgeEntries, int IpMtu, int BatchDepth)
{
    /// <summary>The defaults the RTL is built with (docs/card-semantics.md, "Parameters").</summary>
    public static CardGeometry Default { get; } = new(64, 2, 1 << 15, 8, 9001, 64);

    public int MappingCapacity => MappingWays * MappingWayDepth;

    /// <summary>Largest frame an instance may send: Ethernet header + IP MTU.</summary>
    public int MaxInnerFrame => 14 + IpMtu;
}
