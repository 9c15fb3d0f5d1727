using System.Text.Json.Nodes;

namespace NitroCard.Region.Tests;

/// <summary>
/// Input that was once accepted silently (issue 16): misspelt and repeated fields, non-unicast underlay
/// addresses, private public IPs, VPCs outside AWS's /16../28. Each is an error naming the file and field.
/// </summary>
public sealed class StrictInputTests
{
    [Fact]
    public void A_misspelt_field_is_an_error_naming_it()
    {
        var text = RegionFiles.Mutated(r => r.Eni(0, 0)["sourceDestCheck_typo"] = false);
        var e = Assert.Throws<RegionException>(() => RegionLoader.LoadFromString(text, "region.json"));
        Assert.Contains("region.json:", e.Message, StringComparison.Ordinal);
        Assert.Contains("vpcs[0].enis[0].sourceDestCheck_typo: unknown field", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_given_twice_is_an_error_naming_it()
    {
        var text = RegionFiles.Text(RegionFiles.DocsExample).Replace("\"vni\": 1001,", "\"vni\": 1001, \"vni\": 1003,", StringComparison.Ordinal);
        var e = Assert.Throws<RegionException>(() => RegionLoader.LoadFromString(text, "region.json"));
        Assert.Contains("vpcs[0].vni: given twice", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("region.json:", e.Message, StringComparison.Ordinal);
    }

    private static readonly Dictionary<string, (Action<JsonObject> Mutate, string Expected)> Cases = new()
    {
        ["host underlay 0.0.0.0"] = (r => r.Host(0)["underlayIp"] = "0.0.0.0", "region.json: hosts[0].underlayIp: 0.0.0.0 is not a unicast address"),
        ["host underlay broadcast"] = (r => r.Host(0)["underlayIp"] = "255.255.255.255", "region.json: hosts[0].underlayIp: 255.255.255.255 is not a unicast address"),
        ["host underlay multicast"] = (r => r.Host(1)["underlayIp"] = "239.1.2.3", "region.json: hosts[1].underlayIp: 239.1.2.3 is not a unicast address (multicast"),
        ["host underlay loopback"] = (r => r.Host(1)["underlayIp"] = "127.0.0.2", "region.json: hosts[1].underlayIp: 127.0.0.2 is not a unicast address (loopback"),
        ["edge underlay broadcast"] = (r => r["edges"]![0]!["underlayIp"] = "255.255.255.255", "region.json: edges[0].underlayIp: 255.255.255.255 is not a unicast address"),
        ["publicIp RFC 1918"] = (r => r.Eni(0, 0)["publicIp"] = "10.9.9.9", "region.json: vpcs[0].enis[0].publicIp: 10.9.9.9 is not a public address (private, RFC 1918)"),
        ["publicIp 192.168"] = (r => r.Eni(0, 0)["publicIp"] = "192.168.1.1", "region.json: vpcs[0].enis[0].publicIp: 192.168.1.1 is not a public address (private, RFC 1918)"),
        ["publicIp shared"] = (r => r.Eni(0, 0)["publicIp"] = "100.64.0.1", "region.json: vpcs[0].enis[0].publicIp: 100.64.0.1 is not a public address (shared address space"),
        ["publicIp broadcast"] = (r => r.Eni(0, 0)["publicIp"] = "255.255.255.255", "region.json: vpcs[0].enis[0].publicIp: 255.255.255.255 is not a public address"),
        ["vpc larger than /16"] = (r => r.Vpc(0)["cidr"] = "10.0.0.0/8", "region.json: vpcs[0].cidr: 10.0.0.0/8 is larger than /16, the largest VPC AWS allows (/16../28)"),
        ["vpc smaller than /28"] = (r => r.Vpc(1)["cidr"] = "10.0.1.0/29", "region.json: vpcs[1].cidr: 10.0.1.0/29 is smaller than /28, the smallest VPC AWS allows (/16../28)"),
        ["subnet larger than /16"] = (r => r.Subnet(0, 0)["cidr"] = "10.0.0.0/15", "region.json: vpcs[0].subnets[0].cidr: 10.0.0.0/15 is larger than /16, the largest subnet AWS allows"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Rejected_naming_file_and_field(string name)
    {
        var (mutate, expected) = Cases[name];
        var e = RegionFiles.Invalid(mutate);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_characters_in_quoted_input_are_escaped()
    {
        var e = RegionFiles.Invalid(r => r.Eni(0, 0)["host"] = "host-\u001b[2J\nregion.json: fine");
        Assert.DoesNotContain('\u001b', e.Message);
        Assert.Contains("vpcs[0].enis[0].host: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(@"host-\u001b[2J\nregion.json: fine", e.Message, StringComparison.Ordinal);
        Assert.All(e.Message.Split('\n'), line => Assert.StartsWith("region.json", line, StringComparison.Ordinal));
    }

    /// <summary>Every region file the repository ships (examples, demo, test regions) still loads under the strict rules.</summary>
    [Fact]
    public void Every_region_file_in_the_repository_loads()
    {
        var root = RepoPaths.Root;
        var files = Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}out{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}.git", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("\"hosts\"", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            try
            {
                RegionLoader.Load(file);
            }
            catch (RegionException e) when (!IsDeliberatelyInvalid(file))
            {
                Assert.Fail(e.Message);
            }
            catch (RegionException)
            {
                // a fixture that is meant to fail
            }
        }
    }

    private static bool IsDeliberatelyInvalid(string file) => Path.GetFileName(file).Contains("invalid", StringComparison.OrdinalIgnoreCase);
}
