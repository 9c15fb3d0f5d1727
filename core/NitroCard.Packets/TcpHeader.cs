using System.Buffers.Binary;

namespace NitroCard.Packets;

/// <summary>TCP control bits (flags, byte 13 of the header).</summary>
[Flags]
public enum TcpControl : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
}

/// <summary>TCP header accessors and a builder for option-less segments; spans start at the TCP header.</summary>
public static class TcpHeader
{
    /// <summary>Length of a header without options.</summary>
    public const int MinLength = 20;

    public static ushort SourcePort(ReadOnlySpan<byte> tcp) => BinaryPrimitives.ReadUInt16BigEndian(tcp);

    public static ushort DestinationPort(ReadOnlySpan<byte> tcp) => BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]);

    public static uint SequenceNumber(ReadOnlySpan<byte> tcp) => BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]);

    public static uint AcknowledgmentNumber(ReadOnlySpan<byte> tcp) => BinaryPrimitives.ReadUInt32BigEndian(tcp[8..]);

    /// <summary>Header length in 32-bit words.</summary>
    public static int DataOffset(ReadOnlySpan<byte> tcp) => tcp[12] >> 4;

    public static TcpControl Flags(ReadOnlySpan<byte> tcp) => (TcpControl)tcp[13];

    public static ushort Window(ReadOnlySpan<byte> tcp) => BinaryPrimitives.ReadUInt16BigEndian(tcp[14..]);

    public static ushort Checksum(ReadOnlySpan<byte> tcp) => BinaryPrimitives.ReadUInt16BigEndian(tcp[16..]);

    /// <summary>A TCP segment (20-byte header + payload) with the pseudo-header checksum of <paramref name="source"/> / <paramref name="destination"/>.</summary>
    public static byte[] Build(
        uint source,
        uint destination,
        ushort sourcePort,
        ushort destinationPort,
        uint sequence,
        uint acknowledgment,
        TcpControl control,
        ReadOnlySpan<byte> payload,
        ushort window = 65535)
    {
        var segment = new byte[MinLength + payload.Length];
        var s = segment.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(s, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(s[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(s[8..], acknowledgment);
        s[12] = 5 << 4;
        s[13] = (byte)control;
        BinaryPrimitives.WriteUInt16BigEndian(s[14..], window);
        payload.CopyTo(s[MinLength..]);
        BinaryPrimitives.WriteUInt16BigEndian(s[16..], Ipv4Checksum.ComputeTransport(source, destination, Ipv4Header.ProtocolTcp, segment));
        return segment;
    }
}
