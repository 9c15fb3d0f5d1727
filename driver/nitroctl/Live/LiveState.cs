using System.Diagnostics;
using System.Globalization;

namespace NitroCard.Cli.Live;

/// <summary>
/// What a running <c>region up</c> created, written before each thing is created so that <c>region down</c>
/// can remove the leftovers of a crashed run: one line per item (<c>pid N</c>, <c>netns NAME</c>,
/// <c>link NAME</c>, <c>child N</c> for a helper process such as the services namespace's HTTP server) in <c>state</c>
/// under <see cref="Directory"/>, next to the hosts' control sockets and the embedded Mapping Service's files
/// (<c>mapping.db</c>, the region CA in <c>ca/</c>, host identities in <c>hosts/</c>, its URL in <c>endpoint</c>).
/// </summary>
internal sealed class LiveState
{
    private readonly Lock _lock = new();

    /// <summary>The run directory: <c>$NITROCARD_RUN_DIR</c>, default <c>/run/nitrocard</c>.</summary>
    public static string Directory => Environment.GetEnvironmentVariable("NITROCARD_RUN_DIR") is { Length: > 0 } dir ? dir : "/run/nitrocard";

    public static string StatePath => Path.Combine(Directory, "state");

    /// <summary>The embedded Mapping Service's SQLite store.</summary>
    public static string StorePath => Path.Combine(Directory, "mapping.db");

    /// <summary>The region CA (and the operator identity <c>nitroctl --ca-dir</c> uses).</summary>
    public static string CaDirectory => Path.Combine(Directory, "ca");

    /// <summary>The Mapping Service's URL (one line), for <c>nitroctl --endpoint $(cat ...)</c>.</summary>
    public static string EndpointPath => Path.Combine(Directory, "endpoint");

    /// <summary>A host's mTLS identity issued by the region CA.</summary>
    public static string HostIdentityDirectory(string host) => Path.Combine(Directory, "hosts", host);

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

    public void AddChild(int pid) => Append($"child {pid.ToString(CultureInfo.InvariantCulture)}");

    private void Append(string line)
    {
        lock (_lock)
            File.AppendAllText(StatePath, line + "\n");
    }

    /// <summary>Reads the state file (empty when there is none).</summary>
    public static (int? Pid, List<string> Namespaces, List<string> Links, List<int> Children) Read()
    {
        int? pid = null;
        List<string> namespaces = [];
        List<string> links = [];
        List<int> children = [];
        if (!File.Exists(StatePath))
            return (pid, namespaces, links, children);
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
                case "child" when int.TryParse(parts[1], CultureInfo.InvariantCulture, out var c):
                    children.Add(c);
                    break;
            }
        }
        return (pid, namespaces, links, children);
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
        var (pid, namespaces, links, children) = Read();
        if (includeProcess && pid is { } p && p != Environment.ProcessId && IsAlive(p))
        {
            Stop(p);
            removed.Add($"process {p}");
        }
        foreach (var child in children.Where(IsAlive))
        {
            Stop(child);
            removed.Add($"process {child}");
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
        foreach (var file in new[] { StorePath, StorePath + "-wal", StorePath + "-shm", EndpointPath }.Where(File.Exists))
        {
            File.Delete(file);
            removed.Add($"file {file}");
        }
        foreach (var dir in new[] { CaDirectory, Path.Combine(Directory, "hosts") }.Where(System.IO.Directory.Exists))
        {
            System.IO.Directory.Delete(dir, recursive: true);
            removed.Add($"directory {dir}");
        }
        if (File.Exists(StatePath))
            File.Delete(StatePath);
        return removed;
    }

    /// <summary>SIGTERM, then SIGKILL after 10 s.</summary>
    private static void Stop(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            Shell.TryRun("kill", "-TERM", pid.ToString(CultureInfo.InvariantCulture));
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
        catch (ArgumentException)
        {
            // already gone
        }
    }
}
