using System.Buffers.Binary;

namespace NitroCard.Packets;

/// <summary>UDP header (8 bytes) accessors and builder; spans start at the UDP header.</summary>
public static class UdpHeader
{
    public const int Length = 8;

    public static ushort SourcePort(ReadOnlySpan<byte> udp) => BinaryPrimitives.ReadUInt16BigEndian(udp);

    public static ushort DestinationPort(ReadOnlySpan<byte> udp) => BinaryPrimitives.ReadUInt16BigEndian(udp[2..]);

    /// <summary>The length field: header plus payload.</summary>
    public static ushort DatagramLength(ReadOnlySpan<byte> udp) => BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);

    public static ushort Checksum(ReadOnlySpan<byte> udp) => BinaryPrimitives.ReadUInt16BigEndian(udp[6..]);

    /// <summary>Writes the 8-byte header; the checksum field is written as given.</summary>
    public static void Write(Span<byte> udp, ushort sourcePort, ushort destinationPort, int datagramLength, ushort checksum)
    {
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)datagramLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], checksum);
    }

    /// <summary>
    /// A UDP datagram (header + payload). With <paramref name="withChecksum"/> the checksum covers the
    /// IPv4 pseudo-header of <paramref name="source"/> / <paramref name="destination"/> (a computed 0 is sent as 0xFFFF); otherwise it is 0.
    /// </summary>
    public static byte[] Build(uint source, uint destination, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload, bool withChecksum = true)
    {
        var datagram = new byte[Length + payload.Length];
        Write(datagram, sourcePort, destinationPort, datagram.Length, 0);
        payload.CopyTo(datagram.AsSpan(Length));
        if (withChecksum)
        {
            var sum = Ipv4Checksum.ComputeTransport(source, destination, Ipv4Header.ProtocolUdp, datagram);
            BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(6), sum == 0 ? (ushort)0xFFFF : sum);
        }
        return datagram;
    }
}
