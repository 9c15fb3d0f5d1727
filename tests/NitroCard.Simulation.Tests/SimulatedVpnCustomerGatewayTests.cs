using System.Net;
using NitroCard.Card;
using NitroCard.Edge;
using NitroCard.Model;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Simulation.Tests;

/// <summary>
/// Issue 13: the simulated customer gateway of an IKE-keyed connection (the demo region's <c>vpn-1</c>, static routing)
/// against the edge in a region simulation on the model: both tunnels negotiated, ESP in UDP both ways, a wrong key left
/// down, and ESP that does not decrypt counted, never thrown.
/// </summary>
public sealed class SimulatedVpnCustomerGatewayTests : IDisposable
{
    private static readonly RegionTopology Demo = RegionLoader.Load(RepoPaths.File("driver/nitroctl/Demo/demo-region.json"));
    private static readonly Vpc Blue = Demo.Vpcs.First(v => v.Id == "vpc-blue");
    private static readonly VpnConnection Vpn = Blue.VpnConnections.First(c => c.Id == "vpn-1");
    private static readonly IPAddress Site = IPAddress.Parse("172.31.0.1");
    private static readonly IPAddress BlueA1 = IPAddress.Parse("10.0.1.10");

    private readonly RegionSimulation _sim = new(Demo, () => new ModelCard(CardGeometry.Default));
    private long _time = 1_000;

    public void Dispose() => _sim.Dispose();

    private long Clock() => _time += 10;

    [Fact]
    public void Both_tunnels_come_up_with_the_edges_preferred_proposals_and_esp_in_udp_both_ways()
    {
        using var gateway = new SimulatedVpnCustomerGateway(_sim, Vpn, Blue.Cidr);

        Assert.True(gateway.Negotiate(Clock));

        Assert.Equal(["IKEv2 AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256, ESP-in-UDP AES_GCM_16_256",
                      "IKEv2 AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256, ESP-in-UDP AES_GCM_16_256"], gateway.Proposals);
        var edge = Assert.Single(_sim.Edge!.DescribeVpnConnections(), c => c.VpnId == Vpn.Id);
        Assert.All(edge.Tunnels, t => Assert.True(t.Status == "UP" && t.UdpEncapsulation));

        // Site → eni-blue-a1: ESP in UDP 4500 on the first tunnel, delivered in the VPC.
        var echo = SiteLink.Ipv4Packet(Frames.IcmpEcho(SiteLink.CustomerRouterMac, SiteLink.SiteMac, Site, BlueA1, 1, 1)).ToArray();
        var esp = gateway.FromSite(echo)!;
        var outer = SiteLink.Ipv4Packet(esp);
        Assert.Equal((Ipv4Header.ProtocolUdp, 4500, 4500), (Ipv4Header.Protocol(outer), (int)UdpHeader.SourcePort(outer[20..]), (int)UdpHeader.DestinationPort(outer[20..])));
        _sim.Send(gateway.Port, Clock(), esp);
        var delivered = SiteLink.Ipv4Packet(Assert.Single(_sim.ReceivedOn("eni-blue-a1")).Data);
        Assert.Equal(Ipv4Address.ToUInt32(Site), Ipv4Header.Source(delivered));

        // eni-blue-a1 → site: the edge encrypts into the tunnel, the gateway decrypts it.
        var gatewayMac = (Demo.GatewayMac is null ? RegionDefaults.GatewayMac : MacAddress.Parse(Demo.GatewayMac)).Value;
        var blueA1Mac = MacAddress.Parse(Blue.Enis.First(e => e.Id == "eni-blue-a1").Mac).Value;
        _sim.Send("eni-blue-a1", Clock(), Frames.IcmpEcho(gatewayMac, blueA1Mac, BlueA1, Site, 1, 1, reply: true));
        var back = Assert.Single(gateway.Receive());
        Assert.Equal((Ipv4Address.ToUInt32(BlueA1), Ipv4Address.ToUInt32(Site)), (Ipv4Header.Source(back), Ipv4Header.Destination(back)));
        Assert.Equal(0, gateway.Refused);
    }

    [Fact]
    public void A_wrong_pre_shared_key_leaves_that_tunnel_down_and_says_so()
    {
        var wrong = Vpn with { Tunnels = [Vpn.Tunnels[0] with { PreSharedKey = "not_the.key" }, Vpn.Tunnels[1]] };
        using var gateway = new SimulatedVpnCustomerGateway(_sim, wrong, Blue.Cidr);

        Assert.False(gateway.Negotiate(Clock));

        Assert.StartsWith("down (", gateway.Proposals[0], StringComparison.Ordinal);
        Assert.StartsWith("IKEv2 ", gateway.Proposals[1], StringComparison.Ordinal);
        Assert.Equal(["DOWN", "UP"], Assert.Single(_sim.Edge!.DescribeVpnConnections(), c => c.VpnId == Vpn.Id).Tunnels.Select(t => t.Status));
    }

    [Fact]
    public void Esp_it_cannot_decrypt_is_refused_and_counted_not_thrown()
    {
        using var gateway = new SimulatedVpnCustomerGateway(_sim, Vpn, Blue.Cidr);
        Assert.True(gateway.Negotiate(Clock));
        var gatewayMac = (Demo.GatewayMac is null ? RegionDefaults.GatewayMac : MacAddress.Parse(Demo.GatewayMac)).Value;
        var blueA1Mac = MacAddress.Parse(Blue.Enis.First(e => e.Id == "eni-blue-a1").Mac).Value;
        _sim.Send("eni-blue-a1", Clock(), Frames.IcmpEcho(gatewayMac, blueA1Mac, BlueA1, Site, 1, 1, reply: true));
        // Tamper with the edge's ESP as it sits on the port: its ICV no longer verifies.
        var onPort = _sim.ReceivedOn(gateway.Port)[^1].Data;
        onPort[^5] ^= 0x40;

        Assert.Empty(gateway.Receive());
        Assert.Equal(1, gateway.Refused);
    }

    [Fact]
    public void A_manually_keyed_connection_has_nothing_to_negotiate()
    {
        var manual = Vpn with { Tunnels = [], EdgeIp = "198.51.100.240" };

        var e = Assert.Throws<ArgumentException>(() => new SimulatedVpnCustomerGateway(_sim, manual, Blue.Cidr));

        Assert.Contains("vpn-1 is manually keyed", e.Message, StringComparison.Ordinal);
    }
}
