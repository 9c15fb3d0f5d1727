using NitroCard.Region;

namespace NitroCard.Edge.Tests;

/// <summary>The region file's edge keys (issue 5): parsed, compiled into prefix-list routes, and validated with file and field.</summary>
public class RegionEdgeKeysTests
{
    private static string Text => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "regions", "edge-region.json"));

    [Fact]
    public void Keys_are_read()
    {
        var vpc = EdgeRegion.Load().Vpcs[0];
        Assert.Equal("igw-1", vpc.InternetGateway!.Id);
        Assert.Equal(8193, Assert.Single(vpc.VpnConnections).Inbound!.Spi);
        Assert.Equal((100, 200), (vpc.DirectConnect[0].STag, vpc.DirectConnect[0].CTag));
        Assert.Equal("s3", Assert.Single(vpc.GatewayEndpoints).Service);
    }

    [Fact]
    public void Gateway_endpoint_adds_prefix_list_routes_to_its_route_tables()
    {
        var plan = RegionCompiler.ForHost(EdgeRegion.Load(), "host-a");
        var table = plan.Filters.RouteTables[plan.Enis[0].Entry.RouteTable];
        var route = Assert.Single(table.Routes, r => r.Class == NitroCard.Card.Filtering.RouteClass.PrefixList);
        Assert.Equal("203.0.113.128/25", route.Destination.ToString());
        Assert.Equal("192.0.2.250", route.EdgeIp!.ToString());
    }

    [Theory]
    [InlineData("\"spi\": 4097", "\"spi\": 7", "vpcs[0].vpnConnections[0].outbound.spi")]
    [InlineData("000102030405060708090a0b0c0d0e0fa0a1a2a3", "0001", "vpcs[0].vpnConnections[0].outbound.aesGcmKeyWithSalt")]
    [InlineData("\"cTag\": 201", "\"cTag\": 200", "vpcs[1].directConnect[0].cTag")]
    [InlineData("\"service\": \"s3\"", "\"service\": \"ftp\"", "vpcs[0].gatewayEndpoints[0].service")]
    [InlineData("\"routeTables\": [\"rtb-a\"]", "\"routeTables\": [\"rtb-x\"]", "vpcs[0].gatewayEndpoints[0].routeTables[0]")]
    [InlineData("\"Effect\": \"Allow\"", "\"Effect\": \"Maybe\"", "vpcs[0].gatewayEndpoints[0].policy.Statement[0].Effect")]
    [InlineData("\"customerCidrs\": [\"172.31.0.0/16\"]", "\"customerCidrs\": [\"10.0.5.0/24\"]", "vpcs[0].vpnConnections[0].customerCidrs[0]")]
    [InlineData("\"customerGatewayIp\": \"203.0.113.9\"", "\"customerGatewayIp\": \"nope\"", "vpcs[0].vpnConnections[0].customerGatewayIp")]
    public void Bad_values_name_file_and_field(string find, string replace, string field)
    {
        var text = Text.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(Text, text);
        var e = Assert.Throws<RegionException>(() => RegionLoader.LoadFromString(text, "edge.json"));
        Assert.Contains("edge.json", e.Message, StringComparison.Ordinal);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }
}
