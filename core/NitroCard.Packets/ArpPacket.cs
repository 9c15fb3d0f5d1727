using System.Buffers.Binary;

namespace NitroCard.Packets;

/// <summary>
/// ARP for IPv4 over Ethernet (RFC 826): 28 bytes after the Ethernet header. Spans start at the
/// ARP header (frame offset 14). A request frame is 42 bytes before padding.
/// </summary>
public static class ArpPacket
{
    /// <summary>ARP payload length for Ethernet/IPv4.</summary>
    public const int Length = 28;

    /// <summary>Ethernet header + ARP payload.</summary>
    public const int FrameLength = EthernetHeader.Length + Length;

    public const ushort OpRequest = 1;
    public const ushort OpReply = 2;

    public static ushort HardwareType(ReadOnlySpan<byte> arp) => BinaryPrimitives.ReadUInt16BigEndian(arp);

    public static ushort ProtocolType(ReadOnlySpan<byte> arp) => BinaryPrimitives.ReadUInt16BigEndian(arp[2..]);

    public static byte HardwareLength(ReadOnlySpan<byte> arp) => arp[4];

    public static byte ProtocolLength(ReadOnlySpan<byte> arp) => arp[5];

    public static ushort Opcode(ReadOnlySpan<byte> arp) => BinaryPrimitives.ReadUInt16BigEndian(arp[6..]);

    public static ulong SenderMac(ReadOnlySpan<byte> arp) => EthernetHeader.ReadMac(arp[8..]);

    public static uint SenderIp(ReadOnlySpan<byte> arp) => BinaryPrimitives.ReadUInt32BigEndian(arp[14..]);

    public static ulong TargetMac(ReadOnlySpan<byte> arp) => EthernetHeader.ReadMac(arp[18..]);

    public static uint TargetIp(ReadOnlySpan<byte> arp) => BinaryPrimitives.ReadUInt32BigEndian(arp[24..]);

    /// <summary>True for htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4.</summary>
    public static bool IsEthernetIpv4(ReadOnlySpan<byte> arp)
        => HardwareType(arp) == 1 && ProtocolType(arp) == EthernetHeader.TypeIpv4 && HardwareLength(arp) == 6 && ProtocolLength(arp) == 4;

    /// <summary>Writes the 28-byte Ethernet/IPv4 ARP payload.</summary>
    public static void Write(Span<byte> arp, ushort opcode, ulong senderMac, uint senderIp, ulong targetMac, uint targetIp)
    {
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], EthernetHeader.TypeIpv4);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], opcode);
        EthernetHeader.WriteMac(arp[8..], senderMac);
        BinaryPrimitives.WriteUInt32BigEndian(arp[14..], senderIp);
        EthernetHeader.WriteMac(arp[18..], targetMac);
        BinaryPrimitives.WriteUInt32BigEndian(arp[24..], targetIp);
    }

    /// <summary>A whole ARP frame (42 bytes, no padding).</summary>
    public static byte[] BuildFrame(ulong ethernetDestination, ushort opcode, ulong senderMac, uint senderIp, ulong targetMac, uint targetIp)
    {
        var frame = new byte[FrameLength];
        EthernetHeader.Write(frame, ethernetDestination, senderMac, EthernetHeader.TypeArp);
        Write(frame.AsSpan(EthernetHeader.Length), opcode, senderMac, senderIp, targetMac, targetIp);
        return frame;
    }
}
