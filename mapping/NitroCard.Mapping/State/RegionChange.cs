using System.Collections.Immutable;

namespace NitroCard.Mapping.State;

/// <summary>
/// What one committed version changed. ENI-level changes are distributed as per-host deltas; anything
/// else (hosts, edges, VNIs, card-wide settings) is <see cref="Full"/>: every host resynchronises.
/// </summary>
/// <param name="Version">The version the change created.</param>
/// <param name="Enis">ENIs created, moved, changed or deleted.</param>
/// <param name="Full">The change touches more than ENIs: hosts get full snapshots.</param>
public sealed record RegionChange(long Version, ImmutableArray<EniChange> Enis, bool Full)
{
    /// <summary>Nothing the cards hold changed (for example a security group rule: the card has no SG table yet).</summary>
    public bool IsEmpty => !Full && Enis.IsEmpty;
}

/// <summary>One ENI before and after a change (null: absent).</summary>
public sealed record EniChange(string VpcId, uint Vni, Region.Eni? Before, Region.Eni? After)
{
    /// <summary>The ENI moved from one host to another.</summary>
    public bool IsMove => Before is not null && After is not null && Before.Host != After.Host;
}
