using System.Collections.Immutable;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;
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
        => Compile(region, region.Vpcs, hostName, geometry, checkCapacity, tablesOf, numbering: null);

    /// <summary>
    /// <see cref="Compile(RegionTopology, string, CardGeometry, bool, Func{Vpc, bool}?)"/> of the VPCs <paramref name="vpcs"/>
    /// (in file order) on <paramref name="region"/>'s hosts, edges and settings. With <paramref name="numbering"/> (the host's
    /// <see cref="NumberTables"/> over all its VPCs), <paramref name="vpcs"/> may be only some of them: a partial plan, whose
    /// <see cref="HostFilterPlan.RouteTables"/>, <see cref="HostFilterPlan.Acls"/> and slots' table numbers are the whole
    /// plan's while its slots, mappings, edges and <see cref="HostCardPlan.Vpcs"/> are those of <paramref name="vpcs"/> (slots
    /// numbered 0..n-1 over them): what <c>DeltaBuilder</c> diffs when the other VPCs are the same objects before and after a change.
    /// </summary>
    internal static HostCardPlan Compile(RegionTopology region, IReadOnlyList<Vpc> vpcs, string hostName, CardGeometry geometry, bool checkCapacity,
        Func<Vpc, bool>? tablesOf, TableNumbering? numbering)
    {
        var hosts = region.Hosts;
        var hostTable = HostTableOf(hosts);
        if (!hostTable.Index.TryGetValue(hostName, out var hostIndex))
        {
            throw new RegionException(region.SourceName, [new RegionError("hosts",
                $"{hostName} is not a host of the region (hosts: {string.Join(", ", hosts.Select(h => h.Name))})")]);
        }
        var host = hosts[hostIndex];
        var underlayByHost = hostTable.Underlays;
        var edge = EdgeOf(region);

        var settings = new CardSettings(
            UnderlayIp: underlayByHost[host.Name],
            UnderlayMac: host.UnderlayMac is null
                ? RegionDefaults.DerivedUnderlayMac(ParseIp(host.UnderlayIp))
                : MacAddress.Parse(host.UnderlayMac),
            UnderlayNextHopMac: region.SubstrateRouterMac is null ? RegionDefaults.SubstrateRouterMac : MacAddress.Parse(region.SubstrateRouterMac),
            GatewayMac: region.GatewayMac is null ? RegionDefaults.GatewayMac : MacAddress.Parse(region.GatewayMac),
            AlarmMask: uint.MaxValue);

        // Never a byte of a VPC the host does not serve.
        var served = new List<(Vpc Vpc, LocalEnis Local)>(vpcs.Count);
        var localCount = 0;
        var mappingCount = 0;
        foreach (var vpc in vpcs)
        {
            if (!LocalEnisOf(vpc).TryGetValue(hostName, out var local))
                continue;
            served.Add((vpc, local));
            localCount += local.Positions.Length;
            mappingCount += tablesOf is null || tablesOf(vpc) ? vpc.Enis.Length : 0;
        }
        var hostVpcs = ImmutableArray.CreateBuilder<HostVpc>(served.Count);
        var slots = ImmutableArray.CreateBuilder<EniSlot>(localCount);
        var mappings = ImmutableArray.CreateBuilder<MappingEntry>(mappingCount);
        var edges = ImmutableArray.CreateBuilder<EdgeEntry>();
        var publicIps = ImmutableDictionary.CreateBuilder<MappingKey, IPAddress>();

        // Slots follow the file order of the host's ENIs across all VPCs. Route tables and ACLs are numbered
        // in the order the slots first use them (NumberTables).
        if (numbering is null)
        {
            numbering = new TableNumbering(served.Count);
            foreach (var (vpc, local) in served)
                NumberSubnets(numbering, VpcParts.Of(vpc, edge), local);
        }
        var localSlots = new Dictionary<Eni, int>(localCount, ReferenceEqualityComparer.Instance);
        var filters = new FilterBuilder(localCount, numbering);
        foreach (var (vpc, local) in served)
        {
            var parts = VpcParts.Of(vpc, edge);
            var enis = vpc.Enis;
            foreach (var i in local.Positions)
            {
                var eni = enis[i];
                var subnet = parts.Subnets[eni.Subnet];
                var address = parts.Address(i);
                var entry = new EniEntry(vpc.Vni, address.Ip, address.Mac, subnet.Network, eni.SourceDestCheck,
                    RouteTable: numbering.NumberOf(subnet.RouteTable),
                    Nacl: numbering.NumberOf(subnet.Acl),
                    Resolver: parts.Resolver);
                filters.AddEni(parts.Filter(i));
                localSlots[eni] = slots.Count;
                slots.Add(new EniSlot(slots.Count, eni.Id, vpc.Id, subnet.Id, entry, parts.Services(i, region)));
            }
            hostVpcs.Add(new HostVpc(vpc.Id, vpc.Vni));
            if (tablesOf is not null && !tablesOf(vpc))
                continue;
            for (var i = 0; i < enis.Length; i++)
            {
                var underlay = underlayByHost[enis[i].Host];
                if (localSlots.TryGetValue(enis[i], out var slot))
                {
                    var address = parts.Address(i);
                    mappings.Add(new MappingEntry(vpc.Vni, address.Ip, underlay, address.Mac, slot));
                }
                else
                {
                    mappings.Add(parts.RemoteMapping(i, underlay));
                }
                if (enis[i].PublicIp is { } publicIp)
                    publicIps[new MappingKey(vpc.Vni, Ipv4Address.ToUInt32(parts.Address(i).Ip))] = IPAddress.Parse(publicIp);
            }
            foreach (var e in region.Edges)
                edges.Add(new EdgeEntry(vpc.Vni, Ipv4Address.FromUInt32(ParseIp(e.UnderlayIp))));
        }
        var filterPlan = filters.Build();
        if (checkCapacity)
            CheckFilterCapacity(region, hostIndex, host.Name, filterPlan, geometry);

        return new HostCardPlan(host.Name, settings, hostVpcs.MoveToImmutable(), slots.MoveToImmutable(), mappings.MoveToImmutable(), edges.ToImmutable(), geometry, filterPlan)
        {
            PublicIps = publicIps.ToImmutable(),
            EdgeSet = EdgeSetOf(region),
        };
    }

    /// <summary>
    /// The route tables and ACLs of <paramref name="hostName"/>'s slots over <paramref name="vpcs"/> (in file order), numbered
    /// in the order the slots first use them: walking each VPC's subnets in the order its ENIs on the host first use them numbers
    /// the same tables as walking the slots, without compiling a slot. With <paramref name="into"/>, that numbering is
    /// cleared and reused (a plan copies what it needs of it).
    /// </summary>
    internal static TableNumbering NumberTables(RegionTopology region, string hostName, IReadOnlyCollection<Vpc> vpcs, TableNumbering? into = null)
    {
        var edge = EdgeOf(region);
        var numbering = into ?? new TableNumbering(vpcs.Count);
        numbering.Clear();
        foreach (var vpc in vpcs)
        {
            if (!LocalEnisOf(vpc).TryGetValue(hostName, out var local))
                continue;
            NumberSubnets(numbering, VpcParts.Of(vpc, edge), local);
        }
        return numbering;
    }

    /// <summary>Numbers a VPC's tables as its slots on the host would: its subnets in the order the host's ENIs first use them.</summary>
    private static void NumberSubnets(TableNumbering numbering, VpcParts parts, LocalEnis local)
    {
        foreach (var subnetId in local.Subnets)
        {
            var subnet = parts.Subnets[subnetId];
            numbering.Number(subnet.RouteTable);
            numbering.Number(subnet.Acl);
        }
    }

    /// <summary>The first edge's underlay address, the target of a slot's edge routes (null without edges).</summary>
    private static uint? EdgeOf(RegionTopology region) => region.Edges.IsEmpty ? null : ParseIp(region.Edges[0].UnderlayIp);

    /// <summary>
    /// Whether a <see cref="Vpc"/> object compiles to the same slots (entries, services, filters) in both regions, given the
    /// same table numbers: what a slot takes from the region outside its VPC is the first edge (its routes' target) and the
    /// region's name, account and DNS upstream (its instance services). Keep in step with <see cref="VpcParts"/>.
    /// </summary>
    internal static bool SameSlotsOutsideVpcs(RegionTopology a, RegionTopology b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Edges.IsEmpty == b.Edges.IsEmpty && (a.Edges.IsEmpty || a.Edges[0].UnderlayIp == b.Edges[0].UnderlayIp)
            && a.EffectiveRegionName == b.EffectiveRegionName && a.EffectiveAccountId == b.EffectiveAccountId && a.DnsUpstream == b.DnsUpstream;
    }

    /// <summary>
    /// The cards' edge set (docs/card-edges.md): with more than one edge in the region, the healthy ones (not in
    /// <see cref="RegionTopology.UnhealthyEdges"/>) in file order; with one or none, empty (edge routes go to their own
    /// EDGE_IP, the first edge). With every edge dead the set is empty too: the cards fall back to the first edge.
    /// </summary>
    public static ImmutableArray<IPAddress> EdgeSetOf(RegionTopology region)
    {
        ArgumentNullException.ThrowIfNull(region);
        if (region.Edges.Length <= 1)
            return [];
        return [.. region.Edges.Where(e => !region.UnhealthyEdges.Contains(e.Name, StringComparer.Ordinal))
            .Select(e => Ipv4Address.FromUInt32(ParseIp(e.UnderlayIp)))];
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
        catch (Exception e) when (e is CardTableFullException or ArgumentException)   // too many intervals, or a route the card cannot hold
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

    /// <summary>A host list's positions and underlay addresses by host name.</summary>
    private sealed record HostTable(Dictionary<string, int> Index, Dictionary<string, IPAddress> Underlays);

    /// <summary>
    /// The host list's <see cref="HostTable"/>, computed once per list: a change compiles a plan for each of up to thousands
    /// of hosts, each of which would otherwise look itself up in the list.
    /// </summary>
    private static HostTable HostTableOf(ImmutableArray<RegionHost> hosts)
        => HostTableCache.GetValue(ImmutableCollectionsMarshal.AsArray(hosts)!, a =>
        {
            var index = new Dictionary<string, int>(a.Length, StringComparer.Ordinal);
            for (var i = a.Length - 1; i >= 0; i--)
                index[a[i].Name] = i; // the first host of a name, as a scan finds it
            return new HostTable(index, a.ToDictionary(h => h.Name, h => Ipv4Address.FromUInt32(ParseIp(h.UnderlayIp)), StringComparer.Ordinal));
        });

    private static readonly ConditionalWeakTable<RegionHost[], HostTable> HostTableCache = new();

    /// <summary>A VPC's ENIs on one host: their positions in the VPC, and their subnets in the order they first use them.</summary>
    private sealed record LocalEnis(int[] Positions, string[] Subnets);

    /// <summary>A VPC's ENIs by host, computed once per <see cref="Vpc"/> object (a host's plan visits only its own).</summary>
    private static Dictionary<string, LocalEnis> LocalEnisOf(Vpc vpc)
        => LocalEniCache.GetValue(vpc, v => v.Enis.Select((e, i) => (e.Host, i)).GroupBy(x => x.Host, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g =>
            {
                var positions = g.Select(x => x.i).ToArray();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var subnets = new List<string>();
                foreach (var i in positions)
                {
                    if (seen.Add(v.Enis[i].Subnet))
                        subnets.Add(v.Enis[i].Subnet);
                }
                return new LocalEnis(positions, [.. subnets]);
            }, StringComparer.Ordinal));

    private static readonly ConditionalWeakTable<Vpc, Dictionary<string, LocalEnis>> LocalEniCache = new();

    /// <summary>A host's route tables and ACLs numbered in the order its slots first use them (<see cref="NumberTables"/>).</summary>
    /// <param name="vpcs">The VPCs it numbers: about one route table and ACL each (sized up front: numberings are made by the thousand).</param>
    internal sealed class TableNumbering(int vpcs = 0)
    {
        private readonly List<RouteTableSpec> _routeTables = new(vpcs);
        private readonly List<string> _routeTableIds = new(vpcs);
        private readonly Dictionary<string, int> _routeTableNumbers = new(vpcs, StringComparer.Ordinal);
        private readonly List<NetworkAcl> _acls = new(vpcs);
        private readonly List<string> _aclIds = new(vpcs);
        private readonly Dictionary<string, int> _aclNumbers = new(vpcs, StringComparer.Ordinal);

        /// <summary>
        /// Whether both number the same tables the same way (the same ids in the same order; the tables' contents may differ).
        /// When they do not, every slot after the first difference may have other table numbers.
        /// </summary>
        public bool SameNumbers(TableNumbering other)
        {
            ArgumentNullException.ThrowIfNull(other);
            return _routeTableIds.SequenceEqual(other._routeTableIds, StringComparer.Ordinal) && _aclIds.SequenceEqual(other._aclIds, StringComparer.Ordinal);
        }

        /// <summary>Forgets every number, keeping the room (a caller that numbers host after host reuses one).</summary>
        internal void Clear()
        {
            _routeTables.Clear();
            _routeTableIds.Clear();
            _routeTableNumbers.Clear();
            _acls.Clear();
            _aclIds.Clear();
            _aclNumbers.Clear();
        }

        internal void Number(NamedTable<RouteTableSpec> table) => Number(table, _routeTables, _routeTableIds, _routeTableNumbers);

        internal void Number(NamedTable<NetworkAcl> acl) => Number(acl, _acls, _aclIds, _aclNumbers);

        internal int NumberOf(NamedTable<RouteTableSpec> table) => _routeTableNumbers[table.Key];

        internal int NumberOf(NamedTable<NetworkAcl> acl) => _aclNumbers[acl.Key];

        internal HostFilterPlan Plan(ImmutableArray<SecurityRules> security, ImmutableArray<ConntrackTimeouts> timeouts)
            => new([.. _routeTables], [.. _routeTableIds], [.. _acls], [.. _aclIds], security, timeouts);

        private static void Number<T>(NamedTable<T> table, List<T> tables, List<string> ids, Dictionary<string, int> numbers)
        {
            if (numbers.TryAdd(table.Key, tables.Count))
            {
                tables.Add(table.Value);
                ids.Add(table.Key);
            }
        }
    }

    /// <summary>Collects the filtering tables of one host's slots, with their route tables and ACLs as <see cref="TableNumbering"/> numbered them.</summary>
    private sealed class FilterBuilder(int slots, TableNumbering numbering)
    {
        private readonly ImmutableArray<SecurityRules>.Builder _security = ImmutableArray.CreateBuilder<SecurityRules>(slots);
        private readonly ImmutableArray<ConntrackTimeouts>.Builder _timeouts = ImmutableArray.CreateBuilder<ConntrackTimeouts>(slots);

        public void AddEni(EniFilter filter)
        {
            _security.Add(filter.Rules);
            _timeouts.Add(filter.Timeouts);
        }

        public HostFilterPlan Build() => numbering.Plan(_security.DrainToImmutable(), _timeouts.DrainToImmutable());
    }

    /// <summary>A route table or ACL with the key a host numbers it by.</summary>
    internal sealed record NamedTable<T>(string Key, T Value);

    /// <summary>The region's <c>dnsUpstream</c> (<c>address</c> or <c>address:port</c>, checked by the validator), port 53 by default.</summary>
    public static IPEndPoint? DnsUpstreamOf(RegionTopology region)
        => region.DnsUpstream is { } text ? EndpointOf(text, 53) : null;

    /// <summary>A validated <c>address</c> or <c>address:port</c> of the region file (<c>dnsUpstream</c>, <c>ipfixCollector</c>).</summary>
    public static IPEndPoint EndpointOf(string text, int defaultPort)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? new IPEndPoint(IPAddress.Parse(text), defaultPort)
            : new IPEndPoint(IPAddress.Parse(text[..colon]), int.Parse(text[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private sealed record SubnetParts(string Id, IPNetwork Network, NamedTable<RouteTableSpec> RouteTable, NamedTable<NetworkAcl> Acl);

    private sealed record EniAddress(IPAddress Ip, MacAddress Mac);

    private sealed record EniFilter(SecurityRules Rules, ConntrackTimeouts Timeouts);

    /// <summary>An ENI's service information with the region fields it was computed for.</summary>
    private sealed record EniServices(string RegionName, string AccountId, string? DnsUpstream, EniServiceInfo Info);

    /// <summary>
    /// What a plan needs of one VPC that depends on that VPC alone (and the region's edge): parsed addresses,
    /// each subnet's route table and ACL, each ENI's security rules. Region records are immutable, so these are
    /// computed once per <see cref="Vpc"/> object and shared by every host's plan (a change replaces the VPC
    /// object and so its parts); a region of 1,000 hosts would otherwise recompile the same VPCs for every host.
    /// </summary>
    private sealed class VpcParts
    {
        private static readonly ConditionalWeakTable<Vpc, VpcParts> Cache = new();

        private readonly Vpc _vpc;
        private readonly EniAddress?[] _addresses;
        private readonly EniFilter?[] _filters;
        private readonly EniServices?[] _services;
        private readonly MappingEntry?[] _remoteMappings;

        private VpcParts(Vpc vpc, uint? edge)
        {
            _vpc = vpc;
            Edge = edge;
            Cidr = ParseNetwork(vpc.Cidr);
            // The Amazon DNS resolver answers at the VPC base + 2 only when the VPC has DNS support.
            Resolver = vpc.DnsSupport ? Ipv4Address.FromUInt32(Ipv4Address.ToUInt32(Cidr.BaseAddress) + 2) : null;
            _addresses = new EniAddress?[vpc.Enis.Length];
            _filters = new EniFilter?[vpc.Enis.Length];
            _services = new EniServices?[vpc.Enis.Length];
            _remoteMappings = new MappingEntry?[vpc.Enis.Length];
            var edgeIp = edge is { } e ? Ipv4Address.FromUInt32(e) : null;
            Subnets = vpc.Subnets.ToDictionary(s => s.Id, s => new SubnetParts(s.Id, ParseNetwork(s.Cidr), RouteTableOf(vpc, s, edgeIp), AclOf(vpc, s)), StringComparer.Ordinal);
        }

        /// <summary>The edge address the route tables were compiled with.</summary>
        public uint? Edge { get; }

        public IPNetwork Cidr { get; }

        public IPAddress? Resolver { get; }

        public Dictionary<string, SubnetParts> Subnets { get; }

        public static VpcParts Of(Vpc vpc, uint? edge)
        {
            var parts = Cache.GetValue(vpc, v => new VpcParts(v, edge));
            if (parts.Edge == edge)
                return parts;
            parts = new VpcParts(vpc, edge);
            Cache.AddOrUpdate(vpc, parts);
            return parts;
        }

        /// <summary>ENI <paramref name="index"/>'s address and MAC (parsed on first use; a race computes the same value twice).</summary>
        public EniAddress Address(int index)
        {
            var eni = _vpc.Enis[index];
            return _addresses[index] ??= new EniAddress(Ipv4Address.FromUInt32(ParseIp(eni.Ip)), MacAddress.Parse(eni.Mac));
        }

        /// <summary>
        /// ENI <paramref name="index"/>'s mapping on a host it is not local to, at <paramref name="underlay"/> (its host's address):
        /// the same on every such host, so kept for the next host's plan while the host list (whose addresses these are) is the same.
        /// </summary>
        public MappingEntry RemoteMapping(int index, IPAddress underlay)
        {
            if (_remoteMappings[index] is { } known && ReferenceEquals(known.UnderlayIp, underlay))
                return known;
            var address = Address(index);
            return _remoteMappings[index] = new MappingEntry(_vpc.Vni, address.Ip, underlay, address.Mac);
        }

        /// <summary>
        /// What the instance services need of ENI <paramref name="index"/>: of the VPC, and of the region's name, account and DNS
        /// upstream (kept with it, recomputed when a region with other values asks).
        /// </summary>
        public EniServiceInfo Services(int index, RegionTopology region)
        {
            var regionName = region.EffectiveRegionName;
            var account = region.EffectiveAccountId;
            if (_services[index] is { } known && known.RegionName == regionName && known.AccountId == account && known.DnsUpstream == region.DnsUpstream)
                return known.Info;
            var vpc = _vpc;
            var eni = vpc.Enis[index];
            var subnet = vpc.Subnets.First(s => s.Id == eni.Subnet);
            var info = new EniServiceInfo(
                eni.EffectiveInstanceId, eni.DeviceIndex, eni.MetadataOptions ?? new InstanceMetadataOptions(),
                eni.PublicIp is null ? null : IPAddress.Parse(eni.PublicIp),
                subnet.AvailabilityZone ?? RegionDefaults.AvailabilityZoneOf(regionName),
                Cidr, vpc.DnsSupport, vpc.DnsHostnames, regionName, account,
                eni.SecurityGroups, DnsUpstreamOf(region),
                [.. vpc.FlowLogList.Where(f => f.ResourceId == vpc.Id || f.ResourceId == subnet.Id || f.ResourceId == eni.Id)]);
            _services[index] = new EniServices(regionName, account, region.DnsUpstream, info);
            return info;
        }

        /// <summary>ENI <paramref name="index"/>'s security rules (all rules of all its groups) and tracking timeouts.</summary>
        public EniFilter Filter(int index)
        {
            if (_filters[index] is { } known)
                return known;
            var vpc = _vpc;
            var eni = vpc.Enis[index];
            var groups = eni.SecurityGroups.Select(id => vpc.SecurityGroups.First(g => g.Id == id)).ToList();
            var ingress = groups.SelectMany(g => g.Ingress).SelectMany(r => SecurityRule(vpc, r)).ToList();
            var egress = groups.SelectMany(g => g.Egress).SelectMany(r => SecurityRule(vpc, r)).ToList();
            var ct = eni.ConnectionTracking;
            var defaults = ConntrackTimeouts.Default;
            var timeouts = new ConntrackTimeouts(
                (uint?)ct?.TcpEstablishedTimeout ?? defaults.TcpEstablished,
                (uint?)ct?.UdpStreamTimeout ?? defaults.UdpStream,
                (uint?)ct?.UdpTimeout ?? defaults.Udp);
            return _filters[index] = new EniFilter(new SecurityRules(ingress, egress), timeouts);
        }

        private static NamedTable<RouteTableSpec> RouteTableOf(Vpc vpc, Subnet subnet, IPAddress? edge)
        {
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
                    _ when RouteTargets.IsEndpoint(route.Target) => new RouteSpec(destination, RouteKind.Edge, RouteClass.PrefixList, edge),
                    _ => new RouteSpec(destination, RouteKind.Edge, RouteClass.Static, edge),
                });
            }
            // Gateway endpoints: a prefix-list route to the edge for each prefix of each endpoint associated with the table.
            foreach (var endpoint in vpc.GatewayEndpoints.Where(e => table is not null && e.RouteTables.Contains(table.Id)))
            {
                foreach (var prefix in endpoint.PrefixList)
                    routes.Add(new RouteSpec(ParseNetwork(prefix), RouteKind.Edge, RouteClass.PrefixList, edge));
            }
            // Propagated from the virtual private gateway: the customer networks of its VPN connections (static, or learned
            // over BGP as the edge reported them to the service) and Direct Connect interfaces.
            if (table is { VgwRoutePropagation: true })
            {
                var customer = vpc.VpnConnections.SelectMany(c => c.UsesBgp ? c.LearnedCidrs : c.CustomerCidrs).Concat(vpc.DirectConnect.SelectMany(v => v.CustomerCidrs));
                foreach (var prefix in customer.Select(ParseNetwork).Distinct())
                    routes.Add(new RouteSpec(prefix, RouteKind.Edge, RouteClass.Propagated, edge));
            }
            return new(subnet.RouteTable ?? $"{vpc.Id} (local only)", new RouteTableSpec(ParseNetwork(vpc.Cidr), routes));
        }

        private static NamedTable<NetworkAcl> AclOf(Vpc vpc, Subnet subnet)
        {
            var acl = vpc.NetworkAcls.FirstOrDefault(a => a.Subnets.Contains(subnet.Id));
            return new(acl?.Id ?? "default",
                acl is null ? NetworkAcl.AllowAll : new NetworkAcl([.. acl.Ingress.Select(AclRule)], [.. acl.Egress.Select(AclRule)]));
        }

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
