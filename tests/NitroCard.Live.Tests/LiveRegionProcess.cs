using System.Diagnostics;
using System.Text;

namespace NitroCard.Live.Tests;

/// <summary>A running <c>nitroctl region up</c> (out/bin/nitroctl), killed and cleaned up on dispose whatever happened.</summary>
internal sealed class LiveRegionProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LiveRegionProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The <c>region up</c> process (its threads are the cards', the edge's, the service's).</summary>
    public int Pid => _process.Id;

    public static string Nitroctl => RepoPaths.File("out/bin/nitroctl");

    public static string Region(string name) => Path.Combine(AppContext.BaseDirectory, "regions", name);

    /// <summary>The run directory of <c>region up</c> (its state, sockets and the embedded Mapping Service's files).</summary>
    public static string RunDirectory => "/run/nitrocard";

    /// <summary>The running region's Mapping Service (<c>endpoint</c> in the run directory).</summary>
    public static string Endpoint => File.ReadAllText(Path.Combine(RunDirectory, "endpoint")).Trim();

    /// <summary>
    /// The pid of a running region this test run did not start (another worktree's tests, a user's <c>region up</c>):
    /// waits up to <paramref name="timeout"/> for it to end; null when none is (left) running.
    /// </summary>
    public static int? WaitForNoOtherRegion(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (RunningRegionPid() is { } pid)
        {
            if (DateTime.UtcNow > deadline)
                return pid;
            Thread.Sleep(500);
        }
        return null;
    }

    /// <summary>The region pid in the run directory's state file (JSON, <c>region.pid</c>) when that process is alive.</summary>
    private static int? RunningRegionPid()
    {
        var state = Path.Combine(RunDirectory, "state");
        if (!File.Exists(state))
            return null;
        int pid;
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(state));
            pid = document.RootElement.GetProperty("region").GetProperty("pid").GetInt32();
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : pid;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Runs <c>nitroctl --endpoint ... --ca-dir ... &lt;command&gt;</c> against the running region's Mapping Service.</summary>
    public static (int Code, string Output) Api(params string[] command) =>
        Host.Run(Nitroctl, ["--endpoint", Endpoint, "--ca-dir", Path.Combine(RunDirectory, "ca"), .. command]);

    /// <summary>Runs <c>nitroctl card --host &lt;node&gt; &lt;request&gt;</c>.</summary>
    public static (int Code, string Output) Card(string node, params string[] request) => Host.Run(Nitroctl, ["card", "--host", node, .. request]);

    /// <summary>A counter of <c>card ... counters</c> text by its name (<c>drop_malformed</c>, <c>eni_3_tx_cnt</c>, ...); null when not printed.</summary>
    public static long? CounterOf(string counters, string name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(counters, $@"^\s*{System.Text.RegularExpressions.Regex.Escape(name)}: (\d+)$", System.Text.RegularExpressions.RegexOptions.Multiline);
        return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    /// <summary>An edge's counter (0 when not printed, or while its control socket does not answer: the edge is dead or starting).</summary>
    public static long EdgeCounter(string edge, string name)
    {
        var (code, counters) = Card(edge, "counters");
        return code == 0 ? CounterOf(counters, name) ?? 0 : 0;
    }

    /// <summary>Whether <c>nitroctl edges</c> says the cards have <paramref name="edge"/> in their edge set.</summary>
    public static bool InEdgeSet(string edge)
    {
        var (code, text) = Api("edges");
        Assert.True(code == 0, text);
        var entry = System.Text.RegularExpressions.Regex.Match(text, $"\"name\": \"{edge}\".*?\"inEdgeSet\": (true|false)", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(entry.Success, text);
        return entry.Groups[1].Value == "true";
    }

    /// <summary>The slot <c>card ... counters</c> text gives an ENI (its <c>eni_&lt;slot&gt;_id</c> line); fails when the ENI is not there.</summary>
    public static int EniSlotOf(string counters, string eni)
    {
        var match = System.Text.RegularExpressions.Regex.Match(counters, $@"^\s*eni_(\d+)_id: {System.Text.RegularExpressions.Regex.Escape(eni)}$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(match.Success, $"no {eni} in: {counters}");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The pids of the running processes whose command line (its arguments, the program first) <paramref name="matches"/>.</summary>
    public static List<int> ProcessesWhere(Func<string[], bool> matches)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid))
                continue;
            string[] arguments;
            try
            {
                arguments = File.ReadAllText(Path.Combine(dir, "cmdline")).TrimEnd('\0').Split('\0');
            }
            catch (IOException)
            {
                continue;
            }
            if (arguments.Length > 0 && arguments[0].Length > 0 && matches(arguments))
                pids.Add(pid);
        }
        return pids;
    }

    public string Error
    {
        get
        {
            lock (_error)
                return _error.ToString();
        }
    }

    /// <summary>Starts <c>region up</c> and waits for <c>region ready</c> (at most <paramref name="timeout"/>).</summary>
    public static LiveRegionProcess Up(string region, string engine, TimeSpan timeout, params string[] options)
    {
        var start = new ProcessStartInfo(Nitroctl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "region", "up", "--topology", Region(region), "--engine", engine }.Concat(options))
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        var live = new LiveRegionProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (live._output)
                live._output.AppendLine(e.Data);
            if (e.Data == "region ready")
                live._ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (live._error)
                    live._error.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = Task.WhenAny(live._ready.Task, exited, Task.Delay(timeout)).GetAwaiter().GetResult();
        if (first != live._ready.Task)
        {
            var why = first == exited ? $"exited with {process.ExitCode}" : $"not ready after {timeout.TotalSeconds} s";
            live.Dispose();
            throw new InvalidOperationException($"region up ({engine}) {why}: {live.Error}");
        }
        return live;
    }

    /// <summary>Sends SIGTERM and waits for the process to tear down and exit; returns its exit code.</summary>
    public int Stop(TimeSpan timeout)
    {
        Host.Run("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!_process.WaitForExit(timeout))
            throw new TimeoutException("region up did not exit after SIGTERM: " + Error);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Fails (with the region's exit code and stderr) when the region process is no longer running.</summary>
    public void AssertRunning()
    {
        if (_process.HasExited)
            Assert.Fail($"region up exited with {_process.ExitCode} while its tests ran: {Error}");
    }

    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            Kill();
        // Clean up what this region left, but never stop a region someone else started since.
        if (RunningRegionPid() is null)
            Host.Run(Nitroctl, "region", "down");
        _process.Dispose();
    }

    /// <summary>
    /// Throws unless every trace of a region is gone: namespaces a region makes (ENIs, <c>nc-*</c>, the edge's outside
    /// namespaces), links named like its TAPs and veths, the state file and the embedded Mapping Service's files.
    /// </summary>
    public static void AssertNothingLeft()
    {
        string[] prefixes = ["eni-", "nc-", "internet", "services", "vpn-", "dx-"];
        var left = Host.Namespaces().Where(n => prefixes.Any(p => n.StartsWith(p, StringComparison.Ordinal))).ToList();
        Assert.True(left.Count == 0, "namespaces left behind: " + string.Join(", ", left));
        // An instance's resolv.conf (/etc/netns/<eni-id>/) goes with its namespace.
        var etcLeft = Directory.Exists("/etc/netns")
            ? Directory.EnumerateDirectories("/etc/netns").Select(Path.GetFileName).Where(n => prefixes.Any(p => n!.StartsWith(p, StringComparison.Ordinal))).ToList()
            : [];
        Assert.True(etcLeft.Count == 0, "/etc/netns directories left behind: " + string.Join(", ", etcLeft));
        var links = Host.Run("ip", "-o", "link", "show").Output;
        Assert.DoesNotMatch(@"\d+: (nct|ncu|ncv|nce|nci|ncs|ncp|ncb|ncd|vk)\d", links);
        foreach (var file in new[] { "state", "endpoint", "region.json", "mapping.db", "mapping.db.lock", "ca", "hosts" })
            Assert.False(Path.Exists(Path.Combine(RunDirectory, file)), $"{RunDirectory}/{file} is still there");
    }
}
