using NitroCard.Card;
using NitroCard.Model;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Simulation.Tests;

/// <summary>
/// simulate's output side in process: file names from ENI ids stay in the output directory even with the region
/// validator out of the way, outputs land only when the run succeeds, and the run streams (issue 16).
/// </summary>
public class SimulationOutputTests
{
    private static HostCardPlan HostA() => RegionCompiler.ForHost(RegionLoader.Load(RepoPaths.File("docs/examples/region.json")), "host-a", CardGeometry.Default);

    /// <summary>host-a's plan with its first ENI renamed, as a region file the validator let through would have it.</summary>
    private static HostCardPlan WithFirstEniNamed(string eniId)
    {
        var plan = HostA();
        return plan with { Enis = [plan.Enis[0] with { EniId = eniId }, .. plan.Enis.Skip(1)] };
    }

    [Theory]
    [InlineData("/tmp/x/victim")]
    [InlineData("../escaped")]
    public void An_eni_id_that_is_a_path_writes_nothing_anywhere(string eniId)
    {
        using var dir = new TempDir();
        var victim = eniId.StartsWith('/') ? eniId + ".pcap" : Path.Combine(dir.Path, "escaped.pcap");
        Directory.CreateDirectory(Path.GetDirectoryName(victim)!);
        File.WriteAllText(victim, "precious");
        var outDir = Path.Combine(dir.Path, "out");
        try
        {
            var ex = Assert.Throws<UnsafePathException>(() =>
            {
                using var staged = new StagedOutputDirectory(outDir);
                using var output = new SimulationOutput(staged.Staging, WithFirstEniNamed(eniId));
            });
            Assert.Contains(eniId, ex.Message, StringComparison.Ordinal);
            Assert.Equal("precious", File.ReadAllText(victim));
            // No output directory, no staging directory left, and only the victim (when it lives here).
            Assert.Equal(eniId.StartsWith('/') ? [] : [victim], Directory.GetFileSystemEntries(dir.Path));
        }
        finally
        {
            if (eniId.StartsWith('/'))
                File.Delete(victim);
        }
    }

    [Fact]
    public void An_eni_called_network_is_refused_instead_of_overwriting_the_substrate_output()
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<SimulationException>(() =>
        {
            using var staged = new StagedOutputDirectory(Path.Combine(dir.Path, "out"));
            using var output = new SimulationOutput(staged.Staging, WithFirstEniNamed("network"));
        });
        Assert.Contains("network.pcap", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>Frames from eni-a1 to eni-a2 (they leave for the network), one per microsecond from 1.</summary>
    private static IEnumerable<(int Slot, PcapRecord Record)> Pings(int slot)
    {
        for (var i = 1; ; i++)
        {
            yield return (slot, new PcapRecord(i, Frames.IcmpEcho(0x02_4e_47_57_00_01, 0x02_00_0a_00_01_0a,
                System.Net.IPAddress.Parse("10.0.1.10"), System.Net.IPAddress.Parse("10.0.2.20"), 1, (ushort)i)));
        }
    }

    [Fact]
    public void A_run_that_fails_part_way_leaves_the_output_directory_as_it_was()
    {
        using var dir = new TempDir();
        var outDir = Path.Combine(dir.Path, "out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "network.pcap"), "an earlier run");
        var plan = HostA();
        using var card = new ModelCard(CardGeometry.Default);
        plan.LoadInto(card);

        // The 1,001st record is bad: frames before it were already simulated and written to the staging directory.
        var frames = Pings(plan.Enis[0].Slot).Select((f, i) => i < 1000 ? f : throw new PcapFormatException("a1.pcap: record 1001: bad"));
        string? staging = null;
        Assert.Throws<PcapFormatException>(() =>
        {
            using var staged = new StagedOutputDirectory(outDir);
            staging = staged.Staging;
            using var output = new SimulationOutput(staged.Staging, plan);
            CardSimulation.Run(card, frames, output);
        });
        Assert.Equal(["network.pcap"], Directory.GetFiles(outDir).Select(Path.GetFileName));
        Assert.Equal("an earlier run", File.ReadAllText(Path.Combine(outDir, "network.pcap")));
        Assert.False(Directory.Exists(staging));
        Assert.Equal([outDir], Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_run_that_succeeds_replaces_its_own_files_and_keeps_others()
    {
        using var dir = new TempDir();
        var outDir = Path.Combine(dir.Path, "out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "network.pcap"), "an earlier run");
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "mine");
        var plan = HostA();
        using var card = new ModelCard(CardGeometry.Default);
        plan.LoadInto(card);
        using (var staged = new StagedOutputDirectory(outDir))
        {
            using (var output = new SimulationOutput(staged.Staging, plan))
                Assert.Equal(10, CardSimulation.Run(card, Pings(plan.Enis[0].Slot).Take(10), output).Network);
            staged.Commit();
        }
        Assert.Equal(10, PcapReader.ReadFile(Path.Combine(outDir, "network.pcap")).Count);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(outDir, "notes.txt")));
        Assert.Equal([outDir], Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void The_run_writes_each_timestamp_group_before_reading_the_next()
    {
        using var dir = new TempDir();
        var plan = HostA();
        using var card = new ModelCard(CardGeometry.Default);
        plan.LoadInto(card);
        using var output = new SimulationOutput(dir.Path, plan);
        var consumed = 0;
        long writtenBeforeRecord5001 = -1;
        var frames = Pings(plan.Enis[0].Slot).Select(f =>
        {
            if (++consumed == 5001)
            {
                writtenBeforeRecord5001 = output.NetworkFrames;
                throw new InvalidOperationException("stop");
            }
            return f;
        });
        Assert.Throws<InvalidOperationException>(() => CardSimulation.Run(card, frames, output));
        // The source is endless: only a run that pulls a group at a time gets here, with every group before written
        // (record 5,000's group ends only when record 5,001 shows a later timestamp).
        Assert.Equal(4999, writtenBeforeRecord5001);
    }
}
