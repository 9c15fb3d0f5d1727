using System.Collections.Immutable;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;
using NitroCard.Region;

namespace NitroCard.Mapping.Distribution;

/// <summary>
/// What a host's card must change to go from <see cref="BaseVersion"/> to <see cref="Version"/>; when
/// <see cref="Full"/>, the complete state at <see cref="Version"/> (the agent removes whatever else its card holds).
/// ENIs are named by id: the firmware chooses their slots. Everything is what <c>RegionCompiler.ForHost</c> plans
/// for the host: ENI entries carry the plan's route table and network ACL numbers, <see cref="RouteTables"/> and
/// <see cref="SetAcls"/> are in that numbering, security rules and conntrack timeouts are per ENI id.
/// </summary>
public sealed record HostDelta(
    string Host,
    long Version,
    long BaseVersion,
    bool Full,
    CardSettings? Settings,
    ImmutableArray<HostEni> SetEnis,
    ImmutableArray<string> RemoveEnis,
    ImmutableArray<HostMapping> SetMappings,
    ImmutableArray<MappingKey> RemoveMappings,
    ImmutableArray<EdgeEntry> SetEdges,
    ImmutableArray<EdgeEntry> RemoveEdges)
{
    /// <summary>
    /// The host's whole route set (index = the card's route table number), or null when it is unchanged. Sent
    /// whole: the card switches route banks atomically.
    /// </summary>
    public ImmutableArray<RouteTableSpec>? RouteTables { get; init; }

    /// <summary>
    /// The card's edge set (docs/card-edges.md: the healthy edges, in the region's order), or null when it is unchanged.
    /// Sent whole, like the route set.
    /// </summary>
    public ImmutableArray<System.Net.IPAddress>? EdgeSet { get; init; }

    /// <summary>Network ACLs to write, by the card's ACL number.</summary>
    public ImmutableArray<HostAcl> SetAcls { get; init; } = [];

    /// <summary>ACL numbers no longer used.</summary>
    public ImmutableArray<int> RemoveAcls { get; init; } = [];

    /// <summary>Security rules and conntrack timeouts of local ENIs (every ENI in <see cref="SetEnis"/> that is new to the host has one).</summary>
    public ImmutableArray<HostEniFilter> SetFilters { get; init; } = [];

    /// <summary>How many table entries the delta names.</summary>
    public int Size => SetEnis.Length + RemoveEnis.Length + SetMappings.Length + RemoveMappings.Length + SetEdges.Length + RemoveEdges.Length
        + (RouteTables?.Length ?? 0) + (EdgeSet is null ? 0 : 1) + SetAcls.Length + RemoveAcls.Length + SetFilters.Length;

    public static HostDelta Empty(string host, long version, long baseVersion)
        => new(host, version, baseVersion, false, null, [], [], [], [], [], []);
}

/// <summary>A local ENI of a host, with what its instance services need (<see cref="EniServiceInfo"/>; null from an older service).</summary>
public sealed record HostEni(string Id, string VpcId, string SubnetId, EniEntry Entry, EniServiceInfo? Services = null);

/// <summary>A mapping as the service sends it: the owner named by ENI id when the ENI is on the receiving host, and its public IPv4 address (the instance services' DNS view), if any.</summary>
public sealed record HostMapping(MappingKey Key, uint UnderlayIp, MacAddress Mac, string? LocalEniId, System.Net.IPAddress? PublicIp = null);

/// <summary>A network ACL at the card's ACL number <paramref name="Index"/>.</summary>
public sealed record HostAcl(int Index, NetworkAcl Acl);

/// <summary>The security rules (source groups expanded) and connection tracking timeouts of a local ENI.</summary>
public sealed record HostEniFilter(string EniId, SecurityRules Rules, ConntrackTimeouts Timeouts);
