using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NitroCard.Testing;

/// <summary>
/// A real etcd (Debian's etcd-server) on free loopback ports with its data in a temp directory, stopped and removed
/// at the end; <see cref="Available"/> is false when <c>/usr/bin/etcd</c> is not installed.
/// </summary>
internal sealed class EtcdServer : IDisposable
{
    private const string Binary = "/usr/bin/etcd";
    private readonly TempDir _dir = new("nitrocard-etcd-");
    private readonly Process? _process;

    public EtcdServer()
    {
        if (!System.IO.File.Exists(Binary))
            return;
        var client = FreePort();
        var peer = FreePort();
        _process = Process.Start(new ProcessStartInfo(Binary)
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
        })!;
        _process.OutputDataReceived += (_, _) => { };
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
        Dispose();
        throw new InvalidOperationException("etcd did not start");
    }

    /// <summary><c>etcd://127.0.0.1:&lt;client port&gt;</c> (empty when not available).</summary>
    public string Url { get; } = "";

    public bool Available => _process is not null;

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
