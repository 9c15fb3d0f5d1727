using System.Net;
using NitroCard.Packets;

namespace NitroCard.Card.Filtering;

/// <summary>What a route interval does with a packet (the route table's KIND field).</summary>
public enum RouteKind : byte
{
    /// <summary>No route: <c>unknown-destination</c>.</summary>
    None = 0,

    /// <summary>The VPC itself: mapping lookup.</summary>
    Local = 1,

    /// <summary>An edge gateway (igw, vgw, gateway endpoint): encapsulate to the edge's underlay address.</summary>
    Edge = 2,

    /// <summary>Drop with reason <c>blackhole</c>.</summary>
    Blackhole = 3,
}

/// <summary>Where a route came from; on equal prefixes static beats prefix-list beats propagated (AWS).</summary>
public enum RouteClass
{
    /// <summary>A route written in the table.</summary>
    Static = 0,

    /// <summary>A prefix-list route (gateway endpoints).</summary>
    PrefixList = 1,

    /// <summary>A route propagated from a virtual private gateway.</summary>
    Propagated = 2,
}

/// <summary>One route of a route table.</summary>
/// <param name="Destination">The IPv4 prefix.</param>
/// <param name="Target">Local, Edge or Blackhole.</param>
/// <param name="Class">Static, prefix-list or propagated (breaks ties between equal prefixes).</param>
/// <param name="EdgeIp">The edge's underlay address, for <see cref="RouteKind.Edge"/>.</param>
public sealed record RouteSpec(IPNetwork Destination, RouteKind Target, RouteClass Class = RouteClass.Static, IPAddress? EdgeIp = null);

/// <summary>A route table as the card's driver compiles it: the implicit local route and the table's routes.</summary>
/// <param name="Local">The VPC CIDR (the implicit local route: it wins over every route inside it), or null.</param>
/// <param name="Routes">The other routes. A route with target <see cref="RouteKind.Local"/> ranks like the implicit local route.</param>
public sealed record RouteTableSpec(IPNetwork? Local, IReadOnlyList<RouteSpec> Routes)
{
    /// <summary>Every destination goes to the mapping lookup (what a card without route tables does).</summary>
    public static RouteTableSpec LocalOnly { get; } = new(new IPNetwork(IPAddress.Any, 0), []);
}

/// <summary>One interval of a compiled route bank: from <see cref="Start"/> up to the next interval's start in the same table.</summary>
/// <param name="Table">The route table (card numbering).</param>
/// <param name="Start">The first address, as a number.</param>
/// <param name="Kind">What the interval does.</param>
/// <param name="EdgeIp">The edge's underlay address for <see cref="RouteKind.Edge"/>, else 0.</param>
public readonly record struct RouteInterval(int Table, uint Start, RouteKind Kind, uint EdgeIp)
{
    public override string ToString() => $"table {Table} from {Ipv4Address.FromUInt32(Start)}: {Kind}{(Kind == RouteKind.Edge ? " " + Ipv4Address.FromUInt32(EdgeIp) : "")}";
}
