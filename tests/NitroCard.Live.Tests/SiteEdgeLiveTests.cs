using System.Diagnostics;

namespace NitroCard.Live.Tests;

/// <summary>
/// A VPN connection in a region with two edges (issue 15): the first edge holds the strongSwan site, and the cards spread
/// the VPN's flows over both edges; the second edge forwards what it gets to the first over the substrate, so every
/// customer network answers, including those whose flows the cards hash to the second edge. Needs root and strongSwan:
/// skipped with the reason otherwise.
/// </summary>
public sealed class SiteEdgeLiveTests
{
    private const string Instance = "eni-vpn1";
    private const string InstanceIp = "10.0.1.10";
    private const string FirstEdgeIp = "192.0.2.250";
    private const string SecondEdgeIp = "192.0.2.251";

    [SkippableFact]
    public void Vpn_flows_the_cards_give_the_second_edge_reach_the_site_through_the_first()
    {
        Host.RequireLiveRegion();
        Skip.IfNot(File.Exists("/usr/lib/ipsec/charon") && File.Exists("/usr/sbin/swanctl"), "strongSwan is not installed (see build.ps1)");
        // The site's networks answer on their first address (LiveEdge.ServiceAddress); the cards' flow hash decides which
        // edge each ping goes to. The region file lists networks that give each edge two.
        string[] targets = ["172.31.0.1", "172.31.16.1", "172.31.48.1", "172.31.80.1"];
        var onSecond = targets.Where(t => CardEdgeChoice.OfPing(InstanceIp, t, FirstEdgeIp, SecondEdgeIp) == SecondEdgeIp).ToArray();
        Assert.True(onSecond.Length > 0 && onSecond.Length < targets.Length, $"the region file should give both edges some of {string.Join(", ", targets)}; the second gets {onSecond.Length}");

        using var region = LiveRegionProcess.Up("ike-vpn-two-edges.json", "model", TimeSpan.FromSeconds(120));
        var describe = "";
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30)
            && (describe = Host.Run(LiveRegionProcess.Nitroctl, "describe-vpn-connections", "--edge", "blackfoot-1").Output)
                .Split('\n').Count(l => l.Contains("status UP", StringComparison.Ordinal)) < 2)
        {
            Thread.Sleep(500);
        }
        Assert.True(describe.Split('\n').Count(l => l.Contains("status UP", StringComparison.Ordinal)) == 2, describe);
        Assert.True(Host.WaitFor(() => LiveRegionProcess.InEdgeSet("blackfoot-2"), 30), "blackfoot-2 never joined the cards' edge set");

        var before = LiveRegionProcess.EdgeCounter("blackfoot-2", "forwarded.site-edge");
        foreach (var target in targets)
        {
            var ping = Host.Ping(Instance, target);
            Assert.True(ping.Code == 0, $"{Instance} cannot ping {target} (edge {CardEdgeChoice.OfPing(InstanceIp, target, FirstEdgeIp, SecondEdgeIp)}): {ping.Output}\n"
                + $"blackfoot-1: {LiveRegionProcess.Card("blackfoot-1", "counters").Output}\nblackfoot-2: {LiveRegionProcess.Card("blackfoot-2", "counters").Output}\n{region.Error}");
        }
        var forwarded = LiveRegionProcess.EdgeCounter("blackfoot-2", "forwarded.site-edge") - before;
        // Each target on the second edge sent it three echo requests.
        Assert.True(forwarded >= 3 * onSecond.Length, $"blackfoot-2 forwarded {forwarded} frames to the first edge; {string.Join(", ", onSecond)} hash to it");
        Assert.Equal(0, LiveRegionProcess.EdgeCounter("blackfoot-2", "drop.spoofed-source") + LiveRegionProcess.EdgeCounter("blackfoot-1", "drop.spoofed-source"));
        Assert.Equal(0, region.Stop(TimeSpan.FromSeconds(60)));
    }
}
