using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;

namespace NitroCard.Live.Control;

/// <summary>A client of a node's control socket (<see cref="ControlServer"/>): gRPC over the Unix socket.</summary>
public sealed class ControlClient : IDisposable
{
    private readonly GrpcChannel _channel;

    private ControlClient(string path, GrpcChannel channel)
    {
        Path = path;
        _channel = channel;
        Node = new NodeControl.NodeControlClient(channel);
    }

    /// <summary>The socket.</summary>
    public string Path { get; }

    public NodeControl.NodeControlClient Node { get; }

    /// <summary>A channel to the socket <paramref name="path"/> (connected at the first call).</summary>
    public static ControlClient Connect(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        // The authority is not used: the handler always connects to the socket.
        var channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        return new ControlClient(path, channel);
    }

    /// <summary>The socket error of a call that could not reach the socket (none there, refused, not permitted), else null.</summary>
    public static SocketException? ConnectFailure(RpcException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.StatusCode != StatusCode.Unavailable)
            return null;
        for (Exception? inner = e.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
                return socket;
        }
        return null;
    }

    public void Dispose() => _channel.Dispose();
}
