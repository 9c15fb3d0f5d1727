using System.Buffers.Binary;
using System.Net;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;
using NitroCard.Packets;
using static NitroCard.Rtl.Tests.TestHost;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// The edge set (docs/card-edges.md): edge routes spread over the healthy edges by the flow's outer source port mod 8,
/// on the RTL and the model alike (each theory runs both, and <see cref="Rtl_and_model_send_every_flow_to_the_same_edge"/>
/// compares their frames byte for byte through every set change).
/// </summary>
public class EdgeSetTests
{
    private static readonly IPAddress Edge1 = IPAddress.Parse("192.0.2.241");
    private static readonly IPAddress Edge2 = IPAddress.Parse("192.0.2.242");
    private static readonly IPAddress Edge3 = IPAddress.Parse("192.0.2.243");
    private static readonly IPAddress Internet = IPAddress.Parse("198.51.100.7");
    private static readonly IPNetwork Vpc = IPNetwork.Parse("10.0.0.0/16");

    /// <summary>64 UDP flows of BlueA1 to the internet (ports 40000..40063: their hashes cover every slot).</summary>
    private static readonly byte[][] Flows =
        [.. Enumerable.Range(0, 64).Select(i => Frames.Udp(GatewayMac.Value, BlueA1.Mac.Value, BlueA1.Ip, Internet, (ushort)(40000 + i), 53, new byte[20]))];

    private static TestHost EdgeRouted(string engine)
    {
        var host = new TestHost(engine);
        host.Card.SetRouteTables([new RouteTableSpec(Vpc, [new RouteSpec(IPNetwork.Parse("0.0.0.0/0"), RouteKind.Edge, EdgeIp: EdgeIp)])]);
        host.Card.Commit();
        return host;
    }

    /// <summary>Each flow's (outer source port, outer destination), sending every flow twice: both packets must agree.</summary>
    private static (ushort Port, IPAddress Edge)[] Send(TestHost host)
    {
        var result = new (ushort, IPAddress)[Flows.Length];
        for (var i = 0; i < Flows.Length; i++)
        {
            var first = Assert.Single(host.SendFromEni(BlueA1, Flows[i]).Network).Data;
            var again = Assert.Single(host.SendFromEni(BlueA1, Flows[i]).Network).Data;
            Assert.Equal(first, again);
            result[i] = (BinaryPrimitives.ReadUInt16BigEndian(first.AsSpan(34)), Ipv4Address.FromUInt32(Ipv4Header.Destination(first.AsSpan(14))));
        }
        return result;
    }

    [Theory]
    [MemberData(nameof(TestHost.Engines), MemberType = typeof(TestHost))]
    public void One_two_and_three_edges_take_the_slots_of_the_outer_source_port_and_a_dead_edge_moves_only_its_flows(string engine)
    {
        using var host = EdgeRouted(engine);

        // No set: every edge route goes to its own EDGE_IP, as a single-edge card always did.
        Assert.All(Send(host), f => Assert.Equal(EdgeIp, f.Edge));

        host.Card.SetEdgeSet([Edge1]);
        var one = Send(host);
        Assert.All(one, f => Assert.Equal(Edge1, f.Edge));

        // Two edges: slots 0-3 the first, 4-7 the second (each is due 4 of 8).
        host.Card.SetEdgeSet([Edge1, Edge2]);
        var two = Send(host);
        Assert.All(two, f => Assert.Equal((f.Port & 7) < 4 ? Edge1 : Edge2, f.Edge));

        // A third edge is due 2 slots: it takes the highest slot of each edge above its new due (3 and 7); no other flow moves.
        host.Card.SetEdgeSet([Edge1, Edge2, Edge3]);
        var three = Send(host);
        IPAddress[] threeSlots = [Edge1, Edge1, Edge1, Edge3, Edge2, Edge2, Edge2, Edge3];
        Assert.All(three, f => Assert.Equal(threeSlots[f.Port & 7], f.Edge));
        Assert.Equal(3, three.Select(f => f.Edge).Distinct().Count());

        // Edge 2 dies: its slots (4, 5, 6) go to edges 1 and 3 up to their due (4 each); every other flow keeps its edge.
        host.Card.SetEdgeSet([Edge1, Edge3]);
        var after = Send(host);
        IPAddress[] afterSlots = [Edge1, Edge1, Edge1, Edge3, Edge1, Edge3, Edge3, Edge3];
        Assert.All(after, f => Assert.Equal(afterSlots[f.Port & 7], f.Edge));
        for (var i = 0; i < Flows.Length; i++)
        {
            Assert.NotEqual(Edge2, after[i].Edge);
            if (!three[i].Edge.Equals(Edge2))
                Assert.Equal(three[i].Edge, after[i].Edge);
        }

        // The flows' hashes (the outer source port) never change with the set, and they cover every slot.
        Assert.Equal(one.Select(f => f.Port), after.Select(f => f.Port));
        Assert.Equal(8, one.Select(f => f.Port & 7).Distinct().Count());

        // All edges gone: back to the route's EDGE_IP.
        host.Card.SetEdgeSet([]);
        Assert.All(Send(host), f => Assert.Equal(EdgeIp, f.Edge));
        Assert.Equal(0UL, host.Card.ReadCounters().Drops.Aggregate(0UL, (s, d) => s + d));
    }

    [Theory]
    [MemberData(nameof(TestHost.Engines), MemberType = typeof(TestHost))]
    public void A_bad_edge_set_is_refused_and_changes_nothing(string engine)
    {
        using var host = EdgeRouted(engine);
        host.Card.SetEdgeSet([Edge1, Edge2]);
        var before = Send(host);

        Assert.Throws<ArgumentException>(() => host.Card.SetEdgeSet([Edge1, Edge1]));
        Assert.Throws<ArgumentException>(() => host.Card.SetEdgeSet([IPAddress.Any]));
        Assert.Throws<ArgumentException>(() => host.Card.SetEdgeSet([IPAddress.IPv6Loopback]));
        Assert.Throws<ArgumentException>(() => host.Card.SetEdgeSet([.. Enumerable.Range(1, 9).Select(i => IPAddress.Parse($"192.0.2.{i}"))]));

        Assert.Equal(before, Send(host));
    }

    [Fact]
    public void Rtl_and_model_send_every_flow_to_the_same_edge()
    {
        using var rtl = EdgeRouted("rtl");
        using var model = EdgeRouted("model");
        IPAddress[][] sets = [[Edge1], [Edge2, Edge1], [Edge2, Edge1, Edge3], [Edge3], [Edge1, Edge2, Edge3], [Edge3, Edge1], []];
        foreach (var set in sets)
        {
            rtl.Card.SetEdgeSet(set);
            model.Card.SetEdgeSet(set);
            foreach (var frame in Flows)
            {
                var fromRtl = Assert.Single(rtl.SendFromEni(BlueA1, frame).Network).Data;
                var fromModel = Assert.Single(model.SendFromEni(BlueA1, frame).Network).Data;
                Assert.Equal(Convert.ToHexString(fromModel), Convert.ToHexString(fromRtl));
            }
        }
    }

    [Fact]
    public void The_card_holds_the_words_the_shared_definition_computes()
    {
        using var host = new TestHost("rtl");
        host.Rtl.Driver.SetEdgeSet([Edge1, Edge2, Edge3]);
        uint[] expected = [.. new[] { Edge1, Edge1, Edge1, Edge2, Edge2, Edge2, Edge3, Edge3 }.Select(Ipv4Address.ToUInt32)];
        Assert.Equal(expected, host.Rtl.Driver.ReadEdgeSet());
        Assert.Equal(expected, EdgeSet.SlotWords([Edge1, Edge2, Edge3], EdgeSet.Empty).ToArray());
        Assert.Equal(EdgeSet.Slots, Driver.Registers.RegisterMap.EdgeSetCount);
    }
}
