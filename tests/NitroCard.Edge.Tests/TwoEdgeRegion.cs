using NitroCard.Region;

namespace NitroCard.Edge.Tests;

/// <summary>The test region (regions/edge-region.json) with a second edge, blackfoot-2 at 192.0.2.251 (shared with NitroCard.Simulation.Tests).</summary>
internal static class TwoEdgeRegion
{
    public static RegionTopology Load()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "regions", "edge-region.json"));
        const string oneEdge = "\"edges\": [ { \"name\": \"blackfoot-1\", \"underlayIp\": \"192.0.2.250\" } ]";
        Assert.Contains(oneEdge, text, StringComparison.Ordinal);
        return RegionLoader.LoadFromString(text.Replace(oneEdge,
            "\"edges\": [ { \"name\": \"blackfoot-1\", \"underlayIp\": \"192.0.2.250\" }, { \"name\": \"blackfoot-2\", \"underlayIp\": \"192.0.2.251\" } ]",
            StringComparison.Ordinal), "two-edges.json");
    }
}
