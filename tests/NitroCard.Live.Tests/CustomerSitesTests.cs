using System.Net;
using NitroCard.Edge;
using NitroCard.Edge.Vpn;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 12: the customer sites' user-space routers (CustomerSites.cs) without root: the VPN customer gateway's ESP with
/// the region's SAs, the Direct Connect router's Q-in-Q tags, and what each refuses and counts.
/// </summary>
public sealed class CustomerSitesTests
{
    private static readonly RegionTopology Demo = RegionLoader.Load(Path.Combine(AppContext.BaseDirectory, "regions", "demo-region.json"));

    private static readonly VpnConnection Vpn = Demo.Vpcs.SelectMany(v => v.VpnConnections).First(c => c.Inbound is not null);

    private static readonly DirectConnectVif Vif = Demo.Vpcs.SelectMany(v => v.DirectConnect).First();

    private static byte[] SiteFrame(string destination = "10.0.1.10") =>
        Frames.IcmpEcho(SiteLink.CustomerRouterMac, SiteLink.SiteMac, IPAddress.Parse("172.31.0.1"), IPAddress.Parse(destination), 7, 1, "site"u8);

    [Fact]
    public void A_site_packet_leaves_as_esp_from_the_customer_gateway_that_the_edges_inbound_sa_decrypts()
    {
        using var gateway = new VpnCustomerGateway(Vpn);
        using var edge = EspSecurityAssociation.FromRegion(Vpn.Inbound!);
        var frame = SiteFrame();

        var esp = gateway.FromSite(frame);

        Assert.NotNull(esp);
        Assert.Equal(EdgePorts.VpnPrefix + Vpn.Id, gateway.Port);
        var outer = SiteLink.Ipv4Packet(esp);
        Assert.Equal((byte)50, Ipv4Header.Protocol(outer));
        Assert.Equal(Ipv4Address.Parse(Vpn.CustomerGatewayIp), Ipv4Header.Source(outer));
        Assert.Equal(Ipv4Address.Parse(Vpn.EdgeIp!), Ipv4Header.Destination(outer));
        Assert.Equal(EspRejection.None, edge.Decrypt(outer[20..], out var inner, out _));
        Assert.Equal(SiteLink.Ipv4Packet(frame).ToArray(), inner);
        Assert.Equal(0, gateway.Refused);
    }

    [Fact]
    public void Esp_from_the_edge_reaches_the_site_once_and_a_replay_or_a_plain_frame_is_refused_and_counted()
    {
        using var gateway = new VpnCustomerGateway(Vpn);
        using var edge = EspSecurityAssociation.FromRegion(Vpn.Outbound!);
        var plain = SiteLink.Ipv4Packet(SiteFrame()).ToArray();
        var esp = edge.Encrypt(plain)!;
        var fromEdge = Frames.Ipv4(EdgePorts.PeerMac, EdgePorts.EdgeMac, new Ipv4Fields(Ipv4Address.Parse(Vpn.EdgeIp!), Ipv4Address.Parse(Vpn.CustomerGatewayIp), 50), esp);

        var delivered = gateway.ToSite(fromEdge);
        var replayed = gateway.ToSite(fromEdge);
        var notEsp = gateway.ToSite(SiteFrame());

        Assert.NotNull(delivered);
        Assert.Equal(EthernetHeader.Build(SiteLink.SiteMac, SiteLink.CustomerRouterMac, EthernetHeader.TypeIpv4, plain), delivered);
        Assert.Null(replayed);
        Assert.Null(notEsp);
        Assert.Equal(2, gateway.Refused);
    }

    [Fact]
    public void A_direct_connect_vif_tags_the_sites_packet_and_untags_the_edges()
    {
        var router = new DirectConnectCustomerRouter(Vif.Connection);
        var frame = SiteFrame();

        var tagged = router.FromSite(Vif, frame);
        var back = router.ToSite(tagged!);

        Assert.Equal(EdgePorts.DirectConnectPrefix + Vif.Connection, router.Port);
        Assert.True(NitroCard.Edge.DirectConnect.QinQ.TryParse(tagged, out var sTag, out var cTag, out _, out _));
        Assert.Equal((Vif.STag, Vif.CTag), (sTag, cTag));
        Assert.NotNull(back);
        Assert.Equal((Vif.STag, Vif.CTag), (back.Value.STag, back.Value.CTag));
        Assert.Equal(SiteLink.Ipv4Packet(frame).ToArray(), SiteLink.Ipv4Packet(back.Value.Frame).ToArray());
        Assert.Equal(0, router.Refused);
    }

    [Fact]
    public void The_direct_connect_router_refuses_an_untagged_frame_from_the_edge_and_a_non_ipv4_frame_from_the_site()
    {
        var router = new DirectConnectCustomerRouter(Vif.Connection);

        Assert.Null(router.ToSite(SiteFrame()));
        Assert.Null(router.FromSite(Vif, Frames.ArpRequest(SiteLink.SiteMac, IPAddress.Parse("172.16.0.1"), IPAddress.Parse("172.16.0.2"))));
        Assert.Equal(2, router.Refused);
    }

    [Fact]
    public void The_ipv4_packet_of_a_frame_drops_ethernet_padding_and_refuses_what_is_not_one()
    {
        var frame = Frames.IcmpEcho(1, 2, IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2"), 1, 1);
        var padded = Frames.Pad(frame, frame.Length + 10);

        Assert.Equal(frame.Length - EthernetHeader.Length, SiteLink.Ipv4Packet(padded).Length);
        Assert.True(SiteLink.Ipv4Packet(frame.AsSpan(0, frame.Length - 1)).IsEmpty);   // shorter than its total length
        Assert.True(SiteLink.Ipv4Packet(Frames.ArpRequest(1, IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2"))).IsEmpty);
    }
}
