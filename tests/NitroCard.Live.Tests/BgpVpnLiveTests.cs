using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace NitroCard.Live.Tests;

/// <summary>
/// A BGP VPN connection live (issue 13): the site <c>vpn-vpn-bgp</c> runs strongSwan as customer gateway and BIRD as the
/// customer's router, peering with the edge's own speaker (in <c>nc-vgw-vpn-bgp</c>) over each tunnel's inside
/// addresses. The site's network 172.16.50.0/24 is configured only in BIRD: the cards get it through the edge's BGP
/// sessions and the Mapping Service. Prints the figures of docs/benchmarks/edge.md ("BGP VPN, live") with
/// <c>--logger "console;verbosity=detailed"</c>; asserts no timing.
/// </summary>
public sealed class BgpVpnLiveTests(ITestOutputHelper output)
{
    private static readonly string Region = LiveRegionProcess.Region("bgp-vpn.json");
    private const string Site = "vpn-vpn-bgp";
    private const string Eni = "eni-bgp1";
    private const string SitePrefix = "172.16.50.0/24";
    private const string SiteAddress = "172.16.50.1";
    private static readonly string Bird = Path.Combine("/var/lib/nitrocard", Site);

    [SkippableFact]
    public void Bird_learns_the_vpc_the_cards_learn_the_site_through_the_service_tunnel_1_fails_over_to_tunnel_2_and_stopping_bird_withdraws_the_routes()
    {
        Host.RequireLiveRegion();
        Skip.IfNot(File.Exists("/usr/lib/ipsec/charon") && File.Exists("/usr/sbin/swanctl"), "strongSwan is not installed (see build.ps1)");
        Skip.IfNot(File.Exists("/usr/sbin/bird") && File.Exists("/usr/sbin/birdc"), "BIRD 2 is not installed (bird2; see build.ps1)");
        var up = Stopwatch.StartNew();
        using var region = LiveRegionProcess.Up(Region, "model", TimeSpan.FromSeconds(120));
        var ready = up.Elapsed;

        // Both tunnels up and both sessions Established, on the edge and in BIRD.
        Assert.True(Host.WaitFor(() => Describe().Split('\n').Count(l => l.Contains("status UP", StringComparison.Ordinal) && l.Contains("bgp Established", StringComparison.Ordinal)) == 2, 60),
            Describe() + Birdc("show", "protocols") + Log("bird.log"));
        var established = up.Elapsed;
        var protocols = Birdc("show", "protocols");
        Assert.Equal(2, protocols.Split('\n').Count(l => l.StartsWith("tunnel", StringComparison.Ordinal) && l.Contains("Established", StringComparison.Ordinal)));

        // The VPC's CIDR is in BIRD's table, from the edge's AS over both tunnels.
        Assert.True(Host.WaitFor(() => Birdc("show", "route", "for", "10.0.0.0/16", "all").Contains("BGP.as_path: 64512", StringComparison.Ordinal), 10), Birdc("show", "route", "all"));
        // The site's prefix, configured only in BIRD, went edge → Mapping Service → the card's route table.
        Assert.True(Host.WaitFor(() => CardHasRoute(), 15), Tables());
        Assert.Contains(SitePrefix, Describe(), StringComparison.Ordinal);

        // Traffic both ways: ping, and HTTP (curl) to a python http.server (which can take many seconds to start on a
        // loaded machine: hence the long waits).
        LiveRegionTests.AssertPings(Eni, SiteAddress);
        LiveRegionTests.AssertPings(Site, "10.0.1.10");
        using (var server = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", Site, "python3", "-m", "http.server", "8080", "--bind", SiteAddress]) { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            try
            {
                Assert.True(Host.WaitFor(() => Host.HttpGet(Eni, $"http://{SiteAddress}:8080/").Code == 0, 60), "curl from the VPC to the site failed");
            }
            finally
            {
                server.Kill();
            }
        }
        using (var server = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", Eni, "python3", "-m", "http.server", "8080", "--bind", "10.0.1.10"]) { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            try
            {
                Assert.True(Host.WaitFor(() => Host.HttpGet(Site, "http://10.0.1.10:8080/").Code == 0, 60), "curl from the site to the VPC failed");
            }
            finally
            {
                server.Kill();
            }
        }
        Assert.Contains("tunnel1 198.51.100.201 inside 169.254.10.1/30 status UP (preferred)", Describe(), StringComparison.Ordinal);

        // Failover: pings every 10 ms from the card to the site while the customer terminates tunnel 1.
        var encryptedOnTunnel2 = EdgeCounter("esp.encrypted.vpn-bgp.tunnel2");
        var (terminatedAt, replies) = PingDuring(Eni, SiteAddress, () =>
        {
            var terminate = Swanctl("--terminate", "--ike", "tunnel1");
            Assert.True(terminate.Code == 0, terminate.Output);
        });
        var failover = LongestGap(replies, terminatedAt);
        Assert.Contains("tunnel2 198.51.100.202 inside 169.254.11.1/30 status UP (preferred)", Describe(), StringComparison.Ordinal);
        Assert.True(EdgeCounter("esp.encrypted.vpn-bgp.tunnel2") > encryptedOnTunnel2, "the edge did not move to tunnel 2");
        LiveRegionTests.AssertPings(Eni, SiteAddress);
        LiveRegionTests.AssertPings(Site, "10.0.1.10");

        // Tunnel setup: the customer starts tunnel 1 again; time to both SAs, then to its session Established.
        var setup = Stopwatch.StartNew();
        Assert.Equal(0, Swanctl("--initiate", "--child", "tunnel1").Code);
        Assert.True(Host.WaitFor(() => Tunnel1().Contains("status UP", StringComparison.Ordinal), 30), Describe());
        var tunnelUp = setup.Elapsed;
        Assert.True(Host.WaitFor(() => Tunnel1().Contains("bgp Established", StringComparison.Ordinal), 60), Describe() + Birdc("show", "protocols"));
        var sessionUp = setup.Elapsed;

        // Propagation: BIRD withdraws the site (its static protocol off), the card loses the route; BIRD announces it
        // again while the card pings every 10 ms: the first reply is the announcement's way to the card (and back).
        Assert.Contains("disabled", Birdc("disable", "site"), StringComparison.Ordinal);
        Assert.True(Host.WaitFor(() => !CardHasRoute(), 15), Tables());
        var (announcedAt, afterAnnounce) = PingDuring(Eni, SiteAddress, () => Assert.Contains("enabled", Birdc("enable", "site"), StringComparison.Ordinal));
        Assert.True(afterAnnounce.Count > 0, "no reply after BIRD announced the site again");
        var propagation = TimeSpan.FromSeconds(afterAnnounce.Min() - announcedAt);
        Assert.True(CardHasRoute(), Tables());

        // BIRD stopped: both sessions end, the edge has no prefixes and the card's route is withdrawn.
        var stop = Stopwatch.StartNew();
        Birdc("down");
        Assert.True(Host.WaitFor(() => !CardHasRoute(), 60), Tables() + Describe());
        var withdrawn = stop.Elapsed;
        Assert.DoesNotContain("bgp Established", Describe(), StringComparison.Ordinal);
        Assert.NotEqual(0, Host.Ping(Eni, SiteAddress, count: 2).Code);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bgp-vpn live: region ready {ready.TotalSeconds:F1} s, both tunnels UP + BGP Established {established.TotalSeconds:F1} s after region up started; " +
            $"tunnel 1 setup (swanctl --initiate -> UP) {tunnelUp.TotalMilliseconds:F0} ms, -> BGP Established {sessionUp.TotalMilliseconds:F0} ms; " +
            $"failover (terminate tunnel 1 -> traffic on tunnel 2, longest gap in 10 ms pings) {failover.TotalMilliseconds:F0} ms; " +
            $"propagation (birdc enable site -> first reply on the card's ENI) {propagation.TotalMilliseconds:F0} ms; " +
            $"withdrawal (birdc down -> route gone from the card) {withdrawn.TotalMilliseconds:F0} ms"));
        Assert.Equal(0, region.Stop(TimeSpan.FromSeconds(60)));
    }

    private static string Describe() => Host.Run(LiveRegionProcess.Nitroctl, "describe-vpn-connections", "--edge", "blackfoot-1").Output;

    private static string Tunnel1() => Describe().Split('\n').FirstOrDefault(l => l.Contains("tunnel1", StringComparison.Ordinal)) ?? "";

    private static string Tables() => LiveRegionProcess.Card("host-a", "tables").Output;

    /// <summary>
    /// Whether host-a's card has the site's route: <c>card tables</c> lists each route, and the site's prefix must be
    /// there as a propagated route to the edge.
    /// </summary>
    private static bool CardHasRoute() => System.Text.RegularExpressions.Regex.IsMatch(Tables(),
        @"\n\s*\d+\s+" + System.Text.RegularExpressions.Regex.Escape(SitePrefix) + @"\s+edge \S+\s+propagated\s*\n");

    private static string Birdc(params string[] command) => Host.Run("/usr/sbin/birdc", ["-s", Path.Combine(Bird, "bird.ctl"), .. command]).Output;

    private static string Log(string name)
    {
        var path = Path.Combine(Bird, name);
        return File.Exists(path) ? $"\n--- {name} ---\n" + string.Join('\n', File.ReadAllLines(path).TakeLast(30)) : "";
    }

    private static long EdgeCounter(string name) => LiveRegionProcess.EdgeCounter("blackfoot-1", name);

    private static (int Code, string Output) Swanctl(params string[] args)
    {
        var pid = Host.Run("ip", "netns", "pids", Site).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .First(p => File.ReadAllText($"/proc/{p.Trim()}/comm").Trim() == "charon").Trim();
        return Host.Run("nsenter", ["-t", pid, "-m", "-n", "/usr/sbin/swanctl", .. args]);
    }

    /// <summary>
    /// Pings every 10 ms for 5 s, runs <paramref name="action"/> after 1 s; returns when the action started and the
    /// times of the replies (Unix time, from <c>ping -D</c>).
    /// </summary>
    private static (double ActionAt, List<double> Replies) PingDuring(string ns, string address, Action action)
    {
        using var ping = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", ns, "ping", "-D", "-n", "-i", "0.01", "-W", "1", "-w", "5", address]) { RedirectStandardOutput = true })!;
        var output = ping.StandardOutput.ReadToEndAsync();
        Thread.Sleep(1000);
        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        action();
        ping.WaitForExit();
        var replies = output.Result.Split('\n')
            .Where(l => l.StartsWith('[') && l.Contains("bytes from", StringComparison.Ordinal))
            .Select(l => double.Parse(l[1..l.IndexOf(']', StringComparison.Ordinal)], CultureInfo.InvariantCulture))
            .Where(t => t >= at).ToList();
        return (at, replies);
    }

    /// <summary>The longest time without a reply from <paramref name="from"/> on (to the first reply, then between replies).</summary>
    private static TimeSpan LongestGap(List<double> replies, double from)
    {
        Assert.NotEmpty(replies);
        var gap = replies[0] - from;
        for (var i = 1; i < replies.Count; i++)
            gap = Math.Max(gap, replies[i] - replies[i - 1]);
        return TimeSpan.FromSeconds(gap);
    }
}
