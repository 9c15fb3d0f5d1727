using System.Globalization;
using Xunit.Abstractions;

namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 15, "Redundant edges", live: the two-edge example region (docs/examples/region-two-edges.json), its second edge
/// in a process of its own. An instance pings the internet and the internet pings the instance's public IP, the
/// outbound flow chosen so that the cards send it to the second edge; that edge is killed with <c>kill -9</c>. Traffic
/// resumes through the first edge within the failover bound (docs/card-edges.md), the cards' edge set no longer names the
/// dead edge, no frame goes to its underlay IP afterwards (a capture on the underlay router), and once the region
/// starts it again it rejoins the set and carries the flow again. The gap is printed (docs/reliability.md). Needs root:
/// skipped with the reason otherwise.
/// </summary>
public sealed partial class EdgeFailoverLiveTests(ITestOutputHelper output)
{
    private const string Region = "region-two-edges.json";
    private const string Instance = "eni-a1";
    private const string InstanceIp = "10.0.1.10";
    private const string PublicIp = "198.51.100.10";
    private const string FirstEdge = "blackfoot-1";
    private const string FirstEdgeIp = "192.0.2.250";
    private const string SecondEdge = "blackfoot-2";
    private const string SecondEdgeIp = "192.0.2.251";

    /// <summary>
    /// The failover bound of docs/card-edges.md — 3 missed heartbeats of 1 s, one check interval — plus 2 s for the push to
    /// reach the cards and for a region sharing two loaded cores.
    /// </summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3 + 1 + 2);

    [SkippableTheory]
    [InlineData("model")]
    [InlineData("rtl")]
    public void Killing_the_edge_that_carries_a_flow_moves_it_to_the_other_edge_within_the_bound(string engine)
    {
        Host.RequireLiveRegion();
        if (engine == "rtl" && RtlRouting.Missing() is { } missing)
            Skip.If(true, missing);
        Skip.IfNot(Host.HasTool("tshark"), "tshark is not installed (the capture on the underlay router)");
        using (var region = LiveRegionProcess.Up(Region, engine, TimeSpan.FromSeconds(180)))
        {
            Assert.Contains($"edge {SecondEdge}: its own process", region.Error, StringComparison.Ordinal);
            var destination = AddressOnSecondEdge();
            Host.Run("ip", "-n", "internet", "link", "set", "lo", "up");
            Host.Run("ip", "-n", "internet", "address", "add", $"{destination}/32", "dev", "lo");
            Assert.True(Host.WaitFor(() => LiveRegionProcess.InEdgeSet(FirstEdge) && LiveRegionProcess.InEdgeSet(SecondEdge), 20), LiveRegionProcess.Api("edges").Output);

            using var outbound = Pinger.Start(Instance, destination);
            using var inbound = Pinger.Start("internet", PublicIp);
            // The flow is the second edge's: its NAT counts it.
            var before = NatOutbound(SecondEdge);
            Assert.True(Host.WaitFor(() => NatOutbound(SecondEdge) >= before + 20, 30),
                $"{SecondEdge} does not carry {Instance} → {destination}: {outbound.RepliesSince(DateTime.UtcNow.AddSeconds(-30))} replies; "
                + $"{LiveRegionProcess.Api("edges").Output}; {EdgeSetSection(LiveRegionProcess.Card("host-a", "tables").Output)}; "
                + $"{LiveRegionProcess.Card(FirstEdge, "counters").Output}; {LiveRegionProcess.Card(SecondEdge, "counters").Output}; {region.Error}");

            var pid = EdgePid(SecondEdge);
            var killed = DateTime.UtcNow;
            Assert.Equal(0, Host.Run("kill", "-9", pid.ToString(CultureInfo.InvariantCulture)).Code);

            // Out of the cards' set within the bound, and nothing for it on the substrate after that.
            Assert.True(Host.WaitFor(() => !LiveRegionProcess.InEdgeSet(SecondEdge), (int)Bound.TotalSeconds + 5), LiveRegionProcess.Api("edges").Output);
            var left = DateTime.UtcNow - killed;
            var edgeSet = EdgeSetSection(LiveRegionProcess.Card("host-a", "tables").Output);
            Assert.DoesNotContain(SecondEdgeIp, edgeSet, StringComparison.Ordinal);
            Assert.Contains(FirstEdgeIp, edgeSet, StringComparison.Ordinal);
            var (toDead, toLive) = CaptureUnderlay(TimeSpan.FromSeconds(3));
            Assert.True(DateTime.UtcNow - killed < LiveEdgeProcess.RestartDelay, "the capture ran into the edge's restart: the region was too slow to tell");
            Assert.Equal(0, toDead);
            Assert.True(toLive > 0, $"no frame to {FirstEdgeIp} while pings ran: the capture saw nothing");

            // Traffic resumed through the first edge: the longest silence of each ping around the kill.
            Thread.Sleep(1000);
            var outboundGap = outbound.LongestGap(killed.AddSeconds(-2));
            var inboundGap = inbound.LongestGap(killed.AddSeconds(-2));
            output.WriteLine(FormattableString.Invariant(
                $"{engine}: {SecondEdge} out of the cards' set {left.TotalSeconds:F1} s after kill -9; longest gap {Instance} → {destination} {outboundGap.TotalSeconds:F2} s, internet → {PublicIp} {inboundGap.TotalSeconds:F2} s"));
            Assert.True(outboundGap < Bound, $"outbound traffic stopped for {outboundGap.TotalSeconds:F2} s (bound {Bound.TotalSeconds} s)");
            Assert.True(inboundGap < Bound, $"inbound traffic stopped for {inboundGap.TotalSeconds:F2} s (bound {Bound.TotalSeconds} s)");
            Assert.True(outbound.RepliesSince(DateTime.UtcNow.AddSeconds(-1)) > 0, "the instance's pings do not come back any more");
            Assert.True(inbound.RepliesSince(DateTime.UtcNow.AddSeconds(-1)) > 0, "the internet's pings do not come back any more");

            // The region starts the edge again; it heartbeats, rejoins the set and carries the flow again.
            Assert.True(Host.WaitFor(() => LiveRegionProcess.InEdgeSet(SecondEdge), (int)LiveEdgeProcess.RestartDelay.TotalSeconds + 40), LiveRegionProcess.Api("edges").Output + region.Error);
            Assert.NotEqual(pid, EdgePid(SecondEdge));
            Assert.Contains(SecondEdgeIp, EdgeSetSection(LiveRegionProcess.Card("host-a", "tables").Output), StringComparison.Ordinal);
            Assert.True(Host.WaitFor(() => NatOutbound(SecondEdge) >= 20, 20), $"{SecondEdge} does not carry {Instance} → {destination} after its restart");
            output.WriteLine(FormattableString.Invariant($"{engine}: {SecondEdge} back in the set {(DateTime.UtcNow - killed).TotalSeconds:F1} s after kill -9"));
            outbound.Dispose();
            inbound.Dispose();
            var exit = region.Stop(TimeSpan.FromSeconds(60));
            Assert.True(exit == 0, $"region up exited with {exit}: {region.Error}");
        }
        LiveRegionProcess.AssertNothingLeft();
    }

    /// <summary>
    /// Gateway-endpoint flows keep their state on the edge that saw them: with two edges, the services namespace must send
    /// each reply back through the edge its flow came in from (nftables marks), or half of the requests would hang.
    /// </summary>
    [SkippableFact]
    public void Every_gateway_endpoint_request_is_answered_whichever_edge_carries_it()
    {
        Host.RequireLiveRegion();
        using (var region = LiveRegionProcess.Up(Region, "model", TimeSpan.FromSeconds(180)))
        {
            Assert.True(Host.WaitFor(() => LiveRegionProcess.InEdgeSet(FirstEdge) && LiveRegionProcess.InEdgeSet(SecondEdge), 20), LiveRegionProcess.Api("edges").Output);
            // Each request a new flow (a new source port): both edges carry some of them.
            var before = (First: LiveRegionProcess.EdgeCounter(FirstEdge, "rx.substrate"), Second: LiveRegionProcess.EdgeCounter(SecondEdge, "rx.substrate"));
            for (var i = 0; i < 16; i++)
            {
                var (code, body) = Host.Run(TimeSpan.FromSeconds(20), "ip", "netns", "exec", i % 2 == 0 ? Instance : "eni-a2",
                    "curl", "-sS", "--max-time", "5", "-H", "Host: s3.amazonaws.com", string.Create(CultureInfo.InvariantCulture, $"http://198.51.100.129/allowed-bucket/{i}"));
                Assert.True(code == 0, $"request {i}: {body}");
                Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"s3 object /allowed-bucket/{i}"), body, StringComparison.Ordinal);
            }
            Assert.True(LiveRegionProcess.EdgeCounter(FirstEdge, "rx.substrate") > before.First, "no request went through " + FirstEdge);
            Assert.True(LiveRegionProcess.EdgeCounter(SecondEdge, "rx.substrate") > before.Second, "no request went through " + SecondEdge);
            Assert.Equal(0, LiveRegionProcess.EdgeCounter(FirstEdge, "drop.unknown-flow") + LiveRegionProcess.EdgeCounter(SecondEdge, "drop.unknown-flow"));
            var exit = region.Stop(TimeSpan.FromSeconds(60));
            Assert.True(exit == 0, $"region up exited with {exit}: {region.Error}");
        }
        LiveRegionProcess.AssertNothingLeft();
    }

    [SkippableFact]
    public void Region_down_after_a_killed_region_stops_the_edge_processes_and_removes_everything()
    {
        Host.RequireLiveRegion();
        int edgePid;
        using (var region = LiveRegionProcess.Up(Region, "model", TimeSpan.FromSeconds(180)))
        {
            edgePid = EdgePid(SecondEdge);
            region.Kill();   // the region process only: its edge process lives on, as after a crash
            Assert.True(ProcessIsRunning(edgePid), $"edge {SecondEdge} (pid {edgePid}) died with the region's process");
        }
        // Disposing ran `region down`.
        Assert.False(ProcessIsRunning(edgePid), $"region down left edge {SecondEdge} (pid {edgePid}) running");
        LiveRegionProcess.AssertNothingLeft();
    }

    [Fact]
    public async Task A_region_with_several_edges_and_no_program_to_run_them_is_refused_before_anything_is_made()
    {
        var region = NitroCard.Region.RegionLoader.Load(LiveRegionProcess.Region(Region));
        var options = new LiveRegionOptions("model", () => throw new InvalidOperationException("no card may be made"), null, null, TimeSpan.FromSeconds(1));
        var refused = await Assert.ThrowsAsync<LiveException>(() => LiveRegion.UpAsync(region, options));
        Assert.Equal("a region with 2 edges runs every edge but the first in its own process, and no program to run them was given", refused.Message);
    }

    private static bool ProcessIsRunning(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    /// <summary>
    /// An address in 203.0.113.0/24 whose ping from the instance the cards send to the second edge while both are in the
    /// set (the card's flow hash of the ICMP 3-tuple, the slots of a card whose first set is both edges).
    /// </summary>
    private static string AddressOnSecondEdge()
    {
        for (var host = 2; host < 255; host++)
        {
            var address = string.Create(CultureInfo.InvariantCulture, $"203.0.113.{host}");
            if (CardEdgeChoice.OfPing(InstanceIp, address, FirstEdgeIp, SecondEdgeIp) == SecondEdgeIp)
                return address;
        }
        throw new InvalidOperationException("no address of 203.0.113.0/24 hashes to the second edge");
    }

    /// <summary>The edge's <c>nat.outbound</c> (0 while its control socket does not answer: the edge is dead or starting).</summary>
    private static long NatOutbound(string edge) => LiveRegionProcess.EdgeCounter(edge, "nat.outbound");


    /// <summary>The <c>edge set</c> table of <c>nitroctl card ... tables</c> (what the firmware wrote to EDGE_SET).</summary>
    private static string EdgeSetSection(string tables)
    {
        var at = tables.IndexOf("edge set (", StringComparison.Ordinal);
        Assert.True(at >= 0, $"no edge set in: {tables}");
        var end = tables.IndexOf("\n\n", at, StringComparison.Ordinal);
        return end < 0 ? tables[at..] : tables[at..end];
    }

    /// <summary>The pid of the process running edge <paramref name="name"/> (<c>nitroctl region edge --name</c>).</summary>
    private static int EdgePid(string name)
        => LiveRegionProcess.ProcessesWhere(a => a.Length >= 4 && a.AsSpan(a.Length - 4).SequenceEqual(["region", "edge", "--name", name])) is [var pid]
            ? pid
            : throw new InvalidOperationException($"not one process runs edge {name}");

    /// <summary>Frames to the dead and to the live edge's underlay IP (the outer destination: VXLAN frames hold another IPv4 inside) seen on the underlay router's ports for <paramref name="duration"/>.</summary>
    private static (int ToDead, int ToLive) CaptureUnderlay(TimeSpan duration)
    {
        var (code, text) = Host.Run("ip", "netns", "exec", "nc-underlay", "tshark", "-n", "-i", "any", "-a", $"duration:{(int)duration.TotalSeconds}",
            "-f", $"dst host {SecondEdgeIp} or dst host {FirstEdgeIp}", "-T", "fields", "-E", "occurrence=f", "-e", "ip.dst");
        Assert.True(code == 0, text);
        var lines = text.Split('\n', StringSplitOptions.TrimEntries);
        return (lines.Count(l => l == SecondEdgeIp), lines.Count(l => l == FirstEdgeIp));
    }
}
