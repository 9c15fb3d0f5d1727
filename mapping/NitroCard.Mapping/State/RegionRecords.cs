using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using NitroCard.Region;

namespace NitroCard.Mapping.State;

/// <summary>Converts a region to and from its stored objects (<see cref="RecordKeys"/>).</summary>
public static class RegionRecords
{
    public static string ToJson(RegionHost host) => JsonSerializer.Serialize(host, RegionJsonContext.Default.RegionHost);

    public static string ToJson(RegionEdge edge) => JsonSerializer.Serialize(edge, RegionJsonContext.Default.RegionEdge);

    /// <summary>A VPC without its ENIs (they are stored one a key).</summary>
    public static string ToJson(Vpc vpc) => JsonSerializer.Serialize(vpc with { Enis = [] }, RegionJsonContext.Default.Vpc);

    public static string ToJson(Eni eni) => JsonSerializer.Serialize(eni, RegionJsonContext.Default.Eni);

    /// <summary>A VPN connection's learned prefixes (<see cref="VpnConnection.LearnedCidrs"/>, which the VPC's JSON leaves out).</summary>
    public static string LearnedRoutesJson(VpnConnection vpn) => JsonSerializer.Serialize(vpn.LearnedCidrs.ToList(), StoreJsonContext.Default.ListString);

    /// <summary>The record of the dead edges (a delete when there are none).</summary>
    public static StoreWrite EdgeHealthWrite(ImmutableArray<string> unhealthy)
        => new(RecordKeys.EdgeHealth, 0, unhealthy.IsDefaultOrEmpty ? null : JsonSerializer.Serialize(unhealthy.ToList(), StoreJsonContext.Default.ListString));

    public static string SettingsJson(RegionTopology region)
        => JsonSerializer.Serialize(new RegionSettings(region.SubstrateRouterMac, region.GatewayMac), StoreJsonContext.Default.RegionSettings);

    /// <summary>Every object of a region, with its order.</summary>
    public static IEnumerable<StoreWrite> All(RegionTopology region)
    {
        yield return new StoreWrite(RecordKeys.Settings, 0, SettingsJson(region));
        for (var i = 0; i < region.Hosts.Length; i++)
            yield return new StoreWrite(RecordKeys.Host(region.Hosts[i].Name), i, ToJson(region.Hosts[i]));
        for (var i = 0; i < region.Edges.Length; i++)
            yield return new StoreWrite(RecordKeys.Edge(region.Edges[i].Name), i, ToJson(region.Edges[i]));
        if (EdgeHealthWrite(region.UnhealthyEdges) is { Json: not null } health)
            yield return health;
        long eniSeq = 0;
        for (var v = 0; v < region.Vpcs.Length; v++)
        {
            foreach (var write in OfVpc(region.Vpcs[v], v, eniSeq))
                yield return write;
            eniSeq += region.Vpcs[v].Enis.Length;
        }
    }

    /// <summary>The objects of the VPC at position <paramref name="index"/> whose first ENI is the region's <paramref name="firstEniSeq"/>th.</summary>
    public static IEnumerable<StoreWrite> OfVpc(Vpc vpc, int index, long firstEniSeq)
    {
        ArgumentNullException.ThrowIfNull(vpc);
        yield return new StoreWrite(RecordKeys.Vpc(vpc.Id), index, ToJson(vpc));
        var eniSeq = firstEniSeq;
        foreach (var eni in vpc.Enis)
            yield return new StoreWrite(RecordKeys.Eni(vpc.Id, eni.Id), eniSeq++, ToJson(eni));
        foreach (var vpn in vpc.VpnConnections.Where(c => !c.LearnedCidrs.IsEmpty))
            yield return new StoreWrite(RecordKeys.LearnedRoutes(vpc.Id, vpn.Id), 0, LearnedRoutesJson(vpn));
    }

    /// <summary>The writes that turn the stored form of <paramref name="before"/> into <paramref name="after"/>.</summary>
    public static List<StoreWrite> Diff(RegionTopology before, RegionTopology after)
    {
        var writes = new List<StoreWrite>();
        var deletes = new List<StoreWrite>();
        Diff(All(before), All(after), writes, deletes);
        writes.AddRange(deletes);
        return writes;
    }

    /// <summary>
    /// Adds to <paramref name="writes"/> the objects of <paramref name="after"/> that are new or differ (JSON or order) from
    /// <paramref name="before"/>'s, and to <paramref name="deletes"/> those of <paramref name="before"/> that are gone (in its order).
    /// </summary>
    public static void Diff(IEnumerable<StoreWrite> before, IEnumerable<StoreWrite> after, List<StoreWrite> writes, List<StoreWrite> deletes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(deletes);
        var old = before.ToDictionary(w => w.Key, w => w, StringComparer.Ordinal);
        foreach (var write in after)
        {
            if (!old.Remove(write.Key, out var previous) || previous.Json != write.Json || previous.Seq != write.Seq)
                writes.Add(write);
        }
        deletes.AddRange(old.Values.Select(w => w with { Json = null }));
    }

    /// <summary>Rebuilds a region from stored objects (any order; each kind sorted by its seq).</summary>
    public static RegionTopology Load(IEnumerable<StoredRecord> records)
    {
        RegionSettings? settings = null;
        var hosts = new List<(long, RegionHost)>();
        var edges = new List<(long, RegionEdge)>();
        var vpcs = new List<(long, Vpc)>();
        var enis = new Dictionary<string, List<(long, Eni)>>(StringComparer.Ordinal);
        var learned = new Dictionary<string, ImmutableArray<string>>(StringComparer.Ordinal);
        ImmutableArray<string> unhealthy = [];
        foreach (var r in records)
        {
            if (r.Key == RecordKeys.EdgeHealth)
                unhealthy = [.. JsonSerializer.Deserialize(r.Json, StoreJsonContext.Default.ListString)!];
            else if (r.Key == RecordKeys.Settings)
                settings = JsonSerializer.Deserialize(r.Json, StoreJsonContext.Default.RegionSettings);
            else if (r.Key.StartsWith(RecordKeys.HostPrefix, StringComparison.Ordinal))
                hosts.Add((r.Seq, JsonSerializer.Deserialize(r.Json, RegionJsonContext.Default.RegionHost)!));
            else if (r.Key.StartsWith(RecordKeys.EdgePrefix, StringComparison.Ordinal))
                edges.Add((r.Seq, JsonSerializer.Deserialize(r.Json, RegionJsonContext.Default.RegionEdge)!));
            else if (r.Key.StartsWith(RecordKeys.VpcPrefix, StringComparison.Ordinal))
                vpcs.Add((r.Seq, JsonSerializer.Deserialize(r.Json, RegionJsonContext.Default.Vpc)!));
            else if (r.Key.StartsWith(RecordKeys.EniPrefix, StringComparison.Ordinal))
            {
                var rest = r.Key[RecordKeys.EniPrefix.Length..];
                var vpcId = rest[..rest.IndexOf('/', StringComparison.Ordinal)];
                if (!enis.TryGetValue(vpcId, out var list))
                    enis[vpcId] = list = [];
                list.Add((r.Seq, JsonSerializer.Deserialize(r.Json, RegionJsonContext.Default.Eni)!));
            }
            else if (r.Key.StartsWith(RecordKeys.LearnedRoutesPrefix, StringComparison.Ordinal))
            {
                learned[r.Key[RecordKeys.LearnedRoutesPrefix.Length..]] = [.. JsonSerializer.Deserialize(r.Json, StoreJsonContext.Default.ListString)!];
            }
        }
        return new RegionTopology(
            Hosts: [.. hosts.OrderBy(h => h.Item1).Select(h => h.Item2)],
            Edges: [.. edges.OrderBy(e => e.Item1).Select(e => e.Item2)],
            Vpcs: [.. vpcs.OrderBy(v => v.Item1).Select(v => v.Item2 with
            {
                Enis = enis.TryGetValue(v.Item2.Id, out var list) ? [.. list.OrderBy(e => e.Item1).Select(e => e.Item2)] : ImmutableArray<Eni>.Empty,
                VpnConnections = [.. v.Item2.VpnConnections.Select(c => learned.TryGetValue($"{v.Item2.Id}/{c.Id}", out var cidrs) ? c with { LearnedCidrs = cidrs } : c)],
            })],
            SubstrateRouterMac: settings?.SubstrateRouterMac,
            GatewayMac: settings?.GatewayMac) { SourceName = "mapping service", UnhealthyEdges = unhealthy };
    }
}

/// <summary>The region-wide settings object.</summary>
public sealed record RegionSettings(string? SubstrateRouterMac, string? GatewayMac);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RegionSettings))]
[JsonSerializable(typeof(List<StoreWrite>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
