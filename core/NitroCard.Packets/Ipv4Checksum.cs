using System.Buffers.Binary;

namespace NitroCard.Packets;

/// <summary>
/// The Internet checksum (RFC 1071): one's complement of the one's complement sum of 16-bit
/// big-endian words. Used by the IPv4 header, ICMP, and (with a pseudo-header) UDP and TCP.
/// </summary>
public static class Ipv4Checksum
{
    /// <summary>Adds the 16-bit big-endian words of <paramref name="data"/> (an odd last byte is padded with zero) to <paramref name="sum"/>, without folding.</summary>
    public static uint Add(uint sum, ReadOnlySpan<byte> data)
    {
        ulong acc = sum;
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
            acc += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length)
            acc += (uint)data[i] << 8;
        return Fold(acc);
    }

    /// <summary>Folds carries back in until the sum fits 16 bits (one's complement addition).</summary>
    public static ushort Fold(ulong sum)
    {
        while (sum > 0xFFFF)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }

    /// <summary>The checksum of <paramref name="data"/>: ~fold(sum). Zero the checksum field before calling.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => (ushort)~Fold(Add(0, data));

    /// <summary>True when <paramref name="data"/>, checksum field included, sums to 0xFFFF (RFC 1071 verification).</summary>
    public static bool Verify(ReadOnlySpan<byte> data) => Fold(Add(0, data)) == 0xFFFF;

    /// <summary>The checksum an IPv4 header should carry (its checksum field, bytes 10..11, is skipped).</summary>
    public static ushort ComputeHeader(ReadOnlySpan<byte> header)
    {
        var sum = Add(0, header[..10]);
        sum = Add(sum, header[12..]);
        return (ushort)~Fold(sum);
    }

    /// <summary>True when an IPv4 header (all of <paramref name="header"/>, checksum included) verifies.</summary>
    public static bool VerifyHeader(ReadOnlySpan<byte> header) => Verify(header);

    /// <summary>
    /// Computes and stores the header checksum of the IPv4 header at the start of <paramref name="header"/>:
    /// over IHL*4 bytes, or 20 when IHL is below 5 (so test frames with a bad IHL can carry a valid checksum).
    /// </summary>
    public static void UpdateHeader(Span<byte> header)
    {
        var length = Math.Max((header[0] & 0xF) * 4, 20);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], ComputeHeader(header[..length]));
    }

    /// <summary>
    /// The UDP/TCP checksum of <paramref name="segment"/> (its checksum field zeroed) with the IPv4
    /// pseudo-header (source, destination, zero, protocol, segment length).
    /// </summary>
    public static ushort ComputeTransport(uint source, uint destination, byte protocol, ReadOnlySpan<byte> segment)
    {
        var sum = PseudoHeaderSum(source, destination, protocol, segment.Length);
        return (ushort)~Fold(Add(sum, segment));
    }

    /// <summary>True when a UDP/TCP segment (checksum field included) verifies against the pseudo-header.</summary>
    public static bool VerifyTransport(uint source, uint destination, byte protocol, ReadOnlySpan<byte> segment)
        => Fold(Add(PseudoHeaderSum(source, destination, protocol, segment.Length), segment)) == 0xFFFF;

    private static uint PseudoHeaderSum(uint source, uint destination, byte protocol, int length)
        => (source >> 16) + (source & 0xFFFF) + (destination >> 16) + (destination & 0xFFFF) + protocol + (uint)length;
}
