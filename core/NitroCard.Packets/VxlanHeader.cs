using System.Buffers.Binary;

namespace NitroCard.Packets;

/// <summary>
/// VXLAN (RFC 7348) over UDP/IPv4/Ethernet exactly as the card encapsulates
/// (docs/card-semantics.md, "TX" step 9): a 50-byte outer header in front of the inner frame.
/// </summary>
public static class VxlanHeader
{
    /// <summary>VXLAN header length.</summary>
    public const int Length = 8;

    /// <summary>IANA VXLAN UDP port.</summary>
    public const ushort Port = 4789;

    /// <summary>Flags byte with only the I (valid VNI) bit.</summary>
    public const byte FlagI = 0x08;

    /// <summary>Outer Ethernet + IPv4 + UDP + VXLAN: 14 + 20 + 8 + 8.</summary>
    public const int Overhead = EthernetHeader.Length + Ipv4Header.MinLength + UdpHeader.Length + Length;

    /// <summary>Offset of the VXLAN header in an encapsulated frame (outer IPv4 without options).</summary>
    public const int OffsetInFrame = EthernetHeader.Length + Ipv4Header.MinLength + UdpHeader.Length;

    /// <summary>The 24-bit VNI of a VXLAN header (bytes 4..6).</summary>
    public static uint Vni(ReadOnlySpan<byte> vxlan) => ((uint)vxlan[4] << 16) | ((uint)vxlan[5] << 8) | vxlan[6];

    /// <summary>Writes the 8-byte VXLAN header: <c>08 00 00 00</c>, VNI (3 bytes), <c>00</c>.</summary>
    public static void Write(Span<byte> vxlan, uint vni)
    {
        BinaryPrimitives.WriteUInt32BigEndian(vxlan, (uint)FlagI << 24);
        BinaryPrimitives.WriteUInt32BigEndian(vxlan[4..], (vni & 0xFF_FFFF) << 8);
    }

    /// <summary>
    /// Writes the card's 50-byte outer header for an inner frame of <paramref name="innerLength"/> bytes:
    /// Ethernet (type 0x0800); IPv4 0x45, TOS 0, total length inner+36, id 0, DF, TTL 64, UDP, checksum;
    /// UDP source port <paramref name="sourcePort"/>, destination 4789, length inner+16, checksum 0; VXLAN.
    /// </summary>
    public static void WriteOuter(
        Span<byte> outer,
        int innerLength,
        ulong destinationMac,
        ulong sourceMac,
        uint sourceIp,
        uint destinationIp,
        ushort sourcePort,
        uint vni)
    {
        EthernetHeader.Write(outer, destinationMac, sourceMac, EthernetHeader.TypeIpv4);
        var ip = outer[EthernetHeader.Length..];
        ip[0] = 0x45;
        ip[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(innerLength + 36));
        BinaryPrimitives.WriteUInt32BigEndian(ip[4..], Ipv4Header.DontFragmentFlag);
        ip[8] = 64;
        ip[9] = Ipv4Header.ProtocolUdp;
        ip[10] = 0;
        ip[11] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], sourceIp);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], destinationIp);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Ipv4Checksum.ComputeHeader(ip[..Ipv4Header.MinLength]));
        UdpHeader.Write(ip[Ipv4Header.MinLength..], sourcePort, Port, innerLength + 16, 0);
        Write(outer[OffsetInFrame..], vni);
    }

    /// <summary>Encapsulates <paramref name="inner"/> as the card does, the UDP source port from <see cref="FlowHash"/>.</summary>
    public static byte[] Encapsulate(ReadOnlySpan<byte> inner, ulong destinationMac, ulong sourceMac, uint sourceIp, uint destinationIp, uint vni)
        => Encapsulate(inner, destinationMac, sourceMac, sourceIp, destinationIp, vni, FlowHash.SourcePort(inner));

    /// <summary>Encapsulates <paramref name="inner"/> with an explicit UDP source port.</summary>
    public static byte[] Encapsulate(ReadOnlySpan<byte> inner, ulong destinationMac, ulong sourceMac, uint sourceIp, uint destinationIp, uint vni, ushort sourcePort)
    {
        var frame = new byte[Overhead + inner.Length];
        WriteOuter(frame, inner.Length, destinationMac, sourceMac, sourceIp, destinationIp, sourcePort, vni);
        inner.CopyTo(frame.AsSpan(Overhead));
        return frame;
    }
}
