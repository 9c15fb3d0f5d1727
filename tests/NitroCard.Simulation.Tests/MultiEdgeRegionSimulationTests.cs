using System.Net;
using NitroCard.Card;
using NitroCard.Edge;
using NitroCard.Edge.Tests;
using NitroCard.Model;
using NitroCard.Packets;

namespace NitroCard.Simulation.Tests;

/// <summary>
/// A region with two edges simulated whole: the cards spread their edge routes over both, the internet enters through
/// either by the flow's hash, and the second edge hands customer-site flows to the first, which holds the sites.
/// </summary>
public sealed class MultiEdgeRegionSimulationTests : IDisposable
{
    private const ulong GatewayMac = 0x02_4e_47_57_00_01;
    private const ulong EniA1Mac = 0x02_00_0a_00_01_0a;
    private static readonly uint FirstEdge = Ipv4Address.Parse("192.0.2.250");
    private static readonly uint SecondEdge = Ipv4Address.Parse("192.0.2.251");
    private static readonly IPAddress EniA1 = IPAddress.Parse("10.0.1.10");

    private readonly RegionSimulation _simulation = new(TwoEdgeRegion.Load(), () => new ModelCard(CardGeometry.Default));
    private long _time = 1_000_000;

    public void Dispose() => _simulation.Dispose();

    private void PingFromEniA1(string destination, ushort id) =>
        _simulation.Send("eni-a1", _time += 1000, Frames.IcmpEcho(GatewayMac, EniA1Mac, EniA1, IPAddress.Parse(destination), id, 1, reply: false));

    private int SubstrateFramesTo(uint underlayIp) => _simulation.Substrate.Count(f => Ipv4Header.Destination(f.Data.AsSpan(EthernetHeader.Length)) == underlayIp);

    [Fact]
    public void The_cards_spread_internet_flows_over_both_edges_and_each_translates_its_share()
    {
        Assert.Equal(["blackfoot-1", "blackfoot-2"], _simulation.Edges.Select(e => e.Name));
        for (var host = 1; host <= 16; host++)
            PingFromEniA1($"203.0.113.{host}", (ushort)host);

        var sent = _simulation.ReceivedOn(EdgePorts.Internet);
        Assert.Equal(16, sent.Count);
        Assert.All(sent, f => Assert.Equal(Ipv4Address.Parse("198.51.100.10"), Ipv4Header.Source(f.Data.AsSpan(EthernetHeader.Length))));
        Assert.Equal(16, SubstrateFramesTo(FirstEdge) + SubstrateFramesTo(SecondEdge));
        Assert.InRange(SubstrateFramesTo(SecondEdge), 1, 15);
        Assert.Equal(SubstrateFramesTo(FirstEdge), _simulation.Edges[0].Counters["nat.outbound"]);
        Assert.Equal(SubstrateFramesTo(SecondEdge), _simulation.Edges[1].Counters["nat.outbound"]);
        Assert.Empty(_simulation.Alarms);
    }

    [Fact]
    public void Internet_flows_enter_through_either_edge_and_reach_the_instance()
    {
        for (var host = 1; host <= 16; host++)
        {
            _simulation.Send(EdgePorts.Internet, _time += 1000, Frames.IcmpEcho(EdgePorts.EdgeMac, EdgePorts.PeerMac,
                IPAddress.Parse($"203.0.113.{host}"), IPAddress.Parse("198.51.100.10"), (ushort)host, 1, reply: false));
        }
        Assert.Equal(16, _simulation.ReceivedOn("eni-a1").Count);
        Assert.InRange(_simulation.Edges[0].Counters["nat.inbound"], 1, 15);
        Assert.Equal(16, _simulation.Edges[0].Counters["nat.inbound"] + _simulation.Edges[1].Counters["nat.inbound"]);
    }

    [Fact]
    public void Vpn_and_direct_connect_flows_the_cards_give_the_second_edge_leave_through_the_first()
    {
        for (var k = 0; k < 8; k++)
        {
            PingFromEniA1($"172.31.{k}.5", (ushort)k);
            PingFromEniA1($"172.16.{k}.5", (ushort)(100 + k));
        }

        Assert.Equal(8, _simulation.ReceivedOn(EdgePorts.VpnPrefix + "vpn-1").Count);
        Assert.Equal(8, _simulation.ReceivedOn(EdgePorts.DirectConnectPrefix + "dxcon-1").Count);
        var forwarded = _simulation.Edges[1].Counters["forwarded.site-edge"];
        Assert.InRange(forwarded, 1, 15);
        // What the cards sent the second edge, plus what it forwarded on to the first.
        Assert.Equal(16 + forwarded, SubstrateFramesTo(FirstEdge) + SubstrateFramesTo(SecondEdge));
        Assert.Equal(forwarded, _simulation.Substrate.Count(f => Ipv4Header.Source(f.Data.AsSpan(EthernetHeader.Length)) == SecondEdge));
        Assert.Empty(_simulation.Alarms);
    }
}
