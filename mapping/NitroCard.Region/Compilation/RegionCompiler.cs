using System.Collections.Immutable;
using System.Net;
using NitroCard.Driver;
using NitroCard.Driver.Filtering;
using NitroCard.Driver.Simulation;
using NitroCard.Driver.Tables;
using NitroCard.Packets;

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
        return Compile(region, hostName, geometry, checkCapacity: true, tablesOf: null);
    }

    /// <summary>
    /// <see cref="ForHost"/> without validating the region: for a caller (the Mapping Service) that has validated
    /// every change already. <paramref name="region"/> may be cut down to the VPCs the host has ENIs in (the plan
    /// is the same: VPCs without a local ENI contribute no slot, table number, mapping or edge). When
    /// <paramref name="tablesOf"/> is given, mappings and edges are compiled only for the VPCs it accepts (slots
    /// and filters always for all), so a change to one VPC need not rebuild every mapping of the host's other VPCs.
    /// </summary>
    internal static HostCardPlan Compile(RegionTopology region, string hostName, CardGeometry geometry, bool checkCapacity, Func<Vpc, bool>? tablesOf)
    {
        var hosts = region.Hosts;
        var hostIndex = -1;
        for (var i = 0; i < hosts.Length && hostIndex < 0; i++)
        {
            if (hosts[i].Name == hostName)
                hostIndex = i;
        }
        if (hostIndex < 0)
        {
            throw new RegionException(region.SourceName, [new RegionError("hosts",
                $"{hostName} is not a host of the region (hosts: {string.Join(", ", hosts.Select(h => h.Name))})")]);
        }
        var host = hosts[hostIndex];
        var underlayByHost = hosts.ToDictionary(h => h.Name, h => Ipv4Address.FromUInt32(ParseIp(h.UnderlayIp)), StringComparer.Ordinal);

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

        // Slots follow the file order of the host's ENIs across all VPCs. Route tables and ACLs are numbered
        // in the order the slots first use them.
        var localSlots = new Dictionary<Eni, int>(ReferenceEqualityComparer.Instance);
        var filters = new FilterBuilder(region);
        foreach (var vpc in region.Vpcs)
        {
            var subnets = vpc.Subnets.ToDictionary(s => s.Id, s => s, StringComparer.Ordinal);
            foreach (var eni in vpc.Enis.Where(e => e.Host == hostName))
            {
                var subnet = subnets[eni.Subnet];
                var entry = new EniEntry(vpc.Vni, Ipv4Address.FromUInt32(ParseIp(eni.Ip)), MacAddress.Parse(eni.Mac), ParseNetwork(subnet.Cidr), eni.SourceDestCheck,
                    RouteTable: filters.RouteTableOf(vpc, subnet),
                    Nacl: filters.AclOf(vpc, subnet));
                filters.AddEni(vpc, eni);
                localSlots[eni] = slots.Count;
                slots.Add(new EniSlot(slots.Count, eni.Id, vpc.Id, subnet.Id, entry));
            }
        }
        var filterPlan = filters.Build();
        if (checkCapacity)
            CheckFilterCapacity(region, hostIndex, host.Name, filterPlan, geometry);

        foreach (var vpc in region.Vpcs)
        {
            if (!vpc.Enis.Any(e => e.Host == hostName))
                continue; // never a byte of a VPC the host does not serve
            vpcs.Add(new HostVpc(vpc.Id, vpc.Vni));
            if (tablesOf is not null && !tablesOf(vpc))
                continue;
            foreach (var eni in vpc.Enis)
            {
                mappings.Add(new MappingEntry(
                    vpc.Vni,
                    Ipv4Address.FromUInt32(ParseIp(eni.Ip)),
                    underlayByHost[eni.Host],
                    MacAddress.Parse(eni.Mac),
                    localSlots.TryGetValue(eni, out var slot) ? slot : null));
            }
            foreach (var edge in region.Edges)
                edges.Add(new EdgeEntry(vpc.Vni, Ipv4Address.FromUInt32(ParseIp(edge.UnderlayIp))));
        }

        return new HostCardPlan(host.Name, settings, vpcs.ToImmutable(), slots.ToImmutable(), mappings.ToImmutable(), edges.ToImmutable(), geometry, filterPlan);
    }

    /// <summary>What one card's filtering hardware holds: route intervals, ACLs, security group rules.</summary>
    private static void CheckFilterCapacity(RegionTopology region, int hostIndex, string hostName, HostFilterPlan plan, CardGeometry geometry)
    {
        if (geometry.Filtering is not { } filter)
            return;
        var errors = new List<RegionError>();
        var path = $"hosts[{hostIndex}]";
        try
        {
            RouteTableCompiler.CompileBank([.. plan.RouteTables], filter.RouteCapacity);
        }
        catch (NitroCardException e)
        {
            errors.Add(new RegionError(path, $"{hostName}: {e.Message} (route tables {string.Join(", ", plan.RouteTableIds)})"));
        }
        if (plan.Acls.Length > filter.NaclCount)
            errors.Add(new RegionError(path, $"{hostName} needs {plan.Acls.Length} network ACLs ({string.Join(", ", plan.AclIds)}) but a card holds {filter.NaclCount}"));
        var rules = plan.Security.Sum(r => r.Count);
        if (rules > filter.SgRuleCapacity)
            errors.Add(new RegionError(path, $"{hostName} needs {rules} security group rules (source groups expanded) but a card holds {filter.SgRuleCapacity}"));
        if (errors.Count > 0)
            throw new RegionException(region.SourceName, errors);
    }

    /// <summary>Collects the filtering tables of one host's slots.</summary>
    private sealed class FilterBuilder(RegionTopology region)
    {
        private readonly List<RouteTableSpec> _routeTables = [];
        private readonly List<string> _routeTableIds = [];
        private readonly Dictionary<string, int> _routeTableNumbers = new(StringComparer.Ordinal);
        private readonly List<NetworkAcl> _acls = [];
        private readonly List<string> _aclIds = [];
        private readonly Dictionary<string, int> _aclNumbers = new(StringComparer.Ordinal);
        private readonly List<SecurityRules> _security = [];
        private readonly List<ConntrackTimeouts> _timeouts = [];
        private readonly IPAddress? _edge = region.Edges.IsEmpty ? null : Ipv4Address.FromUInt32(ParseIp(region.Edges[0].UnderlayIp));

        public int RouteTableOf(Vpc vpc, Subnet subnet)
        {
            var key = subnet.RouteTable ?? $"{vpc.Id} (local only)";
            if (_routeTableNumbers.TryGetValue(key, out var number))
                return number;
            var table = subnet.RouteTable is null ? null : vpc.RouteTables.First(t => t.Id == subnet.RouteTable);
            var routes = new List<RouteSpec>();
            foreach (var route in table?.Routes ?? [])
            {
                if (route.Target == RouteTargets.Local)
                    continue; // the implicit local route
                var destination = ParseNetwork(route.Destination);
                routes.Add(route.Target switch
                {
                    RouteTargets.Blackhole => new RouteSpec(destination, RouteKind.Blackhole),
                    _ when RouteTargets.IsEndpoint(route.Target) => new RouteSpec(destination, RouteKind.Edge, RouteClass.PrefixList, _edge),
                    _ => new RouteSpec(destination, RouteKind.Edge, RouteClass.Static, _edge),
                });
            }
            // Gateway endpoints: a prefix-list route to the edge for each prefix of each endpoint associated with the table.
            foreach (var endpoint in vpc.GatewayEndpoints.Where(e => table is not null && e.RouteTables.Contains(table.Id)))
            {
                foreach (var prefix in endpoint.PrefixList)
                    routes.Add(new RouteSpec(ParseNetwork(prefix), RouteKind.Edge, RouteClass.PrefixList, _edge));
            }
            _routeTables.Add(new RouteTableSpec(ParseNetwork(vpc.Cidr), routes));
            _routeTableIds.Add(key);
            return _routeTableNumbers[key] = _routeTables.Count - 1;
        }

        public int AclOf(Vpc vpc, Subnet subnet)
        {
            var acl = vpc.NetworkAcls.FirstOrDefault(a => a.Subnets.Contains(subnet.Id));
            var key = acl?.Id ?? "default";
            if (_aclNumbers.TryGetValue(key, out var number))
                return number;
            _acls.Add(acl is null ? NetworkAcl.AllowAll : new NetworkAcl([.. acl.Ingress.Select(AclRule)], [.. acl.Egress.Select(AclRule)]));
            _aclIds.Add(key);
            return _aclNumbers[key] = _acls.Count - 1;
        }

        public void AddEni(Vpc vpc, Eni eni)
        {
            var groups = eni.SecurityGroups.Select(id => vpc.SecurityGroups.First(g => g.Id == id)).ToList();
            var ingress = groups.SelectMany(g => g.Ingress).SelectMany(r => SecurityRule(vpc, r)).ToList();
            var egress = groups.SelectMany(g => g.Egress).SelectMany(r => SecurityRule(vpc, r)).ToList();
            _security.Add(new SecurityRules(ingress, egress));
            var ct = eni.ConnectionTracking;
            var defaults = ConntrackTimeouts.Default;
            _timeouts.Add(new ConntrackTimeouts(
                (uint?)ct?.TcpEstablishedTimeout ?? defaults.TcpEstablished,
                (uint?)ct?.UdpStreamTimeout ?? defaults.UdpStream,
                (uint?)ct?.UdpTimeout ?? defaults.Udp));
        }

        public HostFilterPlan Build() => new([.. _routeTables], [.. _routeTableIds], [.. _acls], [.. _aclIds], [.. _security], [.. _timeouts]);

        private static NetworkAclRule AclRule(RegionAclRule rule)
            => new(rule.RuleNumber, Match(ParseNetwork(rule.Cidr!), rule.Protocol, rule.FromPort, rule.ToPort), rule.Action == "allow");

        /// <summary>A security group rule; a source group becomes one /32 rule per member ENI of the VPC.</summary>
        private static IEnumerable<FilterRule> SecurityRule(Vpc vpc, SecurityGroupRule rule)
        {
            if (rule.SourceGroup is { } group)
            {
                return vpc.Enis
                    .Where(e => e.SecurityGroups.Contains(group))
                    .Select(e => Match(new IPNetwork(Ipv4Address.FromUInt32(ParseIp(e.Ip)), 32), rule.Protocol, rule.FromPort, rule.ToPort));
            }
            return [Match(ParseNetwork(rule.Cidr!), rule.Protocol, rule.FromPort, rule.ToPort)];
        }

        /// <summary>Protocol and ports as the file says them; ICMP -1 or absent = any type / code.</summary>
        private static FilterRule Match(IPNetwork remote, string protocol, int? fromPort, int? toPort)
        {
            var cls = RegionValidator.ProtocolClass(protocol);
            return cls switch
            {
                "all" => new FilterRule(remote),
                "tcp" or "udp" => new FilterRule(remote, cls == "tcp" ? FilterRule.Tcp : FilterRule.Udp, fromPort!.Value, toPort!.Value),
                "icmp" => FilterRule.ForIcmp(remote, fromPort is null or -1 ? null : fromPort, toPort is null or -1 ? null : toPort),
                _ => new FilterRule(remote, int.Parse(protocol, System.Globalization.CultureInfo.InvariantCulture)),
            };
        }
    }

    private static uint ParseIp(string text)
        => AddressText.TryParseIpv4(text, out var value) ? value : throw new InvalidOperationException($"'{text}' passed validation but is not an IPv4 address");

    private static IPNetwork ParseNetwork(string text)
        => AddressText.TryParsePrefix(text, out var prefix, out var problem) ? prefix.ToIPNetwork() : throw new InvalidOperationException(problem);
}
