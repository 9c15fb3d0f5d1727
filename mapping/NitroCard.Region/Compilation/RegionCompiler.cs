using System.Collections.Immutable;
using System.Net;
using NitroCard.Driver;
using NitroCard.Driver.Simulation;
using NitroCard.Driver.Tables;

namespace NitroCard.Region;

/// <summary>Turns a region into what each card is programmed with.</summary>
public static class RegionCompiler
{
    /// <summary>
    /// The plan for <paramref name="hostName"/>'s card: its settings, its ENIs as slots 0..n-1 in file
    /// order, the mappings of every ENI of the VPCs it has ENIs in, and the edges for those VPCs.
    /// </summary>
    /// <exception cref="RegionException">The host is not in the region, or the region is invalid (a region built in memory is validated here too).</exception>
    public static HostCardPlan ForHost(RegionTopology region, string hostName, CardGeometry? geometry = null)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(hostName);
        geometry ??= CardGeometry.Default;

        var errors = RegionValidator.Validate(region, geometry);
        if (!errors.IsEmpty)
            throw new RegionException(region.SourceName, errors);

        var hosts = region.Hosts;
        var hostIndex = hosts.Select(h => h.Name).ToList().IndexOf(hostName);
        if (hostIndex < 0)
        {
            throw new RegionException(region.SourceName, [new RegionError("hosts",
                $"{hostName} is not a host of the region (hosts: {string.Join(", ", hosts.Select(h => h.Name))})")]);
        }
        var host = hosts[hostIndex];
        var underlayByHost = hosts.ToDictionary(h => h.Name, h => Ipv4.FromUInt32(ParseIp(h.UnderlayIp)), StringComparer.Ordinal);

        var settings = new CardSettings(
            UnderlayIp: underlayByHost[host.Name],
            UnderlayMac: host.UnderlayMac is null
                ? RegionDefaults.DerivedUnderlayMac(ParseIp(host.UnderlayIp))
                : MacAddress.Parse(host.UnderlayMac),
            UnderlayNextHopMac: region.SubstrateRouterMac is null ? RegionDefaults.SubstrateRouterMac : MacAddress.Parse(region.SubstrateRouterMac),
            GatewayMac: region.GatewayMac is null ? RegionDefaults.GatewayMac : MacAddress.Parse(region.GatewayMac),
            AlarmMask: uint.MaxValue);

        var vpcs = ImmutableArray.CreateBuilder<HostVpc>();
        var slots = ImmutableArray.CreateBuilder<EniSlot>();
        var mappings = ImmutableArray.CreateBuilder<MappingEntry>();
        var edges = ImmutableArray.CreateBuilder<EdgeEntry>();

        // Slots follow the file order of the host's ENIs across all VPCs.
        var localSlots = new Dictionary<Eni, int>(ReferenceEqualityComparer.Instance);
        foreach (var vpc in region.Vpcs)
        {
            var subnets = vpc.Subnets.ToDictionary(s => s.Id, s => s, StringComparer.Ordinal);
            foreach (var eni in vpc.Enis.Where(e => e.Host == hostName))
            {
                var subnet = subnets[eni.Subnet];
                var entry = new EniEntry(vpc.Vni, Ipv4.FromUInt32(ParseIp(eni.Ip)), MacAddress.Parse(eni.Mac), ParseNetwork(subnet.Cidr), eni.SourceDestCheck);
                localSlots[eni] = slots.Count;
                slots.Add(new EniSlot(slots.Count, eni.Id, vpc.Id, subnet.Id, entry));
            }
        }

        foreach (var vpc in region.Vpcs)
        {
            if (!vpc.Enis.Any(e => e.Host == hostName))
                continue; // never a byte of a VPC the host does not serve
            vpcs.Add(new HostVpc(vpc.Id, vpc.Vni));
            foreach (var eni in vpc.Enis)
            {
                mappings.Add(new MappingEntry(
                    vpc.Vni,
                    Ipv4.FromUInt32(ParseIp(eni.Ip)),
                    underlayByHost[eni.Host],
                    MacAddress.Parse(eni.Mac),
                    localSlots.TryGetValue(eni, out var slot) ? slot : null));
            }
            foreach (var edge in region.Edges)
                edges.Add(new EdgeEntry(vpc.Vni, Ipv4.FromUInt32(ParseIp(edge.UnderlayIp))));
        }

        return new HostCardPlan(host.Name, settings, vpcs.ToImmutable(), slots.ToImmutable(), mappings.ToImmutable(), edges.ToImmutable(), geometry);
    }

    private static uint ParseIp(string text)
        => AddressText.TryParseIpv4(text, out var value) ? value : throw new InvalidOperationException($"'{text}' passed validation but is not an IPv4 address");

    private static IPNetwork ParseNetwork(string text)
        => AddressText.TryParsePrefix(text, out var prefix, out var problem) ? prefix.ToIPNetwork() : throw new InvalidOperationException(problem);
}
