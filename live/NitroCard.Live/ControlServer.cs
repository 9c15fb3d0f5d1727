using System.Net.Sockets;
using System.Text;

namespace NitroCard.Live;

/// <summary>
/// A node's control channel: a Unix socket (<see cref="LiveState.SocketPath"/>) taking one request line (for a card:
/// <c>counters</c>, <c>alarms</c>, <c>tables</c>, <c>trace start &lt;file&gt;</c>, <c>trace stop</c>; for the edge:
/// <c>counters</c>, <c>alarms</c>, <c>vpn-connections</c>) and answering with text; an answer starting with <c>error: </c> is a failure.
/// </summary>
public sealed class ControlServer : IDisposable
{
    public const string ErrorPrefix = "error: ";

    private readonly Socket _socket;
    private readonly Func<string, Task<string>> _handle;

    private ControlServer(Socket socket, Func<string, Task<string>> handle)
    {
        _socket = socket;
        _handle = handle;
    }

    /// <summary>Listens on <paramref name="node"/>'s socket; <paramref name="handle"/> answers a request line.</summary>
    public static ControlServer Start(string node, Func<string, Task<string>> handle)
    {
        var path = LiveState.SocketPath(node);
        File.Delete(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(8);
        var server = new ControlServer(socket, handle);
        _ = Task.Run(server.AcceptAsync);
        return server;
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            await using var stream = new NetworkStream(client, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
            var line = (await reader.ReadLineAsync().ConfigureAwait(false) ?? "").Trim();
            string answer;
            try
            {
                answer = await _handle(line).ConfigureAwait(false);
            }
            catch (Exception e) when (e is LiveException or NitroCard.Card.NitroCardException or IOException or InvalidOperationException)
            {
                answer = ErrorPrefix + e.Message + "\n";
            }
            await stream.WriteAsync(Encoding.UTF8.GetBytes(answer)).ConfigureAwait(false);
        }
    }

    public void Dispose() => _socket.Dispose();
}
