using System.Collections.Immutable;
using NitroCard.Driver;
using NitroCard.Driver.Tables;

namespace NitroCard.Mapping.Distribution;

/// <summary>
/// What a host's card must change to go from <see cref="BaseVersion"/> to <see cref="Version"/>; when
/// <see cref="Full"/>, the complete state at <see cref="Version"/> (the agent removes whatever else its card holds).
/// ENIs are named by id: the firmware chooses their slots.
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
    /// <summary>How many table entries the delta names.</summary>
    public int Size => SetEnis.Length + RemoveEnis.Length + SetMappings.Length + RemoveMappings.Length + SetEdges.Length + RemoveEdges.Length;

    public static HostDelta Empty(string host, long version, long baseVersion)
        => new(host, version, baseVersion, false, null, [], [], [], [], [], []);
}

/// <summary>A local ENI of a host.</summary>
public sealed record HostEni(string Id, string VpcId, string SubnetId, EniEntry Entry);

/// <summary>A mapping as the service sends it: the owner named by ENI id when the ENI is on the receiving host.</summary>
public sealed record HostMapping(MappingKey Key, uint UnderlayIp, MacAddress Mac, string? LocalEniId);
