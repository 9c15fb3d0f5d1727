using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace NitroCard.InstanceServices.Dns;

/// <summary>Where names the resolver is not authoritative for go.</summary>
public interface IDnsUpstream
{
    /// <summary>The upstream's answer to <paramref name="query"/> (wire format, same id); null when none came in time.</summary>
    ValueTask<byte[]?> ForwardAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken);
}

/// <summary>A recursive resolver reached over UDP (RFC 1035 4.2.1), falling back to TCP when its answer is truncated.</summary>
/// <param name="endpoint">The upstream's address and port.</param>
/// <param name="timeout">How long to wait for an answer.</param>
/// <param name="sockets">
/// Makes the sockets the queries go out on (null: ordinary sockets). The live region passes one that creates them in the
/// network namespace its upstream lives in.
/// </param>
public sealed class UdpDnsUpstream(IPEndPoint endpoint, TimeSpan timeout, Func<SocketType, ProtocolType, Socket>? sockets = null) : IDnsUpstream
{
    private Socket NewSocket(SocketType type, ProtocolType protocol)
        => sockets?.Invoke(type, protocol) ?? new Socket(Endpoint.AddressFamily, type, protocol);

    /// <summary>The upstream.</summary>
    public IPEndPoint Endpoint { get; } = endpoint;

    /// <inheritdoc />
    public async ValueTask<byte[]?> ForwardAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            using var udp = NewSocket(SocketType.Dgram, ProtocolType.Udp);
            await udp.ConnectAsync(Endpoint, cts.Token).ConfigureAwait(false);
            await udp.SendAsync(query, SocketFlags.None, cts.Token).ConfigureAwait(false);
            var buffer = new byte[65535];
            while (true)
            {
                var received = await udp.ReceiveAsync(buffer, SocketFlags.None, cts.Token).ConfigureAwait(false);
                var answer = buffer.AsSpan(0, received).ToArray();
                if (answer.Length < 12 || answer[0] != query.Span[0] || answer[1] != query.Span[1])
                    continue; // not the answer to this query
                if ((answer[2] & 0x02) == 0)
                    return answer;
                return await ForwardTcpAsync(query, cts.Token).ConfigureAwait(false) ?? answer;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private async Task<byte[]?> ForwardTcpAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken)
    {
        try
        {
            using var tcp = NewSocket(SocketType.Stream, ProtocolType.Tcp);
            await tcp.ConnectAsync(Endpoint, cancellationToken).ConfigureAwait(false);
            await using var stream = new NetworkStream(tcp);
            var framed = new byte[2 + query.Length];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed.AsMemory(2));
            await stream.WriteAsync(framed, cancellationToken).ConfigureAwait(false);
            var prefix = new byte[2];
            await stream.ReadExactlyAsync(prefix, cancellationToken).ConfigureAwait(false);
            var answer = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
            await stream.ReadExactlyAsync(answer, cancellationToken).ConfigureAwait(false);
            return answer;
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return null;
        }
    }
}
