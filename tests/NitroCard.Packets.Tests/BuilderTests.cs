using System.Net;

namespace NitroCard.Packets.Tests;

public class BuilderTests
{
    private static IPAddress Ip(string text) => IPAddress.Parse(text);

    [Fact]
    public void Arp_request_layout()
    {
        var frame = Frames.ArpRequest(0x0200_0000_0001, Ip("10.0.1.10"), Ip("10.0.1.1"));
        Assert.Equal(Convert.FromHexString("FFFFFFFFFFFF020000000001" + "0806" + "0001080006040001" + "0200000000010A00010A" + "0000000000000A000101"), frame);
        Assert.True(ArpPacket.IsEthernetIpv4(frame.AsSpan(14)));
    }

    [Fact]
    public void Arp_reply_layout()
    {
        var frame = Frames.ArpReply(0x0200_0000_0001, Ip("10.0.1.1"), 0x0200_0000_0002, Ip("10.0.1.10"));
        var arp = frame.AsSpan(14);
        Assert.Equal(0x0200_0000_0002UL, EthernetHeader.Destination(frame));
        Assert.Equal(ArpPacket.OpReply, ArpPacket.Opcode(arp));
        Assert.Equal(0x0200_0000_0002UL, ArpPacket.TargetMac(arp));
        Assert.Equal(Ipv4Address.Parse("10.0.1.10"), ArpPacket.TargetIp(arp));
    }

    [Fact]
    public void Udp_frame_fields_read_back()
    {
        var frame = Frames.Udp(0x0200_0000_0002, 0x0200_0000_0001, Ip("10.0.1.10"), Ip("10.0.1.20"), 1111, 2222, [9, 8, 7], ttl: 33);
        Assert.Equal(14 + 20 + 8 + 3, frame.Length);
        Assert.Equal(EthernetHeader.TypeIpv4, EthernetHeader.EtherType(frame));
        var ip = frame.AsSpan(14);
        Assert.Equal(4, Ipv4Header.Version(ip));
        Assert.Equal(5, Ipv4Header.Ihl(ip));
        Assert.Equal(31, Ipv4Header.TotalLength(ip));
        Assert.Equal(33, Ipv4Header.Ttl(ip));
        Assert.Equal(Ipv4Header.ProtocolUdp, Ipv4Header.Protocol(ip));
        Assert.True(Ipv4Header.ChecksumValid(ip));
        Assert.False(Ipv4Header.IsFragment(ip));
        var udp = ip[20..];
        Assert.Equal(1111, UdpHeader.SourcePort(udp));
        Assert.Equal(2222, UdpHeader.DestinationPort(udp));
        Assert.Equal(11, UdpHeader.DatagramLength(udp));
    }

    [Fact]
    public void Tcp_syn_ack_fields_read_back()
    {
        var frame = Frames.Tcp(1, 2, Ip("10.0.1.10"), Ip("10.0.1.20"), 40000, 443, 100, 200, TcpControl.Syn | TcpControl.Ack);
        var tcp = frame.AsSpan(34);
        Assert.Equal(TcpControl.Syn | TcpControl.Ack, TcpHeader.Flags(tcp));
        Assert.Equal(100u, TcpHeader.SequenceNumber(tcp));
        Assert.Equal(200u, TcpHeader.AcknowledgmentNumber(tcp));
        Assert.Equal(5, TcpHeader.DataOffset(tcp));
        Assert.True(Ipv4Header.DontFragment(frame.AsSpan(14)));
        Assert.True(Ipv4Checksum.VerifyTransport(Ipv4Address.Parse("10.0.1.10"), Ipv4Address.Parse("10.0.1.20"), Ipv4Header.ProtocolTcp, tcp));
    }

    [Fact]
    public void Icmp_echo_checksum_verifies()
    {
        var frame = Frames.IcmpEcho(1, 2, Ip("10.0.1.10"), Ip("10.0.1.20"), 0x1234, 7, [1, 2, 3]);
        var icmp = frame.AsSpan(34);
        Assert.Equal(IcmpEcho.TypeEchoRequest, IcmpEcho.Type(icmp));
        Assert.Equal(0x1234, IcmpEcho.Identifier(icmp));
        Assert.Equal(7, IcmpEcho.SequenceNumber(icmp));
        Assert.True(Ipv4Checksum.Verify(icmp));
    }

    [Fact]
    public void Pad_extends_with_fill()
    {
        var padded = Frames.Pad([1, 2], 5, 0xEE);
        Assert.Equal(new byte[] { 1, 2, 0xEE, 0xEE, 0xEE }, padded);
        Assert.Equal(3, Frames.Pad([1, 2, 3], 2).Length);
    }

    [Fact]
    public void Flow_tuple_is_read_by_position()
    {
        var frame = Frames.Udp(1, 2, Ip("10.0.1.10"), Ip("10.0.1.20"), 1111, 2222, []);
        Assert.Equal(new FlowTuple(Ipv4Address.Parse("10.0.1.10"), Ipv4Address.Parse("10.0.1.20"), 17, 1111, 2222), FlowHash.ReadTuple(frame));
        Assert.Equal(FlowHash.SourcePort(FlowHash.ReadTuple(frame)), FlowHash.SourcePort(frame));
        Assert.Equal(new FlowTuple(0, 0, 0, 0, 0), FlowHash.ReadTuple([1, 2, 3]));
    }

    [Fact]
    public void Crc32c_matches_its_check_value() => Assert.Equal(0xE3069283u, Crc32C.HashToUInt32("123456789"u8));

    [Fact]
    public void Flow_hash_matches_the_shared_vector()
    {
        // hw/vectors/hash_vectors.txt: flow 00..00 -> crc32c bc5ba5e4.
        Assert.Equal(0xBC5BA5E4u, Crc32C.HashToUInt32(new byte[13]));
        Assert.Equal((ushort)(49152 + (0xBC5BA5E4u & 0x3FFF)), FlowHash.SourcePort(new FlowTuple(0, 0, 0, 0, 0)));
    }

    [Fact]
    public void Vxlan_encapsulation_layout()
    {
        var inner = Frames.Udp(1, 2, Ip("10.0.1.10"), Ip("10.0.1.20"), 1111, 2222, [1]);
        var frame = VxlanHeader.Encapsulate(inner, 0x0200_0000_00AA, 0x0200_0000_00BB, Ipv4Address.Parse("192.0.2.10"), Ipv4Address.Parse("192.0.2.20"), 0xABCDEF, 50000);
        Assert.Equal(inner.Length + 50, frame.Length);
        var ip = frame.AsSpan(14);
        Assert.True(Ipv4Header.ChecksumValid(ip));
        Assert.True(Ipv4Header.DontFragment(ip));
        Assert.Equal(64, Ipv4Header.Ttl(ip));
        Assert.Equal(0, Ipv4Header.Identification(ip));
        Assert.Equal(inner.Length + 36, Ipv4Header.TotalLength(ip));
        Assert.Equal(50000, UdpHeader.SourcePort(frame.AsSpan(34)));
        Assert.Equal(4789, UdpHeader.DestinationPort(frame.AsSpan(34)));
        Assert.Equal(0, UdpHeader.Checksum(frame.AsSpan(34)));
        Assert.Equal(Convert.FromHexString("0800000000ABCDEF00".Remove(8, 2)), frame.AsSpan(42, 8).ToArray());
        Assert.Equal(0xABCDEFu, VxlanHeader.Vni(frame.AsSpan(42)));
        Assert.Equal(inner, frame.AsSpan(50).ToArray());
    }
}
