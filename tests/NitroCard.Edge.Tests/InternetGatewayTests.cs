using System.Buffers.Binary;
using NitroCard.Packets;
using static NitroCard.Edge.Tests.EdgeRegion;

namespace NitroCard.Edge.Tests;

/// <summary>
/// Internet Gateway through the whole region, every case on the Verilated cards ("rtl") and on the model: the
/// cards route to the edge by their route tables and filter by their security groups.
/// </summary>
public class InternetGatewayTests
{
    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Ping_from_eni_to_internet_and_reply_via_public_ip(string engine)
    {
        using var region = new EdgeRegion(engine);
        region.Send("eni-a1", Frames.IcmpEcho(GatewayMac, EniA1Mac, EniA1, InternetHost, 7, 1, "hello"u8));
        var request = Ip(region.Last("internet"));
        Assert.Equal("198.51.100.10", Src(request));
        Assert.Equal("203.0.113.7", Dst(request));
        AssertChecksums(request);

        region.Send("internet", Frames.IcmpEcho(EdgePorts.EdgeMac, PeerMac, InternetHost, PublicA1, 7, 1, "hello"u8, reply: true));
        var reply = Ip(region.Last("eni-a1"));
        Assert.Equal("203.0.113.7", Src(reply));
        Assert.Equal("10.0.1.10", Dst(reply));
        Assert.Equal(IcmpEcho.TypeEchoReply, reply[20]);
        AssertChecksums(reply);
        Assert.Equal(1, region.Edge.Counters["nat.outbound"]);
        Assert.Equal(1, region.Edge.Counters["nat.inbound"]);
        Assert.Empty(region.Simulation.Alarms);
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Tcp_handshake_from_eni_to_internet(string engine)
    {
        using var region = new EdgeRegion(engine);
        region.Send("eni-a1", Frames.Tcp(GatewayMac, EniA1Mac, EniA1, InternetHost, 40000, 443, 1000, 0, TcpControl.Syn));
        var syn = Ip(region.Last("internet"));
        Assert.Equal("198.51.100.10", Src(syn));
        AssertChecksums(syn);
        region.Send("internet", Frames.Tcp(EdgePorts.EdgeMac, PeerMac, InternetHost, PublicA1, 443, 40000, 5000, 1001, TcpControl.Syn | TcpControl.Ack));
        var synAck = Ip(region.Last("eni-a1"));
        Assert.Equal("10.0.1.10", Dst(synAck));
        Assert.Equal(TcpControl.Syn | TcpControl.Ack, TcpHeader.Flags(synAck[20..]));
        AssertChecksums(synAck);
        region.Send("eni-a1", Frames.Tcp(GatewayMac, EniA1Mac, EniA1, InternetHost, 40000, 443, 1001, 5001, TcpControl.Ack));
        Assert.Equal(2, region.On("internet").Count);
        AssertChecksums(Ip(region.Last("internet")));
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Tcp_handshake_from_internet_to_public_ip(string engine)
    {
        using var region = new EdgeRegion(engine);
        region.Send("internet", Frames.Tcp(EdgePorts.EdgeMac, PeerMac, InternetHost, PublicA1, 51000, 80, 77, 0, TcpControl.Syn));
        var syn = Ip(region.Last("eni-a1"));
        Assert.Equal("10.0.1.10", Dst(syn));
        Assert.Equal(EniA1Mac, EthernetHeader.Destination(region.Last("eni-a1")));
        AssertChecksums(syn);
        region.Send("eni-a1", Frames.Tcp(GatewayMac, EniA1Mac, EniA1, InternetHost, 80, 51000, 900, 78, TcpControl.Syn | TcpControl.Ack));
        var synAck = Ip(region.Last("internet"));
        Assert.Equal("198.51.100.10", Src(synAck));
        AssertChecksums(synAck);
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Inbound_to_public_ip_blocked_by_the_cards_security_group(string engine)
    {
        using var region = new EdgeRegion(engine);
        region.Send("internet", Frames.Tcp(EdgePorts.EdgeMac, PeerMac, InternetHost, PublicA3, 51000, 22, 77, 0, TcpControl.Syn));
        Assert.Empty(region.On("eni-a3"));
        Assert.Equal(1, region.Edge.Counters["nat.inbound"]); // the edge translated and sent it to host-b ...
        var alarm = Assert.Single(region.Simulation.Alarms);  // ... whose card refused it
        Assert.Equal("host-b", alarm.Node);
        Assert.Equal(NitroCard.Card.DropReason.SgDeny, alarm.Card!.Reason);
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Outbound_from_eni_without_public_ip_does_not_leave(string engine)
    {
        using var region = new EdgeRegion(engine);
        region.Send("eni-a2", Frames.IcmpEcho(GatewayMac, EniA2Mac, System.Net.IPAddress.Parse("10.0.1.20"), InternetHost, 1, 1));
        Assert.Empty(region.On("internet"));
        Assert.Equal(1, region.Edge.Counters["drop.no-public-ip"]);
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Public_ip_of_no_eni_is_dropped_and_alarmed(string engine)
    {
        using var region = new EdgeRegion(engine);
        region.Send("internet", Frames.IcmpEcho(EdgePorts.EdgeMac, PeerMac, InternetHost, System.Net.IPAddress.Parse("198.51.100.99"), 1, 1));
        var alarm = Assert.Single(region.Simulation.Alarms);
        Assert.Equal("blackfoot-1", alarm.Node);
        Assert.Equal("unknown-public-ip", alarm.Edge!.Reason);
        Assert.Empty(region.Simulation.Substrate);
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Icmp_error_from_internet_translates_the_quoted_header(string engine)
    {
        using var region = new EdgeRegion(engine);
        // A router says "time exceeded" about a UDP datagram 198.51.100.10:5000 -> 203.0.113.7:33434 it got from the ENI.
        var quotedUdp = UdpHeader.Build(Ipv4Address.ToUInt32(PublicA1), Ipv4Address.ToUInt32(InternetHost), 5000, 33434, "probe"u8);
        var quoted = Ipv4Header.Build(new Ipv4Fields(Ipv4Address.ToUInt32(PublicA1), Ipv4Address.ToUInt32(InternetHost), Ipv4Header.ProtocolUdp) { Ttl = 1 }, quotedUdp);
        var icmp = new byte[8 + quoted.Length];
        icmp[0] = 11;
        quoted.CopyTo(icmp, 8);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), Ipv4Checksum.Compute(icmp));
        var router = System.Net.IPAddress.Parse("203.0.113.1");
        region.Send("internet", Frames.Ipv4(EdgePorts.EdgeMac, PeerMac, new Ipv4Fields(Ipv4Address.ToUInt32(router), Ipv4Address.ToUInt32(PublicA1), Ipv4Header.ProtocolIcmp), icmp));

        var delivered = Ip(region.Last("eni-a1"));
        AssertChecksums(delivered);
        var inner = delivered[28..];
        Assert.Equal("10.0.1.10", Src(inner));
        Assert.True(Ipv4Header.ChecksumValid(inner));
        Assert.True(Ipv4Checksum.VerifyTransport(Ipv4Header.Source(inner), Ipv4Header.Destination(inner), Ipv4Header.ProtocolUdp, inner[20..]), "quoted UDP checksum");
    }

    [Fact]
    public void Vxlan_whose_inner_source_is_not_in_the_mapping_is_dropped_and_alarmed()
    {
        using var edge = new BlackfootEdge(Load());
        // host-b (192.0.2.12) claims 10.0.1.10 of VNI 1001, which lives on host-a.
        var inner = Frames.IcmpEcho(GatewayMac, EniA1Mac, EniA1, InternetHost, 1, 1);
        var vxlan = VxlanHeader.Encapsulate(inner, 0x024e00000001UL, 0x024ec000020cUL, Ipv4Address.Parse("192.0.2.12"), Ipv4Address.Parse("192.0.2.250"), 1001);
        var output = new List<EdgeFrame>();
        edge.Receive(EdgePorts.Substrate, vxlan, output);
        Assert.Empty(output);
        Assert.Equal("spoofed-source", Assert.Single(edge.DrainAlarms()).Reason);
    }
}
