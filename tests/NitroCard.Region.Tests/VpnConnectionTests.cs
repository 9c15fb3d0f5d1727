using System.Text.Json.Nodes;

namespace NitroCard.Region.Tests;

/// <summary>
/// <c>vpnConnections</c> as AWS models them (issue 13): two IKE-keyed tunnels with AWS's tunnel options and defaults,
/// BGP or static routing — every rule as one mutation, each error naming file and field; manual keys stay valid.
/// </summary>
public sealed class VpnConnectionTests
{
    private const string Connection = """
        { "id": "vpn-1", "customerGatewayIp": "203.0.113.9", "customerGatewayAsn": 65000,
          "tunnels": [
            { "outsideIpAddress": "198.51.100.201", "tunnelInsideCidr": "169.254.10.0/30", "preSharedKey": "tunnel_one.key" },
            { "outsideIpAddress": "198.51.100.202", "tunnelInsideCidr": "169.254.11.0/30", "preSharedKey": "tunnel_two.key" } ] }
        """;

    private static JsonObject Vpn(JsonObject root) => root.Vpc(0)["vpnConnections"]![0]!.AsObject();

    private static JsonObject Tunnel(JsonObject root, int t) => Vpn(root)["tunnels"]![t]!.AsObject();

    private static string WithVpn(Action<JsonObject> mutate) => RegionFiles.Mutated(root =>
    {
        root.Vpc(0)["vpnConnections"] = new JsonArray(JsonNode.Parse(Connection));
        mutate(root);
    });

    private static RegionTopology Load(Action<JsonObject> mutate) => RegionLoader.LoadFromString(WithVpn(mutate), "region.json");

    [Fact]
    public void Tunnel_options_default_to_AWS()
    {
        var vpn = Assert.Single(Load(_ => { }).Vpcs[0].VpnConnections);
        Assert.True(vpn.IsIkeKeyed);
        Assert.True(vpn.UsesBgp);
        Assert.Equal(64512, vpn.AmazonSideAsn);
        Assert.Equal(65000, vpn.CustomerGatewayAsn);
        Assert.Equal(2, vpn.Tunnels.Length);
        var t = vpn.Tunnels[0];
        Assert.Equal<string>(["ikev2"], t.IkeVersions);
        Assert.Equal<string>(["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"], t.Phase1EncryptionAlgorithms);
        Assert.Equal<string>(["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"], t.Phase2EncryptionAlgorithms);
        Assert.Equal<string>(["SHA2-256", "SHA2-384", "SHA2-512"], t.Phase1IntegrityAlgorithms);
        Assert.Equal<int>([2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24], t.Phase1DhGroupNumbers);
        Assert.Equal((28800, 3600, 270, 100, 1024, 30), (t.Phase1LifetimeSeconds, t.Phase2LifetimeSeconds, t.RekeyMarginTimeSeconds, t.RekeyFuzzPercentage, t.ReplayWindowSize, t.DpdTimeoutSeconds));
        Assert.Equal(("clear", "add"), (t.DpdTimeoutAction, t.StartupAction));
    }

    [Fact]
    public void Inside_addresses_are_the_first_and_second_host_of_the_tunnel_s_30_and_not_written_back()
    {
        var region = Load(_ => { });
        var t = region.Vpcs[0].VpnConnections[0].Tunnels[1];
        Assert.Equal(("169.254.11.1", "169.254.11.2"), (t.EdgeInsideAddress.ToString(), t.CustomerInsideAddress.ToString()));
        Assert.DoesNotContain("InsideAddress", RegionLoader.ToJson(region), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_test_may_shorten_lifetimes_to_seconds_and_the_margin_with_them()
    {
        var region = Load(root =>
        {
            var t = Tunnel(root, 0);
            t["phase1LifetimeSeconds"] = 60;
            t["phase2LifetimeSeconds"] = 30;
            t["rekeyMarginTimeSeconds"] = 5;
        });
        var tunnel = region.Vpcs[0].VpnConnections[0].Tunnels[0];
        Assert.Equal((60, 30, 5), (tunnel.Phase1LifetimeSeconds, tunnel.Phase2LifetimeSeconds, tunnel.RekeyMarginTimeSeconds));
    }

    [Fact]
    public void Options_are_read_and_round_trip()
    {
        var region = Load(root =>
        {
            var t = Tunnel(root, 1);
            t["phase1EncryptionAlgorithms"] = new JsonArray("AES256-GCM-16");
            t["phase2DhGroupNumbers"] = new JsonArray(19, 20);
            t["phase2LifetimeSeconds"] = 900;
            t["rekeyMarginTimeSeconds"] = 60;
            t["dpdTimeoutAction"] = "restart";
            t["startupAction"] = "start";
        });
        var tunnel = region.Vpcs[0].VpnConnections[0].Tunnels[1];
        Assert.Equal<string>(["AES256-GCM-16"], tunnel.Phase1EncryptionAlgorithms);
        Assert.Equal<int>([19, 20], tunnel.Phase2DhGroupNumbers);
        Assert.Equal(("restart", "start", 900), (tunnel.DpdTimeoutAction, tunnel.StartupAction, tunnel.Phase2LifetimeSeconds));
        var again = RegionLoader.LoadFromString(RegionLoader.ToJson(region), "again.json").Vpcs[0].VpnConnections[0].Tunnels[1];
        Assert.Equal<int>(tunnel.Phase2DhGroupNumbers, again.Phase2DhGroupNumbers);
        Assert.Equal(tunnel.StartupAction, again.StartupAction);
    }

    [Fact]
    public void Static_routing_takes_customer_cidrs_and_propagates_them()
    {
        var region = Load(root =>
        {
            Vpn(root).Remove("customerGatewayAsn");
            Vpn(root)["staticRoutesOnly"] = true;
            Vpn(root)["customerCidrs"] = new JsonArray("172.31.0.0/16");
        });
        var vpn = region.Vpcs[0].VpnConnections[0];
        Assert.False(vpn.UsesBgp);
        Assert.Equal<string>(["172.31.0.0/16"], vpn.CustomerCidrs);
    }

    [Fact]
    public void Manual_keys_stay_valid()
    {
        var region = RegionLoader.LoadFromString(RegionFiles.Mutated(root => root.Vpc(0)["vpnConnections"] = JsonNode.Parse("""
            [ { "id": "vpn-1", "customerGatewayIp": "203.0.113.9", "edgeIp": "198.51.100.250", "customerCidrs": ["172.31.0.0/16"],
                "outbound": { "spi": 4097, "aesGcmKeyWithSalt": "00112233445566778899aabbccddeeff01020304" },
                "inbound":  { "spi": 8193, "aesGcmKeyWithSalt": "ffeeddccbbaa99887766554433221100a0b0c0d0" } } ]
            """)), "region.json");
        var vpn = region.Vpcs[0].VpnConnections[0];
        Assert.False(vpn.IsIkeKeyed);
        Assert.Equal(8193, vpn.Inbound!.Spi);
    }

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    private static readonly Dictionary<string, (Action<JsonObject> Mutate, string Expected)> Cases = new()
    {
        ["one tunnel"] = (r => Vpn(r)["tunnels"]!.AsArray().RemoveAt(1), "vpcs[0].vpnConnections[0].tunnels: has 1 tunnel; a VPN connection has exactly 2"),
        ["manual key beside tunnels"] = (r => Vpn(r)["edgeIp"] = "198.51.100.250", "vpcs[0].vpnConnections[0].edgeIp: is for manually keyed connections"),
        ["manual SA beside tunnels"] = (r => Vpn(r)["inbound"] = JsonNode.Parse("""{ "spi": 8193, "aesGcmKeyWithSalt": "ffeeddccbbaa99887766554433221100a0b0c0d0" }"""), "vpcs[0].vpnConnections[0].inbound: is for manually keyed connections"),
        ["bgp without asn"] = (r => Vpn(r).Remove("customerGatewayAsn"), "vpcs[0].vpnConnections[0].customerGatewayAsn: is required with BGP"),
        ["asn zero"] = (r => Vpn(r)["customerGatewayAsn"] = 0, "vpcs[0].vpnConnections[0].customerGatewayAsn: 0 is not an ASN"),
        ["asn equal to amazon's"] = (r => Vpn(r)["customerGatewayAsn"] = 64512, "vpcs[0].vpnConnections[0].customerGatewayAsn: 64512 is also the amazonSideAsn"),
        ["amazon asn public"] = (r => Vpn(r)["amazonSideAsn"] = 16509, "vpcs[0].vpnConnections[0].amazonSideAsn: 16509 is not a private ASN"),
        ["bgp with static cidrs"] = (r => Vpn(r)["customerCidrs"] = new JsonArray("172.31.0.0/16"), "vpcs[0].vpnConnections[0].customerCidrs: is for static routing"),
        ["announced networks with static routing"] = (r => { Vpn(r)["staticRoutesOnly"] = true; Vpn(r).Remove("customerGatewayAsn"); Vpn(r)["customerCidrs"] = new JsonArray("172.31.0.0/16"); Vpn(r)["customerAnnouncedCidrs"] = new JsonArray("172.31.0.0/16"); }, "vpcs[0].vpnConnections[0].customerAnnouncedCidrs: is what the customer's router announces over BGP"),
        ["announced network not a prefix"] = (r => Vpn(r)["customerAnnouncedCidrs"] = new JsonArray("172.16.50.0/33"), "vpcs[0].vpnConnections[0].customerAnnouncedCidrs[0]:"),
        ["announced network overlaps vpc"] = (r => Vpn(r)["customerAnnouncedCidrs"] = new JsonArray("172.16.50.0/24", "10.0.5.0/24"), "vpcs[0].vpnConnections[0].customerAnnouncedCidrs[1]: 10.0.5.0/24 overlaps the CIDR 10.0.0.0/16"),
        ["static without cidrs"] = (r => { Vpn(r)["staticRoutesOnly"] = true; Vpn(r).Remove("customerGatewayAsn"); }, "vpcs[0].vpnConnections[0].customerCidrs: needs at least one prefix"),
        ["static cidr overlaps vpc"] = (r => { Vpn(r)["staticRoutesOnly"] = true; Vpn(r).Remove("customerGatewayAsn"); Vpn(r)["customerCidrs"] = new JsonArray("10.0.5.0/24"); }, "vpcs[0].vpnConnections[0].customerCidrs[0]: 10.0.5.0/24 overlaps the CIDR 10.0.0.0/16"),
        ["outside address missing"] = (r => Tunnel(r, 0).Remove("outsideIpAddress"), "vpcs[0].vpnConnections[0].tunnels[0].outsideIpAddress: is required"),
        ["outside address twice"] = (r => Tunnel(r, 1)["outsideIpAddress"] = "198.51.100.201", "vpcs[0].vpnConnections[0].tunnels[1].outsideIpAddress: 198.51.100.201 is already the edge address of vpcs[0].vpnConnections[0].tunnels[0].outsideIpAddress"),
        ["inside not /30"] = (r => Tunnel(r, 0)["tunnelInsideCidr"] = "169.254.10.0/29", "vpcs[0].vpnConnections[0].tunnels[0].tunnelInsideCidr: 169.254.10.0/29 is not a /30 in 169.254.0.0/16"),
        ["inside not link-local"] = (r => Tunnel(r, 0)["tunnelInsideCidr"] = "10.9.0.0/30", "vpcs[0].vpnConnections[0].tunnels[0].tunnelInsideCidr: 10.9.0.0/30 is not a /30 in 169.254.0.0/16"),
        ["inside reserved"] = (r => Tunnel(r, 0)["tunnelInsideCidr"] = "169.254.169.252/30", "vpcs[0].vpnConnections[0].tunnels[0].tunnelInsideCidr: 169.254.169.252/30 is reserved by AWS"),
        ["inside twice"] = (r => Tunnel(r, 1)["tunnelInsideCidr"] = "169.254.10.0/30", "vpcs[0].vpnConnections[0].tunnels[1].tunnelInsideCidr: 169.254.10.0/30 is already the inside CIDR of vpcs[0].vpnConnections[0].tunnels[0]"),
        ["psk missing"] = (r => Tunnel(r, 0).Remove("preSharedKey"), "vpcs[0].vpnConnections[0].tunnels[0].preSharedKey: is required"),
        ["psk short"] = (r => Tunnel(r, 0)["preSharedKey"] = "short", "vpcs[0].vpnConnections[0].tunnels[0].preSharedKey: has 5 characters; a pre-shared key has 8–64"),
        ["psk long"] = (r => Tunnel(r, 0)["preSharedKey"] = new string('k', 65), "vpcs[0].vpnConnections[0].tunnels[0].preSharedKey: has 65 characters"),
        ["psk character"] = (r => Tunnel(r, 0)["preSharedKey"] = "secret-key!", "vpcs[0].vpnConnections[0].tunnels[0].preSharedKey: may hold only letters, digits, periods and underscores"),
        ["psk leading zero"] = (r => Tunnel(r, 0)["preSharedKey"] = "0secretkey", "vpcs[0].vpnConnections[0].tunnels[0].preSharedKey: must not start with 0"),
        ["ikev1 only"] = (r => Tunnel(r, 0)["ikeVersions"] = new JsonArray("ikev1"), "vpcs[0].vpnConnections[0].tunnels[0].ikeVersions: must include ikev2"),
        ["ike version unknown"] = (r => Tunnel(r, 0)["ikeVersions"] = new JsonArray("ikev2", "ikev3"), "vpcs[0].vpnConnections[0].tunnels[0].ikeVersions[1]: 'ikev3' is not ikev1 or ikev2"),
        ["cipher unknown"] = (r => Tunnel(r, 0)["phase1EncryptionAlgorithms"] = new JsonArray("3DES"), "vpcs[0].vpnConnections[0].tunnels[0].phase1EncryptionAlgorithms[0]: '3DES' is not one of AES128, AES256, AES128-GCM-16, AES256-GCM-16"),
        ["no cipher"] = (r => Tunnel(r, 0)["phase2EncryptionAlgorithms"] = new JsonArray(), "vpcs[0].vpnConnections[0].tunnels[0].phase2EncryptionAlgorithms: needs at least one of"),
        ["integrity sha1"] = (r => Tunnel(r, 1)["phase2IntegrityAlgorithms"] = new JsonArray("SHA1"), "vpcs[0].vpnConnections[0].tunnels[1].phase2IntegrityAlgorithms[0]: 'SHA1' is not one of SHA2-256, SHA2-384, SHA2-512"),
        ["dh group 5"] = (r => Tunnel(r, 0)["phase1DhGroupNumbers"] = new JsonArray(5), "vpcs[0].vpnConnections[0].tunnels[0].phase1DhGroupNumbers[0]: 5 is not a Diffie-Hellman group AWS accepts (2, 14–24)"),
        ["phase 1 lifetime"] = (r => Tunnel(r, 0)["phase1LifetimeSeconds"] = 28801, "vpcs[0].vpnConnections[0].tunnels[0].phase1LifetimeSeconds: 28801 is not in 900..28800 seconds"),
        ["phase 2 lifetime"] = (r => Tunnel(r, 0)["phase2LifetimeSeconds"] = 899, "vpcs[0].vpnConnections[0].tunnels[0].phase2LifetimeSeconds: 899 is not in 900..3600 seconds"),
        ["phase 2 above phase 1"] = (r => { Tunnel(r, 0)["phase1LifetimeSeconds"] = 1000; Tunnel(r, 0)["phase2LifetimeSeconds"] = 2000; }, "vpcs[0].vpnConnections[0].tunnels[0].phase2LifetimeSeconds: 2000 is longer than phase1LifetimeSeconds (1000)"),
        ["phase 1 lifetime between a test's and AWS's"] = (r => Tunnel(r, 0)["phase1LifetimeSeconds"] = 120, "vpcs[0].vpnConnections[0].tunnels[0].phase1LifetimeSeconds: 120 is not in 900..28800 seconds (or 10..119 to shorten it for a test)"),
        ["phase 2 lifetime below a test's"] = (r => Tunnel(r, 0)["phase2LifetimeSeconds"] = 9, "vpcs[0].vpnConnections[0].tunnels[0].phase2LifetimeSeconds: 9 is not in 900..3600 seconds (or 10..119 to shorten it for a test)"),
        ["test margin over half a test lifetime"] = (r => { Tunnel(r, 0)["phase2LifetimeSeconds"] = 30; Tunnel(r, 0)["rekeyMarginTimeSeconds"] = 16; }, "vpcs[0].vpnConnections[0].tunnels[0].rekeyMarginTimeSeconds: 16 is not in 1..15"),
        ["margin under 60 with AWS's lifetime"] = (r => Tunnel(r, 0)["rekeyMarginTimeSeconds"] = 5, "vpcs[0].vpnConnections[0].tunnels[0].rekeyMarginTimeSeconds: 5 is not in 60..1800"),
        ["rekey margin"] = (r => Tunnel(r, 0)["rekeyMarginTimeSeconds"] = 1801, "vpcs[0].vpnConnections[0].tunnels[0].rekeyMarginTimeSeconds: 1801 is not in 60..1800"),
        ["rekey fuzz"] = (r => Tunnel(r, 0)["rekeyFuzzPercentage"] = 101, "vpcs[0].vpnConnections[0].tunnels[0].rekeyFuzzPercentage: 101 is not in 0..100 percent"),
        ["replay window"] = (r => Tunnel(r, 0)["replayWindowSize"] = 4096, "vpcs[0].vpnConnections[0].tunnels[0].replayWindowSize: 4096 is not in 64..2048 packets"),
        ["dpd timeout"] = (r => Tunnel(r, 0)["dpdTimeoutSeconds"] = 10, "vpcs[0].vpnConnections[0].tunnels[0].dpdTimeoutSeconds: 10 is below 30 seconds"),
        ["dpd action"] = (r => Tunnel(r, 0)["dpdTimeoutAction"] = "hold", "vpcs[0].vpnConnections[0].tunnels[0].dpdTimeoutAction: 'hold' is not clear, restart or none"),
        ["startup action"] = (r => Tunnel(r, 0)["startupAction"] = "route", "vpcs[0].vpnConnections[0].tunnels[0].startupAction: 'route' is not add or start"),
    };

    [Fact]
    public void Announced_networks_are_read_for_bgp_absent_ones_are_not_written_and_learned_routes_are_no_file_field()
    {
        var region = Load(r => Vpn(r)["customerAnnouncedCidrs"] = new JsonArray("172.16.50.0/24"));
        Assert.Equal<string>(["172.16.50.0/24"], region.Vpcs[0].VpnConnections[0].CustomerAnnouncedCidrs!.Value);
        Assert.Contains("\"customerAnnouncedCidrs\"", RegionLoader.ToJson(region), StringComparison.Ordinal);
        Assert.DoesNotContain("customerAnnouncedCidrs", RegionLoader.ToJson(Load(_ => { })), StringComparison.Ordinal);
        var e = Assert.Throws<RegionException>(() => Load(r => Vpn(r)["learnedCidrs"] = new JsonArray("172.16.50.0/24")));
        Assert.Contains("learnedCidrs", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_rule_names_file_and_field(string name)
    {
        var (mutate, expected) = Cases[name];
        var e = Assert.Throws<RegionException>(() => Load(mutate));
        Assert.Contains("region.json: " + expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_error_is_reported_at_once_and_the_key_is_never_echoed()
    {
        var e = Assert.Throws<RegionException>(() => Load(r =>
        {
            Tunnel(r, 0)["preSharedKey"] = "bad-secret-value";
            Tunnel(r, 1)["replayWindowSize"] = 1;
            Vpn(r).Remove("customerGatewayAsn");
        }));
        Assert.Equal(3, e.Errors.Length);
        Assert.DoesNotContain("bad-secret-value", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tunnels[0].prePhaseKey", "unknown field")]
    [InlineData("tunnels[0].replayWindowSize", "a whole number")]
    [InlineData("tunnels[0].phase1DhGroupNumbers[0]", "a whole number")]
    [InlineData("tunnels[0].phase1EncryptionAlgorithms[0]", "a string")]
    [InlineData("staticRoutesOnly", "true or false")]
    public void Shape_errors_name_the_field(string field, string expected)
    {
        var e = Assert.Throws<RegionException>(() => Load(r =>
        {
            switch (field)
            {
                case "tunnels[0].prePhaseKey": Tunnel(r, 0)["prePhaseKey"] = "x"; break;
                case "tunnels[0].replayWindowSize": Tunnel(r, 0)["replayWindowSize"] = "big"; break;
                case "tunnels[0].phase1DhGroupNumbers[0]": Tunnel(r, 0)["phase1DhGroupNumbers"] = new JsonArray("ecp256"); break;
                case "tunnels[0].phase1EncryptionAlgorithms[0]": Tunnel(r, 0)["phase1EncryptionAlgorithms"] = new JsonArray(128); break;
                default: Vpn(r)["staticRoutesOnly"] = "yes"; break;
            }
        }));
        Assert.Contains("vpcs[0].vpnConnections[0]." + field, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
