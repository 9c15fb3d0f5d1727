using NitroCard.Region;

namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 13: the BGP site's BIRD configuration (BirdSite) without root or BIRD: one session per tunnel over the inside
/// addresses with AWS's ASNs and timers, the announced networks only from the region's customerAnnouncedCidrs, and the
/// checked syntax of BIRD itself when it is installed.
/// </summary>
public sealed class BirdSiteTests
{
    private static readonly VpnConnection Vpn = RegionLoader.Load(Path.Combine(AppContext.BaseDirectory, "regions", "bgp-vpn.json"))
        .Vpcs.SelectMany(v => v.VpnConnections).Single();

    [Fact]
    public void Each_tunnel_is_a_session_from_the_customer_inside_address_to_the_edge_s_with_the_region_s_asns()
    {
        var conf = BirdSite.Config(Vpn, "/var/lib/nitrocard/vpn-vpn-bgp/bird.log");

        Assert.StartsWith("log \"/var/lib/nitrocard/vpn-vpn-bgp/bird.log\" all;\nrouter id 203.0.113.9;\n", conf, StringComparison.Ordinal);
        Assert.Contains("protocol bgp tunnel1 {\n  local 169.254.10.2 as 65000;\n  neighbor 169.254.10.1 as 64512;\n  hold time 30;\n  keepalive time 10;\n", conf, StringComparison.Ordinal);
        Assert.Contains("protocol bgp tunnel2 {\n  local 169.254.11.2 as 65000;\n  neighbor 169.254.11.1 as 64512;\n", conf, StringComparison.Ordinal);
        Assert.Equal(2, conf.Split("protocol bgp ").Length - 1);
        // The site's network is BIRD's (a static route it exports), and the VPC goes into the kernel from the site's address.
        Assert.Contains("protocol static site {\n  ipv4;\n  route 172.16.50.0/24 blackhole;\n}\n", conf, StringComparison.Ordinal);
        Assert.Contains("export where proto = \"site\";", conf, StringComparison.Ordinal);
        Assert.Contains("if source = RTS_BGP then { krt_prefsrc = 172.16.50.1; accept; }", conf, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Bird_accepts_the_configuration()
    {
        Skip.IfNot(File.Exists(BirdSite.Bird), "BIRD 2 is not installed (bird2; see build.ps1)");
        var dir = Directory.CreateTempSubdirectory("nitrocard-bird-");
        try
        {
            var path = Path.Combine(dir.FullName, "bird.conf");
            File.WriteAllText(path, BirdSite.Config(Vpn, Path.Combine(dir.FullName, "bird.log")));
            var (code, output) = Host.Run(BirdSite.Bird, "-p", "-c", path);
            Assert.True(code == 0, output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
