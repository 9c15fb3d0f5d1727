using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NitroCard.Mapping.Storage;
using NitroCard.Region;

namespace NitroCard.Live;

/// <summary>
/// What a running <c>region up</c> created, written before each thing is created so that <c>region down</c>
/// can remove the leftovers of a crashed run: <c>state</c> under <see cref="Directory"/>, JSON (<see cref="LiveStateRecord"/>:
/// the region's process and its helper processes, each with its start time, the namespaces and the links), rewritten
/// atomically (temporary file, rename; mode 0600) at each addition. It sits next to the hosts' control sockets and the
/// embedded Mapping Service's files (<c>mapping.db</c>, the region CA in <c>ca/</c>, host identities in <c>hosts/</c>,
/// its URL in <c>endpoint</c>).
/// </summary>
public sealed class LiveState
{
    private readonly Lock _lock = new();
    private LiveStateRecord _record;

    private LiveState(LiveStateRecord record)
    {
        _record = record;
    }

    /// <summary>
    /// The flow logs' directories (<c>FLOW-LOG-ID/ENI-ID.log</c>, docs/live-region.md): <c>/var/lib/nitrocard/flow-logs</c>,
    /// <c>NITROCARD_SITE_DIR</c> overriding the parent; emptied by <c>region up</c>, kept after <c>region down</c> for reading.
    /// </summary>
    public static string FlowLogRoot => LiveEdge.SiteDirectory("flow-logs");

    /// <summary>The run directory: <c>$NITROCARD_RUN_DIR</c>, default <c>/run/nitrocard</c>.</summary>
    public static string Directory => Environment.GetEnvironmentVariable("NITROCARD_RUN_DIR") is { Length: > 0 } dir ? dir : "/run/nitrocard";

    public static string StatePath => Path.Combine(Directory, "state");

    /// <summary>The embedded Mapping Service's SQLite store.</summary>
    public static string StorePath => Path.Combine(Directory, "mapping.db");

    /// <summary>The region CA (and the operator identity <c>nitroctl --ca-dir</c> uses).</summary>
    public static string CaDirectory => Path.Combine(Directory, "ca");

    /// <summary>The data directories of the etcd cluster <c>region up --store etcd</c> starts.</summary>
    public static string EtcdDirectory => Path.Combine(Directory, "etcd");

    /// <summary>The Mapping Service's URL (one line; replicas: every one, separated by commas), for <c>nitroctl --endpoint $(cat ...)</c>.</summary>
    public static string EndpointPath => Path.Combine(Directory, "endpoint");

    /// <summary>
    /// The region the Mapping Service holds, as region-file JSON, rewritten (atomically) at every version: what the edges
    /// in processes of their own (<see cref="LiveEdgeProcess"/>) start from and follow.
    /// </summary>
    public static string RegionPath => Path.Combine(Directory, "region.json");

    /// <summary>A host's (or an edge's) mTLS identity issued by the region CA.</summary>
    public static string HostIdentityDirectory(string host) => SafePath.Under(Path.Combine(Directory, "hosts"), host);

    /// <summary>The control socket of a host's card.</summary>
    public static string SocketPath(string host) => SafePath.Under(Directory, host + ".sock");

    /// <summary>Starts a state file for this process; fails when one is there already.</summary>
    public static LiveState Begin()
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (Read() is { } previous)
        {
            throw new LiveException(previous.Region.IsRunning
                ? $"a region is already up (pid {previous.Region.Pid}); stop it or run 'nitroctl region down'"
                : $"a previous region run left {StatePath} behind; run 'nitroctl region down' first");
        }
        var self = ProcessStamp.Of(Environment.ProcessId) ?? throw new LiveException($"cannot read /proc/{Environment.ProcessId}/stat (the region's start time)");
        var state = new LiveState(new LiveStateRecord(self, [], [], []));
        state.Update(r => r);
        return state;
    }

    /// <summary>
    /// A namespace's files for <c>ip netns exec</c> (<c>/etc/netns/NAME</c>, bind-mounted over <c>/etc</c>'s); removed with
    /// the namespace (<c>ip netns delete</c> leaves it).
    /// </summary>
    public static string NetnsEtcDirectory(string name) => SafePath.Under("/etc/netns", name);

    public void AddNamespace(string name) => Update(r => r with { Namespaces = [.. r.Namespaces, name] });

    public void AddLink(string name) => Update(r => r with { Links = [.. r.Links, name] });

    /// <summary>Records a helper process with its start time (it is stopped by <c>region down</c> only while it has it).</summary>
    public void AddChild(int pid)
    {
        var child = ProcessStamp.Of(pid) ?? new ProcessStamp(pid, 0);
        Update(r => r with { Children = [.. r.Children, child] });
    }

    /// <summary>Records <paramref name="stamp"/> as a helper process as it is (tests give a wrong start time).</summary>
    internal void AddChild(ProcessStamp stamp) => Update(r => r with { Children = [.. r.Children, stamp] });

    private void Update(Func<LiveStateRecord, LiveStateRecord> change)
    {
        lock (_lock)
        {
            _record = change(_record);
            Write(_record);
        }
    }

    /// <summary>Writes <paramref name="record"/> as the state file: a temporary file (0600) renamed over it, so a reader never sees half.</summary>
    internal static void Write(LiveStateRecord record)
    {
        var temporary = StatePath + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, record, LiveStateJsonContext.Default.LiveStateRecord);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, StatePath, overwrite: true);
    }

    /// <summary>Reads the state file: null when there is none; a file that is not a state file is a <see cref="LiveException"/> naming it.</summary>
    internal static LiveStateRecord? Read()
    {
        if (!File.Exists(StatePath))
            return null;
        try
        {
            using var stream = File.OpenRead(StatePath);
            return JsonSerializer.Deserialize(stream, LiveStateJsonContext.Default.LiveStateRecord)
                ?? throw new JsonException("the document is null");
        }
        catch (JsonException e)
        {
            throw new LiveException($"{StatePath}: not a region state file ({e.Message}); nothing was stopped or removed: check it, then delete it by hand", e);
        }
    }

    /// <summary>
    /// Removes what the state file lists (stopping its processes first, each only while it is the recorded one:
    /// SIGTERM, then SIGKILL after 10 s), then the state file and the control sockets. A recorded namespace is
    /// deleted only when it follows the id rule and a link only when it is one the live region names (<see cref="LiveNames"/>).
    /// Returns what it removed and what it left alone (one line each).
    /// </summary>
    public static (List<string> Removed, List<string> LeftAlone) TearDown(bool includeProcess)
    {
        var removed = new List<string>();
        var leftAlone = new List<string>();
        var record = Read();
        if (record is not null)
        {
            var processes = includeProcess && record.Region.Pid != Environment.ProcessId ? [record.Region, .. record.Children] : record.Children;
            foreach (var process in processes)
            {
                if (StopIfRecorded(process) is { } note)
                    leftAlone.Add(note);
                else
                    removed.Add($"process {process.Pid}");
            }
            var existing = Shell.Namespaces();
            foreach (var ns in record.Namespaces.Distinct().Reverse())
            {
                if (!ResourceName.IsValid(ns))
                    leftAlone.Add($"namespace {ResourceName.Quote(ns)}: not a name a region creates");
                else
                {
                    if (existing.Contains(ns) && Shell.TryRun("ip", "netns", "delete", ns).Code == 0)
                        removed.Add($"netns {ns}");
                    if (System.IO.Directory.Exists(NetnsEtcDirectory(ns)))
                    {
                        System.IO.Directory.Delete(NetnsEtcDirectory(ns), recursive: true);
                        removed.Add($"directory {NetnsEtcDirectory(ns)}");
                    }
                }
            }
            foreach (var link in record.Links.Distinct())
            {
                if (!LiveNames.IsRegionLink(link))
                    leftAlone.Add($"link {ResourceName.Quote(link)}: not a name a region creates");
                else if (Shell.TryRun("ip", "link", "show", "dev", link).Code == 0 && Shell.TryRun("ip", "link", "delete", "dev", link).Code == 0)
                    removed.Add($"link {link}");
            }
        }
        if (System.IO.Directory.Exists(Directory))
        {
            foreach (var socket in System.IO.Directory.GetFiles(Directory, "*.sock"))
            {
                File.Delete(socket);
                removed.Add($"socket {socket}");
            }
        }
        foreach (var file in new[] { StorePath, StorePath + "-wal", StorePath + "-shm", SqliteRegionStore.LockPath(StorePath), EndpointPath, RegionPath }.Where(File.Exists))
        {
            File.Delete(file);
            removed.Add($"file {file}");
        }
        foreach (var dir in new[] { CaDirectory, Path.Combine(Directory, "hosts"), EtcdDirectory }.Where(System.IO.Directory.Exists))
        {
            System.IO.Directory.Delete(dir, recursive: true);
            removed.Add($"directory {dir}");
        }
        if (File.Exists(StatePath))
            File.Delete(StatePath);
        return (removed, leftAlone);
    }

    /// <summary>Stops <paramref name="process"/> when it still runs with its recorded start time; otherwise says why not (null: stopped or gone).</summary>
    private static string? StopIfRecorded(ProcessStamp process)
    {
        if (ProcessStamp.StartTimeOf(process.Pid) is not { } now)
            return $"process {process.Pid}: not running any more";
        if (now != process.StartTime)
            return string.Create(CultureInfo.InvariantCulture, $"process {process.Pid}: started at tick {now}, not at tick {process.StartTime} as recorded: another process has that pid now");
        Stop(process);
        return null;
    }

    /// <summary>SIGTERM, then SIGKILL after 10 s (the start time is checked again on the process object held meanwhile).</summary>
    private static void Stop(ProcessStamp stamp)
    {
        try
        {
            using var process = Process.GetProcessById(stamp.Pid);
            if (!stamp.IsRunning)
                return;
            Shell.TryRun("kill", "-TERM", stamp.Pid.ToString(CultureInfo.InvariantCulture));
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
