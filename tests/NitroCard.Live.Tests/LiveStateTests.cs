using System.Diagnostics;
using NitroCard.Region;

namespace NitroCard.Live.Tests;

/// <summary>
/// The live state file (issue 16) without root: JSON written atomically, a pid stopped only while it is the recorded
/// process, a hostile or broken file refused. The run directory is a temporary one (NITROCARD_RUN_DIR).
/// </summary>
public sealed class LiveStateTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string? _previousRunDir = Environment.GetEnvironmentVariable("NITROCARD_RUN_DIR");
    private readonly List<Process> _sleepers = [];

    public LiveStateTests()
    {
        Environment.SetEnvironmentVariable("NITROCARD_RUN_DIR", _dir.Path);
    }

    private Process Sleep()
    {
        var sleeper = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        _sleepers.Add(sleeper);
        return sleeper;
    }

    [Fact]
    public void The_state_round_trips_as_json_owner_only()
    {
        var state = LiveState.Begin();
        state.AddNamespace("eni-a1");
        state.AddLink("nct0s1");
        var sleeper = Sleep();
        state.AddChild(sleeper.Id);

        var record = LiveState.Read()!;
        Assert.Equal(Environment.ProcessId, record.Region.Pid);
        Assert.True(record.Region.IsRunning);
        Assert.Equal(["eni-a1"], record.Namespaces);
        Assert.Equal(["nct0s1"], record.Links);
        Assert.Equal(ProcessStamp.Of(sleeper.Id), Assert.Single(record.Children));
        Assert.StartsWith("{", File.ReadAllText(LiveState.StatePath), StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(LiveState.StatePath));
        Assert.False(File.Exists(LiveState.StatePath + ".tmp"));
    }

    [Fact]
    public void A_recorded_pid_with_another_start_time_is_left_alone_and_the_recorded_one_is_stopped()
    {
        var state = LiveState.Begin();
        var other = Sleep();
        var real = ProcessStamp.Of(other.Id)!;
        state.AddChild(real with { StartTime = real.StartTime + 1 });

        var (removed, leftAlone) = LiveState.TearDown(includeProcess: false);

        Assert.DoesNotContain(removed, r => r.StartsWith("process", StringComparison.Ordinal));
        Assert.Contains(leftAlone, n => n.Contains($"process {other.Id}", StringComparison.Ordinal) && n.Contains("another process has that pid", StringComparison.Ordinal));
        Assert.False(other.HasExited);

        var recorded = Sleep();
        LiveState.Begin().AddChild(recorded.Id);
        (removed, _) = LiveState.TearDown(includeProcess: false);
        Assert.Contains($"process {recorded.Id}", removed);
        Assert.True(recorded.WaitForExit(5_000));
        Assert.False(other.HasExited);
    }

    [Fact]
    public void A_state_file_that_is_not_json_names_its_path_and_nothing_is_stopped()
    {
        var victim = Sleep();
        File.WriteAllText(LiveState.StatePath, $"pid 1\nchild {victim.Id}\nnetns internet\n");

        var e = Assert.Throws<LiveException>(() => LiveState.TearDown(includeProcess: true));

        Assert.Contains(LiveState.StatePath, e.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was stopped or removed", e.Message, StringComparison.Ordinal);
        Assert.False(victim.HasExited);
        Assert.True(File.Exists(LiveState.StatePath));
        Assert.Throws<LiveException>(() => LiveState.Begin());
    }

    [Theory]
    [InlineData("""{"region":{"pid":1,"startTime":1},"children":[],"namespaces":[],"links":[],"extra":1}""")]
    [InlineData("""{"region":{"pid":1},"children":[],"namespaces":[],"links":[]}""")]
    [InlineData("""{"region":null,"children":[],"namespaces":[],"links":[]}""")]
    [InlineData("[]")]
    public void A_state_file_of_another_shape_is_refused(string json)
    {
        File.WriteAllText(LiveState.StatePath, json);
        var e = Assert.Throws<LiveException>(() => LiveState.Read());
        Assert.Contains(LiveState.StatePath, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_a_region_does_not_create_are_never_deleted()
    {
        LiveState.Write(new LiveStateRecord(new ProcessStamp(int.MaxValue, 1), [], ["eth0\nchild 1", "../x"], ["eth0", "lo", "docker0"]));

        var (removed, leftAlone) = LiveState.TearDown(includeProcess: true);

        Assert.DoesNotContain(removed, r => r.StartsWith("netns", StringComparison.Ordinal) || r.StartsWith("link", StringComparison.Ordinal));
        Assert.Contains(@"namespace 'eth0\nchild 1': not a name a region creates", leftAlone);
        Assert.Contains("link 'docker0': not a name a region creates", leftAlone);
        Assert.Contains("link 'eth0': not a name a region creates", leftAlone);
        Assert.Contains($"process {int.MaxValue}: not running any more", leftAlone);
    }

    [Theory]
    [InlineData("../escaped")]
    [InlineData("/tmp/x/victim")]
    public void Paths_built_from_a_host_name_stay_in_the_run_directory(string host)
    {
        Assert.Throws<UnsafePathException>(() => LiveState.SocketPath(host));
        Assert.Throws<UnsafePathException>(() => LiveState.HostIdentityDirectory(host));
        Assert.Equal(Path.Combine(_dir.Path, "host-a.sock"), LiveState.SocketPath("host-a"));
    }

    public void Dispose()
    {
        foreach (var sleeper in _sleepers)
        {
            if (!sleeper.HasExited)
                sleeper.Kill();
            sleeper.Dispose();
        }
        Environment.SetEnvironmentVariable("NITROCARD_RUN_DIR", _previousRunDir);
        _dir.Dispose();
    }
}
