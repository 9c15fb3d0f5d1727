using System.Buffers.Binary;

namespace NitroCard.Packets;

/// <summary>
/// Which frames from an instance the card hands to the firmware on its punt path instead of forwarding them
/// (docs/card-punt.md): the link-local services' addresses and ports, and the first-beat test the RTL
/// (hw/rtl/nitro_punt.sv) and the model both apply.
/// </summary>
public static class PuntRule
{
    /// <summary>Instance metadata, 169.254.169.254, TCP 80.</summary>
    public const uint MetadataAddress = 0xA9FE_A9FE;

    /// <summary>The Amazon DNS resolver's link-local address, 169.254.169.253, UDP and TCP 53 (the VPC base + 2 is the other).</summary>
    public const uint DnsAddress = 0xA9FE_A9FD;

    /// <summary>The Amazon Time Sync Service, 169.254.169.123, UDP 123.</summary>
    public const uint TimeAddress = 0xA9FE_A97B;

    public const ushort HttpPort = 80;
    public const ushort DnsPort = 53;
    public const ushort NtpPort = 123;

    /// <summary>The bytes the test reads: Ethernet, a 20-byte IPv4 header and the destination port.</summary>
    public const int MinimumLength = 38;

    /// <summary>
    /// True when <paramref name="frame"/> goes to the punt path: at least <see cref="MinimumLength"/> bytes, Ethernet II
    /// IPv4 with a 20-byte header, not a fragment (MF clear, offset 0), and one of 169.254.169.254 TCP 80,
    /// 169.254.169.253 or <paramref name="resolver"/> (0: none) UDP/TCP 53, 169.254.169.123 UDP 123. Checksums and
    /// lengths are the firmware's to check.
    /// </summary>
    public static bool IsPuntBound(ReadOnlySpan<byte> frame, uint resolver)
    {
        if (frame.Length < MinimumLength || frame[12] != 0x08 || frame[13] != 0x00 || frame[14] != 0x45
            || (frame[20] & 0x3F) != 0 || frame[21] != 0)
            return false;
        var protocol = frame[23];
        var destination = BinaryPrimitives.ReadUInt32BigEndian(frame[30..]);
        var port = BinaryPrimitives.ReadUInt16BigEndian(frame[36..]);
        var tcp = protocol == 6;
        var udp = protocol == 17;
        return (destination == MetadataAddress && tcp && port == HttpPort)
            || ((destination == DnsAddress || (resolver != 0 && destination == resolver)) && (tcp || udp) && port == DnsPort)
            || (destination == TimeAddress && udp && port == NtpPort);
    }
}
