using System.Collections.Immutable;

namespace NitroCard.Mapping.State;

/// <summary>
/// What one committed version changed. ENI- and VPC-level changes are distributed as per-host deltas; anything
/// else (hosts, edges, VNIs, subnet CIDRs, card-wide settings) is <see cref="Full"/>: every host resynchronises.
/// </summary>
/// <param name="Version">The version the change created.</param>
/// <param name="Enis">ENIs created, moved, changed or deleted.</param>
/// <param name="Full">The change touches more than VPCs: hosts get full snapshots.</param>
public sealed record RegionChange(long Version, ImmutableArray<EniChange> Enis, bool Full)
{
    /// <summary>
    /// VPCs whose other parts changed (subnets' route tables, route tables, network ACLs, security groups, ENI
    /// order): every host of each gets the difference of its plan.
    /// </summary>
    public ImmutableArray<string> Vpcs { get; init; } = [];

    /// <summary>Nothing the cards hold changed.</summary>
    public bool IsEmpty => !Full && Enis.IsEmpty && Vpcs.IsEmpty;
}

/// <summary>One ENI before and after a change (null: absent).</summary>
public sealed record EniChange(string VpcId, uint Vni, Region.Eni? Before, Region.Eni? After)
{
    /// <summary>The ENI moved from one host to another.</summary>
    public bool IsMove => Before is not null && After is not null && Before.Host != After.Host;
}
