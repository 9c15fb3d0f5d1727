using System.Net;
using NitroCard.Card.Filtering;

namespace NitroCard.Card.Tests;

/// <summary>
/// The route bank compiler against AWS's route priority (docs/card-filtering.md, "Route tables"); a caller's bad route is an
/// argument error, a bank that does not fit is <see cref="CardTableFullException"/>.
/// </summary>
public class RouteTableCompilerTests
{
    private static readonly IPAddress EdgeA = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress EdgeB = IPAddress.Parse("192.0.2.2");

    private static uint Ip(string text) => BitConverter.ToUInt32([.. IPAddress.Parse(text).GetAddressBytes().Reverse()]);

    /// <summary>What a route bank lookup returns: the last interval of the table starting at or before the address.</summary>
    private static (RouteKind Kind, uint Edge) Lookup(IReadOnlyList<RouteInterval> intervals, string address)
    {
        var ip = Ip(address);
        var hit = intervals.LastOrDefault(i => i.Start <= ip);
        return hit == default ? (RouteKind.None, 0) : (hit.Kind, hit.EdgeIp);
    }

    [Fact]
    public void The_local_route_wins_over_a_longer_route_inside_it()
    {
        var spec = new RouteTableSpec(IPNetwork.Parse("10.0.0.0/16"),
            [new RouteSpec(IPNetwork.Parse("10.0.1.0/24"), RouteKind.Blackhole), new RouteSpec(IPNetwork.Parse("0.0.0.0/0"), RouteKind.Edge, EdgeIp: EdgeA)]);
        var intervals = RouteTableCompiler.Compile(3, spec);
        Assert.Equal(RouteKind.Local, Lookup(intervals, "10.0.1.7").Kind);
        Assert.Equal((RouteKind.Edge, Ip("192.0.2.1")), Lookup(intervals, "203.0.113.9"));
        Assert.Equal((RouteKind.Edge, Ip("192.0.2.1")), Lookup(intervals, "9.255.255.255"));
        Assert.All(intervals, i => Assert.Equal(3, i.Table));
    }

    [Fact]
    public void The_longest_prefix_wins_and_equal_prefixes_go_static_then_prefix_list_then_propagated()
    {
        var spec = new RouteTableSpec(null,
        [
            new RouteSpec(IPNetwork.Parse("198.51.100.0/24"), RouteKind.Edge, RouteClass.Propagated, EdgeB),
            new RouteSpec(IPNetwork.Parse("198.51.100.0/24"), RouteKind.Edge, RouteClass.PrefixList, EdgeA),
            new RouteSpec(IPNetwork.Parse("198.51.100.128/25"), RouteKind.Blackhole, RouteClass.Propagated),
            new RouteSpec(IPNetwork.Parse("203.0.113.0/24"), RouteKind.Edge, RouteClass.Propagated, EdgeB),
            new RouteSpec(IPNetwork.Parse("203.0.113.0/24"), RouteKind.Blackhole, RouteClass.Static),
        ]);
        var intervals = RouteTableCompiler.Compile(0, spec);
        Assert.Equal((RouteKind.Edge, Ip("192.0.2.1")), Lookup(intervals, "198.51.100.1"));
        Assert.Equal(RouteKind.Blackhole, Lookup(intervals, "198.51.100.200").Kind);
        Assert.Equal(RouteKind.Blackhole, Lookup(intervals, "203.0.113.5").Kind);
        Assert.Equal(RouteKind.None, Lookup(intervals, "192.0.2.77").Kind);
        Assert.Equal(RouteKind.None, Lookup(intervals, "203.0.114.0").Kind);
    }

    [Fact]
    public void Neighbours_with_the_same_result_merge_and_no_route_before_the_first_needs_no_interval()
    {
        var spec = new RouteTableSpec(null,
            [new RouteSpec(IPNetwork.Parse("10.0.0.0/25"), RouteKind.Blackhole), new RouteSpec(IPNetwork.Parse("10.0.0.128/25"), RouteKind.Blackhole)]);
        var intervals = RouteTableCompiler.Compile(0, spec);
        Assert.Equal([new RouteInterval(0, Ip("10.0.0.0"), RouteKind.Blackhole, 0), new RouteInterval(0, Ip("10.0.1.0"), RouteKind.None, 0)], intervals);
    }

    [Fact]
    public void A_table_of_n_random_routes_needs_at_most_2n_plus_1_intervals_and_every_address_gets_the_best_route()
    {
        var random = new Random(7);
        for (var round = 0; round < 50; round++)
        {
            var routes = new List<RouteSpec>();
            var seen = new HashSet<(uint, int, RouteClass)>();
            while (routes.Count < 12)
            {
                var length = random.Next(8, 29);
                var network = (uint)random.Next(0x0A00_0000, 0x0A10_0000) & (uint)(0xFFFF_FFFFUL << (32 - length));
                var cls = (RouteClass)random.Next(3);
                if (!seen.Add((network, length, cls)))
                    continue;
                var address = new IPAddress([(byte)(network >> 24), (byte)(network >> 16), (byte)(network >> 8), (byte)network]);
                routes.Add(new RouteSpec(new IPNetwork(address, length), random.Next(2) == 0 ? RouteKind.Blackhole : RouteKind.Edge, cls, random.Next(2) == 0 ? EdgeA : EdgeB));
            }
            var intervals = RouteTableCompiler.Compile(1, new RouteTableSpec(null, routes));
            Assert.True(intervals.Count <= (2 * routes.Count) + 1, $"{intervals.Count} intervals for {routes.Count} routes");
            Assert.True(intervals.Zip(intervals.Skip(1)).All(p => p.First.Start < p.Second.Start), "intervals ascend");

            for (var probe = 0; probe < 200; probe++)
            {
                var ip = (uint)random.Next(0x0A00_0000, 0x0A10_0000);
                var text = $"{ip >> 24}.{(ip >> 16) & 255}.{(ip >> 8) & 255}.{ip & 255}";
                var best = routes.Where(r => (ip & Mask(r.Destination.PrefixLength)) == Ip(r.Destination.BaseAddress.ToString()))
                    .OrderByDescending(r => r.Destination.PrefixLength).ThenBy(r => r.Class).FirstOrDefault();
                var expected = best is null ? (RouteKind.None, 0u) : (best.Target, best.Target == RouteKind.Edge ? Ip(best.EdgeIp!.ToString()) : 0u);
                Assert.Equal(expected, Lookup(intervals, text));
            }
        }

        static uint Mask(int length) => length == 0 ? 0 : uint.MaxValue << (32 - length);
    }

    [Fact]
    public void A_bank_is_the_tables_in_key_order_and_a_bank_that_does_not_fit_names_every_table()
    {
        var small = new RouteTableSpec(IPNetwork.Parse("10.0.0.0/16"), []);
        var bank = RouteTableCompiler.CompileBank([small, null, small], capacity: 10);
        Assert.Equal([0, 0, 2, 2], bank.Select(i => i.Table));
        var e = Assert.Throws<CardTableFullException>(() => RouteTableCompiler.CompileBank([small, null, small], capacity: 3));
        Assert.Equal("The route tables need 4 intervals but a route bank holds 3 (table 0: 2, table 2: 2)", e.Message);
    }

    [Fact]
    public void Invalid_routes_are_refused_with_the_table_and_route_named()
    {
        var twice = new RouteTableSpec(null,
            [new RouteSpec(IPNetwork.Parse("10.0.0.0/8"), RouteKind.Blackhole), new RouteSpec(IPNetwork.Parse("10.0.0.0/8"), RouteKind.Blackhole)]);
        Assert.Equal("route table 4 route 1 (10.0.0.0/8): the table already has a Static route for 10.0.0.0/8",
            Assert.Throws<ArgumentException>(() => RouteTableCompiler.Compile(4, twice)).Message);

        var noEdge = new RouteTableSpec(null, [new RouteSpec(IPNetwork.Parse("0.0.0.0/0"), RouteKind.Edge)]);
        Assert.Contains("an edge route needs the edge's IPv4 underlay address", Assert.Throws<ArgumentException>(() => RouteTableCompiler.Compile(0, noEdge)).Message, StringComparison.Ordinal);

        var v6 = new RouteTableSpec(null, [new RouteSpec(IPNetwork.Parse("2001:db8::/32"), RouteKind.Blackhole)]);
        Assert.Contains("2001:db8::/32 is not an IPv4 prefix", Assert.Throws<ArgumentException>(() => RouteTableCompiler.Compile(0, v6)).Message, StringComparison.Ordinal);

        Assert.Contains("out of range 0..255", Assert.Throws<ArgumentOutOfRangeException>(() => RouteTableCompiler.Compile(256, RouteTableSpec.LocalOnly)).Message, StringComparison.Ordinal);
    }
}
