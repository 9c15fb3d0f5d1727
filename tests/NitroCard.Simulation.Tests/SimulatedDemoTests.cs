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
        Assert.Contains("Summary", text, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir.Path, "substrate.pcap")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "counters.json")));
    }
}
