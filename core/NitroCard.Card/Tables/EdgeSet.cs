using System.Collections.Immutable;
using System.Net;
using NitroCard.Packets;

namespace NitroCard.Card.Tables;

/// <summary>
/// The card's edge set (docs/card-edges.md), one definition for the RTL's driver and the model: 8 slots, each the
/// underlay IPv4 of an edge (0: the route's own EDGE_IP). A TX packet whose route says edge goes to the edge of slot
/// <see cref="SlotOf"/> = its outer UDP source port (the flow hash, <see cref="FlowHash.SourcePort(FlowTuple)"/>) mod 8, so one
/// flow keeps one edge while the set is unchanged.
/// </summary>
public static class EdgeSet
{
    /// <summary>Slots of the set: the register map's EDGE_SET count (a driver test keeps the two equal).</summary>
    public const int Slots = 8;

    /// <summary>The slot words of a card that was never given a set: all 0.</summary>
    public static ImmutableArray<uint> Empty { get; } = ImmutableArray.Create(new uint[Slots]);

    /// <summary>The slot of a flow: its outer UDP source port mod <see cref="Slots"/>.</summary>
    public static int SlotOf(ushort outerSourcePort) => outerSourcePort & (Slots - 1);

    /// <summary>
    /// The slot words for the healthy <paramref name="edges"/> (underlay IPv4s, at most <see cref="Slots"/>, distinct),
    /// moving as few flows as it can from <paramref name="previous"/> (the words the card holds now): edge k of n is
    /// due 8 / n slots, one more for k &lt; 8 mod n; a slot keeps its edge while that edge stays healthy and within its
    /// due (an edge over it gives up its highest slots); the freed slots go, lowest first, to the edges below their due
    /// in list order. So an edge's death moves only its own flows, and a new edge takes slots only from the edges
    /// above their new due. No edge: all 0 (every packet to its route's EDGE_IP, the single-edge card).
    /// </summary>
    /// <exception cref="ArgumentException">More than <see cref="Slots"/> edges, an address that is not IPv4, 0.0.0.0, or one listed twice.</exception>
    public static ImmutableArray<uint> SlotWords(IReadOnlyList<IPAddress> edges, ImmutableArray<uint> previous)
    {
        ArgumentNullException.ThrowIfNull(edges);
        if (edges.Count > Slots)
            throw new ArgumentException($"The edge set holds at most {Slots} edges, not {edges.Count}", nameof(edges));
        var ips = new uint[edges.Count];
        for (var i = 0; i < ips.Length; i++)
        {
            ips[i] = Ipv4Address.ToUInt32(TableArguments.Ipv4(edges[i], nameof(edges)));
            if (ips[i] == 0)
                throw new ArgumentException("Edge set: 0.0.0.0 is not an edge address", nameof(edges));
            if (Array.IndexOf(ips, ips[i], 0, i) >= 0)
                throw new ArgumentException($"Edge set: {edges[i]} is listed twice", nameof(edges));
        }
        if (ips.Length == 0)
            return Empty;

        var words = previous.IsDefault || previous.Length != Slots ? new uint[Slots] : previous.ToArray();
        var held = new int[ips.Length];
        for (var slot = 0; slot < Slots; slot++)
        {
            var k = Array.IndexOf(ips, words[slot]);
            if (k < 0)
                words[slot] = 0;
            else
                held[k]++;
        }
        for (var slot = Slots - 1; slot >= 0; slot--)
        {
            var k = Array.IndexOf(ips, words[slot]);
            if (k >= 0 && held[k] > Due(k, ips.Length))
            {
                held[k]--;
                words[slot] = 0;
            }
        }
        var next = 0;
        for (var slot = 0; slot < Slots; slot++)
        {
            if (words[slot] != 0)
                continue;
            while (held[next] >= Due(next, ips.Length))
                next++;
            words[slot] = ips[next];
            held[next]++;
        }
        return ImmutableArray.Create(words);
    }

    /// <summary>The outer destination of an edge-routed packet: its slot's edge, else the route's.</summary>
    public static uint NextHop(ImmutableArray<uint> slotWords, ushort outerSourcePort, uint routeEdgeIp)
    {
        var word = slotWords.IsDefaultOrEmpty ? 0 : slotWords[SlotOf(outerSourcePort)];
        return word != 0 ? word : routeEdgeIp;
    }

    private static int Due(int k, int n) => Slots / n + (k < Slots % n ? 1 : 0);
}
