using System.Buffers.Binary;
using NitroCard.Packets;

namespace NitroCard.InstanceServices.Punt;

/// <summary>TCP option handling the packets library does not have: the MSS option (RFC 9293 3.7.1) of a SYN and a SYN-ACK.</summary>
internal static class TcpSegments
{
    /// <summary>The MSS a SYN without the option implies (RFC 9293 3.7.1: 536 for IPv4).</summary>
    public const int DefaultMss = 536;

    /// <summary>The MSS option of <paramref name="tcp"/> (a segment with its options); <see cref="DefaultMss"/> when absent or malformed.</summary>
    public static int ReadMss(ReadOnlySpan<byte> tcp)
    {
        var headerLength = TcpHeader.DataOffset(tcp) * 4;
        var options = tcp[TcpHeader.MinLength..Math.Min(headerLength, tcp.Length)];
        var i = 0;
        while (i < options.Length)
        {
            var kind = options[i];
            if (kind == 0)
                break;
            if (kind == 1)
            {
                i++;
                continue;
            }
            if (i + 1 >= options.Length || options[i + 1] < 2 || i + options[i + 1] > options.Length)
                break;
            if (kind == 2 && options[i + 1] == 4)
            {
                var mss = BinaryPrimitives.ReadUInt16BigEndian(options[(i + 2)..]);
                return mss == 0 ? DefaultMss : mss;
            }
            i += options[i + 1];
        }
        return DefaultMss;
    }

    /// <summary>A SYN-ACK segment carrying the MSS option, with its pseudo-header checksum.</summary>
    public static byte[] SynAck(uint source, uint destination, ushort sourcePort, ushort destinationPort, uint sequence, uint acknowledgment, ushort mss, ushort window)
    {
        var plain = TcpHeader.Build(source, destination, sourcePort, destinationPort, sequence, acknowledgment, TcpControl.Syn | TcpControl.Ack, [], window);
        return WithMssOption(plain, source, destination, mss);
    }

    /// <summary>
    /// <paramref name="segment"/> (a header without options, and its payload) widened by one MSS option word (RFC 9293
    /// §3.7.1) and re-summed: the packets library builds headers without options.
    /// </summary>
    public static byte[] WithMssOption(ReadOnlySpan<byte> segment, uint source, uint destination, ushort mss)
    {
        var widened = new byte[segment.Length + 4];
        segment[..TcpHeader.MinLength].CopyTo(widened);
        segment[TcpHeader.MinLength..].CopyTo(widened.AsSpan(TcpHeader.MinLength + 4));
        widened[12] = 6 << 4;
        widened[16] = 0;
        widened[17] = 0;
        widened[20] = 2;
        widened[21] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(widened.AsSpan(22), mss);
        BinaryPrimitives.WriteUInt16BigEndian(widened.AsSpan(16), Ipv4Checksum.ComputeTransport(source, destination, Ipv4Header.ProtocolTcp, widened));
        return widened;
    }

    /// <summary>Sequence-number comparison modulo 2^32 (RFC 9293 3.4): a before b.</summary>
    public static bool Before(uint a, uint b) => (int)(a - b) < 0;

    /// <summary>a at or before b.</summary>
    public static bool AtOrBefore(uint a, uint b) => (int)(a - b) <= 0;
}
