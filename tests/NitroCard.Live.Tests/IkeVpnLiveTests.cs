using System.Diagnostics;

namespace NitroCard.Live.Tests;

/// <summary>
/// An IKE-keyed VPN connection live (issue 13): the site <c>vpn-vpn-1</c> runs strongSwan (charon with
/// kernel-libipsec, configured by swanctl from the region's tunnel options) as customer gateway against the edge's two
/// tunnel outside addresses; static routing (<c>customerCidrs</c>) propagated to the card.
/// </summary>
public sealed class IkeVpnLiveTests
{
    private static readonly string Region = LiveRegionProcess.Region("ike-vpn.json");
    private const string Site = "vpn-vpn-1";

    [SkippableFact]
    public void StrongSwan_establishes_both_tunnels_over_esp_in_udp_ping_crosses_both_ways_terminating_tunnel_1_moves_traffic_to_tunnel_2_and_rekeys_lose_nothing()
    {
        Host.RequireLiveRegion();
        Skip.IfNot(File.Exists("/usr/lib/ipsec/charon") && File.Exists("/usr/sbin/swanctl"), "strongSwan is not installed (see build.ps1)");
        var captures = Path.Combine(Path.GetTempPath(), "nitrocard-ike-live-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using (var region = LiveRegionProcess.Up(Region, "model", TimeSpan.FromSeconds(120), "--captures", captures))
            {
                // Both tunnels come up: the edge says so, and so does strongSwan.
                string describe = "";
                var deadline = Stopwatch.StartNew();
                while (deadline.Elapsed < TimeSpan.FromSeconds(30))
                {
                    describe = Host.Run(LiveRegionProcess.Nitroctl, "describe-vpn-connections", "--edge", "blackfoot-1").Output;
                    if (describe.Split('\n').Count(l => l.Contains("status UP", StringComparison.Ordinal)) == 2)
                        break;
                    Thread.Sleep(500);
                }
                Assert.True(describe.Split('\n').Count(l => l.Contains("status UP", StringComparison.Ordinal)) == 2, describe + Charon());
                Assert.Contains("ike ESTABLISHED AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256", describe, StringComparison.Ordinal);
                Assert.Contains("child INSTALLED AES_GCM_16_256 in UDP 4500", describe, StringComparison.Ordinal);
                var sas = Swanctl("--list-sas");
                Assert.Equal(2, CountOf(sas, "ESTABLISHED"));
                Assert.Contains("IKEv2", sas, StringComparison.Ordinal);
                Assert.Contains("INSTALLED, TUNNEL-in-UDP", sas, StringComparison.Ordinal);
                Assert.Contains("AES_GCM_16-256/PRF_HMAC_SHA2_256/ECP_256", sas, StringComparison.Ordinal);

                // Traffic both ways: the site (172.31.0.1) and the ENI on the card.
                LiveRegionTests.AssertPings(Site, "10.0.1.10");
                LiveRegionTests.AssertPings("eni-vpn1", "172.31.0.1");

                // The outside port's capture: IKE_SA_INIT on 500, then everything on 4500.
                var pcap = Path.Combine(captures, "edge-vpn-vpn-1.pcap");
                var init = Host.Run("tshark", "-r", pcap, "-Y", "udp.port == 500").Output;
                Assert.Contains("IKE_SA_INIT", init, StringComparison.Ordinal);
                Assert.DoesNotContain("IKE_AUTH", init, StringComparison.Ordinal);
                Assert.Contains("IKE_AUTH", Host.Run("tshark", "-r", pcap, "-Y", "udp.port == 4500").Output, StringComparison.Ordinal);
                var esp = Host.Run("tshark", "-r", pcap, "-Y", "esp && udp.port == 4500").Output;
                Assert.False(string.IsNullOrWhiteSpace(esp), "no ESP in UDP 4500 in " + pcap);
                // Failover: the customer terminates tunnel 1 (swanctl --terminate); the edge sees the IKE SA deleted and
                // sends over tunnel 2, and strongSwan's remaining child SA carries the site's traffic.
                Assert.Equal(0, EdgeCounter("esp.encrypted.vpn-1.tunnel2"));
                var terminate = SwanctlResult("--terminate", "--ike", "tunnel1");
                Assert.True(terminate.Code == 0, terminate.Output);
                var down = Stopwatch.StartNew();
                while (!Describe().Contains("tunnel1 198.51.100.201 inside 169.254.10.1/30 status DOWN", StringComparison.Ordinal) && down.Elapsed < TimeSpan.FromSeconds(10))
                    Thread.Sleep(200);
                Assert.Contains("tunnel2 198.51.100.202 inside 169.254.11.1/30 status UP (preferred)", Describe(), StringComparison.Ordinal);
                LiveRegionTests.AssertPings("eni-vpn1", "172.31.0.1");
                LiveRegionTests.AssertPings(Site, "10.0.1.10");
                Assert.True(EdgeCounter("esp.encrypted.vpn-1.tunnel2") > 0, "the edge did not move to tunnel 2");
                Assert.Equal(1, CountOf(Swanctl("--list-sas"), "ESTABLISHED"));

                // Rekeys under traffic lose nothing: 200 pings every 20 ms while the child SA and then the IKE SA of
                // tunnel 2 are rekeyed (make-before-break on the edge's side).
                var spiBefore = Swanctl("--list-sas");
                using (var ping = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", Site, "ping", "-q", "-c", "200", "-i", "0.02", "-W", "2", "10.0.1.10"]) { RedirectStandardOutput = true })!)
                {
                    Thread.Sleep(1000);
                    Assert.Equal(0, SwanctlResult("--rekey", "--child", "tunnel2").Code);
                    Thread.Sleep(1000);
                    Assert.Equal(0, SwanctlResult("--rekey", "--ike", "tunnel2").Code);
                    var output = ping.StandardOutput.ReadToEnd();
                    ping.WaitForExit();
                    Assert.Contains(" 0% packet loss", output, StringComparison.Ordinal);
                }
                Assert.NotEqual(spiBefore, Swanctl("--list-sas"));
                Assert.DoesNotContain("last-rekey -", Describe().Split('\n').First(l => l.Contains("tunnel2", StringComparison.Ordinal)), StringComparison.Ordinal);
                Assert.Equal(0, region.Stop(TimeSpan.FromSeconds(60)));
            }
        }
        catch
        {
            Console.Error.WriteLine("captures kept in " + captures);
            throw;
        }
        finally
        {
            if (Directory.Exists(captures) && Environment.GetEnvironmentVariable("NITROCARD_KEEP_CAPTURES") is null)
                Directory.Delete(captures, recursive: true);
        }
    }

    private static string Describe() => Host.Run(LiveRegionProcess.Nitroctl, "describe-vpn-connections", "--edge", "blackfoot-1").Output;

    private static long EdgeCounter(string name) => LiveRegionProcess.EdgeCounter("blackfoot-1", name);

    private static (int Code, string Output) SwanctlResult(params string[] args) => Host.Run("nsenter", ["-t", CharonPid(), "-m", "-n", "/usr/sbin/swanctl", .. args]);

    private static int CountOf(string text, string what) => text.Split(what).Length - 1;

    /// <summary>swanctl against the site's charon (its vici socket is in charon's own /run).</summary>
    private static string Swanctl(params string[] args)
    {
        var pid = CharonPid();
        return Host.Run("nsenter", ["-t", pid, "-m", "-n", "/usr/sbin/swanctl", .. args]).Output;
    }

    private static string CharonPid() =>
        Host.Run("ip", "netns", "pids", Site).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .First(pid => File.ReadAllText($"/proc/{pid.Trim()}/comm").Trim() == "charon").Trim();

    private static string Charon()
    {
        var log = Path.Combine("/var/lib/nitrocard", Site, "charon.log");
        return File.Exists(log) ? "\n--- charon ---\n" + string.Join('\n', File.ReadAllLines(log).TakeLast(40)) : "";
    }
}
