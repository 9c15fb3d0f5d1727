using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;
using NitroCard.Driver.Registers;
using NitroCard.Packets;

namespace NitroCard.Driver.Tests;

/// <summary>Route tables, network ACLs, security rules and conntrack timeouts through the driver (docs/card-filtering.md).</summary>
public class FilteringDriverTests
{
    private static readonly IPAddress Edge = IPAddress.Parse("192.0.2.250");

    private static IPNetwork Net(string text) => IPNetwork.Parse(text);

    private static uint Ip(string text) => Ipv4Address.ToUInt32(IPAddress.Parse(text));

    private static EniEntry Eni(int routeTable = 0, int nacl = 0)
        => new(1001, IPAddress.Parse("10.0.1.10"), MacAddress.Parse("02:00:0a:00:01:0a"), Net("10.0.1.0/24"), RouteTable: routeTable, Nacl: nacl);

    /// <summary>The route the card would choose: the interval with the greatest key ≤ (table, ip).</summary>
    private static (RouteKind Kind, uint Edge) Lookup(IReadOnlyList<RouteInterval> intervals, int table, uint ip)
    {
        RouteInterval? found = null;
        foreach (var i in intervals)
        {
            if (((ulong)(uint)i.Table << 32 | i.Start) <= ((ulong)(uint)table << 32 | ip))
                found = i;
        }
        return found is { } f && f.Table == table ? (f.Kind, f.EdgeIp) : (RouteKind.None, 0);
    }

    private static (RouteKind Kind, uint Edge) CardLookup(FakeCard fake, int routeLevels, int table, uint ip)
    {
        var bank = (int)TableLayout.RouteBank.Active.Read(fake.Tables[(int)TableId.RouteBank][0]);
        var intervals = new List<RouteInterval>();
        for (var p = 0; p < (1 << routeLevels); p++)
        {
            var w = fake.Tables[(int)TableId.Route][(bank << routeLevels) + p];
            if (TableLayout.Route.Valid.Read(w) == 1)
                intervals.Add(new RouteInterval((int)TableLayout.Route.Table.Read(w), TableLayout.Route.Start.Read(w), (RouteKind)TableLayout.Route.Kind.Read(w), TableLayout.Route.EdgeIp.Read(w)));
        }
        return Lookup(intervals, table, ip);
    }

    private static RouteSpec R(string prefix, RouteKind target, RouteClass cls = RouteClass.Static) => new(Net(prefix), target, cls, target == RouteKind.Edge ? Edge : null);

    [Fact]
    public void Longest_prefix_wins()
    {
        var intervals = RouteTableCompiler.Compile(0, new RouteTableSpec(Net("10.0.0.0/16"), [R("0.0.0.0/0", RouteKind.Edge), R("172.16.0.0/12", RouteKind.Blackhole), R("172.16.5.0/24", RouteKind.Edge)]));
        Assert.Equal(RouteKind.Edge, Lookup(intervals, 0, Ip("8.8.8.8")).Kind);
        Assert.Equal(Ipv4Address.ToUInt32(Edge), Lookup(intervals, 0, Ip("8.8.8.8")).Edge);
        Assert.Equal(RouteKind.Blackhole, Lookup(intervals, 0, Ip("172.16.4.255")).Kind);
        Assert.Equal(RouteKind.Edge, Lookup(intervals, 0, Ip("172.16.5.9")).Kind);
        Assert.Equal(RouteKind.Blackhole, Lookup(intervals, 0, Ip("172.31.255.255")).Kind);
        Assert.Equal(RouteKind.Local, Lookup(intervals, 0, Ip("10.0.200.1")).Kind);
        Assert.Equal(RouteKind.Edge, Lookup(intervals, 0, Ip("10.1.0.0")).Kind);
    }

    [Fact]
    public void The_local_route_wins_over_a_more_specific_route()
    {
        var intervals = RouteTableCompiler.Compile(3, new RouteTableSpec(Net("10.0.0.0/16"), [R("10.0.1.0/24", RouteKind.Edge, RouteClass.Propagated), R("10.0.2.0/24", RouteKind.Blackhole)]));
        Assert.All(intervals, i => Assert.Equal(3, i.Table));
        Assert.Equal(RouteKind.Local, Lookup(intervals, 3, Ip("10.0.1.7")).Kind);
        Assert.Equal(RouteKind.Local, Lookup(intervals, 3, Ip("10.0.2.7")).Kind);
        Assert.Equal(RouteKind.None, Lookup(intervals, 3, Ip("10.1.0.0")).Kind);
        Assert.Equal(RouteKind.None, Lookup(intervals, 3, Ip("9.255.255.255")).Kind);
        Assert.Equal([new RouteInterval(3, Ip("10.0.0.0"), RouteKind.Local, 0), new RouteInterval(3, Ip("10.1.0.0"), RouteKind.None, 0)], intervals);
    }

    [Theory]
    [InlineData(RouteClass.Static, RouteClass.PrefixList, RouteKind.Blackhole)]
    [InlineData(RouteClass.PrefixList, RouteClass.Propagated, RouteKind.Blackhole)]
    [InlineData(RouteClass.Propagated, RouteClass.Static, RouteKind.Edge)]
    public void Equal_prefixes_rank_static_then_prefix_list_then_propagated(RouteClass blackholeClass, RouteClass edgeClass, RouteKind winner)
    {
        var intervals = RouteTableCompiler.Compile(0, new RouteTableSpec(null, [R("52.216.0.0/15", RouteKind.Edge, edgeClass), R("52.216.0.0/15", RouteKind.Blackhole, blackholeClass)]));
        Assert.Equal(winner, Lookup(intervals, 0, Ip("52.217.1.1")).Kind);
    }

    [Fact]
    public void The_same_prefix_and_class_twice_is_an_error()
    {
        var e = Assert.Throws<ArgumentException>(() => RouteTableCompiler.Compile(0, new RouteTableSpec(null, [R("10.9.0.0/16", RouteKind.Edge), R("10.9.0.0/16", RouteKind.Blackhole)])));
        Assert.Contains("10.9.0.0/16", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Adjacent_intervals_with_the_same_result_merge()
    {
        var intervals = RouteTableCompiler.Compile(0, new RouteTableSpec(null, [R("10.0.0.0/25", RouteKind.Blackhole), R("10.0.0.128/25", RouteKind.Blackhole), R("10.0.1.0/24", RouteKind.Blackhole), R("0.0.0.0/0", RouteKind.Edge), R("11.0.0.0/8", RouteKind.Edge)]));
        Assert.Equal(
        [
            new RouteInterval(0, 0, RouteKind.Edge, Ipv4Address.ToUInt32(Edge)),
            new RouteInterval(0, Ip("10.0.0.0"), RouteKind.Blackhole, 0),
            new RouteInterval(0, Ip("10.0.2.0"), RouteKind.Edge, Ipv4Address.ToUInt32(Edge)),
        ], intervals);
    }

    [Fact]
    public void A_table_of_1000_routes_fits_a_bank()
    {
        var routes = Enumerable.Range(0, 1000).Select(i => R($"100.{i / 256}.{i % 256}.0/24", i % 2 == 0 ? RouteKind.Edge : RouteKind.Blackhole)).ToList();
        var bank = RouteTableCompiler.CompileBank([new RouteTableSpec(Net("10.0.0.0/16"), routes)], 4095);
        Assert.InRange(bank.Length, 1000, 2001);
        Assert.Equal(RouteKind.Blackhole, Lookup(bank, 0, Ip("100.3.231.9")).Kind);
        Assert.Equal(RouteKind.None, Lookup(bank, 0, Ip("100.3.232.9")).Kind);

        // Scattered routes (no merging possible) still fit: 2n + 1 at most.
        var scattered = Enumerable.Range(0, 1000).Select(i => R($"{1 + (i / 256)}.{i % 256}.0.0/24", i % 2 == 0 ? RouteKind.Edge : RouteKind.Blackhole)).ToList();
        var worst = RouteTableCompiler.CompileBank([new RouteTableSpec(Net("10.0.0.0/16"), scattered)], 4095);
        Assert.InRange(worst.Length, 2000, 2003);
    }

    [Fact]
    public void Routes_go_to_the_inactive_bank_then_switch_in_one_write()
    {
        var fake = new FakeCard(filtering: new FakeFilterGeometry(RouteLevels: 4));
        var driver = new CardDriver(fake);
        Assert.Equal(15, driver.Geometry.Filtering!.RouteCapacity);
        driver.SetRouteTables([new RouteTableSpec(Net("10.0.0.0/16"), [R("0.0.0.0/0", RouteKind.Edge)]), null, new RouteTableSpec(null, [R("8.8.8.0/24", RouteKind.Blackhole)])]);
        driver.Commit();
        Assert.Equal(1, driver.ActiveRouteBank);
        Assert.Equal(1u, TableLayout.RouteBank.Active.Read(fake.Tables[(int)TableId.RouteBank][0]));
        Assert.Equal(RouteKind.Local, CardLookup(fake, 4, 0, Ip("10.0.3.3")).Kind);
        Assert.Equal(RouteKind.Edge, CardLookup(fake, 4, 0, Ip("10.1.3.3")).Kind);
        Assert.Equal(RouteKind.None, CardLookup(fake, 4, 1, Ip("10.1.3.3")).Kind);
        Assert.Equal(RouteKind.Blackhole, CardLookup(fake, 4, 2, Ip("8.8.8.8")).Kind);
        Assert.Equal(RouteKind.None, CardLookup(fake, 4, 2, Ip("8.8.9.8")).Kind);

        // A smaller set: written into bank 0, the rest of bank 0 cleared, then switched.
        driver.SetRouteTables([RouteTableSpec.LocalOnly]);
        driver.Commit();
        Assert.Equal(0, driver.ActiveRouteBank);
        Assert.Equal(RouteKind.Local, CardLookup(fake, 4, 0, Ip("8.8.8.8")).Kind);
        Assert.Equal(RouteKind.None, CardLookup(fake, 4, 2, Ip("8.8.8.8")).Kind);
        driver.SetRouteTables([null, RouteTableSpec.LocalOnly]);
        driver.Commit();
        Assert.Equal(1, driver.ActiveRouteBank);
        Assert.Single(fake.Tables[(int)TableId.Route].Skip(16), w => TableLayout.Route.Valid.Read(w) == 1);
        Assert.Equal(RouteKind.Local, CardLookup(fake, 4, 1, Ip("8.8.8.8")).Kind);
    }

    [Fact]
    public void Too_many_route_intervals_is_a_clear_error_and_changes_nothing()
    {
        var fake = new FakeCard(filtering: new FakeFilterGeometry(RouteLevels: 4));
        var driver = new CardDriver(fake);
        driver.SetRouteTables([RouteTableSpec.LocalOnly]);
        driver.Commit();
        var before = fake.Snapshot();
        var routes = Enumerable.Range(0, 8).Select(i => R($"100.0.{2 * i}.0/24", RouteKind.Blackhole)).ToList();
        var e = Assert.Throws<CardTableFullException>(() => driver.SetRouteTables([new RouteTableSpec(null, routes)]));
        Assert.Contains("16 intervals but a route bank holds 15", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, driver.StagedCount);
        driver.Commit();
        Assert.Equal(before, fake.Snapshot());
        Assert.Equal(1, driver.ActiveRouteBank);
    }

    [Fact]
    public void Network_acl_rules_are_sorted_by_number_into_their_positions()
    {
        var fake = new FakeCard(filtering: new FakeFilterGeometry(NaclCount: 4, NaclRules: 8));
        var driver = new CardDriver(fake);
        var acl = new NetworkAcl(
            [new NetworkAclRule(200, FilterRule.AllTraffic, true), new NetworkAclRule(100, FilterRule.ForTcp(Net("0.0.0.0/0"), 8080, 8080), false)],
            [new NetworkAclRule(100, FilterRule.ForIcmp(Net("10.0.0.0/8"), 8), true)]);
        driver.SetNetworkAcl(2, acl);
        driver.Commit();
        var nacl = fake.Tables[(int)TableId.Nacl];
        var ingress0 = nacl[(2 * 2 + 0) * 8];
        Assert.Equal(1u, TableLayout.Nacl.Valid.Read(ingress0));
        Assert.Equal(0u, TableLayout.Nacl.Allow.Read(ingress0));
        Assert.Equal(6u, TableLayout.Nacl.Protocol.Read(ingress0));
        Assert.Equal(8080u, TableLayout.Nacl.P1Lo.Read(ingress0));
        Assert.Equal(8080u, TableLayout.Nacl.P1Hi.Read(ingress0));
        var ingress1 = nacl[(2 * 2 + 0) * 8 + 1];
        Assert.Equal(1u, TableLayout.Nacl.AnyProtocol.Read(ingress1));
        Assert.Equal(1u, TableLayout.Nacl.Allow.Read(ingress1));
        Assert.Equal(0u, TableLayout.Nacl.Valid.Read(nacl[(2 * 2 + 0) * 8 + 2]));
        var egress0 = nacl[(2 * 2 + 1) * 8];
        Assert.Equal(1u, TableLayout.Nacl.Protocol.Read(egress0));
        Assert.Equal(8u, TableLayout.Nacl.P1Lo.Read(egress0));
        Assert.Equal(8u, TableLayout.Nacl.P1Hi.Read(egress0));
        Assert.Equal(0u, TableLayout.Nacl.P2Lo.Read(egress0));
        Assert.Equal(255u, TableLayout.Nacl.P2Hi.Read(egress0));
        Assert.Equal(8u, TableLayout.Nacl.CidrLen.Read(egress0));
        Assert.Equal(Ip("10.0.0.0"), TableLayout.Nacl.Cidr.Read(egress0));

        // Replacing the ACL with a shorter one clears the positions it no longer uses.
        driver.SetNetworkAcl(2, NetworkAcl.AllowAll);
        driver.Commit();
        Assert.Equal(1u, TableLayout.Nacl.Allow.Read(nacl[(2 * 2 + 0) * 8]));
        Assert.Equal(0u, TableLayout.Nacl.Valid.Read(nacl[(2 * 2 + 0) * 8 + 1]));
    }

    [Fact]
    public void Network_acl_limits_are_checked_when_staged()
    {
        var driver = new CardDriver(new FakeCard(filtering: new FakeFilterGeometry(NaclCount: 4, NaclRules: 8)));
        var nine = Enumerable.Range(1, 9).Select(i => new NetworkAclRule(i, FilterRule.AllTraffic, true)).ToList();
        Assert.Contains("9 rules", Assert.Throws<CardTableFullException>(() => driver.SetNetworkAcl(0, new NetworkAcl(nine, []))).Message, StringComparison.Ordinal);
        Assert.Contains("used twice", Assert.Throws<ArgumentException>(() => driver.SetNetworkAcl(0, new NetworkAcl([], [new(5, FilterRule.AllTraffic, true), new(5, FilterRule.AllTraffic, false)]))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => driver.SetNetworkAcl(4, NetworkAcl.AllowAll));
        Assert.Equal(0, driver.StagedCount);
    }

    [Fact]
    public void Security_rules_get_a_range_and_the_eni_entry_points_at_it()
    {
        var fake = new FakeCard(filtering: new FakeFilterGeometry(SgRulesLog2: 6));
        var driver = new CardDriver(fake);
        driver.SetEni(1, Eni(routeTable: 2, nacl: 3));
        driver.SetSecurityRules(1, new SecurityRules([FilterRule.ForTcp(Net("0.0.0.0/0"), 22, 22), FilterRule.ForIcmp(Net("10.0.0.0/16"))], [FilterRule.AllTraffic]));
        driver.SetEni(2, Eni());
        driver.SetSecurityRules(2, SecurityRules.AllowAll);
        driver.Commit();
        var eni1 = fake.Tables[(int)TableId.Eni][1];
        Assert.Equal(2u, TableLayout.Eni.RouteTable.Read(eni1));
        Assert.Equal(3u, TableLayout.Eni.Nacl.Read(eni1));
        Assert.Equal(0u, TableLayout.Eni.Untracked.Read(eni1));
        Assert.Equal(2u, TableLayout.Eni.SgInCount.Read(eni1));
        Assert.Equal(1u, TableLayout.Eni.SgOutCount.Read(eni1));
        var inBase = (int)TableLayout.Eni.SgInBase.Read(eni1);
        Assert.Equal(inBase + 2, (int)TableLayout.Eni.SgOutBase.Read(eni1));
        var rules = fake.Tables[(int)TableId.SgRule];
        Assert.Equal(22u, TableLayout.SgRule.P1Lo.Read(rules[inBase]));
        Assert.Equal(1u, TableLayout.SgRule.Protocol.Read(rules[inBase + 1]));
        Assert.Equal(1u, TableLayout.SgRule.AnyProtocol.Read(rules[inBase + 2]));
        var eni2 = fake.Tables[(int)TableId.Eni][2];
        Assert.Equal(1u, TableLayout.Eni.Untracked.Read(eni2));
        Assert.Equal(1u, TableLayout.Eni.SgInCount.Read(eni2));

        // New rules for slot 1 land clear of the range in use; the ENI entry moves with them.
        driver.SetSecurityRules(1, new SecurityRules([FilterRule.AllTraffic], [FilterRule.AllTraffic]));
        driver.Commit();
        eni1 = fake.Tables[(int)TableId.Eni][1];
        var (newBase, _, _) = driver.SecurityRuleRange(1);
        Assert.Equal(newBase, (int)TableLayout.Eni.SgInBase.Read(eni1));
        Assert.True(newBase >= inBase + 3 || newBase + 2 <= inBase, $"new range {newBase} overlaps the old one at {inBase}");
        Assert.Equal(1u, TableLayout.Eni.Untracked.Read(eni1));
        Assert.Equal(1001u, TableLayout.Eni.Vni.Read(eni1));
    }

    [Fact]
    public void A_full_rule_array_is_an_error_and_changes_nothing()
    {
        var fake = new FakeCard(filtering: new FakeFilterGeometry(SgRulesLog2: 3));
        var driver = new CardDriver(fake);
        var five = Enumerable.Range(0, 5).Select(i => FilterRule.ForTcp(Net("0.0.0.0/0"), i, i)).ToList();
        driver.SetSecurityRules(0, new SecurityRules(five, []));
        driver.Commit();
        var before = fake.Snapshot();
        driver.SetSecurityRules(1, new SecurityRules(five, []));
        Assert.Contains("no free range", Assert.Throws<CardTableFullException>(driver.Commit).Message, StringComparison.Ordinal);
        Assert.Equal(before, fake.Snapshot());
        Assert.Throws<CardTableFullException>(() => driver.SetSecurityRules(1, new SecurityRules([.. five, .. five], [])));
    }

    [Theory]
    [InlineData(59u, 180u, 30u, "tcpEstablishedTimeout")]
    [InlineData(432_001u, 180u, 30u, "tcpEstablishedTimeout")]
    [InlineData(432_000u, 181u, 30u, "udpStreamTimeout")]
    [InlineData(60u, 180u, 29u, "udpTimeout")]
    public void Conntrack_timeouts_outside_the_aws_ranges_are_refused(uint tcp, uint stream, uint udp, string field)
    {
        var driver = new CardDriver(new FakeCard(filtering: new FakeFilterGeometry()));
        var e = Assert.Throws<ArgumentException>(() => driver.SetConntrackTimeouts(0, new ConntrackTimeouts(tcp, stream, udp)));
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conntrack_timeouts_are_written_per_slot()
    {
        var fake = new FakeCard(filtering: new FakeFilterGeometry());
        var driver = new CardDriver(fake);
        driver.SetConntrackTimeouts(3, new ConntrackTimeouts(60, 60, 60));
        driver.Commit();
        var w = fake.Tables[(int)TableId.EniConntrack][3];
        Assert.Equal(60u, TableLayout.EniConntrack.TcpEstablished.Read(w));
        Assert.Equal(60u, TableLayout.EniConntrack.UdpStream.Read(w));
        Assert.Equal(60u, TableLayout.EniConntrack.Udp.Read(w));
    }

    [Fact]
    public void Filter_counters_and_ct_free_are_read()
    {
        var fake = new FakeCard(filtering: new FakeFilterGeometry());
        var driver = new CardDriver(fake);
        uint At(int slot, EniCounter c) => RegisterMap.EniSgCount + (uint)(((slot * 8) + ((int)c - 4)) * 8);
        fake.SetRegister(At(2, EniCounter.SgAllowedIn), 5);
        fake.SetRegister(At(2, EniCounter.SgDeniedOut), 7);
        fake.SetRegister(At(2, EniCounter.ConntrackAllowanceExceeded) + 4, 1);
        fake.SetRegister(RegisterMap.CtFree, 1234);
        var counters = driver.ReadCounters();
        Assert.Equal(new EniFilterCounters(5, 0, 0, 7, 1UL << 32), counters.Filters[2]);
        Assert.Equal(1234UL, counters.ConntrackFree);
    }

    [Fact]
    public void A_card_without_filtering_hardware_reports_none_and_refuses_filter_tables()
    {
        var driver = new CardDriver(new FakeCard());
        Assert.Null(driver.Geometry.Filtering);
        Assert.Contains("no filtering hardware", Assert.Throws<NitroCardException>(() => driver.SetRouteTables([RouteTableSpec.LocalOnly])).Message, StringComparison.Ordinal);
        Assert.Throws<NitroCardException>(() => driver.SetNetworkAcl(0, NetworkAcl.AllowAll));
        Assert.Throws<NitroCardException>(() => driver.SetSecurityRules(0, SecurityRules.AllowAll));
        Assert.Throws<NitroCardException>(() => driver.SetEni(0, Eni(routeTable: 1)));
        Assert.Empty(driver.ReadCounters().Filters);
    }

    [Fact]
    public void Filtering_geometry_comes_from_the_parameter_registers()
    {
        var driver = new CardDriver(new FakeCard(filtering: new FakeFilterGeometry(RouteLevels: 12, NaclCount: 16, NaclRules: 40, SgRulesLog2: 14)));
        Assert.Equal(new FilterGeometry(12, 16, 40, 14, 4, 4), driver.Geometry.Filtering);
        Assert.Equal(4095, driver.Geometry.Filtering!.RouteCapacity);
    }
}
