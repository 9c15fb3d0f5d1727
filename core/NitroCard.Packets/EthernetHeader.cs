using System.Buffers.Binary;

namespace NitroCard.Packets;

/// <summary>
/// Ethernet II header (14 bytes, no FCS): destination MAC, source MAC, ethertype.
/// MACs are 48-bit big-endian numbers (byte 0 most significant), the same value as
/// <c>NitroCard.Card.MacAddress.Value</c>.
/// </summary>
public static class EthernetHeader
{
    /// <summary>Header length in bytes.</summary>
    public const int Length = 14;

    /// <summary>Shortest frame a MAC sends without FCS (60 bytes): shorter frames are padded with zeros.</summary>
    public const int MinimumFrameLength = 60;

    public const ushort TypeIpv4 = 0x0800;
    public const ushort TypeArp = 0x0806;
    public const ushort TypeVlan = 0x8100;
    public const ushort TypeIpv6 = 0x86DD;

    /// <summary>ff:ff:ff:ff:ff:ff.</summary>
    public const ulong Broadcast = 0xFFFF_FFFF_FFFFUL;

    public static ulong Destination(ReadOnlySpan<byte> frame) => ReadMac(frame);

    public static ulong Source(ReadOnlySpan<byte> frame) => ReadMac(frame[6..]);

    public static ushort EtherType(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);

    public static void WriteDestination(Span<byte> frame, ulong mac) => WriteMac(frame, mac);

    public static void WriteSource(Span<byte> frame, ulong mac) => WriteMac(frame[6..], mac);

    /// <summary>Writes the 14-byte header at the start of <paramref name="frame"/>.</summary>
    public static void Write(Span<byte> frame, ulong destination, ulong source, ushort etherType)
    {
        WriteMac(frame, destination);
        WriteMac(frame[6..], source);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
    }

    /// <summary>A whole frame: header then <paramref name="payload"/> (no padding added).</summary>
    public static byte[] Build(ulong destination, ulong source, ushort etherType, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[Length + payload.Length];
        Write(frame, destination, source, etherType);
        payload.CopyTo(frame.AsSpan(Length));
        return frame;
    }

    /// <summary>Reads a MAC from 6 bytes.</summary>
    public static ulong ReadMac(ReadOnlySpan<byte> bytes)
        => ((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]);

    /// <summary>Writes a MAC as 6 bytes.</summary>
    public static void WriteMac(Span<byte> bytes, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(bytes[2..], (uint)mac);
    }
}
