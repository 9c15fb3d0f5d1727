using System.Globalization;
using System.Text.RegularExpressions;

namespace NitroCard.Live.Tests;

/// <summary>
/// <c>region up --substrate-faults</c> on a real machine (issue "Nothing lost under faults": this kernel has no netem, so
/// the pump injects the underlay's faults): a ping across the substrate takes the delay on each of the four link
/// crossings of its round trip and comes back duplicated, and the card host counts what it injected. Needs root: skipped with the reason otherwise.
/// </summary>
public partial class SubstrateFaultsLiveTests
{
    [SkippableFact]
    public void Substrate_faults_delay_and_duplicate_card_to_card_frames_and_are_counted()
    {
        Host.RequireLiveRegion();
        using (var region = LiveRegionProcess.Up("two-hosts.json", "model", TimeSpan.FromSeconds(90), "--substrate-faults", "delay=20,duplicate=1,seed=5"))
        {
            Assert.Contains("substrate faults on every card host's link, each direction: drop=0,duplicate=1,reorder=0,delay=20,jitter=0,seed=5", region.Error, StringComparison.Ordinal);

            // eni-red1 (host-a) to eni-red2 (host-b): out of card A, into card B, and back: 4 × 20 ms; each crossing
            // doubles the frame, so the request arrives 4 times and each reply 4 times.
            var (code, across) = Host.Ping("eni-red1", "10.0.2.20", count: 2);
            Assert.True(code == 0, across);
            // The first request arrives 4 times and each of its 4 replies 4 times: 16 copies, 15 of them duplicates (ping
            // exits at the second request's first reply, so its copies may come too late to count).
            Assert.True(int.Parse(Duplicates().Match(across).Groups[1].Value, CultureInfo.InvariantCulture) >= 15, across);
            Assert.True(MinimumRtt(across) >= 80, $"a round trip over the substrate took less than 4 × 20 ms: {across}");

            var counters = LiveRegionProcess.Card("host-a", "counters");
            Assert.Equal(0, counters.Code);
            Assert.True(Count(counters.Output, "substrate_from_card_duplicated") >= 2, counters.Output);
            Assert.True(Count(counters.Output, "substrate_to_card_duplicated") >= 2, counters.Output);
            Assert.Equal(0, Count(counters.Output, "substrate_to_card_dropped"));
            Assert.Equal(0, region.Stop(TimeSpan.FromSeconds(30)));
        }
        LiveRegionProcess.AssertNothingLeft();
    }

    [Fact]
    public void A_wrong_fault_is_refused_before_anything_is_made()
    {
        var (code, output) = Host.Run(LiveRegionProcess.Nitroctl, "region", "up", "--topology", LiveRegionProcess.Region("two-hosts.json"), "--substrate-faults", "drop=2");
        Assert.NotEqual(0, code);
        Assert.Contains("--substrate-faults 'drop=2': substrate faults: drop '2' is not a probability from 0 to 1", output, StringComparison.Ordinal);
    }

    private static double MinimumRtt(string ping)
    {
        var match = RttLine().Match(ping);
        Assert.True(match.Success, ping);
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static long Count(string counters, string name)
        => LiveRegionProcess.CounterOf(counters, name) ?? throw new InvalidOperationException($"no {name} in: {counters}");

    [GeneratedRegex(@"received, \+(\d+) duplicates")]
    private static partial Regex Duplicates();

    [GeneratedRegex(@"rtt min/avg/max/mdev = ([\d.]+)/")]
    private static partial Regex RttLine();
}
