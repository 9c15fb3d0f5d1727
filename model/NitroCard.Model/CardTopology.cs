using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;
using NitroCard.Packets;

namespace NitroCard.Model;

/// <summary>An ENI programmed into a slot.</summary>
public sealed record LocalEni(int Slot, EniEntry Entry);

/// <summary>
/// The tables and settings of one card: what a test loads into every engine it compares, and what
/// <see cref="FrameGenerator"/> draws addresses from. <see cref="Mappings"/> holds the local ENIs'
/// own mappings (with <see cref="MappingEntry.LocalSlot"/>) as well as the remote ones.
/// <see cref="Filters"/> null means open filters (<see cref="OpenFilters"/>) on an engine with filtering hardware.
/// </summary>
public sealed record CardTopology(
    CardSettings Settings,
    IReadOnlyList<LocalEni> Enis,
    IReadOnlyList<MappingEntry> Mappings,
    IReadOnlyList<EdgeEntry> Edges,
    TopologyFilters? Filters = null)
{
    /// <summary>
    /// Configures <paramref name="engine"/>, stages every table entry (edges at index 0, 1, ...) and the
    /// filters, and commits. An engine without filtering hardware gets no filters (it forwards as open
    /// filters would); a topology with <see cref="Filters"/> needs filtering hardware.
    /// </summary>
    public void LoadInto(ICardEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (Filters is not null && engine.Geometry.Filtering is null)
            throw new NitroCardException($"the {engine.Name} engine has no filtering hardware: this topology's filters cannot be loaded");
        engine.Configure(Settings);
        foreach (var eni in Enis)
            engine.SetEni(eni.Slot, eni.Entry);
        foreach (var mapping in Mappings)
            engine.SetMapping(mapping);
        for (var i = 0; i < Edges.Count; i++)
            engine.SetEdge(i, Edges[i]);
        if (Filters is null)
            OpenFilters.Stage(engine, Enis.Select(e => e.Slot));
        else
            Filters.Stage(engine);
        engine.Commit();
    }

    /// <summary>The MAC the sample topology gives (VNI, IP): 02:00, VNI low 16 bits, IP low 16 bits.</summary>
    public static MacAddress SampleMac(uint vni, IPAddress ip)
        => new(0x0200_0000_0000UL | ((ulong)(vni & 0xFFFF) << 16) | (Ipv4Address.ToUInt32(ip) & 0xFFFF));

    /// <summary>
    /// A small fixed topology with overlapping address plans. This card: underlay 192.0.2.10.
    /// VPC A (VNI 1001), subnets 10.0.1.0/24 and 10.0.2.0/24: local slot 0 10.0.1.10, slot 1 10.0.1.11,
    /// slot 2 10.0.2.10; remote 10.0.1.20 and 10.0.2.20 on 192.0.2.20, 10.0.1.30 on 192.0.2.30;
    /// edge 198.51.100.1; its ENIs' resolver 10.0.0.2. VPC B (VNI 2002), subnet 10.0.1.0/24: local slot 5 10.0.1.10, slot 6
    /// 10.0.1.12 (source/destination check off); remote 10.0.1.20 on 192.0.2.30, 10.0.1.40 on 192.0.2.20; no resolver.
    /// </summary>
    public static CardTopology Sample()
    {
        const uint vpcA = 1001, vpcB = 2002;
        var underlay = IPAddress.Parse("192.0.2.10");
        var settings = new CardSettings(
            underlay,
            MacAddress.Parse("02:00:c0:00:02:0a"),
            MacAddress.Parse("02:00:c0:00:02:01"),
            MacAddress.Parse("02:00:00:00:00:01"));
        var subnetA1 = IPNetwork.Parse("10.0.1.0/24");
        var subnetA2 = IPNetwork.Parse("10.0.2.0/24");
        var subnetB = IPNetwork.Parse("10.0.1.0/24");

        var enis = new List<LocalEni>();
        var mappings = new List<MappingEntry>();
        // VPC A (10.0.0.0/16) has the Amazon DNS resolver at its base + 2; VPC B none (DNS support off).
        var resolverA = IPAddress.Parse("10.0.0.2");
        void Local(int slot, uint vni, string ip, IPNetwork subnet, bool check = true)
        {
            var address = IPAddress.Parse(ip);
            var mac = SampleMac(vni, address);
            enis.Add(new LocalEni(slot, new EniEntry(vni, address, mac, subnet, check, Resolver: vni == vpcA ? resolverA : null)));
            mappings.Add(new MappingEntry(vni, address, underlay, mac, slot));
        }
        void Remote(uint vni, string ip, string host)
        {
            var address = IPAddress.Parse(ip);
            mappings.Add(new MappingEntry(vni, address, IPAddress.Parse(host), SampleMac(vni, address)));
        }

        Local(0, vpcA, "10.0.1.10", subnetA1);
        Local(1, vpcA, "10.0.1.11", subnetA1);
        Local(2, vpcA, "10.0.2.10", subnetA2);
        Remote(vpcA, "10.0.1.20", "192.0.2.20");
        Remote(vpcA, "10.0.2.20", "192.0.2.20");
        Remote(vpcA, "10.0.1.30", "192.0.2.30");
        Local(5, vpcB, "10.0.1.10", subnetB);
        Local(6, vpcB, "10.0.1.12", subnetB, check: false);
        Remote(vpcB, "10.0.1.20", "192.0.2.30");
        Remote(vpcB, "10.0.1.40", "192.0.2.20");
        var edges = new List<EdgeEntry> { new(vpcA, IPAddress.Parse("198.51.100.1")) };
        return new CardTopology(settings, enis, mappings, edges);
    }
    /// <summary>The edge of the sample topologies (VPC A's internet and prefix-list routes go there).</summary>
    public static IPAddress SampleEdge { get; } = IPAddress.Parse("198.51.100.1");

    /// <summary>
    /// <see cref="Sample"/> with route tables, network ACLs and security groups (docs/card-filtering.md);
    /// needs an engine with filtering hardware.
    /// <para>Route table 0 (VPC A, 10.0.0.0/16 local): 0.0.0.0/0 → edge (igw); 52.216.0.0/15 → edge
    /// (prefix list); 192.168.0.0/16 → blackhole; 203.0.113.0/24 → blackhole (propagated) beside a static
    /// 203.0.113.128/25 → edge; 10.0.9.0/24 → blackhole, hidden by the local route. Route table 1 (VPC B):
    /// the local route only.</para>
    /// <para>ACL 0 (VPC A's 10.0.1.0/24): ingress 100 deny tcp 8080, 110 deny all from 10.0.2.20/32,
    /// 200 allow all; egress 100 deny udp 9999, 200 allow all. ACL 1: the default, allow all (10.0.2.0/24
    /// and VPC B).</para>
    /// <para>Security rules: slot 0 in tcp 22 from anywhere, icmp from 10.0.0.0/16, out all (tracked).
    /// Slot 1 all/0.0.0.0/0 both ways (untracked). Slot 2 in tcp 80 from 10.0.1.10/32 (a source group
    /// of one member), out tcp 443 and udp 53 to anywhere; timeouts TCP 60 s, UDP stream 60 s, UDP 30 s.
    /// Slot 5 in all from 10.0.0.0/16, out all. Slot 6 no rules.</para>
    /// </summary>
    public static CardTopology SampleWithFilters()
    {
        var sample = Sample();
        static IPNetwork N(string text) => IPNetwork.Parse(text);
        var edge = SampleEdge;
        var enis = sample.Enis.Select(e => e with
        {
            Entry = e.Entry with
            {
                RouteTable = e.Entry.Vni == 1001 ? 0 : 1,
                Nacl = e.Entry.Vni == 1001 && e.Entry.Subnet.BaseAddress.Equals(IPAddress.Parse("10.0.1.0")) ? 0 : 1,
            },
        }).ToList();
        RouteTableSpec tableA = new(N("10.0.0.0/16"),
        [
            new RouteSpec(N("0.0.0.0/0"), RouteKind.Edge, RouteClass.Static, edge),
            new RouteSpec(N("52.216.0.0/15"), RouteKind.Edge, RouteClass.PrefixList, edge),
            new RouteSpec(N("192.168.0.0/16"), RouteKind.Blackhole),
            new RouteSpec(N("203.0.113.0/24"), RouteKind.Blackhole, RouteClass.Propagated),
            new RouteSpec(N("203.0.113.128/25"), RouteKind.Edge, RouteClass.Static, edge),
            new RouteSpec(N("10.0.9.0/24"), RouteKind.Blackhole),
        ]);
        RouteTableSpec tableB = new(N("10.0.0.0/16"), []);
        var any = N("0.0.0.0/0");
        NetworkAcl acl0 = new(
        [
            new NetworkAclRule(100, FilterRule.ForTcp(any, 8080, 8080), false),
            new NetworkAclRule(110, FilterRule.All(N("10.0.2.20/32")), false),
            new NetworkAclRule(200, FilterRule.AllTraffic, true),
        ],
        [
            new NetworkAclRule(100, FilterRule.ForUdp(any, 9999, 9999), false),
            new NetworkAclRule(200, FilterRule.AllTraffic, true),
        ]);
        var security = new Dictionary<int, SecurityRules>
        {
            [0] = new([FilterRule.ForTcp(any, 22, 22), FilterRule.ForIcmp(N("10.0.0.0/16"))], [FilterRule.AllTraffic]),
            [1] = SecurityRules.AllowAll,
            [2] = new([FilterRule.ForTcp(N("10.0.1.10/32"), 80, 80)], [FilterRule.ForTcp(any, 443, 443), FilterRule.ForUdp(any, 53, 53)]),
            [5] = new([FilterRule.All(N("10.0.0.0/16"))], [FilterRule.AllTraffic]),
            [6] = SecurityRules.DenyAll,
        };
        var timeouts = sample.Enis.ToDictionary(e => e.Slot, e => e.Slot == 2 ? new ConntrackTimeouts(60, 60, 30) : ConntrackTimeouts.Default);
        return sample with
        {
            Enis = enis,
            Filters = new TopologyFilters([tableA, tableB], [acl0, NetworkAcl.AllowAll], security, timeouts),
        };
    }
}


/// <summary>The filtering tables of a <see cref="CardTopology"/> (docs/card-filtering.md).</summary>
/// <param name="RouteTables">Route tables by card number.</param>
/// <param name="Acls">Network ACLs by card number (null entries are left unprogrammed).</param>
/// <param name="Security">Security rules per slot.</param>
/// <param name="Timeouts">Connection tracking timeouts per slot.</param>
public sealed record TopologyFilters(
    IReadOnlyList<RouteTableSpec?> RouteTables,
    IReadOnlyList<NetworkAcl?> Acls,
    IReadOnlyDictionary<int, SecurityRules> Security,
    IReadOnlyDictionary<int, ConntrackTimeouts> Timeouts)
{
    /// <summary>Stages every filtering table into <paramref name="engine"/> (no commit).</summary>
    public void Stage(ICardEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        engine.SetRouteTables(RouteTables);
        for (var i = 0; i < Acls.Count; i++)
        {
            if (Acls[i] is { } acl)
                engine.SetNetworkAcl(i, acl);
        }
        foreach (var (slot, rules) in Security.OrderBy(p => p.Key))
            engine.SetSecurityRules(slot, rules);
        foreach (var (slot, timeouts) in Timeouts.OrderBy(p => p.Key))
            engine.SetConntrackTimeouts(slot, timeouts);
    }
}
