namespace NitroCard.Cli.Tests;

/// <summary>
/// Issue 16: a host name given on the command line follows the id rule before it becomes a certificate name, a
/// directory or a socket path (c50aacc accepted <c>../x</c>). Runs out/bin/nitroctl.
/// </summary>
public sealed class HostOptionTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Theory]
    [InlineData("card", "--host", "../x", "counters")]
    [InlineData("card", "--host", "/tmp/x/victim", "alarms")]
    [InlineData("firmware", "run", "--host", "Host-A", "--endpoint", "https://127.0.0.1:1", "--identity", "/nonexistent")]
    public void A_host_outside_the_id_rule_is_refused_naming_the_option(params string[] args)
    {
        var (code, _, stderr) = NitroctlProcess.Run(args);

        Assert.NotEqual(0, code);
        Assert.Contains("--host: '", stderr, StringComparison.Ordinal);
        Assert.Contains("is not a valid id", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Issue_host_identity_refuses_a_path_and_writes_nothing()
    {
        var output = _dir.File("id");

        var (code, _, stderr) = NitroctlProcess.Run("mapping", "issue-host-identity", "--host", "../../etc\nx", "--ca-dir", _dir.File("ca"), "--out", output);

        Assert.NotEqual(0, code);
        Assert.Contains(@"--host: '../../etc\nx' is not a valid id", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    public void Dispose() => _dir.Dispose();
}
