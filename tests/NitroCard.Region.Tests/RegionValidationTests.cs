using System.Text.Json.Nodes;

namespace NitroCard.Region.Tests;

/// <summary>Every validation rule, each as one mutation of the docs example; the message names the file and the field.</summary>
public sealed class RegionValidationTests
{
    private const string Vpc0 = "vpc-0a1b2c3d4e5f60718";

    private static readonly Dictionary<string, (Action<JsonObject> Mutate, string Expected)> Cases = new()
    {
        // hosts and edges
        ["no hosts"] = (r => r["hosts"] = new JsonArray(), "region.json: hosts: at least one host is required"),
        ["host name missing"] = (r => r.Host(0).Remove("name"), "region.json: hosts[0].name: is required"),
        ["host null"] = (r => r["hosts"]![1] = null, "region.json: hosts[1]: must be an object"),
        ["host name duplicate"] = (r => r.Host(1)["name"] = "host-a", "region.json: hosts[1].name: host-a is already used by hosts[0]"),
        ["edge named like a host"] = (r => r["edges"]![0]!["name"] = "host-b", "region.json: edges[0].name: host-b is already used by hosts[1]"),
        ["nine edges"] = (r => r["edges"] = new JsonArray([.. Enumerable.Range(1, 9).Select(i => (JsonNode)new JsonObject { ["name"] = $"edge-{i}", ["underlayIp"] = $"198.51.100.{i}" })]),
            "region.json: edges: 9 edges: a card spreads flows over at most 8 (docs/card-edges.md)"),
        ["host underlayIp missing"] = (r => r.Host(0).Remove("underlayIp"), "region.json: hosts[0].underlayIp: is required"),
        ["host underlayIp invalid"] = (r => r.Host(0)["underlayIp"] = "192.0.2.300", "region.json: hosts[0].underlayIp: '192.0.2.300' is not an IPv4 address"),
        ["host underlayIp shorthand"] = (r => r.Host(0)["underlayIp"] = "192.2", "region.json: hosts[0].underlayIp: '192.2' is not an IPv4 address"),
        ["underlayIp duplicate host"] = (r => r.Host(1)["underlayIp"] = "192.0.2.11", "region.json: hosts[1].underlayIp: 192.0.2.11 is already the underlay address of hosts[0] (host-a)"),
        ["underlayIp duplicate edge"] = (r => r["edges"]![0]!["underlayIp"] = "192.0.2.12", "region.json: edges[0].underlayIp: 192.0.2.12 is already the underlay address of hosts[1] (host-b)"),
        ["host underlayMac invalid"] = (r => r.Host(0)["underlayMac"] = "02:4e:zz:00:00:01", "region.json: hosts[0].underlayMac: '02:4e:zz:00:00:01' is not a MAC address"),
        ["host underlayMac multicast"] = (r => r.Host(0)["underlayMac"] = "03:4e:00:00:00:01", "region.json: hosts[0].underlayMac: 03:4e:00:00:00:01 is a multicast MAC"),
        ["host underlayMac duplicate"] = (r => r.Host(1)["underlayMac"] = "02:4e:c0:00:02:0b", "region.json: hosts[1].underlayMac: the underlay MAC 02:4e:c0:00:02:0b is already the underlay MAC of hosts[0] (host-a)"),
        ["gatewayMac invalid"] = (r => r["gatewayMac"] = "gateway", "region.json: gatewayMac: 'gateway' is not a MAC address"),
        ["substrateRouterMac multicast"] = (r => r["substrateRouterMac"] = "ff:ff:ff:ff:ff:ff", "region.json: substrateRouterMac: ff:ff:ff:ff:ff:ff is a multicast MAC"),

        // VPCs
        ["vpc id missing"] = (r => r.Vpc(0).Remove("id"), "region.json: vpcs[0].id: is required"),
        ["vpc id duplicate"] = (r => r.Vpc(1)["id"] = Vpc0, $"region.json: vpcs[1].id: {Vpc0} is already used by vpcs[0].id"),
        ["vpc cidr missing"] = (r => r.Vpc(0).Remove("cidr"), "region.json: vpcs[0].cidr: is required"),
        ["vpc cidr host bits"] = (r => r.Vpc(0)["cidr"] = "10.0.0.1/16", "region.json: vpcs[0].cidr: 10.0.0.1/16 has host bits set (the prefix is 10.0.0.0/16)"),
        ["vpc cidr length"] = (r => r.Vpc(0)["cidr"] = "10.0.0.0/33", "region.json: vpcs[0].cidr: '10.0.0.0/33' is not an IPv4 prefix"),
        ["vpc cidr no length"] = (r => r.Vpc(0)["cidr"] = "10.0.0.0", "region.json: vpcs[0].cidr: '10.0.0.0' is not an IPv4 prefix"),
        ["vni missing"] = (r => r.Vpc(0).Remove("vni"), "region.json: vpcs[0].vni: is required: a VNI 1..16777215"),
        ["vni zero"] = (r => r.Vpc(0)["vni"] = 0, "region.json: vpcs[0].vni: is required: a VNI 1..16777215"),
        ["vni too large"] = (r => r.Vpc(0)["vni"] = 16777216, "region.json: vpcs[0].vni: 16777216 is out of range (1..16777215"),
        ["vni duplicate"] = (r => r.Vpc(1)["vni"] = 1001, $"region.json: vpcs[1].vni: 1001 is already the VNI of vpcs[0] ({Vpc0})"),

        // subnets
        ["subnet id duplicate across vpcs"] = (r => r.Subnet(1, 0)["id"] = "subnet-a", "region.json: vpcs[1].subnets[0].id: subnet-a is already used by vpcs[0].subnets[0].id"),
        ["subnet cidr invalid"] = (r => r.Subnet(0, 0)["cidr"] = "10.0.1.0/", "region.json: vpcs[0].subnets[0].cidr: '10.0.1.0/' is not an IPv4 prefix"),
        ["subnet outside vpc"] = (r => r.Subnet(0, 1)["cidr"] = "10.1.2.0/24", $"region.json: vpcs[0].subnets[1].cidr: 10.1.2.0/24 is not inside the CIDR 10.0.0.0/16 of {Vpc0}"),
        ["subnets overlap"] = (r => r.Subnet(0, 1)["cidr"] = "10.0.0.0/23", "region.json: vpcs[0].subnets[1].cidr: 10.0.0.0/23 overlaps vpcs[0].subnets[0] (subnet-a, 10.0.1.0/24)"),
        ["subnet too small"] = (r => r.Subnet(0, 1)["cidr"] = "10.0.2.0/29", "region.json: vpcs[0].subnets[1].cidr: 10.0.2.0/29 is smaller than /28"),
        ["subnet route table unknown"] = (r => r.Subnet(0, 0)["routeTable"] = "rtb-nope", $"region.json: vpcs[0].subnets[0].routeTable: rtb-nope is not a route table of {Vpc0} (known: rtb-main)"),
        ["subnet route table of other vpc"] = (r => r.Subnet(0, 0)["routeTable"] = "rtb-isolated", $"region.json: vpcs[0].subnets[0].routeTable: rtb-isolated is not a route table of {Vpc0}"),

        // route tables
        ["route table id duplicate"] = (r => r.Vpc(1)["routeTables"]![0]!["id"] = "rtb-main", "region.json: vpcs[1].routeTables[0].id: rtb-main is already used by vpcs[0].routeTables[0].id"),
        ["route destination invalid"] = (r => r.Route(0, 0, 0)["destination"] = "default", "region.json: vpcs[0].routeTables[0].routes[0].destination: 'default' is not an IPv4 prefix"),
        ["route destination missing"] = (r => r.Route(0, 0, 0).Remove("destination"), "region.json: vpcs[0].routeTables[0].routes[0].destination: is required"),
        ["route target missing"] = (r => r.Route(0, 0, 0).Remove("target"), "region.json: vpcs[0].routeTables[0].routes[0].target: is required"),
        ["route target unknown"] = (r => r.Route(0, 0, 0)["target"] = "pcx-1", "region.json: vpcs[0].routeTables[0].routes[0].target: 'pcx-1' is not a route target"),
        ["route target bare prefix"] = (r => r.Route(0, 0, 0)["target"] = "vpce-", "region.json: vpcs[0].routeTables[0].routes[0].target: 'vpce-' is not a route target"),
        ["route duplicate destination"] = (r => r.Vpc(0)["routeTables"]![0]!["routes"]!.AsArray().Add(new JsonObject { ["destination"] = "0.0.0.0/0", ["target"] = "blackhole" }),
            "region.json: vpcs[0].routeTables[0].routes[1].destination: 0.0.0.0/0 is already routed by vpcs[0].routeTables[0].routes[0]"),
        ["local route not the vpc cidr"] = (r => r.Route(0, 0, 0)["target"] = "local", $"region.json: vpcs[0].routeTables[0].routes[0].destination: a local route must be for the VPC CIDR 10.0.0.0/16 of {Vpc0}"),
        ["route shadows local"] = (r => r.Route(0, 0, 0)["destination"] = "10.0.0.0/16", $"region.json: vpcs[0].routeTables[0].routes[0].destination: 10.0.0.0/16 conflicts with the implicit local route of {Vpc0}"),

        // security groups
        ["sg id duplicate"] = (r => r.Vpc(1)["securityGroups"]![0]!["id"] = "sg-web", "region.json: vpcs[1].securityGroups[0].id: sg-web is already used by vpcs[0].securityGroups[0].id"),
        ["sg protocol invalid"] = (r => r.Rule(0, 0, "ingress", 0)["protocol"] = "gre", "region.json: vpcs[0].securityGroups[0].ingress[0].protocol: 'gre' is not a protocol"),
        ["sg protocol number too large"] = (r => r.Rule(0, 0, "ingress", 2)["protocol"] = 256, "region.json: vpcs[0].securityGroups[0].ingress[2].protocol: '256' is not a protocol"),
        ["sg protocol missing"] = (r => r.Rule(0, 0, "egress", 0).Remove("protocol"), "region.json: vpcs[0].securityGroups[0].egress[0].protocol: is required"),
        ["sg port out of range"] = (r => r.Rule(0, 0, "ingress", 0)["toPort"] = 70000, "region.json: vpcs[0].securityGroups[0].ingress[0].toPort: 70000 is not a port (0..65535)"),
        ["sg port negative"] = (r => r.Rule(0, 0, "ingress", 0)["fromPort"] = -1, "region.json: vpcs[0].securityGroups[0].ingress[0].fromPort: -1 is not a port (0..65535)"),
        ["sg from after to"] = (r => r.Rule(0, 0, "ingress", 0)["toPort"] = 79, "region.json: vpcs[0].securityGroups[0].ingress[0].toPort: 79 is less than fromPort 80"),
        ["sg tcp needs ports"] = (r => r.Rule(0, 0, "ingress", 0).Remove("fromPort"), "region.json: vpcs[0].securityGroups[0].ingress[0].fromPort: is required for tcp"),
        ["sg protocol 17 needs ports"] = (r => r.Rule(0, 0, "egress", 0)["protocol"] = 17, "region.json: vpcs[0].securityGroups[0].egress[0].fromPort: is required for udp"),
        ["sg icmp type out of range"] = (r => r.Rule(0, 0, "ingress", 1)["fromPort"] = 256, "region.json: vpcs[0].securityGroups[0].ingress[1].fromPort: 256 is not an ICMP type (-1 for any, or 0..255)"),
        ["sg icmp code out of range"] = (r => r.Rule(0, 0, "ingress", 1)["toPort"] = -2, "region.json: vpcs[0].securityGroups[0].ingress[1].toPort: -2 is not an ICMP code"),
        ["sg rule both peers"] = (r => r.Rule(0, 0, "ingress", 0)["sourceGroup"] = "sg-web", "region.json: vpcs[0].securityGroups[0].ingress[0]: needs exactly one of cidr and sourceGroup (it has both)"),
        ["sg rule no peer"] = (r => r.Rule(0, 0, "egress", 0).Remove("cidr"), "region.json: vpcs[0].securityGroups[0].egress[0]: needs exactly one of cidr and sourceGroup (it has neither)"),
        ["sg rule cidr invalid"] = (r => r.Rule(0, 0, "egress", 0)["cidr"] = "0.0.0.0/1x", "region.json: vpcs[0].securityGroups[0].egress[0].cidr: '0.0.0.0/1x' is not an IPv4 prefix"),
        ["sg source group unknown"] = (r => r.Rule(0, 0, "ingress", 2)["sourceGroup"] = "sg-nope", $"region.json: vpcs[0].securityGroups[0].ingress[2].sourceGroup: sg-nope is not a security group of {Vpc0} (known: sg-web)"),
        ["sg source group of other vpc"] = (r => r.Rule(0, 0, "ingress", 2)["sourceGroup"] = "sg-app", $"region.json: vpcs[0].securityGroups[0].ingress[2].sourceGroup: sg-app is not a security group of {Vpc0}"),

        // ENIs
        ["eni id duplicate across vpcs"] = (r => r.Eni(1, 0)["id"] = "eni-a1", "region.json: vpcs[1].enis[0].id: eni-a1 is already used by vpcs[0].enis[0].id"),
        ["eni id same as a subnet id"] = (r => r.Eni(0, 1)["id"] = "subnet-a", "region.json: vpcs[0].enis[1].id: subnet-a is already used by vpcs[0].subnets[0].id"),
        ["eni subnet missing"] = (r => r.Eni(0, 0).Remove("subnet"), "region.json: vpcs[0].enis[0].subnet: is required"),
        ["eni subnet unknown"] = (r => r.Eni(0, 0)["subnet"] = "subnet-z", $"region.json: vpcs[0].enis[0].subnet: subnet-z is not a subnet of {Vpc0} (known: subnet-a, subnet-b)"),
        ["eni subnet of other vpc"] = (r => r.Eni(0, 0)["subnet"] = "subnet-c", $"region.json: vpcs[0].enis[0].subnet: subnet-c is not a subnet of {Vpc0}"),
        ["eni ip missing"] = (r => r.Eni(0, 0).Remove("ip"), "region.json: vpcs[0].enis[0].ip: is required"),
        ["eni ip invalid"] = (r => r.Eni(0, 0)["ip"] = "10.0.1.010", "region.json: vpcs[0].enis[0].ip: '10.0.1.010' is not an IPv4 address"),
        ["eni ip outside subnet"] = (r => r.Eni(0, 1)["ip"] = "10.0.9.10", "region.json: vpcs[0].enis[1].ip: 10.0.9.10 is not inside subnet subnet-b (10.0.2.0/24)"),
        ["eni ip network address"] = (r => r.Eni(0, 0)["ip"] = "10.0.1.0", "region.json: vpcs[0].enis[0].ip: 10.0.1.0 is reserved in subnet subnet-a (10.0.1.0/24): the network address"),
        ["eni ip router"] = (r => r.Eni(0, 0)["ip"] = "10.0.1.1", "region.json: vpcs[0].enis[0].ip: 10.0.1.1 is reserved in subnet subnet-a (10.0.1.0/24): the VPC router"),
        ["eni ip dns"] = (r => r.Eni(0, 0)["ip"] = "10.0.1.2", "region.json: vpcs[0].enis[0].ip: 10.0.1.2 is reserved in subnet subnet-a (10.0.1.0/24): the DNS server"),
        ["eni ip future use"] = (r => r.Eni(0, 0)["ip"] = "10.0.1.3", "region.json: vpcs[0].enis[0].ip: 10.0.1.3 is reserved in subnet subnet-a (10.0.1.0/24): reserved by AWS for future use"),
        ["eni ip broadcast"] = (r => r.Eni(0, 0)["ip"] = "10.0.1.255", "region.json: vpcs[0].enis[0].ip: 10.0.1.255 is reserved in subnet subnet-a (10.0.1.0/24): the broadcast address"),
        ["eni ip duplicate in vpc"] = (r => { r.Eni(0, 1)["subnet"] = "subnet-a"; r.Eni(0, 1)["ip"] = "10.0.1.10"; },
            $"region.json: vpcs[0].enis[1].ip: 10.0.1.10 is already used in {Vpc0} by vpcs[0].enis[0] (eni-a1)"),
        ["eni mac missing"] = (r => r.Eni(0, 0).Remove("mac"), "region.json: vpcs[0].enis[0].mac: is required"),
        ["eni mac invalid"] = (r => r.Eni(0, 0)["mac"] = "02:00:0a:00:01", "region.json: vpcs[0].enis[0].mac: '02:00:0a:00:01' is not a MAC address"),
        ["eni mac multicast"] = (r => r.Eni(0, 0)["mac"] = "01:00:5e:00:00:01", "region.json: vpcs[0].enis[0].mac: 01:00:5e:00:00:01 is a multicast MAC"),
        ["eni mac zero"] = (r => r.Eni(0, 0)["mac"] = "00:00:00:00:00:00", "region.json: vpcs[0].enis[0].mac: 00:00:00:00:00:00 is not a usable MAC"),
        ["eni mac duplicate across vpcs"] = (r => r.Eni(1, 0)["mac"] = "02:00:0a:00:01:0a", "region.json: vpcs[1].enis[0].mac: 02:00:0a:00:01:0a is already the MAC of vpcs[0].enis[0] (eni-a1)"),
        ["eni mac is gateway mac"] = (r => r.Eni(0, 0)["mac"] = "02:4e:47:57:00:01", "region.json: vpcs[0].enis[0].mac: 02:4e:47:57:00:01 is the gateway MAC"),
        ["eni host missing"] = (r => r.Eni(0, 0).Remove("host"), "region.json: vpcs[0].enis[0].host: is required"),
        ["eni host unknown"] = (r => r.Eni(0, 0)["host"] = "host-z", "region.json: vpcs[0].enis[0].host: host-z is not a host of the region (known: host-a, host-b)"),
        ["eni host is an edge"] = (r => r.Eni(0, 0)["host"] = "blackfoot-1", "region.json: vpcs[0].enis[0].host: blackfoot-1 is not a host of the region"),
        ["eni security group unknown"] = (r => r.Eni(0, 0)["securityGroups"] = new JsonArray("sg-nope"), $"region.json: vpcs[0].enis[0].securityGroups[0]: sg-nope is not a security group of {Vpc0} (known: sg-web)"),
        ["eni security group of other vpc"] = (r => r.Eni(0, 0)["securityGroups"] = new JsonArray("sg-web", "sg-app"), $"region.json: vpcs[0].enis[0].securityGroups[1]: sg-app is not a security group of {Vpc0}"),
        ["eni security group twice"] = (r => r.Eni(0, 0)["securityGroups"] = new JsonArray("sg-web", "sg-web"), "region.json: vpcs[0].enis[0].securityGroups[1]: sg-web is listed twice"),
        ["eni too many security groups"] = (r => r.Eni(0, 0)["securityGroups"] = new JsonArray("sg-1", "sg-2", "sg-3", "sg-4", "sg-5", "sg-6"),
            "region.json: vpcs[0].enis[0].securityGroups: has 6 security groups; an ENI may have at most 5"),
        ["eni public ip invalid"] = (r => r.Eni(0, 0)["publicIp"] = "198.51.100", "region.json: vpcs[0].enis[0].publicIp: '198.51.100' is not an IPv4 address"),
        ["eni public ip duplicate"] = (r => r.Eni(1, 0)["publicIp"] = "198.51.100.10", "region.json: vpcs[1].enis[0].publicIp: 198.51.100.10 is already the public IP of vpcs[0].enis[0] (eni-a1)"),
    };

    public static TheoryData<string> CaseNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in Cases.Keys)
                data.Add(name);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Invalid_region_is_rejected_naming_file_and_field(string name)
    {
        var (mutate, expected) = Cases[name];

        var e = RegionFiles.Invalid(mutate);

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal("region.json", e.FileName);
        Assert.NotEmpty(e.Errors);
        Assert.All(e.Message.Split('\n'), line => Assert.StartsWith("region.json", line, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_reported_in_one_exception()
    {
        var e = RegionFiles.Invalid(r =>
        {
            r.Host(1)["underlayIp"] = "192.0.2.11";
            r.Vpc(1)["vni"] = 1001;
            r.Eni(0, 0)["ip"] = "10.0.9.10";
            r.Eni(0, 1)["mac"] = "not-a-mac";
            r.Rule(1, 0, "ingress", 0)["toPort"] = 21;
            r.Eni(1, 1)["host"] = "host-z";
        });

        Assert.Equal(6, e.Errors.Length);
        string[] expected =
        [
            "region.json: hosts[1].underlayIp: 192.0.2.11 is already the underlay address of hosts[0] (host-a)",
            "region.json: vpcs[1].vni: 1001 is already the VNI of vpcs[0]",
            "region.json: vpcs[0].enis[0].ip: 10.0.9.10 is not inside subnet subnet-a (10.0.1.0/24)",
            "region.json: vpcs[0].enis[1].mac: 'not-a-mac' is not a MAC address",
            "region.json: vpcs[1].securityGroups[0].ingress[0].toPort: 21 is less than fromPort 22",
            "region.json: vpcs[1].enis[1].host: host-z is not a host of the region",
        ];
        foreach (var line in expected)
            Assert.Contains(line, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("region.json: 6 problems", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_with_more_enis_than_slots_is_rejected()
    {
        var geometry = NitroCard.Card.CardGeometry.Default with { EniSlots = 1 };

        var e = Assert.Throws<RegionException>(() => RegionLoader.Load(RegionFiles.PathOf(RegionFiles.DocsExample), geometry));

        Assert.Contains("hosts[0]: host-a has 2 ENIs but a card has 1 ENI slots", e.Message, StringComparison.Ordinal);
        Assert.Contains("hosts[1]: host-b has 2 ENIs but a card has 1 ENI slots", e.Message, StringComparison.Ordinal);
        Assert.Contains("docs-example.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_needing_more_edge_entries_than_the_card_holds_is_rejected()
    {
        var geometry = NitroCard.Card.CardGeometry.Default with { EdgeEntries = 1 };

        var e = Assert.Throws<RegionException>(() => RegionLoader.Load(RegionFiles.PathOf(RegionFiles.DocsExample), geometry));

        Assert.Contains("hosts[0]: host-a needs 2 edge entries (2 VPCs × 1 edges) but a card holds 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_at_exactly_the_slot_count_is_accepted()
    {
        var geometry = NitroCard.Card.CardGeometry.Default with { EniSlots = 2 };

        var region = RegionLoader.Load(RegionFiles.PathOf(RegionFiles.DocsExample), geometry);

        Assert.Equal(2, region.Vpcs.Length);
    }

    [Theory]
    [InlineData("igw")]
    [InlineData("vgw")]
    [InlineData("blackhole")]
    [InlineData("vpce-s3")]
    [InlineData("vpce-0123456789abcdef0")]
    [InlineData("igw-1")]
    [InlineData("vgw-0a1b")]
    public void Valid_route_targets_are_accepted_and_kept_as_written(string target)
    {
        var region = RegionLoader.LoadFromString(RegionFiles.Mutated(r => r.Route(0, 0, 0)["target"] = target), "region.json");

        Assert.Equal(target, region.Vpcs[0].RouteTables[0].Routes[0].Target);
    }

    [Theory]
    [InlineData("tcp", 0, 65535)]
    [InlineData("udp", 53, 53)]
    [InlineData("icmp", 8, 0)]
    [InlineData("icmp", -1, -1)]
    [InlineData("all", null, null)]
    [InlineData("-1", null, null)]
    [InlineData("47", null, null)]
    public void Valid_security_group_rules_are_accepted(string protocol, int? from, int? to)
    {
        var text = RegionFiles.Mutated(r =>
        {
            var rule = r.Rule(0, 0, "ingress", 0);
            rule["protocol"] = protocol;
            rule["fromPort"] = from;
            rule["toPort"] = to;
        });

        var region = RegionLoader.LoadFromString(text, "region.json");

        Assert.Equal(protocol, region.Vpcs[0].SecurityGroups[0].Ingress[0].Protocol);
    }

    [Fact]
    public void Validator_reports_nothing_for_a_valid_region_built_in_memory()
    {
        var region = new RegionTopology
        {
            Hosts = [new RegionHost { Name = "h", UnderlayIp = "192.0.2.1" }],
            Vpcs =
            [
                new Vpc
                {
                    Id = "vpc-1", Cidr = "10.0.0.0/16", Vni = 7,
                    Subnets = [new Subnet { Id = "subnet-1", Cidr = "10.0.0.0/28" }],
                    Enis = [new Eni { Id = "eni-1", Subnet = "subnet-1", Ip = "10.0.0.4", Mac = "02:00:00:00:00:04", Host = "h" }],
                },
            ],
        };

        Assert.Empty(RegionValidator.Validate(region));
    }
}
