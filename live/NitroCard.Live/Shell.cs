using System.Diagnostics;
using System.Text;

namespace NitroCard.Live;

/// <summary>Runs the host's network tools (<c>ip</c>, <c>bridge</c>, <c>sysctl</c>) and reports their failures.</summary>
public static class Shell
{
    /// <summary>Runs a command; throws <see cref="LiveException"/> with its stderr when it fails.</summary>
    public static string Run(string file, params string[] arguments)
    {
        var (code, output, error) = TryRun(file, arguments);
        if (code != 0)
            throw new LiveException($"{file} {string.Join(' ', arguments)}: {error.Trim()} (exit {code})");
        return output;
    }

    /// <summary>
    /// Runs a command and returns its exit code, its stdout as it wrote it and its stderr line by line (each line ending
    /// with <c>\n</c>), whatever happened.
    /// </summary>
    public static (int Code, string Output, string Error) TryRun(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        // stderr is drained by the process's own reader while this thread reads stdout, so neither pipe can fill and
        // stall the tool; WaitForExit() returns once both are at their end.
        var error = new StringBuilder();
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
                error.Append(line.Data).Append('\n');
        };
        if (!process.Start())
            throw new LiveException($"cannot start {file}");
        process.BeginErrorReadLine();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.ToString());
    }

    /// <summary><c>ip</c> inside a namespace (<c>ip -n ns ...</c>).</summary>
    public static void Ip(string netns, params string[] arguments) => Run("ip", ["-n", netns, .. arguments]);

    /// <summary>Sets sysctls inside a namespace.</summary>
    public static void Sysctl(string netns, params string[] settings) => Run("ip", ["netns", "exec", netns, "sysctl", "-qw", .. settings]);

    /// <summary>
    /// Starts a long-running daemon inside a namespace with <c>ip netns exec</c> (which execs, so the pid is the
    /// daemon's) and records it as a child of the region, so <c>region down</c> stops it after a crash. Its stdout is
    /// drained; its stderr goes to ours as <c>nitroctl region: &lt;label&gt;: …</c>, or is drained too when
    /// <paramref name="errorLabel"/> is null (daemons that log to their own file).
    /// </summary>
    public static Process StartDaemon(LiveState state, string netns, string? errorLabel, params string[] command)
    {
        ArgumentNullException.ThrowIfNull(state);
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["netns", "exec", netns, .. command])
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new LiveException($"cannot start {command[0]} in {netns}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (errorLabel is not null && e.Data is not null)
                Console.Error.WriteLine($"nitroctl region: {errorLabel}: {e.Data}");
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        state.AddChild(process.Id);
        return process;
    }

    /// <summary>Polls until <paramref name="ready"/> holds; a daemon that exits or is not ready in time is a <see cref="LiveException"/> with <paramref name="failure"/>.</summary>
    public static void WaitUntilReady(Process daemon, Func<bool> ready, TimeSpan timeout, string failure)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        ArgumentNullException.ThrowIfNull(ready);
        var deadline = DateTime.UtcNow + timeout;
        while (!ready())
        {
            if (daemon.HasExited || DateTime.UtcNow > deadline)
                throw new LiveException(failure);
            Thread.Sleep(50);
        }
    }

    /// <summary>The names of the existing network namespaces.</summary>
    public static IReadOnlySet<string> Namespaces()
    {
        var (code, output, _) = TryRun("ip", "netns", "list");
        if (code != 0)
            return new HashSet<string>();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ')[0]).ToHashSet(StringComparer.Ordinal);
    }
}
