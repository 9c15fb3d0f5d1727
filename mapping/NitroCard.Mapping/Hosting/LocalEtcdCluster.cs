using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;

namespace NitroCard.Mapping.Hosting;

/// <summary>
/// A real etcd cluster on this machine (Debian's <c>etcd-server</c>): <see cref="Size"/> <c>etcd</c> processes, each with
/// its own data directory under <see cref="Directory"/>, listening on free loopback ports only. For a region on one
/// machine (<c>region up --store etcd</c>) and the replica tests; a real deployment runs its members on three machines.
/// </summary>
public sealed class LocalEtcdCluster : IDisposable
{
    /// <summary>Where Debian installs etcd.</summary>
    public const string Binary = "/usr/bin/etcd";

    private readonly Process?[] _members;
    private readonly (int Client, int Peer)[] _ports;
    private readonly string _initialCluster;
    private readonly Action<int>? _started;

    private LocalEtcdCluster(string directory, int size, Action<int>? started)
    {
        _started = started;
        Directory = directory;
        _members = new Process?[size];
        var ports = FreePorts(2 * size);
        _ports = [.. Enumerable.Range(0, size).Select(i => (ports[2 * i], ports[2 * i + 1]))];
        _initialCluster = string.Join(',', Enumerable.Range(0, size).Select(i => $"{MemberName(i)}=http://127.0.0.1:{_ports[i].Peer}"));
    }

    /// <summary>Whether etcd is installed.</summary>
    public static bool Available => File.Exists(Binary);

    /// <summary>The directory holding each member's data directory (<c>member-0</c>, ...).</summary>
    public string Directory { get; }

    public int Size => _members.Length;

    /// <summary>The store URL naming every member: <c>etcd://127.0.0.1:p0,127.0.0.1:p1,127.0.0.1:p2</c>.</summary>
    public string Url => "etcd://" + string.Join(',', _ports.Select(p => $"127.0.0.1:{p.Client}"));

    /// <summary>Starts the members and waits until the cluster answers (a leader elected among them).</summary>
    /// <param name="directory">Created if missing; each member's data goes in <c>member-&lt;i&gt;</c> inside it.</param>
    /// <param name="size">Members (three tolerate the loss of one).</param>
    /// <param name="timeout">How long the members may take to form the cluster.</param>
    /// <param name="started">Told each member's process id as soon as it starts (a live region records it for <c>region down</c>).</param>
    public static async Task<LocalEtcdCluster> StartAsync(string directory, int size = 3, TimeSpan? timeout = null, Action<int>? started = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (!Available)
            throw new IOException($"{Binary} is not installed (Debian package etcd-server): --store etcd starts an etcd cluster with it");
        var cluster = new LocalEtcdCluster(Path.GetFullPath(directory), size, started);
        try
        {
            for (var i = 0; i < size; i++)
                cluster.Start(i);
            await cluster.WaitHealthyAsync(timeout ?? TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>(Re)starts member <paramref name="index"/> on its data directory and ports (after <see cref="Kill"/>).</summary>
    public void Start(int index)
    {
        if (_members[index] is { HasExited: false })
            return;
        _members[index]?.Dispose();
        var data = Path.Combine(Directory, "member-" + index.ToString(CultureInfo.InvariantCulture));
        var existing = System.IO.Directory.Exists(data);
        System.IO.Directory.CreateDirectory(Directory);
        var (client, peer) = _ports[index];
        var start = new ProcessStartInfo(Binary)
        {
            ArgumentList =
            {
                "--name", MemberName(index), "--data-dir", data,
                "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
                "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
                "--initial-cluster", _initialCluster, "--initial-cluster-token", "nitrocard-" + Path.GetFileName(Directory),
                "--initial-cluster-state", existing ? "existing" : "new",
                // No metrics or debug listeners; a bigger transaction than etcd's default 128 operations is the store's write-ahead log's business.
                "--log-level", "error", "--max-txn-ops", "1024",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new IOException($"{Binary} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _members[index] = process;
        _started?.Invoke(process.Id);
    }

    /// <summary>Kills member <paramref name="index"/> (SIGKILL, as a crash would); its data directory stays.</summary>
    public void Kill(int index)
    {
        if (_members[index] is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    /// <summary>The process id of member <paramref name="index"/> (0 when it is not running).</summary>
    public int ProcessId(int index) => _members[index] is { HasExited: false } p ? p.Id : 0;

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var client = new dotnet_etcd.EtcdClient(string.Join(',', _ports.Select(p => $"http://127.0.0.1:{p.Client}")),
            configureChannelOptions: o => o.Credentials = ChannelCredentials.Insecure);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                // A linearizable read answers only once the members have elected a leader.
                await client.GetAsync("/nitrocard/version", cancellationToken: attempt.Token).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException)
            {
                var exited = Array.FindIndex(_members, m => m is { HasExited: true });
                if (exited >= 0)
                    throw new IOException($"etcd member {exited} exited with code {_members[exited]!.ExitCode} (data in {Directory})", e);
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"the etcd cluster in {Directory} did not answer within {timeout.TotalSeconds:0} s", e);
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Kills every member; the data directories stay (the caller owns <see cref="Directory"/>).</summary>
    public void Dispose()
    {
        for (var i = 0; i < _members.Length; i++)
        {
            Kill(i);
            _members[i]?.Dispose();
        }
    }

    private static string MemberName(int index) => "member-" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary><paramref name="count"/> distinct free loopback ports (all held open together while chosen).</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
            listeners.ForEach(l => l.Dispose());
        }
    }
}
