using System.Buffers.Binary;
using NitroCard.Packets;

namespace NitroCard.Edge.Nat;

/// <summary>
/// 1:1 NAT of one IPv4 address in a packet (the Internet Gateway): the header field, the header checksum, the
/// TCP/UDP checksum (incrementally, RFC 1624, so fragments and large segments cost the same) and, in ICMP error
/// messages, the quoted header's matching field with its checksums too.
/// </summary>
public static class Ipv4Nat
{
    /// <summary>ICMP types whose body quotes the offending packet's IPv4 header and first 8 bytes.</summary>
    public static bool IsIcmpError(byte type) => type is 3 or 4 or 5 or 11 or 12;

    /// <summary>
    /// Rewrites the source address (outbound, <paramref name="source"/> true) or the destination address of the IPv4
    /// packet at the start of <paramref name="packet"/> from <paramref name="from"/> to <paramref name="to"/>.
    /// Returns false (and changes nothing) when the field does not hold <paramref name="from"/>.
    /// </summary>
    public static bool Translate(Span<byte> packet, bool source, uint from, uint to)
    {
        var ihl = (packet[0] & 0xF) * 4;
        var field = source ? 12 : 16;
        if (BinaryPrimitives.ReadUInt32BigEndian(packet[field..]) != from)
            return false;
        BinaryPrimitives.WriteUInt32BigEndian(packet[field..], to);
        Adjust(packet, 10, from, to);
        if (Ipv4Header.FragmentOffset(packet) != 0)
            return true; // no transport header in this fragment
        var l4 = packet[ihl..Math.Min(packet.Length, Ipv4Header.TotalLength(packet))];
        switch (Ipv4Header.Protocol(packet))
        {
            case Ipv4Header.ProtocolTcp when l4.Length >= 18:
                Adjust(l4, 16, from, to);
                break;
            case Ipv4Header.ProtocolUdp when l4.Length >= 8:
                AdjustUdp(l4, 6, from, to);
                break;
            case Ipv4Header.ProtocolIcmp when l4.Length >= 8 + 20 && IsIcmpError(l4[0]) && !Ipv4Header.MoreFragments(packet):
                TranslateQuoted(l4, source, from, to);
                break;
        }
        return true;
    }

    /// <summary>
    /// The quoted packet of an ICMP error travels the other way: when the outer source is translated the quoted
    /// destination holds the same address, and the reverse. Its header checksum and (when quoted) its TCP/UDP
    /// checksum are adjusted, then the ICMP checksum is recomputed over the whole message.
    /// </summary>
    private static void TranslateQuoted(Span<byte> icmp, bool outerSource, uint from, uint to)
    {
        var quoted = icmp[8..];
        if (quoted[0] >> 4 != 4)
            return;
        var qihl = (quoted[0] & 0xF) * 4;
        var field = outerSource ? 16 : 12;
        if (qihl < 20 || quoted.Length < qihl || BinaryPrimitives.ReadUInt32BigEndian(quoted[field..]) != from)
            return;
        BinaryPrimitives.WriteUInt32BigEndian(quoted[field..], to);
        Adjust(quoted, 10, from, to);
        var ql4 = quoted[qihl..];
        if (Ipv4Header.FragmentOffset(quoted) == 0)
        {
            if (quoted[9] == Ipv4Header.ProtocolTcp && ql4.Length >= 18)
                Adjust(ql4, 16, from, to);
            else if (quoted[9] == Ipv4Header.ProtocolUdp && ql4.Length >= 8)
                AdjustUdp(ql4, 6, from, to);
        }
        icmp[2] = 0;
        icmp[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Ipv4Checksum.Compute(icmp));
    }

    /// <summary>RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for the two 16-bit halves of a changed 32-bit field.</summary>
    internal static void Adjust(Span<byte> data, int checksumOffset, uint from, uint to)
    {
        ulong sum = (ushort)~BinaryPrimitives.ReadUInt16BigEndian(data[checksumOffset..]);
        sum += (ushort)~(from >> 16) + (ulong)(ushort)~(from & 0xFFFF) + (to >> 16) + (to & 0xFFFF);
        BinaryPrimitives.WriteUInt16BigEndian(data[checksumOffset..], (ushort)~Ipv4Checksum.Fold(sum));
    }

    /// <summary>As <see cref="Adjust"/>, for UDP: a zero checksum means "none" and stays zero; a computed zero is sent as 0xFFFF.</summary>
    private static void AdjustUdp(Span<byte> udp, int checksumOffset, uint from, uint to)
    {
        if (BinaryPrimitives.ReadUInt16BigEndian(udp[checksumOffset..]) == 0)
            return;
        Adjust(udp, checksumOffset, from, to);
        if (BinaryPrimitives.ReadUInt16BigEndian(udp[checksumOffset..]) == 0)
            BinaryPrimitives.WriteUInt16BigEndian(udp[checksumOffset..], 0xFFFF);
    }
}
