using System.Buffers.Binary;
using NitroCard.Packets;

namespace NitroCard.Edge.DirectConnect;

/// <summary>
/// The Direct Connect customer side: 802.1ad S-tag (TPID 0x88a8, the connection's service VLAN) followed by an
/// 802.1Q C-tag (TPID 0x8100, the virtual interface), then the payload's ethertype.
/// </summary>
public static class QinQ
{
    /// <summary>The 802.1ad TPID.</summary>
    public const ushort ServiceTagType = 0x88A8;

    /// <summary>The 802.1Q TPID.</summary>
    public const ushort CustomerTagType = 0x8100;

    /// <summary>Destination MAC, source MAC, two tags, ethertype.</summary>
    public const int HeaderLength = 22;

    /// <summary>A tagged Ethernet frame carrying an IPv4 packet (PCP 0, DEI 0).</summary>
    public static byte[] Build(ulong destinationMac, ulong sourceMac, ushort sTag, ushort cTag, ReadOnlySpan<byte> ipv4Packet)
    {
        var frame = new byte[HeaderLength + ipv4Packet.Length];
        EthernetHeader.Write(frame, destinationMac, sourceMac, ServiceTagType);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), (ushort)(sTag & 0xFFF));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), CustomerTagType);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), (ushort)(cTag & 0xFFF));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), EthernetHeader.TypeIpv4);
        ipv4Packet.CopyTo(frame.AsSpan(HeaderLength));
        return frame;
    }

    /// <summary>Reads the two tags (VLAN ids) and the inner ethertype; false when the frame is not S-tag then C-tag.</summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, out ushort sTag, out ushort cTag, out ushort etherType, out int payloadOffset)
    {
        sTag = cTag = etherType = 0;
        payloadOffset = HeaderLength;
        if (frame.Length < HeaderLength
            || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != ServiceTagType
            || BinaryPrimitives.ReadUInt16BigEndian(frame[16..]) != CustomerTagType)
            return false;
        sTag = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(frame[14..]) & 0xFFF);
        cTag = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(frame[18..]) & 0xFFF);
        etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[20..]);
        return true;
    }
}
