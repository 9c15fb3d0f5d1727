using System.Net.Sockets;
using System.Text;
using NitroCard.Driver.Simulation;

namespace NitroCard.Cli.Live;

/// <summary>
/// A host's control channel: a Unix socket (<see cref="LiveState.SocketPath"/>) taking one request line
/// (<c>counters</c>, <c>alarms</c>, <c>tables</c>, <c>trace start &lt;file&gt;</c>, <c>trace stop</c>) and answering
/// with text; an answer starting with <c>error: </c> is a failure.
/// </summary>
internal sealed class ControlServer : IDisposable
{
    public const string ErrorPrefix = "error: ";

    private readonly Socket _socket;
    private readonly CardHost _host;

    private ControlServer(Socket socket, CardHost host)
    {
        _socket = socket;
        _host = host;
    }

    public static ControlServer Start(CardHost host)
    {
        var path = LiveState.SocketPath(host.Host.Name);
        File.Delete(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(8);
        var server = new ControlServer(socket, host);
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
                answer = await HandleAsync(line).ConfigureAwait(false);
            }
            catch (Exception e) when (e is CliException or NitroCard.Driver.NitroCardException or IOException or InvalidOperationException)
            {
                answer = ErrorPrefix + e.Message + "\n";
            }
            await stream.WriteAsync(Encoding.UTF8.GetBytes(answer)).ConfigureAwait(false);
        }
    }

    private Task<string> HandleAsync(string line)
    {
        var plan = _host.Plan;
        var words = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        return words switch
        {
            ["counters"] => _host.ExecuteAsync(engine => CardHost.FormatCounters(plan, engine.ReadCounters())),
            ["alarms"] => Task.FromResult(string.Concat(_host.Alarms().Select(a => CardHost.Describe(a) + "\n"))),
            ["tables"] => Task.FromResult(plan.Describe()),
            ["trace", "start", var file] => _host.ExecuteAsync(engine =>
            {
                Rtl(engine).Card.StartTrace(Path.GetFullPath(file));
                return $"tracing {plan.HostName}'s card to {Path.GetFullPath(file)}\n";
            }),
            ["trace", "stop"] => _host.ExecuteAsync(engine =>
            {
                Rtl(engine).Card.StopTrace();
                return $"trace of {plan.HostName}'s card stopped\n";
            }),
            _ => Task.FromResult($"{ErrorPrefix}unknown request '{line}' (counters, alarms, tables, trace start <file>, trace stop)\n"),
        };
    }

    private static RtlCardEngine Rtl(ICardEngine engine) =>
        engine as RtlCardEngine ?? throw new CliException($"trace needs the rtl engine; this card runs the {engine.Name} engine");

    public void Dispose() => _socket.Dispose();
}
