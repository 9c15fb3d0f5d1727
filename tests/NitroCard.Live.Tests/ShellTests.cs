namespace NitroCard.Live.Tests;

/// <summary>Issue 12: Shell without root: a tool's exit code, stdout byte for byte, stderr, and both pipes full at once.</summary>
public sealed class ShellTests
{
    [Fact]
    public void A_tool_returns_its_exit_code_its_output_and_its_error()
    {
        var (code, output, error) = Shell.TryRun("sh", "-c", "printf 'out\\nno newline'; echo err >&2; exit 3");

        Assert.Equal((3, "out\nno newline", "err\n"), (code, output, error));
    }

    [Fact]
    public void A_failing_tool_is_a_live_exception_with_its_command_its_error_and_its_exit_code()
    {
        var e = Assert.Throws<LiveException>(() => Shell.Run("sh", "-c", "echo 'no such device' >&2; exit 2"));

        Assert.Equal("sh -c echo 'no such device' >&2; exit 2: no such device (exit 2)", e.Message);
    }

    [Fact]
    public void A_tool_filling_both_pipes_does_not_stall()
    {
        // Far more than a pipe's 64 KiB on each: read one after the other, the tool would block writing the second.
        var (code, output, error) = Shell.TryRun("sh", "-c", "head -c 300000 /dev/zero | tr '\\0' a; head -c 300000 /dev/zero | tr '\\0' b >&2; head -c 300000 /dev/zero | tr '\\0' c");

        Assert.Equal(0, code);
        Assert.Equal(new string('a', 300_000) + new string('c', 300_000), output);
        Assert.Equal(new string('b', 300_000) + "\n", error);   // stderr is read by line: its last line ends with one
    }
}
