using System.Net;
using NitroCard.Card.Tables;
using NitroCard.Packets;

namespace NitroCard.Live.Tests;

/// <summary>Which edge the cards send a flow to: the card's flow hash over the slots of an edge set (docs/card-edges.md).</summary>
internal static class CardEdgeChoice
{
    /// <summary>The underlay address of the edge the cards send a ping from <paramref name="from"/> to <paramref name="to"/>
    /// to, while <paramref name="edges"/> (underlay addresses, in the region's order) are all in the set.</summary>
    public static string OfPing(string from, string to, params string[] edges)
    {
        var slots = EdgeSet.SlotWords([.. edges.Select(IPAddress.Parse)], EdgeSet.Empty);
        var port = FlowHash.SourcePort(new FlowTuple(Ipv4Address.ToUInt32(IPAddress.Parse(from)), Ipv4Address.ToUInt32(IPAddress.Parse(to)), Ipv4Header.ProtocolIcmp, 0, 0));
        return Ipv4Address.FromUInt32(EdgeSet.NextHop(slots, port, 0)).ToString();
    }
}
