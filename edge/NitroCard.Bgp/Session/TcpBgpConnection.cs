using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using NitroCard.Bgp.Wire;

namespace NitroCard.Bgp.Session;

/// <summary>
/// A BGP connection on a kernel TCP socket: a read loop that frames messages by their header's Length, and a write
/// loop that sends queued messages in order. <see cref="Close"/> sends what is queued, shuts down our side and waits
/// (briefly) for the peer to close, so a final NOTIFICATION is not lost to a reset.
/// </summary>
public sealed class TcpBgpConnection : IBgpConnection
{
    private static readonly TimeSpan LingerForPeer = TimeSpan.FromSeconds(2);
    private readonly Socket _socket;
    private readonly Channel<ReadOnlyMemory<byte>> _outgoing = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _reading = Task.CompletedTask;
    private int _started;
    private volatile bool _closing;

    /// <summary>Wraps a connected socket.</summary>
    public TcpBgpConnection(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        _socket = socket;
        _socket.NoDelay = true;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint!;
    }

    /// <inheritdoc/>
    public IPEndPoint LocalEndPoint { get; }

    /// <inheritdoc/>
    public IPEndPoint RemoteEndPoint { get; }

    /// <summary>Completes when the socket is closed (after a <see cref="Close"/>: once what was queued has been sent).</summary>
    public Task Finished => _finished.Task;

    /// <summary>Connects to <paramref name="remote"/> from <paramref name="local"/> (port 0: any port), with a socket
    /// created in <paramref name="networkNamespace"/> when one is given.</summary>
    public static async Task<TcpBgpConnection> ConnectAsync(IPEndPoint? local, IPEndPoint remote, string? networkNamespace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var socket = BgpSpeaker.CreateSocket(networkNamespace, remote.Address);
        try
        {
            if (local is not null)
            {
                socket.Bind(local);
            }

            await socket.ConnectAsync(remote, cancellationToken).ConfigureAwait(false);
            return new TcpBgpConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Start(Action<IBgpConnection, ReadOnlyMemory<byte>> onMessage, Action<IBgpConnection> onClosed)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("already started");
        }

        _reading = Task.Run(() => ReadLoopAsync(onMessage, onClosed));
        _ = Task.Run(WriteLoopAsync);
    }

    /// <inheritdoc/>
    public void Send(ReadOnlyMemory<byte> message) => _outgoing.Writer.TryWrite(message);

    /// <inheritdoc/>
    public void Close()
    {
        _closing = true;
        _outgoing.Writer.TryComplete();
        if (Volatile.Read(ref _started) == 0)
        {
            _socket.Dispose();
            _finished.TrySetResult();
        }
    }

    private async Task ReadLoopAsync(Action<IBgpConnection, ReadOnlyMemory<byte>> onMessage, Action<IBgpConnection> onClosed)
    {
        var header = new byte[BgpCodec.HeaderLength];
        try
        {
            while (true)
            {
                if (!await ReadExactlyAsync(header).ConfigureAwait(false))
                {
                    break;
                }

                var message = new byte[BgpCodec.FrameLength(header)];
                header.CopyTo(message, 0);
                if (message.Length > header.Length && !await ReadExactlyAsync(message.AsMemory(header.Length)).ConfigureAwait(false))
                {
                    break;
                }

                if (!_closing)
                {
                    onMessage(this, message);
                }
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        if (!_closing)
        {
            _closing = true;
            _outgoing.Writer.TryComplete();
            onClosed(this);
        }
    }

    private async Task<bool> ReadExactlyAsync(Memory<byte> buffer)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await _socket.ReceiveAsync(buffer[read..], SocketFlags.None).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var message in _outgoing.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                for (int sent = 0; sent < message.Length;)
                {
                    sent += await _socket.SendAsync(message[sent..], SocketFlags.None).ConfigureAwait(false);
                }
            }

            _socket.Shutdown(SocketShutdown.Send);
            await Task.WhenAny(_reading, Task.Delay(LingerForPeer)).ConfigureAwait(false);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            _socket.Dispose();
            _finished.TrySetResult();
        }
    }
}
