using System.Net;
using NitroCard.Edge.DirectConnect;
using NitroCard.Packets;
using NitroCard.Region;
using static NitroCard.Edge.Tests.EdgeRegion;

namespace NitroCard.Edge.Tests;

/// <summary>
/// Several edges, one holding the customer sites: the second edge forwards a frame for a VPN or Direct Connect customer
/// over the substrate to the first, which sends it on as if the card had chosen it; the first edge takes such frames from
/// a peer edge only when they go to a customer site.
/// </summary>
public class SiteEdgeTests
{
    private const uint Vni = 1001;
    private static readonly uint HostA = Ipv4Address.Parse("192.0.2.11");
    private static readonly uint FirstEdge = Ipv4Address.Parse("192.0.2.250");
    private static readonly uint SecondEdge = Ipv4Address.Parse("192.0.2.251");
    private static readonly IPAddress VpnCustomer = IPAddress.Parse("172.31.0.5");
    private static readonly IPAddress DxCustomer = IPAddress.Parse("172.16.0.5");

    /// <summary>What eni-a1's card sends to <paramref name="edge"/> for <paramref name="destination"/>.</summary>
    private static byte[] FromCard(uint outerSource, uint edge, IPAddress destination, ushort id)
    {
        var inner = Frames.IcmpEcho(GatewayMac, EniA1Mac, EniA1, destination, id, 1, reply: false);
        return VxlanHeader.Encapsulate(inner, RegionDefaults.SubstrateRouterMac.Value, RegionDefaults.DerivedUnderlayMac(outerSource).Value, outerSource, edge, Vni);
    }

    private static EdgeFrame ReceiveOne(BlackfootEdge edge, byte[] frame)
    {
        var output = new List<EdgeFrame>();
        edge.Receive(EdgePorts.Substrate, frame, output);
        return Assert.Single(output);
    }

    [Fact]
    public void The_second_edge_forwards_vpn_and_direct_connect_frames_to_the_first_which_sends_them_to_the_site()
    {
        var region = TwoEdgeRegion.Load();
        using var first = new BlackfootEdge(region, 0);
        using var second = new BlackfootEdge(region, 1);

        var toVpn = FromCard(HostA, SecondEdge, VpnCustomer, 0xA);
        var forwarded = ReceiveOne(second, toVpn);
        Assert.Equal(EdgePorts.Substrate, forwarded.Port);
        var outer = forwarded.Data.AsSpan(EthernetHeader.Length);
        Assert.Equal((SecondEdge, FirstEdge), (Ipv4Header.Source(outer), Ipv4Header.Destination(outer)));
        Assert.Equal(Vni, VxlanHeader.Vni(outer[28..]));
        Assert.True(toVpn.AsSpan(VxlanHeader.Overhead).SequenceEqual(forwarded.Data.AsSpan(VxlanHeader.Overhead)), "the inner frame changed on the way");
        Assert.Equal(1, second.Counters["forwarded.site-edge"]);

        var esp = ReceiveOne(first, forwarded.Data);
        Assert.Equal(EdgePorts.VpnPrefix + "vpn-1", esp.Port);
        Assert.Equal(50, Ipv4Header.Protocol(Ip(esp.Data))); // ESP

        var dx = ReceiveOne(first, ReceiveOne(second, FromCard(HostA, SecondEdge, DxCustomer, 0xB)).Data);
        Assert.Equal(EdgePorts.DirectConnectPrefix + "dxcon-1", dx.Port);
        Assert.True(QinQ.TryParse(dx.Data, out var sTag, out var cTag, out _, out _));
        Assert.Equal((100, 200), (sTag, cTag));
        Assert.Equal(0xB, IcmpEcho.Identifier(Ip(dx.Data, QinQ.HeaderLength)[20..]));
        Assert.Empty(first.DrainAlarms());
        Assert.Empty(second.DrainAlarms());
    }

    [Fact]
    public void The_second_edge_keeps_internet_traffic_and_checks_the_host_before_forwarding()
    {
        var region = TwoEdgeRegion.Load();
        using var second = new BlackfootEdge(region, 1);
        Assert.Equal(EdgePorts.Internet, ReceiveOne(second, FromCard(HostA, SecondEdge, InternetHost, 1)).Port);

        var output = new List<EdgeFrame>();
        second.Receive(EdgePorts.Substrate, FromCard(Ipv4Address.Parse("192.0.2.12"), SecondEdge, VpnCustomer, 2), output);
        Assert.Empty(output);
        Assert.Equal("spoofed-source", Assert.Single(second.DrainAlarms()).Reason);
        Assert.Equal(0, second.Counters["forwarded.site-edge"]);
    }

    [Fact]
    public void The_first_edge_takes_from_a_peer_edge_only_frames_for_a_customer_site()
    {
        var region = TwoEdgeRegion.Load();
        using var first = new BlackfootEdge(region, 0);
        using var second = new BlackfootEdge(region, 1);

        // A peer edge's address is no ENI's host: internet traffic from it is refused, as from any other stranger.
        var output = new List<EdgeFrame>();
        first.Receive(EdgePorts.Substrate, FromCard(SecondEdge, FirstEdge, InternetHost, 1), output);
        Assert.Empty(output);
        Assert.Equal("spoofed-source", Assert.Single(first.DrainAlarms()).Reason);

        // The second edge holds no site, so it forwards nothing it receives from the first.
        second.Receive(EdgePorts.Substrate, FromCard(FirstEdge, SecondEdge, VpnCustomer, 2), output);
        Assert.Empty(output);
        Assert.Equal("spoofed-source", Assert.Single(second.DrainAlarms()).Reason);
    }
}
