using System.Collections.Immutable;
using NitroCard.Driver;
using NitroCard.Driver.Tables;
using NitroCard.Mapping.State;
using NitroCard.Region;

namespace NitroCard.Mapping.Distribution;

/// <summary>
/// Computes what each host's card holds (exactly the VPCs it has ENIs in, the routes/edges they need)
/// and the per-host deltas of an ENI-level change, from the indexed region state.
/// </summary>
public static class DeltaBuilder
{
    /// <summary>The card-wide settings of a host.</summary>
    public static CardSettings Settings(RegionState state, string host)
    {
        var h = state.Host(host) ?? throw new InvalidOperationException($"{host} is not a host");
        var underlay = state.HostUnderlay(host);
        var t = state.Topology;
        return new CardSettings(
            Ipv4.FromUInt32(underlay),
            h.UnderlayMac is null ? RegionDefaults.DerivedUnderlayMac(underlay) : MacAddress.Parse(h.UnderlayMac),
            t.SubstrateRouterMac is null ? RegionDefaults.SubstrateRouterMac : MacAddress.Parse(t.SubstrateRouterMac),
            t.GatewayMac is null ? RegionDefaults.GatewayMac : MacAddress.Parse(t.GatewayMac));
    }

    /// <summary>The complete state of a host's card at the state's version.</summary>
    public static HostDelta Snapshot(RegionState state, string host, long baseVersion)
    {
        var enis = ImmutableArray.CreateBuilder<HostEni>();
        var mappings = ImmutableArray.CreateBuilder<HostMapping>();
        var edges = ImmutableArray.CreateBuilder<EdgeEntry>();
        var vpcs = state.VpcsOf(host);
        // File order of VPCs, so slots follow the region file like RegionCompiler's.
        foreach (var vpc in state.Topology.Vpcs)
        {
            if (!vpcs.Contains(vpc.Id))
                continue;
            foreach (var eni in vpc.Enis)
            {
                if (eni.Host == host)
                    enis.Add(LocalEni(vpc, eni));
                mappings.Add(Mapping(state, vpc.Vni, eni, host));
            }
            edges.AddRange(Edges(state, vpc.Vni));
        }
        return new HostDelta(host, state.Version, baseVersion, true, Settings(state, host),
            enis.ToImmutable(), [], mappings.ToImmutable(), [], edges.ToImmutable(), []);
    }

    /// <summary>
    /// Per-host deltas of an ENI-level change. <paramref name="hostsBefore"/> holds, per VPC touched,
    /// the hosts that served it before the change; <paramref name="state"/> is the state after it.
    /// </summary>
    public static Dictionary<string, HostDelta> Deltas(RegionState state, RegionChange change, IReadOnlyDictionary<string, HashSet<string>> hostsBefore)
    {
        var result = new Dictionary<string, Builder>(StringComparer.Ordinal);
        foreach (var group in change.Enis.GroupBy(c => c.VpcId, StringComparer.Ordinal))
        {
            var vpcId = group.Key;
            var before = hostsBefore.TryGetValue(vpcId, out var b) ? b : [];
            var after = state.HostsOf(vpcId);
            var vpc = state.Vpc(vpcId);
            var vni = group.First().Vni;
            foreach (var host in before.Union(after))
            {
                if (!result.TryGetValue(host, out var builder))
                    result[host] = builder = new Builder();
                var had = before.Contains(host);
                var has = after.Contains(host);
                if (!had && has)
                {
                    // The host gains the VPC: every mapping of it, and its edges.
                    foreach (var eni in vpc!.Enis)
                    {
                        builder.SetMappings.Add(Mapping(state, vni, eni, host));
                        if (eni.Host == host)
                            builder.SetEnis.Add(LocalEni(vpc, eni));
                    }
                    builder.SetEdges.AddRange(Edges(state, vni));
                }
                else if (had && !has)
                {
                    // The host loses the VPC: every mapping it held of it, and its edges.
                    var keys = new HashSet<MappingKey>();
                    if (vpc is not null)
                    {
                        foreach (var eni in vpc.Enis)
                            keys.Add(Key(vni, eni));
                    }
                    foreach (var c in group)
                    {
                        if (c.After is not null)
                            keys.Remove(Key(vni, c.After));
                    }
                    foreach (var c in group)
                    {
                        if (c.Before is not null)
                        {
                            keys.Add(Key(vni, c.Before));
                            if (c.Before.Host == host)
                                builder.RemoveEnis.Add(c.Before.Id);
                        }
                    }
                    builder.RemoveMappings.AddRange(keys);
                    builder.RemoveEdges.AddRange(Edges(state, vni));
                }
                else
                {
                    foreach (var c in group)
                    {
                        if (c.Before is not null && (c.After is null || Key(vni, c.Before) != Key(vni, c.After)))
                            builder.RemoveMappings.Add(Key(vni, c.Before));
                        if (c.After is not null)
                        {
                            if (c.Before is null || MappingChanged(c.Before, c.After, host))
                                builder.SetMappings.Add(Mapping(state, vni, c.After, host));
                            if (c.After.Host == host && (c.Before is null || c.Before.Host != host || EniChanged(c.Before, c.After)))
                                builder.SetEnis.Add(LocalEni(vpc!, c.After));
                        }
                        if (c.Before is not null && c.Before.Host == host && (c.After is null || c.After.Host != host))
                            builder.RemoveEnis.Add(c.Before.Id);
                    }
                }
            }
        }
        return result.ToDictionary(
            kv => kv.Key,
            kv => new HostDelta(kv.Key, change.Version, 0, false, null,
                kv.Value.SetEnis.ToImmutable(), kv.Value.RemoveEnis.ToImmutable(), kv.Value.SetMappings.ToImmutable(),
                kv.Value.RemoveMappings.ToImmutable(), kv.Value.SetEdges.ToImmutable(), kv.Value.RemoveEdges.ToImmutable()),
            StringComparer.Ordinal);
    }

    private static bool MappingChanged(Eni before, Eni after, string host)
        => before.Host != after.Host || before.Mac != after.Mac || before.Ip != after.Ip
           || (before.Host == host) != (after.Host == host);

    private static bool EniChanged(Eni before, Eni after)
        => before.Ip != after.Ip || before.Mac != after.Mac || before.Subnet != after.Subnet || before.SourceDestCheck != after.SourceDestCheck;

    public static MappingKey Key(uint vni, Eni eni) => new(vni, ParseIp(eni.Ip));

    public static HostMapping Mapping(RegionState state, uint vni, Eni eni, string host)
        => new(Key(vni, eni), state.HostUnderlay(eni.Host), MacAddress.Parse(eni.Mac), eni.Host == host ? eni.Id : null);

    public static HostEni LocalEni(Vpc vpc, Eni eni)
    {
        var subnet = vpc.Subnets.First(s => s.Id == eni.Subnet);
        var prefix = AddressText.TryParsePrefix(subnet.Cidr, out var p, out var problem) ? p : throw new InvalidOperationException(problem);
        return new HostEni(eni.Id, vpc.Id, subnet.Id,
            new EniEntry(vpc.Vni, Ipv4.FromUInt32(ParseIp(eni.Ip)), MacAddress.Parse(eni.Mac), prefix.ToIPNetwork(), eni.SourceDestCheck));
    }

    private static IEnumerable<EdgeEntry> Edges(RegionState state, uint vni)
    {
        foreach (var edge in state.Topology.Edges)
            yield return new EdgeEntry(vni, Ipv4.FromUInt32(ParseIp(edge.UnderlayIp)));
    }

    private static uint ParseIp(string text)
        => AddressText.TryParseIpv4(text, out var v) ? v : throw new InvalidOperationException($"'{text}' is not an IPv4 address");

    private sealed class Builder
    {
        public ImmutableArray<HostEni>.Builder SetEnis { get; } = ImmutableArray.CreateBuilder<HostEni>();
        public ImmutableArray<string>.Builder RemoveEnis { get; } = ImmutableArray.CreateBuilder<string>();
        public ImmutableArray<HostMapping>.Builder SetMappings { get; } = ImmutableArray.CreateBuilder<HostMapping>();
        public ImmutableArray<MappingKey>.Builder RemoveMappings { get; } = ImmutableArray.CreateBuilder<MappingKey>();
        public ImmutableArray<EdgeEntry>.Builder SetEdges { get; } = ImmutableArray.CreateBuilder<EdgeEntry>();
        public ImmutableArray<EdgeEntry>.Builder RemoveEdges { get; } = ImmutableArray.CreateBuilder<EdgeEntry>();
    }
}
