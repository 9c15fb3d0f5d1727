using System.Text.Json.Nodes;

namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 16 on a real machine: an ENI id that is one of the live region's own namespace names is refused by
/// <c>region up</c> before anything is created (on c50aacc an ENI <c>internet</c> took the world's namespace). Needs root.
/// </summary>
public sealed class LiveHostileIdTests : IDisposable
{
    private const string Marker = "192.0.2.199/32";
    private readonly TempDir _dir = new();

    [SkippableFact]
    public void An_eni_called_internet_is_refused_by_region_up_and_the_internet_namespace_is_untouched()
    {
        Host.RequireLiveRegion();
        var region = JsonNode.Parse(File.ReadAllText(LiveRegionProcess.Region("two-hosts.json")))!;
        region["vpcs"]![0]!["enis"]![0]!["id"] = "internet";
        var file = _dir.File("internet-eni.json");
        File.WriteAllText(file, region.ToJsonString());
        // Someone's own "internet" namespace, with a marker: the refused region must leave it as it is.
        Assert.Equal(0, Host.Run("ip", "netns", "add", "internet").Code);
        try
        {
            Assert.Equal(0, Host.Run("ip", "-n", "internet", "address", "add", Marker, "dev", "lo").Code);

            var up = Host.Run(LiveRegionProcess.Nitroctl, "region", "up", "--topology", file, "--engine", "model");

            Assert.NotEqual(0, up.Code);
            Assert.Contains("vpcs[0].enis[0].id: 'internet' is reserved", up.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("region ready", up.Output, StringComparison.Ordinal);
            Assert.Contains("internet", Host.Namespaces());
            Assert.Contains(Marker, Host.Run("ip", "-n", "internet", "-o", "address", "show", "dev", "lo").Output, StringComparison.Ordinal);
            Assert.DoesNotContain("eth0", Host.Run("ip", "-n", "internet", "-o", "link", "show").Output, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(LiveRegionProcess.RunDirectory, "state")), "a refused region up wrote a state file");
        }
        finally
        {
            Host.Run("ip", "netns", "delete", "internet");
        }
    }

    public void Dispose() => _dir.Dispose();
}
