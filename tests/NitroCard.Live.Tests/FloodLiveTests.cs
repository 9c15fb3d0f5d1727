using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NitroCard.Live.Tests;

/// <summary>
/// Abuse from inside an instance (issue "Nothing lost under faults", exhaustion): <c>eni-blue1</c> floods its TAP with
/// 100,000 small valid frames (iperf3, UDP, 18-byte payloads, as fast as it can write) and then with 100,000 malformed
/// ones (tools/flood/malformed_flood.py on a raw socket); a neighbour on the same card keeps talking, the card and the
/// pump survive, and every malformed frame is counted: by the card as a drop, or by the pump or the kernel as lost on
/// the way. Needs root: skipped with the reason otherwise.
/// </summary>
public partial class FloodLiveTests
{
    private const int Frames = 100_000;

    [SkippableTheory]
    [InlineData("model")]
    [InlineData("rtl")]
    public void A_flooding_instance_is_counted_and_its_neighbours_keep_talking(string engine)
    {
        Host.RequireLiveRegion();
        using (var region = LiveRegionProcess.Up("two-hosts.json", engine, TimeSpan.FromSeconds(90)))
        {
            using (Host.StartIn("eni-blue2", "iperf3", "-s", "-1"))
                Flood(region);
            Assert.Equal(0, region.Stop(TimeSpan.FromSeconds(30)));
        }
        LiveRegionProcess.AssertNothingLeft();
    }

    private static void Flood(LiveRegionProcess region)
    {
        {
            Assert.True(Host.WaitFor(() => Host.In("eni-blue2", "ss", "-ltn", "sport = :5201").Output.Contains("5201", StringComparison.Ordinal), 30), "iperf3 -s did not listen");

            // The valid flood, with eni-red1 (same card) pinging eni-red2 (the other card) while it runs.
            var flood = Task.Run(() => Host.Run(TimeSpan.FromSeconds(120), "ip", "netns", "exec", "eni-blue1",
                "iperf3", "-c", "10.0.1.20", "-u", "-b", "0", "-l", "18", "-k", Frames.ToString(CultureInfo.InvariantCulture), "-J"));
            var ping = Host.Ping("eni-red1", "10.0.2.20", count: 10);
            var (floodCode, floodJson) = flood.GetAwaiter().GetResult();
            Assert.True(floodCode == 0, floodJson);
            using (var report = JsonDocument.Parse(floodJson))
                Assert.True(report.RootElement.GetProperty("end").GetProperty("sum").GetProperty("packets").GetInt64() >= Frames, floodJson);
            Assert.True(ping.Code == 0, $"eni-red1 lost its neighbour during eni-blue1's flood: {ping.Output}");
            region.AssertRunning();

            // The malformed flood: each frame ends as a card drop, a pump queue overflow or a kernel drop at the TAP.
            var before = Counters("host-a", "eni-blue1");
            var malformed = Host.Run(TimeSpan.FromSeconds(300), "ip", "netns", "exec", "eni-blue1", "python3",
                RepoPaths.File("tools/flood/malformed_flood.py"), "--count", Frames.ToString(CultureInfo.InvariantCulture), "--seed", "1");
            Assert.True(malformed.Code == 0, malformed.Output);
            Assert.Contains($"sent {Frames} frames", malformed.Output, StringComparison.Ordinal);
            var after = WaitForCounted("host-a", "eni-blue1", before);
            var accounted = after.Accounted - before.Accounted;
            // A few frames of the instance's own (ARP, IPv6 solicitations) may be dropped beside the flood.
            Assert.InRange(accounted, Frames, Frames + 200);

            // The card and the pump are fine: both instances still reach their peers.
            LiveRegionTests.AssertPings("eni-red1", "10.0.2.20");
            LiveRegionTests.AssertPings("eni-blue1", "10.0.1.20");
        }
    }

    /// <summary>Card drops of every reason, and the ENI's frames lost before the card (the pump's queue, the kernel at its TAP).</summary>
    private sealed record FloodCounters(long Drops, long PumpQueueOverflow, long TapTxDropped)
    {
        public long Accounted => Drops + PumpQueueOverflow + TapTxDropped;
    }

    private static FloodCounters WaitForCounted(string host, string eni, FloodCounters before)
    {
        // The card may still be working through the pump's queue when the flooder exits.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var now = Counters(host, eni);
        while (now.Accounted - before.Accounted < Frames && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(500);
            now = Counters(host, eni);
        }
        return now;
    }

    private static FloodCounters Counters(string host, string eni)
    {
        var (code, text) = LiveRegionProcess.Card(host, "counters");
        Assert.True(code == 0, text);
        var prefix = $"eni_{LiveRegionProcess.EniSlotOf(text, eni)}_";
        var drops = DropLine().Matches(text).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        return new FloodCounters(drops, LiveRegionProcess.CounterOf(text, prefix + "pump_queue_overflow") ?? 0, LiveRegionProcess.CounterOf(text, prefix + "tap_tx_dropped") ?? 0);
    }

    [GeneratedRegex(@"drop_[a-z_]+: (\d+)")]
    private static partial Regex DropLine();
}
