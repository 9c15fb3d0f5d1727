using System.Buffers.Binary;

namespace NitroCard.Packets;

/// <summary>The inner 5-tuple the outer UDP source port is hashed from (docs/card-semantics.md, "Hash functions").</summary>
/// <param name="Source">Inner IPv4 source.</param>
/// <param name="Destination">Inner IPv4 destination.</param>
/// <param name="Protocol">Inner IPv4 protocol.</param>
/// <param name="SourcePort">TCP/UDP source port, 0 for other protocols and fragments.</param>
/// <param name="DestinationPort">TCP/UDP destination port, 0 for other protocols and fragments.</param>
public readonly record struct FlowTuple(uint Source, uint Destination, byte Protocol, ushort SourcePort, ushort DestinationPort);

/// <summary>
/// The card's flow hash: UDP source port = 49152 + (crc32c(src, dst, proto, sport, dport) &amp; 0x3FFF)
/// over the inner IPv4 packet: the card's function (the model and the tests use this one).
/// </summary>
public static class FlowHash
{
    /// <summary>
    /// Reads the tuple of an inner Ethernet/IPv4 frame (IHL 5): source bytes 26..29, destination
    /// 30..33, protocol 23; for TCP and UDP non-fragments (flags/fragment word 20..21) the ports
    /// 34..35 and 36..37. Every field is read by position when the frame is long enough to hold it
    /// and is 0 otherwise (the rule alarms use), so any byte string yields a tuple.
    /// </summary>
    public static FlowTuple ReadTuple(ReadOnlySpan<byte> innerFrame)
    {
        var protocol = innerFrame.Length > 23 ? innerFrame[23] : (byte)0;
        var fragment = innerFrame.Length >= 22 && (BinaryPrimitives.ReadUInt16BigEndian(innerFrame[20..]) & 0x3FFF) != 0;
        ushort sourcePort = 0, destinationPort = 0;
        if (protocol is Ipv4Header.ProtocolTcp or Ipv4Header.ProtocolUdp && !fragment)
        {
            sourcePort = Read16(innerFrame, 34);
            destinationPort = Read16(innerFrame, 36);
        }
        return new FlowTuple(Read32(innerFrame, 26), Read32(innerFrame, 30), protocol, sourcePort, destinationPort);
    }

    /// <summary>The outer UDP source port for an inner Ethernet/IPv4 frame.</summary>
    public static ushort SourcePort(ReadOnlySpan<byte> innerFrame) => SourcePort(ReadTuple(innerFrame));

    /// <summary>The outer UDP source port for a tuple.</summary>
    public static ushort SourcePort(FlowTuple tuple)
    {
        Span<byte> bytes = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, tuple.Source);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[4..], tuple.Destination);
        bytes[8] = tuple.Protocol;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[9..], tuple.SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[11..], tuple.DestinationPort);
        return (ushort)(49152 + (Crc32C.HashToUInt32(bytes) & 0x3FFF));
    }

    private static ushort Read16(ReadOnlySpan<byte> frame, int offset)
        => frame.Length >= offset + 2 ? BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]) : (ushort)0;

    private static uint Read32(ReadOnlySpan<byte> frame, int offset)
        => frame.Length >= offset + 4 ? BinaryPrimitives.ReadUInt32BigEndian(frame[offset..]) : 0;
}
