using System.Net;

namespace NitroCard.Packets;

/// <summary>
/// One-call builders of whole Ethernet frames for tests and tools. MACs are 48-bit big-endian
/// numbers (<c>MacAddress.Value</c> in the driver). Frames are not padded; use <see cref="Pad"/>.
/// </summary>
public static class Frames
{
    /// <summary>Ethernet + IPv4 (20-byte header, correct checksum) + <paramref name="ipPayload"/>.</summary>
    public static byte[] Ipv4(ulong destinationMac, ulong sourceMac, Ipv4Fields ip, ReadOnlySpan<byte> ipPayload)
    {
        ArgumentNullException.ThrowIfNull(ip);
        var frame = new byte[EthernetHeader.Length + Ipv4Header.MinLength + ipPayload.Length];
        EthernetHeader.Write(frame, destinationMac, sourceMac, EthernetHeader.TypeIpv4);
        Ipv4Header.Write(frame.AsSpan(EthernetHeader.Length), ip, Ipv4Header.MinLength + ipPayload.Length);
        ipPayload.CopyTo(frame.AsSpan(EthernetHeader.Length + Ipv4Header.MinLength));
        return frame;
    }

    /// <summary>An Ethernet/IPv4/UDP frame with correct IPv4 and UDP checksums.</summary>
    public static byte[] Udp(
        ulong destinationMac, ulong sourceMac, IPAddress source, IPAddress destination,
        ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload, byte ttl = 64)
    {
        var src = Ipv4Address.ToUInt32(source);
        var dst = Ipv4Address.ToUInt32(destination);
        var udp = UdpHeader.Build(src, dst, sourcePort, destinationPort, payload);
        return Ipv4(destinationMac, sourceMac, new Ipv4Fields(src, dst, Ipv4Header.ProtocolUdp) { Ttl = ttl }, udp);
    }

    /// <summary>An Ethernet/IPv4/TCP frame (no TCP options) with correct IPv4 and TCP checksums.</summary>
    public static byte[] Tcp(
        ulong destinationMac, ulong sourceMac, IPAddress source, IPAddress destination,
        ushort sourcePort, ushort destinationPort, uint sequence, uint acknowledgment, TcpControl control,
        ReadOnlySpan<byte> payload = default, byte ttl = 64)
    {
        var src = Ipv4Address.ToUInt32(source);
        var dst = Ipv4Address.ToUInt32(destination);
        var tcp = TcpHeader.Build(src, dst, sourcePort, destinationPort, sequence, acknowledgment, control, payload);
        return Ipv4(destinationMac, sourceMac, new Ipv4Fields(src, dst, Ipv4Header.ProtocolTcp) { Ttl = ttl, DontFragment = true }, tcp);
    }

    /// <summary>An Ethernet/IPv4/ICMP echo request (or reply) frame.</summary>
    public static byte[] IcmpEcho(
        ulong destinationMac, ulong sourceMac, IPAddress source, IPAddress destination,
        ushort identifier, ushort sequence, ReadOnlySpan<byte> payload = default, bool reply = false, byte ttl = 64)
    {
        var icmp = Packets.IcmpEcho.Build(identifier, sequence, payload, reply);
        var fields = new Ipv4Fields(Ipv4Address.ToUInt32(source), Ipv4Address.ToUInt32(destination), Ipv4Header.ProtocolIcmp) { Ttl = ttl, DontFragment = true };
        return Ipv4(destinationMac, sourceMac, fields, icmp);
    }

    /// <summary>"Who has <paramref name="targetIp"/>? Tell <paramref name="senderIp"/>": 42 bytes, broadcast, target MAC zero.</summary>
    public static byte[] ArpRequest(ulong senderMac, IPAddress senderIp, IPAddress targetIp)
        => ArpPacket.BuildFrame(EthernetHeader.Broadcast, ArpPacket.OpRequest, senderMac, Ipv4Address.ToUInt32(senderIp), 0, Ipv4Address.ToUInt32(targetIp));

    /// <summary>"<paramref name="senderIp"/> is at <paramref name="senderMac"/>", sent to <paramref name="targetMac"/>: 42 bytes.</summary>
    public static byte[] ArpReply(ulong senderMac, IPAddress senderIp, ulong targetMac, IPAddress targetIp)
        => ArpPacket.BuildFrame(targetMac, ArpPacket.OpReply, senderMac, Ipv4Address.ToUInt32(senderIp), targetMac, Ipv4Address.ToUInt32(targetIp));

    /// <summary>A copy of <paramref name="frame"/> extended with <paramref name="fill"/> bytes to <paramref name="length"/> (unchanged copy when already that long).</summary>
    public static byte[] Pad(ReadOnlySpan<byte> frame, int length = EthernetHeader.MinimumFrameLength, byte fill = 0)
    {
        var padded = new byte[Math.Max(length, frame.Length)];
        frame.CopyTo(padded);
        padded.AsSpan(frame.Length).Fill(fill);
        return padded;
    }
}
