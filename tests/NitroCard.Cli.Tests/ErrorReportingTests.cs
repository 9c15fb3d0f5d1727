namespace NitroCard.Cli.Tests;

/// <summary>
/// Every failing command prints one line <c>nitroctl: …</c> on stderr and exits non-zero; System.CommandLine's
/// "Unhandled exception:" and stack trace never appear, unless <c>--verbose</c> asks for the trace.
/// </summary>
public class ErrorReportingTests
{
    public static TheoryData<string[]> FailingCommands => new()
    {
        { ["tables", "--topology", "/nonexistent/region.json", "--host", "host-a"] },
        { ["simulate-region", "--topology", "/nonexistent/region.json", "--out", "/tmp/nitrocard-never"] },
        { ["describe-vpcs", "--endpoint", "not-a-url", "--ca-dir", "/tmp"] },
        { ["describe-vpcs", "--endpoint", "https://127.0.0.1:1", "--ca-dir", "/nonexistent/ca"] },
        { ["apply", "/nonexistent/region.json", "--endpoint", "https://127.0.0.1:1", "--ca-dir", "/tmp"] },
    };

    [Theory]
    [MemberData(nameof(FailingCommands))]
    public void A_failing_command_prints_one_nitroctl_line_and_exits_non_zero(string[] args)
    {
        var (code, _, stderr) = NitroctlProcess.Run(args);
        Assert.NotEqual(0, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, stderr);
        Assert.StartsWith("nitroctl: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Verbose_adds_the_stack_trace()
    {
        var (code, _, stderr) = NitroctlProcess.Run("tables", "--topology", "/nonexistent/region.json", "--host", "host-a", "--verbose");
        Assert.NotEqual(0, code);
        Assert.StartsWith("nitroctl: /nonexistent/region.json: ", stderr, StringComparison.Ordinal);
        Assert.Contains("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_of_a_file_over_the_request_limit_names_the_limit()
    {
        using var dir = new TempDir();
        var file = dir.File("huge.json");
        using (var stream = File.Create(file))
            stream.SetLength(65L * 1024 * 1024);
        var (code, _, stderr) = NitroctlProcess.Run("apply", file, "--endpoint", "https://127.0.0.1:1", "--ca-dir", dir.File("ca"));
        Assert.NotEqual(0, code);
        Assert.StartsWith($"nitroctl: {file}: 68157440 bytes is over the Mapping Service's request limit of 64 MiB", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_characters_in_a_region_file_are_escaped_not_printed_raw()
    {
        using var dir = new TempDir();
        var file = dir.File("region.json");
        File.WriteAllText(file, """{ "hosts": [ { "name": "h", "underlayIp": "10.0.0.1\u001b[31m" } ] }""");
        var (code, _, stderr) = NitroctlProcess.Run("tables", "--topology", file, "--host", "h");
        Assert.NotEqual(0, code);
        Assert.DoesNotContain('\u001b', stderr);
        Assert.Contains(@"hosts[0].underlayIp: '10.0.0.1\u001b[31m'", stderr, StringComparison.Ordinal);
    }
}
