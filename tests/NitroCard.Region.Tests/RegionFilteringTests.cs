using System.Net;
using System.Text.Json.Nodes;
using NitroCard.Card;
using NitroCard.Card.Filtering;

namespace NitroCard.Region.Tests;

/// <summary>Route targets, networkAcls and connectionTracking in the region file (issue 3), validated and compiled into the card plan.</summary>
public sealed class RegionFilteringTests
{
    private static JsonNode Json(string text) => JsonNode.Parse(text)!;

    private static HostCardPlan Plan(Action<JsonObject> mutate, string host = "host-a")
        => RegionCompiler.ForHost(RegionLoader.LoadFromString(RegionFiles.Mutated(mutate), "region.json"), host, CardGeometry.Default);

    private static void WithAcl(JsonObject root) => root.Vpc(0)["networkAcls"] = Json("""
        [ { "id": "acl-1", "subnets": ["subnet-a"],
            "ingress": [ { "ruleNumber": 200, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow" },
                         { "ruleNumber": 100, "protocol": "tcp", "fromPort": 8080, "toPort": 8080, "cidr": "0.0.0.0/0", "action": "deny" } ],
            "egress":  [ { "ruleNumber": 100, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow" } ] } ]
        """);

    [Fact]
    public void The_issue_example_loads_and_compiles()
    {
        var plan = Plan(root =>
        {
            WithAcl(root);
            root.Eni(0, 0)["connectionTracking"] = Json("""{ "tcpEstablishedTimeout": 3600, "udpStreamTimeout": 120, "udpTimeout": 60 }""");
        });
        var a1 = plan.Enis.Single(e => e.EniId == "eni-a1");
        var acl = plan.Filters.Acls[a1.Entry.Nacl];
        Assert.Equal("acl-1", plan.Filters.AclIds[a1.Entry.Nacl]);
        Assert.Equal([100, 200], acl.Ingress.OrderBy(r => r.RuleNumber).Select(r => r.RuleNumber));
        Assert.False(acl.Ingress.Single(r => r.RuleNumber == 100).Allow);
        Assert.Equal(FilterRule.Tcp, acl.Ingress.Single(r => r.RuleNumber == 100).Match.Protocol);
        Assert.Equal(new ConntrackTimeouts(3600, 120, 60), plan.Filters.Timeouts[a1.Slot]);
        // eni-b1 (vpc 2): the default ACL, allow all; default timeouts.
        var b1 = plan.Enis.Single(e => e.EniId == "eni-b1");
        Assert.Equal("default", plan.Filters.AclIds[b1.Entry.Nacl]);
        Assert.Equal(NetworkAcl.AllowAll, plan.Filters.Acls[b1.Entry.Nacl]);
        Assert.Equal(ConntrackTimeouts.Default, plan.Filters.Timeouts[b1.Slot]);
    }

    [Fact]
    public void Route_tables_get_the_local_route_and_send_gateways_to_the_first_edge()
    {
        var plan = Plan(root =>
        {
            root["edges"]!.AsArray().Add(Json("""{ "name": "blackfoot-2", "underlayIp": "192.0.2.251" }"""));
            root.Vpc(0)["routeTables"]![0]!["routes"] = Json("""
                [ { "destination": "0.0.0.0/0", "target": "igw" },
                  { "destination": "172.16.0.0/12", "target": "vgw" },
                  { "destination": "52.216.0.0/15", "target": "vpce-0abc" },
                  { "destination": "192.168.0.0/16", "target": "blackhole" } ]
                """);
        }, "host-a");
        var a1 = plan.Enis.Single(e => e.EniId == "eni-a1");
        var table = plan.Filters.RouteTables[a1.Entry.RouteTable];
        Assert.Equal(IPNetwork.Parse("10.0.0.0/16"), table.Local);
        Assert.Equal(4, table.Routes.Count);
        Assert.All(table.Routes.Where(r => r.Target == RouteKind.Edge), r => Assert.Equal(IPAddress.Parse("192.0.2.250"), r.EdgeIp));
        Assert.Equal(RouteClass.PrefixList, table.Routes.Single(r => r.Destination.ToString() == "52.216.0.0/15").Class);
        Assert.Equal(RouteKind.Blackhole, table.Routes.Single(r => r.Destination.ToString() == "192.168.0.0/16").Target);
        // eni-b1's subnet uses rtb-isolated: the local route only.
        var b1 = plan.Enis.Single(e => e.EniId == "eni-b1");
        Assert.NotEqual(a1.Entry.RouteTable, b1.Entry.RouteTable);
        Assert.Empty(plan.Filters.RouteTables[b1.Entry.RouteTable].Routes);
    }

    [Fact]
    public void Vgw_route_propagation_adds_the_customer_cidrs_as_propagated_routes_that_static_routes_beat()
    {
        var plan = Plan(root =>
        {
            var vpc = root.Vpc(0);
            vpc["vpnConnections"] = Json("""
                [ { "id": "vpn-1", "customerGatewayIp": "203.0.113.9", "edgeIp": "198.51.100.250", "customerCidrs": ["172.31.0.0/16", "192.168.0.0/16"],
                    "outbound": { "spi": 4097, "aesGcmKeyWithSalt": "00112233445566778899aabbccddeeff01020304" },
                    "inbound":  { "spi": 8193, "aesGcmKeyWithSalt": "ffeeddccbbaa99887766554433221100a0b0c0d0" } } ]
                """);
            vpc["directConnect"] = Json("""[ { "id": "dxvif-1", "connection": "dxcon-1", "sTag": 100, "cTag": 200, "customerCidrs": ["172.16.0.0/16"] } ]""");
            vpc["routeTables"]![0]!["vgwRoutePropagation"] = true;
            vpc["routeTables"]![0]!["routes"] = Json("""[ { "destination": "192.168.0.0/16", "target": "blackhole" } ]""");
        });
        var a1 = plan.Enis.Single(e => e.EniId == "eni-a1");
        var table = plan.Filters.RouteTables[a1.Entry.RouteTable];
        var propagated = table.Routes.Where(r => r.Class == RouteClass.Propagated).Select(r => r.Destination.ToString()).Order();
        Assert.Equal(["172.16.0.0/16", "172.31.0.0/16", "192.168.0.0/16"], propagated);
        // The static blackhole for 192.168.0.0/16 wins over the propagated route of the same prefix.
        var bank = RouteTableCompiler.Compile(0, table);
        Assert.Equal(RouteKind.Blackhole, bank.Last(i => i.Start <= Ip("192.168.1.1")).Kind);
        Assert.Equal(RouteKind.Edge, bank.Last(i => i.Start <= Ip("172.31.1.1")).Kind);
        // eni-b1's table (rtb-isolated) does not propagate.
        var b1 = plan.Enis.Single(e => e.EniId == "eni-b1");
        Assert.Empty(plan.Filters.RouteTables[b1.Entry.RouteTable].Routes);

        // The plan's text lists each route (card tables prints it): the propagated prefixes and the static blackhole.
        var lines = plan.Describe().Split('\n').Select(l => System.Text.RegularExpressions.Regex.Replace(l.Trim(), @"\s+", " ")).ToList();
        var t = a1.Entry.RouteTable.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"{t} 172.31.0.0/16 edge 192.0.2.250 propagated", lines);
        Assert.Contains($"{t} 172.16.0.0/16 edge 192.0.2.250 propagated", lines);
        Assert.Contains($"{t} 192.168.0.0/16 blackhole static", lines);
        Assert.Contains($"routes ({plan.Filters.RouteTables.Sum(r => r.Routes.Count)})", lines);
    }

    [Fact]
    public void Vgw_route_propagation_needs_an_edge()
    {
        var e = Assert.Throws<RegionException>(() => Plan(root =>
        {
            root["edges"] = new JsonArray();
            root.Vpc(0)["routeTables"]![0]!["vgwRoutePropagation"] = true;
        }));
        Assert.Contains(e.Errors, x => x.Path.EndsWith(".vgwRoutePropagation", StringComparison.Ordinal) && x.Message.Contains("no edges", StringComparison.Ordinal));
    }

    private static uint Ip(string text) => NitroCard.Packets.Ipv4Address.ToUInt32(IPAddress.Parse(text));

    [Fact]
    public void Source_groups_expand_to_every_member_address_and_untracked_follows_the_rules()
    {
        var plan = Plan(_ => { });
        var a1 = plan.Enis.Single(e => e.EniId == "eni-a1");
        var rules = plan.Filters.Security[a1.Slot];
        // sg-web: tcp 80 from anywhere, icmp from anywhere, all from sg-web members (eni-a1, eni-a2).
        Assert.Equal(4, rules.Ingress.Count);
        Assert.Contains(rules.Ingress, r => r.Remote.ToString() == "10.0.1.10/32" && r.Protocol is null);
        Assert.Contains(rules.Ingress, r => r.Remote.ToString() == "10.0.2.20/32" && r.Protocol is null);
        Assert.Contains(rules.Ingress, r => r.Protocol == FilterRule.Icmp && r.FromPort == 0 && r.ToPort == 255 && r.FromCode == 0 && r.ToCode == 255);
        Assert.False(rules.Untracked);

        // protocol all (or -1) from 0.0.0.0/0 in, and all to 0.0.0.0/0 out (sg-web's egress): untracked.
        Assert.True(Plan(root =>
        {
            var rule = root.Rule(0, 0, "ingress", 0);
            rule["protocol"] = "-1";
            rule.Remove("fromPort");
            rule.Remove("toPort");
        }).Filters.Security[0].Untracked);
    }

    [Theory]
    [InlineData("tcpEstablishedTimeout", 59)]
    [InlineData("tcpEstablishedTimeout", 432001)]
    [InlineData("udpStreamTimeout", 200)]
    [InlineData("udpTimeout", 10)]
    public void Conntrack_timeouts_outside_aws_ranges_name_the_field(string field, int value)
    {
        var e = RegionFiles.Invalid(root => root.Eni(0, 0)["connectionTracking"] = new JsonObject { [field] = value });
        Assert.Contains($"vpcs[0].enis[0].connectionTracking.{field}: {value} is not", e.Message, StringComparison.Ordinal);
        Assert.Contains("region.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_acls_report_every_problem_with_its_field()
    {
        var e = RegionFiles.Invalid(root =>
        {
            WithAcl(root);
            var acl = root.Vpc(0)["networkAcls"]![0]!.AsObject();
            acl["subnets"] = Json("""["subnet-a", "subnet-zz"]""");
            acl["ingress"]![0]!["ruleNumber"] = 100;
            acl["egress"]![0]!["action"] = "permit";
            acl["egress"]!.AsArray().Add(Json("""{ "ruleNumber": 40000, "protocol": "udp", "cidr": "0.0.0.0/0", "action": "deny" }"""));
            root.Vpc(0)["networkAcls"]!.AsArray().Add(Json("""{ "id": "acl-2", "subnets": ["subnet-a"] }"""));
        });
        Assert.Contains("vpcs[0].networkAcls[0].subnets[1]: subnet-zz is not a subnet", e.Message, StringComparison.Ordinal);
        Assert.Contains("vpcs[0].networkAcls[0].ingress[1].ruleNumber: 100 is already used by vpcs[0].networkAcls[0].ingress[0]", e.Message, StringComparison.Ordinal);
        Assert.Contains("vpcs[0].networkAcls[0].egress[0].action: 'permit' is not allow or deny", e.Message, StringComparison.Ordinal);
        Assert.Contains("vpcs[0].networkAcls[0].egress[1].ruleNumber: 40000 is not a rule number", e.Message, StringComparison.Ordinal);
        Assert.Contains("vpcs[0].networkAcls[0].egress[1].fromPort: is required for udp", e.Message, StringComparison.Ordinal);
        Assert.Contains("vpcs[0].networkAcls[1].subnets[0]: subnet-a is already associated with vpcs[0].networkAcls[0]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_acl_rules_for_the_card_is_an_error()
    {
        var e = RegionFiles.Invalid(root =>
        {
            WithAcl(root);
            var ingress = new JsonArray();
            for (var i = 1; i <= 41; i++)
                ingress.Add(Json($$"""{ "ruleNumber": {{i}}, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow" }"""));
            root.Vpc(0)["networkAcls"]![0]!["ingress"] = ingress;
        });
        Assert.Contains("vpcs[0].networkAcls[0].ingress: has 41 rules; a card holds 40", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gateway_targets_need_an_edge()
    {
        var e = RegionFiles.Invalid(root => root["edges"] = new JsonArray());
        Assert.Contains("vpcs[0].routeTables[0].routes[0].target: igw is reached through the region's first edge, but the region has no edges", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_whose_routes_do_not_fit_a_bank_is_refused()
    {
        var region = RegionLoader.LoadFromString(RegionFiles.Mutated(root =>
        {
            var routes = new JsonArray();
            for (var i = 0; i < 300; i++)
                routes.Add(Json($$"""{ "destination": "{{100 + (i / 250)}}.{{i % 250}}.0.0/16", "target": "{{(i % 2 == 0 ? "igw" : "blackhole")}}" }"""));
            root.Vpc(0)["routeTables"]![0]!["routes"] = routes;
        }), "region.json");
        var small = CardGeometry.Default with { Filtering = FilterGeometry.Default with { RouteLevels = 8 } };
        var e = Assert.Throws<RegionException>(() => RegionCompiler.ForHost(region, "host-a", small));
        Assert.Contains("hosts[0]: host-a: The route tables need", e.Message, StringComparison.Ordinal);
        Assert.Contains("a route bank holds 255", e.Message, StringComparison.Ordinal);
        RegionCompiler.ForHost(region, "host-a", CardGeometry.Default);
    }

    [Fact]
    public void The_tables_listing_shows_the_filters()
    {
        var text = Plan(WithAcl).Describe();
        Assert.Contains("route tables (2)", text, StringComparison.Ordinal);
        Assert.Contains("acl-1", text, StringComparison.Ordinal);
        Assert.Contains("432000/180/30 s", text, StringComparison.Ordinal);
    }
}
