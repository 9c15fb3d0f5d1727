using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NitroCard.Mapping.Storage;

namespace NitroCard.Mapping.Tests;

/// <summary>A temp directory removed at the end.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => System.IO.Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nitrocard-mapping-" + Guid.NewGuid().ToString("N")[..12]);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A real etcd on random loopback ports in a temp directory, stopped at the end.</summary>
public sealed class EtcdFixture : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Process? _process;

    public EtcdFixture()
    {
        if (!File.Exists("/usr/bin/etcd"))
            return;
        var client = FreePort();
        var peer = FreePort();
        _process = Process.Start(new ProcessStartInfo("/usr/bin/etcd")
        {
            ArgumentList =
            {
                "--data-dir", _dir.File("data"), "--name", "test",
                "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
                "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
                "--initial-cluster", $"test=http://127.0.0.1:{peer}", "--log-level", "error", "--max-txn-ops", "1024",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        });
        _process!.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Url = $"etcd://127.0.0.1:{client}";
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var tcp = new TcpClient();
                tcp.Connect(IPAddress.Loopback, client);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }
        throw new InvalidOperationException("etcd did not start");
    }

    public string Url { get; } = "";

    public bool Available => _process is not null;

    private int _prefix;

    /// <summary>A fresh store: each test uses etcd after wiping the keys.</summary>
    public async Task<IRegionStore> OpenFreshAsync()
    {
        Interlocked.Increment(ref _prefix);
        var store = await EtcdRegionStore.OpenAsync(Url);
        await store.WipeForTestsAsync();
        return store;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process?.Dispose();
        _dir.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
