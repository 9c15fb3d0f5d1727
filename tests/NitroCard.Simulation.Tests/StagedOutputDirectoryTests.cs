using NitroCard.Region;

namespace NitroCard.Simulation.Tests;

/// <summary>The output directory of a run changes all at once, when the run succeeds, or not at all.</summary>
public class StagedOutputDirectoryTests
{
    [Fact]
    public void Nothing_reaches_the_target_until_commit_and_a_missing_target_is_created_then()
    {
        using var dir = new TempDir();
        var target = Path.Combine(dir.Path, "runs", "out");
        Directory.CreateDirectory(Path.Combine(dir.Path, "runs"));
        using (var staged = new StagedOutputDirectory(target))
        {
            File.WriteAllText(staged.File("network.pcap"), "frames");
            Assert.False(Directory.Exists(target));
            Assert.Equal(Path.Combine(dir.Path, "runs"), Path.GetDirectoryName(staged.Staging));   // beside the target: the moves are renames
            staged.Commit();
            Assert.False(Directory.Exists(staged.Staging));
        }
        Assert.Equal("frames", File.ReadAllText(Path.Combine(target, "network.pcap")));
        Assert.Equal([target], Directory.GetFileSystemEntries(Path.Combine(dir.Path, "runs")));
    }

    [Fact]
    public void Disposed_without_commit_it_leaves_the_target_as_it_was_and_no_staging_behind()
    {
        using var dir = new TempDir();
        var target = Path.Combine(dir.Path, "out");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "network.pcap"), "an earlier run");
        string staging;
        using (var staged = new StagedOutputDirectory(target))
        {
            staging = staged.Staging;
            File.WriteAllText(staged.File("network.pcap"), "half a run");
        }
        Assert.False(Directory.Exists(staging));
        Assert.Equal("an earlier run", File.ReadAllText(Path.Combine(target, "network.pcap")));
        Assert.Equal([target], Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_commit_into_an_existing_target_replaces_its_own_files_and_keeps_the_others()
    {
        using var dir = new TempDir();
        var target = Path.Combine(dir.Path, "out");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "network.pcap"), "an earlier run");
        File.WriteAllText(Path.Combine(target, "notes.txt"), "mine");
        using (var staged = new StagedOutputDirectory(target))
        {
            File.WriteAllText(staged.File("network.pcap"), "this run");
            staged.Commit();
        }
        Assert.Equal("this run", File.ReadAllText(Path.Combine(target, "network.pcap")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(target, "notes.txt")));
        Assert.Equal([target], Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_target_that_is_a_file_is_a_simulation_error_naming_it_and_nothing_is_created()
    {
        using var dir = new TempDir();
        var file = dir.File("out");
        File.WriteAllText(file, "not a directory");
        var e = Assert.Throws<SimulationException>(() => new StagedOutputDirectory(file));
        Assert.Equal($"{file}: is a file, not a directory", e.Message);
        Assert.Equal([file], Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_staged_output_file_is_refused_outside_its_folder_and_nothing_is_left()
    {
        using var dir = new TempDir();
        using (var staged = new StagedOutputDirectory(Path.Combine(dir.Path, "out")))
        {
            Assert.Throws<UnsafePathException>(() => staged.File("../escaped.pcap"));
            Assert.Throws<UnsafePathException>(() => staged.File("/tmp/x/victim.pcap"));
            Assert.Equal(Path.Combine(staged.Staging, "eni-a1.pcap"), staged.File("eni-a1.pcap"));
        }
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
