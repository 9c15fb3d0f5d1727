using System.Diagnostics;

namespace NitroCard.Cli.Tests;

/// <summary><c>nitroctl mapping serve</c>: one process owns a SQLite store; bad options fail with one line.</summary>
public sealed class MappingServeContractTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void A_second_serve_on_the_same_store_fails_at_once_with_one_line_naming_the_file()
    {
        var store = _dir.File("region.db");
        var start = new ProcessStartInfo(NitroctlProcess.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        foreach (var a in new[] { "--ca-dir", _dir.File("ca"), "mapping", "serve", "--store", store, "--listen", "127.0.0.1:0" })
            start.ArgumentList.Add(a);
        using var first = Process.Start(start)!;
        try
        {
            var line = first.StandardOutput.ReadLine();
            Assert.StartsWith("mapping service listening on", line, StringComparison.Ordinal);

            var (exit, _, stderr) = NitroctlProcess.Run("--ca-dir", _dir.File("ca"), "mapping", "serve", "--store", store, "--listen", "127.0.0.1:0");
            Assert.NotEqual(0, exit);
            var error = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !l.Contains(" info: ", StringComparison.Ordinal));
            Assert.StartsWith($"nitroctl: {store}: the store is in use by another Mapping Service", error, StringComparison.Ordinal);
        }
        finally
        {
            first.Kill();
            first.WaitForExit();
        }
    }

    [Fact]
    public void A_bad_alarm_retention_fails_with_one_line_naming_the_option()
    {
        var (exit, _, stderr) = NitroctlProcess.Run("--ca-dir", _dir.File("ca"), "mapping", "serve", "--store", _dir.File("region.db"), "--listen", "127.0.0.1:0", "--alarm-retention", "soon");
        Assert.NotEqual(0, exit);
        Assert.Equal("nitroctl: --alarm-retention 'soon': expected <n>d, <n>h, <n>m or <n>s with n at least 1, for example 7d", stderr.Trim());
    }

    [Theory]
    [InlineData("--edge-heartbeat", "0s", "nitroctl: --edge-heartbeat '0s': expected <n>s with n from 1 to 3600, for example 1s")]
    [InlineData("--edge-heartbeat", "500ms", "nitroctl: --edge-heartbeat '500ms': expected <n>s with n from 1 to 3600, for example 1s")]
    [InlineData("--edge-missed-heartbeats", "0", "nitroctl: --edge-missed-heartbeats 0: expected 1 to 60")]
    public void A_bad_edge_health_option_fails_with_one_line_naming_it(string option, string value, string expected)
    {
        var (exit, _, stderr) = NitroctlProcess.Run("--ca-dir", _dir.File("ca"), "mapping", "serve", "--store", _dir.File("region.db"), "--listen", "127.0.0.1:0", option, value);
        Assert.NotEqual(0, exit);
        Assert.Equal(expected, stderr.Trim());
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_read_only_store_fails_at_once_with_one_line_naming_the_file()
    {
        // Root ignores file modes, so as root the service runs as nobody (setpriv), for whom the store is read-only.
        var storeDir = _dir.File("read-only");
        Directory.CreateDirectory(storeDir);
        var store = Path.Combine(storeDir, "region.db");
        File.WriteAllBytes(store, []);   // an empty file is an empty SQLite database
        var ca = _dir.File("ca");
        Directory.CreateDirectory(ca);
        File.SetUnixFileMode(ca, (UnixFileMode)0x1FF);   // 0777: the CA is written by whoever serves
        File.SetUnixFileMode(store, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(storeDir, (UnixFileMode)0x1FF);   // the lock file beside the store can be made: the store itself is what is read-only
        string[] serve = ["--ca-dir", ca, "mapping", "serve", "--store", store, "--listen", "127.0.0.1:0"];
        var (exit, _, stderr) = Environment.IsPrivilegedProcess
            ? NitroctlProcess.RunTool("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", NitroctlProcess.Executable, .. serve])
            : NitroctlProcess.Run(serve);
        Assert.NotEqual(0, exit);
        var error = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => !l.Contains(" info: ", StringComparison.Ordinal));
        Assert.StartsWith($"nitroctl: {store}: cannot open the SQLite store (the file or its directory is read-only", error, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(store).Length);
    }

    public void Dispose() => _dir.Dispose();
}
