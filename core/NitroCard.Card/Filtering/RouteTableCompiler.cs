using System.Net.Sockets;
using NitroCard.Packets;

namespace NitroCard.Card.Filtering;

/// <summary>
/// Compiles route tables into the sorted intervals of a route bank (docs/card-filtering.md, "Route tables"):
/// for every address the route AWS would choose — the local route wins over every route inside it; otherwise
/// the longest prefix; among equal prefixes static beats prefix-list beats propagated — with adjacent
/// intervals of the same result merged. A table of n routes yields at most 2n + 1 intervals.
/// </summary>
public static class RouteTableCompiler
{
    /// <summary>The largest card route table number (the 8-bit TABLE field).</summary>
    public const int MaxTables = 256;

    /// <summary>The intervals of one table, ascending by start; addresses before the first interval have no route.</summary>
    /// <exception cref="ArgumentException">The table number is out of range, a route is not IPv4, an edge route has no IPv4 edge address, a route has no target, or a (prefix, class) appears twice.</exception>
    public static List<RouteInterval> Compile(int table, RouteTableSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if ((uint)table >= MaxTables)
            throw new ArgumentOutOfRangeException(nameof(table), $"Route table {table} is out of range 0..{MaxTables - 1}");
        var candidates = new List<Candidate>(spec.Routes.Count + 1);
        if (spec.Local is { } local)
            candidates.Add(Candidate.From(local, RouteKind.Local, RouteClass.Static, 0, true, $"route table {table} local route"));
        var seen = new HashSet<(uint, int, RouteClass)>();
        for (var i = 0; i < spec.Routes.Count; i++)
        {
            var route = spec.Routes[i];
            var what = $"route table {table} route {i} ({route.Destination})";
            if (route.Target == RouteKind.None || !Enum.IsDefined(route.Target))
                throw new ArgumentException($"{what}: no target");
            uint edge = 0;
            if (route.Target == RouteKind.Edge)
            {
                if (route.EdgeIp is null || route.EdgeIp.AddressFamily != AddressFamily.InterNetwork)
                    throw new ArgumentException($"{what}: an edge route needs the edge's IPv4 underlay address");
                edge = Ipv4Address.ToUInt32(route.EdgeIp);
            }
            var candidate = Candidate.From(route.Destination, route.Target, route.Class, edge, route.Target == RouteKind.Local, what);
            if (!seen.Add((candidate.Network, candidate.Length, route.Class)))
                throw new ArgumentException($"{what}: the table already has a {route.Class} route for {route.Destination}");
            candidates.Add(candidate);
        }

        // Elementary intervals: every address where some route starts or ends.
        var bounds = new SortedSet<ulong> { 0 };
        foreach (var c in candidates)
        {
            bounds.Add(c.Network);
            bounds.Add((ulong)c.Network + c.Size);
        }
        bounds.Remove(1UL << 32);

        var result = new List<RouteInterval>();
        foreach (var start in bounds)
        {
            var address = (uint)start;
            Candidate? best = null;
            foreach (var c in candidates)
            {
                if (c.Contains(address) && (best is null || c.Beats(best.Value)))
                    best = c;
            }
            var interval = best is { } b ? new RouteInterval(table, address, b.Kind, b.EdgeIp) : new RouteInterval(table, address, RouteKind.None, 0);
            if (result.Count == 0 ? interval.Kind == RouteKind.None : Same(result[^1], interval))
                continue; // leading "no route" needs no entry; equal neighbours merge
            result.Add(interval);
        }
        return result;
    }

    /// <summary>
    /// A whole route bank: the intervals of every table (index = card numbering; null = no table), in key
    /// order (table, start).
    /// </summary>
    /// <exception cref="ArgumentException">A table is invalid, or there are more tables than the card numbers.</exception>
    /// <exception cref="CardTableFullException">The intervals do not fit <paramref name="capacity"/> (2^ROUTE_LEVELS − 1).</exception>
    public static RouteInterval[] CompileBank(IReadOnlyList<RouteTableSpec?> tables, int capacity)
    {
        ArgumentNullException.ThrowIfNull(tables);
        if (tables.Count > MaxTables)
            throw new ArgumentException($"{tables.Count} route tables, but the card numbers at most {MaxTables}");
        var all = new List<RouteInterval>();
        var sizes = new List<string>();
        for (var t = 0; t < tables.Count; t++)
        {
            if (tables[t] is not { } spec)
                continue;
            var intervals = Compile(t, spec);
            sizes.Add($"table {t}: {intervals.Count}");
            all.AddRange(intervals);
        }
        if (all.Count > capacity)
            throw new CardTableFullException($"The route tables need {all.Count} intervals but a route bank holds {capacity} ({string.Join(", ", sizes)})");
        return [.. all];
    }

    private static bool Same(RouteInterval a, RouteInterval b) => a.Kind == b.Kind && a.EdgeIp == b.EdgeIp;

    private readonly record struct Candidate(uint Network, int Length, RouteKind Kind, RouteClass Class, uint EdgeIp, bool IsLocal)
    {
        public ulong Size => 1UL << (32 - Length);

        public static Candidate From(System.Net.IPNetwork prefix, RouteKind kind, RouteClass cls, uint edge, bool isLocal, string what)
        {
            if (prefix.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
                throw new ArgumentException($"{what}: {prefix} is not an IPv4 prefix");
            return new Candidate(Ipv4Address.ToUInt32(prefix.BaseAddress), prefix.PrefixLength, kind, cls, kind == RouteKind.Edge ? edge : 0, isLocal);
        }

        public bool Contains(uint address) => (address & Ipv4Address.Mask(Length)) == Network;

        /// <summary>AWS priority: local first, then longest prefix, then static &gt; prefix-list &gt; propagated.</summary>
        public bool Beats(Candidate other)
        {
            if (IsLocal != other.IsLocal)
                return IsLocal;
            if (Length != other.Length)
                return Length > other.Length;
            return Class < other.Class;
        }
    }
}
