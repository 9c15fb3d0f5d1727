namespace NitroCard.Region.Tests;

public sealed class RegionLoaderTests
{
    [Fact]
    public void Docs_example_loads()
    {
        var region = RegionLoader.Load(RegionFiles.PathOf(RegionFiles.DocsExample));

        Assert.Equal(new[] { "host-a", "host-b" }, region.Hosts.Select(h => h.Name).ToArray());
        Assert.Equal("192.0.2.250", Assert.Single(region.Edges).UnderlayIp);
        Assert.Equal(2, region.Vpcs.Length);
        Assert.All(region.Vpcs, v => Assert.Equal("10.0.0.0/16", v.Cidr));
        var eni = region.Vpcs[0].Enis[0];
        Assert.Equal("eni-a1", eni.Id);
        Assert.Equal("subnet-a", eni.Subnet);
        Assert.Equal("10.0.1.10", eni.Ip);
        Assert.Equal("02:00:0a:00:01:0a", eni.Mac);
        Assert.Equal("host-a", eni.Host);
        Assert.Equal(new[] { "sg-web" }, eni.SecurityGroups.ToArray());
        Assert.Equal("198.51.100.10", eni.PublicIp);
        Assert.True(eni.SourceDestCheck);
        Assert.Null(region.Vpcs[0].Enis[1].PublicIp);
        var rule = region.Vpcs[0].SecurityGroups[0].Ingress[0];
        Assert.Equal(("tcp", 80, 80, "0.0.0.0/0", (string?)null), (rule.Protocol, rule.FromPort, rule.ToPort, rule.Cidr, rule.SourceGroup));
        Assert.Equal("sg-web", region.Vpcs[0].SecurityGroups[0].Ingress[2].SourceGroup);
        Assert.Equal(RegionFiles.PathOf(RegionFiles.DocsExample), region.SourceName);
    }

    [Fact]
    public void Comments_trailing_commas_and_numeric_protocols_are_accepted()
    {
        var region = RegionLoader.Load(RegionFiles.PathOf(RegionFiles.ThreeVpcs));

        Assert.Equal(3, region.Hosts.Length);
        Assert.Equal("rtl", region.Hosts[0].Dataplane);
        Assert.Equal("02:4e:00:00:0b:0b", region.Hosts[1].UnderlayMac);
        Assert.Equal("6", region.Vpcs[0].SecurityGroups[0].Ingress[0].Protocol);
        Assert.Equal("-1", region.Vpcs[0].SecurityGroups[0].Egress[0].Protocol);
        Assert.False(region.Vpcs[0].Enis[1].SourceDestCheck);
        Assert.Null(region.Vpcs[1].Subnets[0].RouteTable);
        Assert.Empty(region.Vpcs[1].RouteTables);
        Assert.Empty(region.Vpcs[1].Enis[0].SecurityGroups);
    }

    [Fact]
    public void Two_vpcs_may_use_the_same_addresses()
    {
        var region = RegionLoader.Load(RegionFiles.PathOf(RegionFiles.DocsExample));

        Assert.Equal(region.Vpcs[0].Enis[0].Ip, region.Vpcs[1].Enis[0].Ip);
        Assert.Equal(region.Vpcs[0].Subnets[0].Cidr, region.Vpcs[1].Subnets[0].Cidr);
    }

    [Fact]
    public void Json_syntax_error_reports_file_and_line()
    {
        const string text = """
            {
              "hosts": [
                { "name": "host-a" "underlayIp": "192.0.2.11" }
              ]
            }
            """;

        var e = Assert.Throws<RegionException>(() => RegionLoader.LoadFromString(text, "region.json"));

        var error = Assert.Single(e.Errors);
        Assert.Equal(3, error.Line);
        Assert.StartsWith("region.json:3:", e.Message, StringComparison.Ordinal);
        Assert.Contains("invalid JSON", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_json_reports_file_and_line()
    {
        var e = Assert.Throws<RegionException>(() => RegionLoader.LoadFromString("{\n  \"hosts\": [\n", "region.json"));

        Assert.StartsWith("region.json:3:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_json_type_reports_file_line_and_field()
    {
        var text = RegionFiles.Text(RegionFiles.DocsExample).Replace("\"vni\": 1002", "\"vni\": \"1002\"", StringComparison.Ordinal);
        var line = text.Split('\n').ToList().FindIndex(l => l.Contains("\"1002\"", StringComparison.Ordinal)) + 1;

        var e = Assert.Throws<RegionException>(() => RegionLoader.LoadFromString(text, "region.json"));

        var error = Assert.Single(e.Errors);
        Assert.Equal(line, error.Line);
        Assert.Equal("vpcs[1].vni", error.Path);
        Assert.Contains($"region.json:{line}:", e.Message, StringComparison.Ordinal);
        Assert.Contains("vpcs[1].vni: expected a whole number 1..16777215", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_vni_is_a_type_error_naming_the_field()
    {
        var text = RegionFiles.Mutated(r => r.Vpc(0)["vni"] = -5);

        var e = Assert.Throws<RegionException>(() => RegionLoader.LoadFromString(text, "region.json"));

        Assert.Contains("region.json:22:16: vpcs[0].vni: expected a whole number 1..16777215", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"sourceDestCheck\": false", "\"sourceDestCheck\": \"no\"", "vpcs[0].enis[0].sourceDestCheck: expected true or false")]
    [InlineData("\"fromPort\": 80", "\"fromPort\": \"80\"", "vpcs[0].securityGroups[0].ingress[0].fromPort: expected a whole number")]
    [InlineData("\"securityGroups\": [\"sg-web\"]", "\"securityGroups\": [7]", "vpcs[0].enis[0].securityGroups[0]: expected a string (a security group id)")]
    [InlineData("\"subnets\": [", "\"subnets\": 3, \"x\": [", "vpcs[0].subnets: expected an array")]
    [InlineData("\"hosts\": [", "\"hosts\": [ 1, ", "hosts[0]: expected a JSON object")]
    [InlineData("\"name\": \"host-a\"", "\"name\": 5", "hosts[0].name: expected a string")]
    public void Wrong_json_types_name_the_field_and_what_was_expected(string original, string replacement, string expected)
    {
        var text = RegionFiles.Text(RegionFiles.DocsExample);
        if (original.StartsWith("\"sourceDestCheck", StringComparison.Ordinal))
            text = text.Replace("\"host\": \"host-a\",", "\"host\": \"host-a\", \"sourceDestCheck\": false,", StringComparison.Ordinal);
        var at = text.IndexOf(original, StringComparison.Ordinal);
        Assert.True(at >= 0, original);
        text = string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + original.Length));

        var e = Assert.Throws<RegionException>(() => RegionLoader.LoadFromString(text, "region.json"));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.NotNull(Assert.Single(e.Errors).Line);
    }

    [Fact]
    public void A_document_that_is_not_an_object_is_rejected()
    {
        var e = Assert.Throws<RegionException>(() => RegionLoader.LoadFromString("[]", "region.json"));
        Assert.StartsWith("region.json:1:", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected a JSON object", e.Message, StringComparison.Ordinal);

        var n = Assert.Throws<RegionException>(() => RegionLoader.LoadFromString("null", "region.json"));
        Assert.Equal("region.json: the file must hold a JSON object, not null", n.Message);

        var empty = Assert.Throws<RegionException>(() => RegionLoader.LoadFromString("", "region.json"));
        Assert.StartsWith("region.json:", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_a_region_exception_naming_it()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "regions", "no-such-region.json");

        var e = Assert.Throws<RegionException>(() => RegionLoader.Load(path));

        Assert.StartsWith(path + ": cannot read the file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Written_json_loads_back_to_the_same_region()
    {
        var region = RegionLoader.Load(RegionFiles.PathOf(RegionFiles.ThreeVpcs));

        var json = RegionLoader.ToJson(region);
        var again = RegionLoader.LoadFromString(json, "again.json");

        Assert.Contains("\"underlayIp\": \"192.0.2.11\"", json, StringComparison.Ordinal);
        foreach (var host in region.Hosts)
        {
            Assert.Equal(
                RegionCompiler.ForHost(region, host.Name).Describe(),
                RegionCompiler.ForHost(again, host.Name).Describe());
        }
    }
}
