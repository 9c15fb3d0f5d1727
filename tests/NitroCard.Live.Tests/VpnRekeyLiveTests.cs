using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace NitroCard.Live.Tests;

/// <summary>
/// Rekeys forced by the lifetimes themselves (issue 13): <c>regions/ike-rekey.json</c> shortens both tunnels' lifetimes
/// for a test (IKE SA 60 s, child SA 30 s, margin 5 s: below AWS's 900 s, which the validator takes only in 10..119), so
/// the edge and strongSwan rekey child SAs every 20–25 s and IKE SAs every 50–55 s on their own while iperf3 runs UDP
/// both ways through the tunnel. UDP at a fixed modest rate is what measures loss: every datagram carries a sequence
/// number and iperf3 counts the ones that never arrived, whereas TCP would retransmit them (and count spurious
/// retransmits from delay on a loaded machine too) and slow down instead. Prints the figures of docs/benchmarks/edge.md
/// ("loss during rekey") with <c>--logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed partial class VpnRekeyLiveTests(ITestOutputHelper output)
{
    private static readonly string Region = LiveRegionProcess.Region("ike-rekey.json");
    private const string Site = "vpn-vpn-rekey";
    private const string Eni = "eni-rekey1";
    private const string EniAddress = "10.0.1.10";
    private const int Seconds = 75;

    [SkippableFact]
    public void Short_lifetimes_rekey_child_and_ike_sas_of_both_tunnels_under_iperf3_udp_both_ways_without_losing_a_datagram()
    {
        Host.RequireLiveRegion();
        Skip.IfNot(File.Exists("/usr/lib/ipsec/charon") && File.Exists("/usr/sbin/swanctl"), "strongSwan is not installed (see build.ps1)");
        Skip.IfNot(Host.HasTool("iperf3"), "iperf3 is not installed (see build.ps1)");
        using var region = LiveRegionProcess.Up(Region, "model", TimeSpan.FromSeconds(120));
        Assert.True(Host.WaitFor(() => Describe().Split('\n').Count(l => l.Contains("status UP", StringComparison.Ordinal)) == 2, 30), Describe());
        LiveRegionTests.AssertPings(Site, EniAddress);
        var before = SaIds();
        var edgeCpuBefore = EdgeThreadCpuSeconds(region.Pid);
        var espBefore = EspPackets();

        // 1000-byte datagrams at 2 Mbit/s each way (250 packets/s each way), for longer than an IKE SA lives.
        using var server = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", Eni, "iperf3", "-s", "-B", EniAddress]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            Assert.True(Host.WaitFor(() => Host.In(Eni, "ss", "-ltn", "sport = :5201").Output.Contains("5201", StringComparison.Ordinal), 30), "iperf3 -s did not listen");
            var client = Host.Run(TimeSpan.FromSeconds(Seconds + 60), "ip", "netns", "exec", Site,
                "iperf3", "-c", EniAddress, "-u", "-b", "2M", "-l", "1000", "-w", "2M", "-t", Seconds.ToString(CultureInfo.InvariantCulture), "--bidir", "-J");
            Assert.True(client.Code == 0, client.Output);
            using var json = JsonDocument.Parse(client.Output);
            var end = json.RootElement.GetProperty("end");
            var toVpc = end.GetProperty("sum");
            var toSite = end.GetProperty("sum_bidir_reverse");
            var after = SaIds();
            var edgeCpu = EdgeThreadCpuSeconds(region.Pid) - edgeCpuBefore;
            var esp = EspPackets() - espBefore;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rekey live: {Seconds} s UDP 2 Mbit/s each way; site→VPC {Lost(toVpc)} lost of {Sent(toVpc)}, VPC→site {Lost(toSite)} lost of {Sent(toSite)}; "
                + $"strongSwan's child SA numbers +{after.Children - before.Children}, IKE SA numbers +{after.IkeSas - before.IkeSas}; edge {Counters("rekey")}"));
            foreach (var second in json.RootElement.GetProperty("intervals").EnumerateArray())
            {
                foreach (var stream in second.GetProperty("streams").EnumerateArray().Where(s => s.TryGetProperty("lost_packets", out var lost) && lost.GetInt64() > 0))
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  lost at {stream.GetProperty("start").GetDouble():F0} s {(stream.GetProperty("sender").GetBoolean() ? "site→VPC" : "VPC→site")}: {stream.GetProperty("lost_packets").GetInt64()}"));
                }
            }
            // A receiver starved of CPU (two cores, other builds) overflows its socket buffer: that is not loss on the path.
            output.WriteLine($"UDP receive buffer errors: {Eni} {UdpReceiveBufferErrors(Eni)}, {Site} {UdpReceiveBufferErrors(Site)}");
            // What the edge's thread spends per ESP-in-UDP packet in the live region (encrypt or decrypt, its I/O, IKE and
            // polling included): packets per CPU-second of that one thread is packets per second per core.
            output.WriteLine(EdgeRate("250 packets/s each way", esp, edgeCpu));
            Assert.True(Sent(toVpc) > 0 && Sent(toSite) > 0, client.Output);
            Assert.Equal(0, Lost(toVpc));
            Assert.Equal(0, Lost(toSite));

            // Both kinds of rekey happened on both tunnels: strongSwan numbers every IKE SA and every child SA it
            // makes, so a rekey shows as a new number; the edge stamps the tunnel's last rekey.
            foreach (var tunnel in new[] { "tunnel1", "tunnel2" })
            {
                Assert.True(after.IkeIds[tunnel] > before.IkeIds[tunnel], $"{tunnel}: no IKE SA rekey\n{Swanctl("--list-sas")}");
                Assert.True(after.ChildIds[tunnel] > before.ChildIds[tunnel], $"{tunnel}: no child SA rekey\n{Swanctl("--list-sas")}");
            }
            var describe = Describe();
            Assert.Equal(2, describe.Split('\n').Count(l => l.Contains("status UP", StringComparison.Ordinal) && !l.Contains("last-rekey -", StringComparison.Ordinal)));

            // The same figure with the site sending as fast as it can for 10 s (no rate limit; loss not checked here).
            edgeCpuBefore = EdgeThreadCpuSeconds(region.Pid);
            espBefore = EspPackets();
            var flood = Host.Run(TimeSpan.FromSeconds(60), "ip", "netns", "exec", Site, "iperf3", "-c", EniAddress, "-u", "-b", "0", "-l", "1000", "-t", "10", "-J");
            Assert.True(flood.Code == 0, flood.Output);
            output.WriteLine(EdgeRate("site → VPC unlimited", EspPackets() - espBefore, EdgeThreadCpuSeconds(region.Pid) - edgeCpuBefore));
        }
        finally
        {
            if (!server.HasExited)
                server.Kill();
        }
        region.AssertRunning();
        Assert.Equal(0, region.Stop(TimeSpan.FromSeconds(60)));
    }

    private static long Lost(JsonElement sum) => sum.GetProperty("lost_packets").GetInt64();

    private static long Sent(JsonElement sum) => sum.GetProperty("packets").GetInt64();

    /// <summary>
    /// strongSwan's highest IKE SA number (<c>tunnel1: #7, ESTABLISHED</c>) and child SA number (indented <c>tunnel1: #12, reqid 1</c>) per
    /// tunnel in <c>swanctl --list-sas</c>, and how many of each it has made in all.
    /// </summary>
    private static (Dictionary<string, int> IkeIds, Dictionary<string, int> ChildIds, int IkeSas, int Children) SaIds()
    {
        var sas = Swanctl("--list-sas");
        var ike = IkeSaLine().Matches(sas).GroupBy(m => m.Groups[1].Value).ToDictionary(g => g.Key, g => g.Max(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));
        var child = ChildSaLine().Matches(sas).GroupBy(m => m.Groups[1].Value).ToDictionary(g => g.Key, g => g.Max(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));
        Assert.True(ike.Count == 2 && child.Count == 2, sas);
        return (ike, child, ike.Values.Max(), child.Values.Max());
    }

    [GeneratedRegex(@"^(tunnel\d): #(\d+), ESTABLISHED", RegexOptions.Multiline)]
    private static partial Regex IkeSaLine();

    [GeneratedRegex(@"^\s+(tunnel\d): #(\d+), reqid", RegexOptions.Multiline)]
    private static partial Regex ChildSaLine();

    /// <summary>The CPU time (user + system) of the region's thread named <c>edge</c> (the edge's own thread).</summary>
    private static double EdgeThreadCpuSeconds(int pid)
    {
        foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            // The edge thread is named "edge <edge name>", cut to 15 bytes by Linux; only the region's first edge runs in its process.
            if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith("edge ", StringComparison.Ordinal))
                continue;
            var stat = File.ReadAllText(Path.Combine(task, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // Fields 14 and 15 of stat (utime, stime), in clock ticks of 1/100 s; fields[0] is field 3.
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        throw new InvalidOperationException($"region process {pid} has no edge thread (named \"edge <name>\")");
    }

    private static string EdgeRate(string load, long packets, double cpuSeconds) => string.Create(CultureInfo.InvariantCulture,
        $"edge thread, {load}: {packets} ESP-in-UDP packets in {cpuSeconds:F2} CPU-s = {packets / Math.Max(cpuSeconds, 0.01):N0} packets/s per core");

    /// <summary>The namespace's <c>Udp: RcvbufErrors</c> (/proc/net/snmp): datagrams dropped for a full socket buffer.</summary>
    private static long UdpReceiveBufferErrors(string ns)
    {
        var udp = Host.Run("ip", "netns", "exec", ns, "cat", "/proc/net/snmp").Output.Split('\n').Where(l => l.StartsWith("Udp: ", StringComparison.Ordinal)).ToList();
        var column = Array.IndexOf(udp[0].Split(' '), "RcvbufErrors");
        return long.Parse(udp[1].Split(' ')[column], CultureInfo.InvariantCulture);
    }

    private static long EspPackets() => EdgeCounter("esp.encrypted") + EdgeCounter("esp.decrypted");

    private static long EdgeCounter(string name) => LiveRegionProcess.EdgeCounter("blackfoot-1", name);

    private static string Counters(string containing) => string.Join(", ",
        Host.Run(LiveRegionProcess.Nitroctl, "card", "--host", "blackfoot-1", "counters").Output.Split('\n')
            .Where(l => l.Contains(containing, StringComparison.Ordinal)).Select(l => l.Trim()));

    private static string Describe() => Host.Run(LiveRegionProcess.Nitroctl, "describe-vpn-connections", "--edge", "blackfoot-1").Output;

    /// <summary>swanctl against the site's charon (its vici socket is in charon's own mount namespace).</summary>
    private static string Swanctl(params string[] args)
    {
        var charon = Host.Run("ip", "netns", "pids", Site).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .First(pid => File.ReadAllText($"/proc/{pid.Trim()}/comm").Trim() == "charon").Trim();
        return Host.Run("nsenter", ["-t", charon, "-m", "-n", "/usr/sbin/swanctl", .. args]).Output;
    }
}
