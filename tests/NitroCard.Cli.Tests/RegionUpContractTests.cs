using System.Text.Json.Nodes;

namespace NitroCard.Cli.Tests;

/// <summary>
/// Issue 13: <c>nitroctl region up</c> refuses a manually keyed VPN connection (the live region's customer gateway is
/// strongSwan, which negotiates keys with IKEv2) before it creates anything: the check runs before the privilege check,
/// so this needs no root, and nothing is written to the run directory or the sites' directory.
/// </summary>
public sealed class RegionUpContractTests : IDisposable
{
    private const string Refusal = "manually keyed SAs (inbound/outbound) are for simulate-region; the live region's customer gateway is strongSwan, "
        + "which negotiates keys with IKEv2 — give the connection tunnels with pre-shared keys";

    private readonly TempDir _dir = new();

    private (int Code, string Stdout, string Stderr) RegionUp(string topology)
    {
        var environment = new Dictionary<string, string>
        {
            ["NITROCARD_RUN_DIR"] = _dir.File("run"),
            ["NITROCARD_SITE_DIR"] = _dir.File("sites"),
        };
        return NitroctlProcess.RunWith(environment, "region", "up", "--topology", topology, "--engine", "model");
    }

    [Fact]
    public void A_manually_keyed_connection_is_refused_naming_the_file_and_field_and_nothing_is_started()
    {
        var file = RepoPaths.File("tests/NitroCard.Edge.Tests/regions/edge-region.json");

        var (code, stdout, stderr) = RegionUp(file);

        Assert.Equal(1, code);
        Assert.Equal($"nitroctl: {file}: vpcs[0].vpnConnections[0] (vpn-1): {Refusal}\n", stderr);
        Assert.DoesNotContain("region ready", stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.File("run")), "a refused region up made its run directory");
        Assert.False(Directory.Exists(_dir.File("sites")), "a refused region up made a site directory");
    }

    [Fact]
    public void A_manually_keyed_connection_beside_ike_ones_is_the_one_named()
    {
        var region = JsonNode.Parse(File.ReadAllText(RepoPaths.File("driver/nitroctl/Demo/demo-region.json")))!;
        var connections = region["vpcs"]![0]!["vpnConnections"]!.AsArray();
        connections.Add(JsonNode.Parse("""
            { "id": "vpn-manual", "customerGatewayIp": "203.0.113.19", "edgeIp": "198.51.100.240", "customerCidrs": ["172.29.0.0/16"],
              "outbound": { "spi": 4097, "aesGcmKeyWithSalt": "000102030405060708090a0b0c0d0e0fa0a1a2a3" },
              "inbound":  { "spi": 8193, "aesGcmKeyWithSalt": "101112131415161718191a1b1c1d1e1fa0a1a2a3" } }
            """));
        var file = _dir.File("manual.json");
        File.WriteAllText(file, region.ToJsonString());

        var (code, stdout, stderr) = RegionUp(file);

        Assert.Equal(1, code);
        Assert.Equal($"nitroctl: {file}: vpcs[0].vpnConnections[2] (vpn-manual): {Refusal}\n", stderr);
        Assert.DoesNotContain("region ready", stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.File("run")), "a refused region up made its run directory");
    }

    public void Dispose() => _dir.Dispose();
}
