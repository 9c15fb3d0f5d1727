using System.Net;

namespace NitroCard.Bgp.Session;

/// <summary>
/// One transport connection to a peer (a kernel TCP socket in production, <see cref="TcpBgpConnection"/>; a fake in
/// tests). It frames the byte stream into messages with <see cref="Wire.BgpCodec.FrameLength"/>.
/// </summary>
public interface IBgpConnection
{
    /// <summary>Our end.</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>The peer's end.</summary>
    IPEndPoint RemoteEndPoint { get; }

    /// <summary>Starts delivering: each message (header included) to <paramref name="onMessage"/>, in order; then
    /// <paramref name="onClosed"/> once if the peer closes or the connection fails (not after <see cref="Close"/>).</summary>
    void Start(Action<IBgpConnection, ReadOnlyMemory<byte>> onMessage, Action<IBgpConnection> onClosed);

    /// <summary>Queues a whole message for sending, in order.</summary>
    void Send(ReadOnlyMemory<byte> message);

    /// <summary>Sends what is queued, then closes. Safe to call more than once.</summary>
    void Close();
}
