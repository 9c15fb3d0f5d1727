namespace NitroCard.InstanceServices.Punt;

/// <summary>One reply of a TCP application: bytes to send and the IP TTL of the segments carrying them (null: the endpoint's).</summary>
internal readonly record struct TcpReply(byte[] Data, byte? Ttl = null);

/// <summary>What a TCP application did with the bytes received so far.</summary>
/// <param name="Consumed">Bytes taken from the start of the receive buffer (0: wants more).</param>
/// <param name="Replies">Bytes to send, in order.</param>
/// <param name="Close">Close after the replies (FIN); with <paramref name="Abort"/>, reset instead.</param>
/// <param name="Abort">A request that can never be answered: RST.</param>
internal readonly record struct TcpAppResult(int Consumed, IReadOnlyList<TcpReply> Replies, bool Close = false, bool Abort = false)
{
    public static TcpAppResult NeedMore { get; } = new(0, []);
}

/// <summary>A request/response protocol over one short TCP connection (HTTP for IMDS, DNS over TCP).</summary>
internal interface ITcpApplication
{
    /// <summary>Reads what it can of <paramref name="received"/> (all in-order bytes not yet consumed).</summary>
    ValueTask<TcpAppResult> OnReceiveAsync(ReadOnlyMemory<byte> received, CancellationToken cancellationToken);
}
