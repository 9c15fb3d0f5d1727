using System.Buffers.Binary;

namespace NitroCard.Packets;

/// <summary>
/// IPv4 header accessors and writer. Every method takes the span starting at the IPv4 header
/// (frame offset 14 behind an Ethernet header). Addresses are 32-bit numbers, first octet most
/// significant (see <see cref="Ipv4Address"/>).
/// </summary>
public static class Ipv4Header
{
    /// <summary>Length of a header without options.</summary>
    public const int MinLength = 20;

    public const byte ProtocolIcmp = 1;
    public const byte ProtocolTcp = 6;
    public const byte ProtocolUdp = 17;

    /// <summary>The flags/fragment word with only DF set.</summary>
    public const ushort DontFragmentFlag = 0x4000;

    /// <summary>The MF bit of the flags/fragment word.</summary>
    public const ushort MoreFragmentsFlag = 0x2000;

    public static int Version(ReadOnlySpan<byte> header) => header[0] >> 4;

    /// <summary>Header length in 32-bit words.</summary>
    public static int Ihl(ReadOnlySpan<byte> header) => header[0] & 0xF;

    public static byte Tos(ReadOnlySpan<byte> header) => header[1];

    public static ushort TotalLength(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt16BigEndian(header[2..]);

    public static ushort Identification(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt16BigEndian(header[4..]);

    /// <summary>The raw flags/fragment-offset word (bytes 6..7).</summary>
    public static ushort FlagsAndFragment(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt16BigEndian(header[6..]);

    public static bool DontFragment(ReadOnlySpan<byte> header) => (FlagsAndFragment(header) & DontFragmentFlag) != 0;

    public static bool MoreFragments(ReadOnlySpan<byte> header) => (FlagsAndFragment(header) & MoreFragmentsFlag) != 0;

    /// <summary>Fragment offset in 8-byte units.</summary>
    public static int FragmentOffset(ReadOnlySpan<byte> header) => FlagsAndFragment(header) & 0x1FFF;

    /// <summary>True for any fragment but a whole datagram (MF set or a non-zero offset).</summary>
    public static bool IsFragment(ReadOnlySpan<byte> header) => (FlagsAndFragment(header) & 0x3FFF) != 0;

    public static byte Ttl(ReadOnlySpan<byte> header) => header[8];

    public static byte Protocol(ReadOnlySpan<byte> header) => header[9];

    public static ushort HeaderChecksum(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt16BigEndian(header[10..]);

    public static uint Source(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt32BigEndian(header[12..]);

    public static uint Destination(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt32BigEndian(header[16..]);

    /// <summary>True when the header's IHL*4 bytes are present and its checksum verifies.</summary>
    public static bool ChecksumValid(ReadOnlySpan<byte> header)
    {
        var length = Ihl(header) * 4;
        return length >= MinLength && header.Length >= length && Ipv4Checksum.VerifyHeader(header[..length]);
    }

    /// <summary>Writes a 20-byte header (no options) with a correct checksum.</summary>
    public static void Write(Span<byte> header, Ipv4Fields fields, int totalLength)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalLength, MinLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(totalLength, ushort.MaxValue);
        header[0] = 0x45;
        header[1] = fields.Tos;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)totalLength);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], fields.Identification);
        var flags = (ushort)(fields.FragmentOffset & 0x1FFF);
        if (fields.DontFragment)
            flags |= DontFragmentFlag;
        if (fields.MoreFragments)
            flags |= MoreFragmentsFlag;
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], flags);
        header[8] = fields.Ttl;
        header[9] = fields.Protocol;
        header[10] = 0;
        header[11] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(header[12..], fields.Source);
        BinaryPrimitives.WriteUInt32BigEndian(header[16..], fields.Destination);
        Ipv4Checksum.UpdateHeader(header);
    }

    /// <summary>A whole IPv4 packet: a 20-byte header then <paramref name="payload"/>.</summary>
    public static byte[] Build(Ipv4Fields fields, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[MinLength + payload.Length];
        Write(packet, fields, packet.Length);
        payload.CopyTo(packet.AsSpan(MinLength));
        return packet;
    }
}

/// <summary>The fields of an IPv4 header a builder sets (version 4, IHL 5, the length and checksum are computed).</summary>
/// <param name="Source">Source address (first octet most significant).</param>
/// <param name="Destination">Destination address.</param>
/// <param name="Protocol">Payload protocol (<see cref="Ipv4Header.ProtocolUdp"/>, ...).</param>
public sealed record Ipv4Fields(uint Source, uint Destination, byte Protocol)
{
    public byte Ttl { get; init; } = 64;

    public byte Tos { get; init; }

    public ushort Identification { get; init; }

    public bool DontFragment { get; init; }

    public bool MoreFragments { get; init; }

    /// <summary>Fragment offset in 8-byte units.</summary>
    public ushort FragmentOffset { get; init; }
}
