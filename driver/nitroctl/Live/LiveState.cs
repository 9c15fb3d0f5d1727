using System.Diagnostics;
using System.Globalization;

namespace NitroCard.Cli.Live;

/// <summary>
/// What a running <c>region up</c> created, written before each thing is created so that <c>region down</c>
/// can remove the leftovers of a crashed run: one line per item (<c>pid N</c>, <c>netns NAME</c>,
/// <c>link NAME</c>) in <c>state</c> under <see cref="Directory"/>, next to the hosts' control sockets.
/// </summary>
internal sealed class LiveState
{
    private readonly Lock _lock = new();

    /// <summary>The run directory: <c>$NITROCARD_RUN_DIR</c>, default <c>/run/nitrocard</c>.</summary>
    public static string Directory => Environment.GetEnvironmentVariable("NITROCARD_RUN_DIR") is { Length: > 0 } dir ? dir : "/run/nitrocard";

    public static string StatePath => Path.Combine(Directory, "state");

    /// <summary>The control socket of a host's card.</summary>
    public static string SocketPath(string host) => Path.Combine(Directory, $"{host}.sock");

    /// <summary>Starts a state file for this process; fails when one is there already.</summary>
    public static LiveState Begin()
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (File.Exists(StatePath))
        {
            var pid = Read().Pid;
            var alive = pid is { } p && IsAlive(p);
            throw new CliException(alive
                ? $"a region is already up (pid {pid}); stop it or run 'nitroctl region down'"
                : $"a previous region run left {StatePath} behind; run 'nitroctl region down' first");
        }
        var state = new LiveState();
        state.Append($"pid {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");
        return state;
    }

    public void AddNamespace(string name) => Append($"netns {name}");

    public void AddLink(string name) => Append($"link {name}");

    private void Append(string line)
    {
        lock (_lock)
            File.AppendAllText(StatePath, line + "\n");
    }

    /// <summary>Reads the state file (empty when there is none).</summary>
    public static (int? Pid, List<string> Namespaces, List<string> Links) Read()
    {
        int? pid = null;
        List<string> namespaces = [];
        List<string> links = [];
        if (!File.Exists(StatePath))
            return (pid, namespaces, links);
        foreach (var line in File.ReadAllLines(StatePath))
        {
            var parts = line.Split(' ', 2);
            if (parts.Length != 2)
                continue;
            switch (parts[0])
            {
                case "pid" when int.TryParse(parts[1], CultureInfo.InvariantCulture, out var p):
                    pid = p;
                    break;
                case "netns":
                    namespaces.Add(parts[1]);
                    break;
                case "link":
                    links.Add(parts[1]);
                    break;
            }
        }
        return (pid, namespaces, links);
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Removes everything a state file lists (stopping its process first: SIGTERM, then SIGKILL after 10 s),
    /// then the state file and the control sockets. Returns what it removed, one line each.
    /// </summary>
    public static List<string> TearDown(bool includeProcess)
    {
        var removed = new List<string>();
        var (pid, namespaces, links) = Read();
        if (includeProcess && pid is { } p && p != Environment.ProcessId && IsAlive(p))
        {
            using var process = Process.GetProcessById(p);
            Shell.TryRun("kill", "-TERM", p.ToString(CultureInfo.InvariantCulture));
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
            removed.Add($"process {p}");
        }
        var existing = Shell.Namespaces();
        foreach (var ns in namespaces.Distinct().Reverse())
        {
            if (existing.Contains(ns) && Shell.TryRun("ip", "netns", "delete", ns).Code == 0)
                removed.Add($"netns {ns}");
        }
        foreach (var link in links.Distinct())
        {
            if (Shell.TryRun("ip", "link", "show", "dev", link).Code == 0 && Shell.TryRun("ip", "link", "delete", "dev", link).Code == 0)
                removed.Add($"link {link}");
        }
        if (System.IO.Directory.Exists(Directory))
        {
            foreach (var socket in System.IO.Directory.GetFiles(Directory, "*.sock"))
            {
                File.Delete(socket);
                removed.Add($"socket {socket}");
            }
        }
        if (File.Exists(StatePath))
            File.Delete(StatePath);
        return removed;
    }
}
