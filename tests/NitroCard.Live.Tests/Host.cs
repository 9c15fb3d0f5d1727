using System.Diagnostics;

namespace NitroCard.Live.Tests;

/// <summary>Commands on this machine, bounded in time.</summary>
internal static class Host
{
    public static (int Code, string Output) Run(string file, params string[] arguments) => Run(TimeSpan.FromSeconds(60), file, arguments);

    public static (int Code, string Output) Run(TimeSpan timeout, string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, $"timed out after {timeout.TotalSeconds} s: {file} {string.Join(' ', arguments)}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>Runs a command inside an instance (<c>ip netns exec eni ...</c>).</summary>
    public static (int Code, string Output) In(string eni, params string[] command) => Run("ip", ["netns", "exec", eni, .. command]);

    public static (int Code, string Output) Ping(string fromEni, string ip, int count = 3) => In(fromEni, "ping", "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "0.2", "-W", "2", ip);

    /// <summary>An HTTP GET from an instance (curl): exit code 0 and the body, or curl's exit code and message.</summary>
    public static (int Code, string Output) HttpGet(string fromNamespace, string url, string? hostHeader = null) =>
        In(fromNamespace, ["curl", "-sS", "-m", "10", .. hostHeader is null ? Array.Empty<string>() : ["-H", "Host: " + hostHeader], url]);

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds (true) or <paramref name="seconds"/> pass (false).</summary>
    public static bool WaitFor(Func<bool> condition, int seconds)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(seconds))
                return false;
            Thread.Sleep(100);
        }
        return true;
    }

    /// <summary>
    /// Starts a command inside a namespace in the background; disposing it kills it with its children whatever the test
    /// did (a server left waiting for a client that never came would outlive the region).
    /// </summary>
    public static BackgroundProcess StartIn(string ns, params string[] command)
        => new(Process.Start(new ProcessStartInfo("ip", ["netns", "exec", ns, .. command]) { RedirectStandardOutput = true, RedirectStandardError = true })!);

    public static bool HasTool(string name) => Run("sh", "-c", $"command -v {name}").Code == 0;

    public static IReadOnlyList<string> Namespaces() =>
        Run("ip", "netns", "list").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]).ToList();

    /// <summary>Why this machine cannot run a live region, or null when it can.</summary>
    public static string? LiveRegionUnavailable()
    {
        try
        {
            RequireLiveRegion();
            return null;
        }
        catch (SkipException e)
        {
            return e.Message;
        }
    }

    /// <summary>Skips (with the reason) when this machine cannot run a live region.</summary>
    public static void RequireLiveRegion()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "a live region needs Linux network namespaces");
        Skip.IfNot(Environment.IsPrivilegedProcess, "a live region needs root (network namespaces and TAP devices); CI runs these tests as root");
        Skip.IfNot(File.Exists("/dev/net/tun"), "no /dev/net/tun: the kernel has no TAP support here");
        Skip.IfNot(HasTool("ip") && HasTool("bridge"), "iproute2 (ip, bridge) is not installed");
        Skip.IfNot(HasTool("ping") && HasTool("nc") && HasTool("curl") && HasTool("python3"), "ping (iputils-ping), nc (netcat-openbsd), curl or python3 is not installed; build.ps1 installs them as root");
        Skip.IfNot(File.Exists(LiveRegionProcess.Nitroctl), "out/bin/nitroctl is not built (dotnet pwsh ./build.ps1 build)");
        var other = LiveRegionProcess.WaitForNoOtherRegion(TimeSpan.FromMinutes(3));
        Skip.If(other is not null, $"another live region (pid {other}, {LiveRegionProcess.RunDirectory}/state) has been running for 3 minutes: "
            + "live regions use machine-wide namespace names, one at a time");
    }
}

/// <summary>A process of <see cref="Host.StartIn"/>: killed, with its children, when disposed.</summary>
internal sealed class BackgroundProcess(Process process) : IDisposable
{
    public Process Process { get; } = process;

    public void Dispose()
    {
        if (!Process.HasExited)
            Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }
}
