using System.Text.Json.Nodes;

namespace NitroCard.Region.Tests;

/// <summary>
/// Issue 16: every id and name is of one safe set, and an ENI id is never a name the live region uses itself.
/// Each case is accepted by c50aacc's validator.
/// </summary>
public sealed class ResourceNameTests
{
    private static readonly Dictionary<string, (Action<JsonObject> Mutate, string Expected)> Cases = new()
    {
        ["eni id an absolute path"] = (r => r.Eni(0, 0)["id"] = "/tmp/x/victim",
            "region.json: vpcs[0].enis[0].id: '/tmp/x/victim' is not a valid id (it starts with '/')"),
        ["eni id climbing out"] = (r => r.Eni(0, 0)["id"] = "../escaped",
            "region.json: vpcs[0].enis[0].id: '../escaped' is not a valid id (it starts with '.')"),
        ["eni id with a state-file line"] = (r => r.Eni(0, 0)["id"] = "eni-x\nchild 1",
            @"region.json: vpcs[0].enis[0].id: 'eni-x\nchild 1' is not a valid id (it has '\n' at position 6)"),
        ["eni id uppercase"] = (r => r.Eni(0, 0)["id"] = "eni-A1",
            "region.json: vpcs[0].enis[0].id: 'eni-A1' is not a valid id (it has the uppercase letter 'A' at position 5)"),
        ["eni id 65 characters"] = (r => r.Eni(0, 0)["id"] = "e" + new string('1', 64),
            "region.json: vpcs[0].enis[0].id: 'e1111111111111111111111111111111111111111111111111111111111111111' is not a valid id (it has 65 characters)"),
        ["eni id with an escape sequence"] = (r => r.Eni(0, 0)["id"] = "eni-\u001b[2J",
            @"region.json: vpcs[0].enis[0].id: 'eni-\u001b[2J' is not a valid id (it has '\u001b' at position 5)"),
        ["eni id internet"] = (r => r.Eni(0, 0)["id"] = "internet",
            "region.json: vpcs[0].enis[0].id: 'internet' is reserved"),
        ["eni id services"] = (r => r.Eni(0, 0)["id"] = "services", "region.json: vpcs[0].enis[0].id: 'services' is reserved"),
        ["eni id the underlay router"] = (r => r.Eni(0, 0)["id"] = "nc-underlay", "region.json: vpcs[0].enis[0].id: 'nc-underlay' is reserved"),
        ["eni id a vpn site"] = (r => r.Eni(0, 0)["id"] = "vpn-1", "region.json: vpcs[0].enis[0].id: 'vpn-1' is reserved"),
        ["eni id a tap name"] = (r => r.Eni(0, 0)["id"] = "nct0s1", "region.json: vpcs[0].enis[0].id: 'nct0s1' is reserved"),
        ["vpc id with a slash"] = (r => r.Vpc(0)["id"] = "vpc/1", "region.json: vpcs[0].id: 'vpc/1' is not a valid id (it has '/' at position 4)"),
        ["subnet id with a space"] = (r => r.Subnet(0, 0)["id"] = "subnet a", "region.json: vpcs[0].subnets[0].id: 'subnet a' is not a valid id"),
        ["route table id starting with a digit"] = (r => r.Vpc(0)["routeTables"]![0]!["id"] = "1rtb", "region.json: vpcs[0].routeTables[0].id: '1rtb' is not a valid id (it starts with '1')"),
        ["security group id with an underscore"] = (r => r.Vpc(0)["securityGroups"]![0]!["id"] = "sg_web", "region.json: vpcs[0].securityGroups[0].id: 'sg_web' is not a valid id"),
        ["host name a path"] = (r => r.Host(0)["name"] = "../host-a", "region.json: hosts[0].name: '../host-a' is not a valid id"),
        ["edge name uppercase"] = (r => r["edges"]![0]!["name"] = "Blackfoot", "region.json: edges[0].name: 'Blackfoot' is not a valid id"),
        ["eni host reference printed escaped"] = (r => r.Eni(0, 0)["host"] = "host-a\r\nx", @"region.json: vpcs[0].enis[0].host: 'host-a\r\nx' is not a host of the region"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void A_hostile_or_reserved_id_is_refused_naming_the_field(string name)
    {
        var (mutate, expected) = Cases[name];

        var e = RegionFiles.Invalid(mutate);

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(e.Message, c => c < ' ' && c != '\n');
        Assert.All(e.Message.Split('\n'), line => Assert.StartsWith("region.json", line, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("eni-a1")]
    [InlineData("vpc-0a1b2c3d4e5f60718")]
    [InlineData("a")]
    [InlineData("host-b")]
    public void Ids_of_the_safe_set_are_valid(string id) => Assert.True(ResourceName.IsValid(id));

    [Fact]
    public void Sixty_four_characters_is_the_longest_valid_id()
    {
        Assert.True(ResourceName.IsValid("e" + new string('1', 63)));
        Assert.False(ResourceName.IsValid("e" + new string('1', 64)));
    }

    [Theory]
    [InlineData("internet")]
    [InlineData("services")]
    [InlineData("nc-underlay")]
    [InlineData("nc-host-host-a")]
    [InlineData("dx-dxcon-1")]
    [InlineData("ncu0")]
    [InlineData("nce0")]
    [InlineData("vk1p3")]
    [InlineData("br1001")]
    [InlineData("eth0")]
    public void Names_the_live_region_gives_itself_are_reserved(string name) => Assert.True(LiveNames.IsReserved(name));

    [Fact]
    public void The_live_region_names_it_builds_are_reserved()
    {
        Assert.All([LiveNames.CardUnderlayTap(3), LiveNames.CardEniTap(2, 17), LiveNames.KernelRouterPort(1), LiveNames.KernelBridgePort(1, 4),
            LiveNames.KernelInstanceLink(1, 4), LiveNames.KernelBridge(1001), LiveNames.KernelVxlan(1001), LiveNames.VpnSiteTap(0),
            LiveNames.DirectConnectTap(2), LiveNames.VpnNamespace("vpn-1"), LiveNames.DirectConnectNamespace("dxcon-1"),
            LiveNames.KernelHostNamespace("host-c"), LiveNames.EdgeSubstrateTapOf(0), LiveNames.InternetTapOf(0), LiveNames.ServicesTapOf(0),
            LiveNames.EdgeSubstrateTapOf(7), LiveNames.InternetTapOf(1), LiveNames.ServicesTapOf(1), LiveNames.UnderlayNamespace],
            name => Assert.True(LiveNames.IsReserved(name), name));
        Assert.False(LiveNames.IsReserved("eni-a1"));
    }

    [Fact]
    public void Every_region_file_of_the_repository_keeps_to_the_rule()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "regions"), "*.json"))
            RegionLoader.Load(file);
    }
}
