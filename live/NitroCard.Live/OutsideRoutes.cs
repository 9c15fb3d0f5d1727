using System.Globalization;
using System.Text.RegularExpressions;
using NitroCard.Edge;
using NitroCard.Region;

namespace NitroCard.Live;

/// <summary>
/// How the outside world reaches the region (docs/live-region.md, "The edges"): in <c>internet</c> a <c>/32</c> per public
/// IP, in <c>services</c> the default route, each over every edge that is up — its link (<c>eth&lt;n&gt;</c>, a TAP of the
/// edge's) is in the namespace — and not held unhealthy by the Mapping Service, one next hop per edge (a multipath route,
/// hashed on the 5-tuple as ECMP would: <c>fib_multipath_hash_policy=1</c>). When no edge qualifies, every edge that is up
/// is used (there is nowhere better to send, as the cards fall back to the first edge). A dead edge's TAP vanishes with its
/// process and the kernel drops every multipath route through it at once, so <see cref="Follow"/> is called often: it
/// puts the routes back over the edges left within a tick.
/// </summary>
internal sealed partial class OutsideRoutes
{
    private readonly HashSet<string> _publicIps = new(StringComparer.Ordinal);
    private string _applied = "";

    /// <summary>
    /// Spreads flows over the next hops by their 5-tuple in both namespaces. With several edges, <c>services</c> also
    /// sends every reply back through the edge its flow last came in from: gateway-endpoint flows keep their state on the
    /// edge that saw them (edge/README.md), and the multipath hash does not know the cards' flow hash. nftables marks a
    /// flow's conntrack entry with the edge of each packet that arrives (mark n + 1 for <c>eth&lt;n&gt;</c>, so a flow the
    /// cards move to another edge follows it), replies the server sends take that mark, and a rule per edge routes the mark
    /// through that edge's table (<see cref="EdgeTable"/>); a dead edge's table is empty, so its flows' replies fall back to
    /// the multipath route.
    /// </summary>
    public static void Configure(RegionTopology region)
    {
        ArgumentNullException.ThrowIfNull(region);
        foreach (var ns in new[] { LiveNames.InternetNamespace, LiveNames.ServicesNamespace })
            Shell.Sysctl(ns, "net.ipv4.fib_multipath_hash_policy=1");
        if (region.Edges.Length < 2)
            return;
        var edges = Enumerable.Range(0, region.Edges.Length).ToList();
        var map = string.Join(", ", edges.Select(i => $"\"{LiveNames.OutsideLinkOf(i)}\" : {Mark(i)}"));
        foreach (var rule in new[]
        {
            "add table ip nitrocard",
            "add chain ip nitrocard ingress { type filter hook prerouting priority mangle; policy accept; }",
            $"add rule ip nitrocard ingress ct mark set iifname map {{ {map} }}",
            "add chain ip nitrocard egress { type route hook output priority mangle; policy accept; }",
            "add rule ip nitrocard egress meta mark set ct mark",
        })
        {
            Shell.Run("ip", "netns", "exec", LiveNames.ServicesNamespace, "nft", rule);
        }
        foreach (var i in edges)
            Shell.Ip(LiveNames.ServicesNamespace, "rule", "add", "fwmark", Mark(i), "table", EdgeTable(i));
    }

    /// <summary>The routing table of <c>services</c> that sends replies through edge number <paramref name="edge"/> only.</summary>
    internal static string EdgeTable(int edge) => (100 + edge).ToString(CultureInfo.InvariantCulture);

    private static string Mark(int edge) => (edge + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Makes the routes equal to what <paramref name="region"/> (the service's current state: its public IPs, its edges'
    /// health) and the links now in <c>internet</c> say; does nothing when neither changed since the last call.
    /// </summary>
    public void Follow(RegionTopology region)
    {
        ArgumentNullException.ThrowIfNull(region);
        var links = LinksIn(LiveNames.InternetNamespace);
        var up = Enumerable.Range(0, region.Edges.Length).Where(i => links.ContainsKey(LiveNames.OutsideLinkOf(i))).ToList();
        var healthy = up.Where(i => !region.UnhealthyEdges.Contains(region.Edges[i].Name, StringComparer.Ordinal)).ToList();
        var via = healthy.Count > 0 ? healthy : up;
        var added = region.Vpcs.SelectMany(v => v.Enis).Select(e => e.PublicIp).OfType<string>().Count(_publicIps.Add);
        // A link's index changes when its edge comes back, and the kernel dropped the routes through the old one.
        var key = string.Join(',', up.Select(i => links[LiveNames.OutsideLinkOf(i)])) + "/" + string.Join(',', via);
        if (key == _applied && added == 0)
            return;
        _applied = key;
        if (via.Count == 0)
            return;   // no edge up: nothing to route over until one comes back
        var nextHops = NextHops(via);
        foreach (var publicIp in _publicIps)
            Shell.Ip(LiveNames.InternetNamespace, ["route", "replace", $"{publicIp}/32", .. nextHops]);
        Shell.Ip(LiveNames.ServicesNamespace, ["route", "replace", "default", .. nextHops]);
        if (region.Edges.Length > 1)
        {
            foreach (var i in up)
                Shell.Ip(LiveNames.ServicesNamespace, ["route", "replace", "default", .. NextHops([i]), "table", EdgeTable(i)]);
        }
    }

    /// <summary><c>via 169.254.0.1 dev eth0 onlink</c> for one edge, <c>nexthop via ... dev eth0 onlink nexthop ...</c> for several.</summary>
    internal static string[] NextHops(IReadOnlyList<int> edges) => edges.Count == 1
        ? ["via", SiteLink.NextHop, "dev", LiveNames.OutsideLinkOf(edges[0]), "onlink"]
        : [.. edges.SelectMany(i => new[] { "nexthop", "via", SiteLink.NextHop, "dev", LiveNames.OutsideLinkOf(i), "onlink" })];

    /// <summary>The links of a namespace by name, each with its interface index.</summary>
    private static Dictionary<string, int> LinksIn(string ns)
    {
        var links = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match m in LinkLine().Matches(Shell.Run("ip", "-n", ns, "-o", "link", "show")))
            links[m.Groups[2].Value] = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return links;
    }

    [GeneratedRegex(@"^(\d+): ([^:@\s]+)[:@]", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex LinkLine();
}
