using System.Net;
using NitroCard.Edge;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 12: the Direct Connect site's user-space router (CustomerSites.cs) without root: its Q-in-Q tags and what it
/// refuses and counts. (VPN sites run strongSwan since issue 13: StrongSwanSiteTests.)
/// </summary>
public sealed class CustomerSitesTests
{
    private static readonly RegionTopology Demo = RegionLoader.Load(Path.Combine(AppContext.BaseDirectory, "regions", "demo-region.json"));

    private static readonly DirectConnectVif Vif = Demo.Vpcs.SelectMany(v => v.DirectConnect).First();

    private static byte[] SiteFrame(string destination = "10.0.1.10") =>
        Frames.IcmpEcho(SiteLink.CustomerRouterMac, SiteLink.SiteMac, IPAddress.Parse("172.31.0.1"), IPAddress.Parse(destination), 7, 1, "site"u8);

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
