using System.Net;
using NitroCard.Edge.DirectConnect;
using NitroCard.Packets;
using static NitroCard.Edge.Tests.EdgeRegion;

namespace NitroCard.Edge.Tests;

/// <summary>
/// Direct Connect Q-in-Q: two VIFs (S-tag 100, C-tags 200 and 201) of two VPCs whose addresses overlap
/// (10.0.1.10 in both), both ways, on the Verilated cards and on the model.
/// </summary>
public class DirectConnectTests
{
    private static readonly IPAddress Customer = IPAddress.Parse("172.16.0.5");

    private static byte[] Tagged(ushort cTag, ushort id) =>
        QinQ.Build(EdgePorts.EdgeMac, PeerMac, 100, cTag,
            Ipv4Header.Build(new Ipv4Fields(Ipv4Address.ToUInt32(Customer), Ipv4Address.ToUInt32(EniA1), Ipv4Header.ProtocolIcmp), IcmpEcho.Build(id, 1, "dx"u8)));

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Two_vifs_of_two_vpcs_with_overlapping_addresses_stay_apart_inbound(string engine)
    {
        using var region = new EdgeRegion(engine);
        region.Send("dx:dxcon-1", Tagged(200, 0xA));
        region.Send("dx:dxcon-1", Tagged(201, 0xB));
        var a = Assert.Single(region.On("eni-a1")).Data;
        var b = Assert.Single(region.On("eni-b1")).Data;
        Assert.Equal(0xA, IcmpEcho.Identifier(Ip(a)[20..]));
        Assert.Equal(0xB, IcmpEcho.Identifier(Ip(b)[20..]));
        Assert.Equal(EniA1Mac, EthernetHeader.Destination(a));
        Assert.Equal(EniB1Mac, EthernetHeader.Destination(b));
        Assert.Empty(region.Simulation.Alarms);
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Two_vifs_of_two_vpcs_with_overlapping_addresses_stay_apart_outbound(string engine)
    {
        using var region = new EdgeRegion(engine);
        region.Send("eni-a1", Frames.IcmpEcho(GatewayMac, EniA1Mac, EniA1, Customer, 0xA, 1, reply: true));
        region.Send("eni-b1", Frames.IcmpEcho(GatewayMac, EniB1Mac, EniA1, Customer, 0xB, 1, reply: true));
        var frames = region.On("dx:dxcon-1");
        Assert.Equal(2, frames.Count);
        Assert.True(QinQ.TryParse(frames[0].Data, out var s0, out var c0, out var t0, out _));
        Assert.True(QinQ.TryParse(frames[1].Data, out var s1, out var c1, out _, out _));
        Assert.Equal((100, 200, EthernetHeader.TypeIpv4), (s0, c0, t0));
        Assert.Equal((100, 201), (s1, c1));
        Assert.Equal(0xA, IcmpEcho.Identifier(Ip(frames[0].Data, QinQ.HeaderLength)[20..]));
        Assert.Equal(0xB, IcmpEcho.Identifier(Ip(frames[1].Data, QinQ.HeaderLength)[20..]));
        AssertChecksums(Ip(frames[1].Data, QinQ.HeaderLength));
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Unknown_vif_and_foreign_source_are_dropped_and_alarmed(string engine)
    {
        using var region = new EdgeRegion(engine);
        region.Send("dx:dxcon-1", Tagged(999, 1));
        region.Send("dx:dxcon-1", QinQ.Build(EdgePorts.EdgeMac, PeerMac, 100, 200,
            Ipv4Header.Build(new Ipv4Fields(Ipv4Address.Parse("192.168.9.9"), Ipv4Address.ToUInt32(EniA1), Ipv4Header.ProtocolIcmp), IcmpEcho.Build(1, 1, []))));
        Assert.Equal(["unknown-vif", "spoofed-source"], region.Simulation.Alarms.Select(a => a.Edge!.Reason));
        Assert.Empty(region.Simulation.Substrate);
    }
}
