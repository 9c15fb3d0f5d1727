using System.Text.RegularExpressions;
using NitroCard.Region;

namespace NitroCard.Simulation.Tests;

/// <summary>The demo's story told through the region simulation on the model: what each step caused, a summary, the captures.</summary>
public class SimulatedDemoTests
{
    [Fact]
    public void The_story_is_told_step_by_step_with_the_drops_named_and_the_captures_written()
    {
        using var dir = new TempDir();
        var region = RegionLoader.Load(RepoPaths.File("driver/nitroctl/Demo/demo-region.json"));
        var output = new StringWriter();

        new SimulatedDemo(region, "model", dir.Path, output).Run();

        var text = output.ToString();
        Assert.Contains("* ping eni-blue-a1 -> eni-blue-b1 10.0.2.20, across hosts and subnets", text, StringComparison.Ordinal);
        Assert.Contains("eni-blue-b1 received: IPv4 10.0.1.10 -> 10.0.2.20 ICMP", text, StringComparison.Ordinal);
        Assert.Contains("DROPPED source-check", text, StringComparison.Ordinal);   // eni-blue-a1 spoofing 10.0.1.99
        // The VPN: the customer gateway negotiates both tunnels with the edge (IKEv2, ESP in UDP), the site's ping crosses
        // the tunnel to eni-blue-a1 and the answer comes back through it, decrypted by the customer gateway.
        Assert.True(Regex.IsMatch(text, @"tunnel1 198\.51\.100\.250: IKEv2 AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256, ESP-in-UDP AES_GCM_16_256\n"
            + @"    tunnel2 198\.51\.100\.251: IKEv2 AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256, ESP-in-UDP AES_GCM_16_256\n"), text);
        Assert.True(text.Contains("eni-blue-a1 received: IPv4 172.31.0.1 -> 10.0.1.10 ICMP", StringComparison.Ordinal), text);
        Assert.True(text.Contains("vpn:vpn-1 received: IPv4 198.51.100.250 -> 203.0.113.9 UDP", StringComparison.Ordinal), text);
        Assert.True(text.Contains("the customer gateway decrypts: IPv4 10.0.1.10 -> 172.31.0.1 ICMP", StringComparison.Ordinal), text);
        Assert.Contains("Summary", text, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir.Path, "substrate.pcap")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "counters.json")));
    }
}
