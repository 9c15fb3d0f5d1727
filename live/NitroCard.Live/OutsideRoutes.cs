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

    /// <summary>Spreads flows over the next hops by their 5-tuple in both namespaces (set once, after the first edge made them).</summary>
    public static void Configure()
    {
        foreach (var ns in new[] { LiveNames.InternetNamespace, LiveNames.ServicesNamespace })
            Shell.Sysctl(ns, "net.ipv4.fib_multipath_hash_policy=1");
    }

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
        var key = string.Join(',', via.Select(i => links[LiveNames.OutsideLinkOf(i)]));
        if (key == _applied && added == 0)
            return;
        _applied = key;
        if (via.Count == 0)
            return;   // no edge up: nothing to route over until one comes back
        var nextHops = NextHops(via);
        foreach (var publicIp in _publicIps)
            Shell.Ip(LiveNames.InternetNamespace, ["route", "replace", $"{publicIp}/32", .. nextHops]);
        Shell.Ip(LiveNames.ServicesNamespace, ["route", "replace", "default", .. nextHops]);
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
