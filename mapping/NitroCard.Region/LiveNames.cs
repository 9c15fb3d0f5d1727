using System.Globalization;
using System.Text.RegularExpressions;

namespace NitroCard.Region;

/// <summary>
/// The names a live region (<c>nitroctl region up</c>) gives its own network namespaces and links, in one place:
/// the live code builds every such name here, and <see cref="IsReserved"/> refuses them as ENI ids, because an
/// ENI id becomes the name of the instance's namespace (an ENI called <c>internet</c> would take the world's place).
/// </summary>
public static partial class LiveNames
{
    /// <summary>The namespace playing the internet behind the edge's Internet Gateway.</summary>
    public const string InternetNamespace = "internet";

    /// <summary>The namespace serving the gateway endpoints' services (S3, DynamoDB).</summary>
    public const string ServicesNamespace = "services";

    /// <summary>The substrate's IPv4 router.</summary>
    public const string UnderlayNamespace = "nc-underlay";

    /// <summary>The namespace playing the internet's DNS server, the region's <c>dnsUpstream</c> (dnsmasq).</summary>
    public const string DnsUpstreamNamespace = "nc-dns-upstream";

    /// <summary>Every project namespace other than the outside ones starts with this (<see cref="UnderlayNamespace"/>, kernel hosts).</summary>
    public const string ProjectPrefix = "nc-";

    public const string VpnPrefix = "vpn-";

    public const string DirectConnectPrefix = "dx-";

    /// <summary>The substrate TAP (in the underlay router) of the region's edge number <paramref name="edge"/> (from 0, in the region's order).</summary>
    public static string EdgeSubstrateTapOf(int edge) => Text($"nce{edge}");

    /// <summary>Edge number <paramref name="edge"/>'s TAP into <see cref="InternetNamespace"/>.</summary>
    public static string InternetTapOf(int edge) => Text($"nci{edge}");

    /// <summary>Edge number <paramref name="edge"/>'s TAP into <see cref="ServicesNamespace"/>.</summary>
    public static string ServicesTapOf(int edge) => Text($"ncs{edge}");

    /// <summary>
    /// What edge number <paramref name="edge"/>'s TAP is called inside <see cref="InternetNamespace"/> and
    /// <see cref="ServicesNamespace"/>: <c>eth0</c> for the first edge, <c>eth1</c> for the second, ...
    /// </summary>
    public static string OutsideLinkOf(int edge) => Text($"eth{edge}");

    /// <summary>A kernel host's substrate link in its own namespace.</summary>
    public const string KernelUnderlayLink = "ul0";

    /// <summary>A customer site's VPN connection namespace.</summary>
    public static string VpnNamespace(string vpnId) => VpnPrefix + vpnId;

    /// <summary>
    /// The edge's own namespace for a BGP VPN connection: the tunnels' edge inside addresses, where the edge's BGP
    /// speaker has its kernel TCP sockets.
    /// </summary>
    public static string EdgeBgpNamespace(string vpnId) => ProjectPrefix + "vgw-" + vpnId;

    /// <summary>A Direct Connect connection's customer router namespace.</summary>
    public static string DirectConnectNamespace(string connection) => DirectConnectPrefix + connection;

    /// <summary>A <c>linux-vxlan</c> host's namespace.</summary>
    public static string KernelHostNamespace(string host) => ProjectPrefix + "host-" + host;

    /// <summary>A card host's network-port TAP (in the underlay router).</summary>
    public static string CardUnderlayTap(int host) => Text($"ncu{host}");

    /// <summary>The TAP of an ENI slot of a card host (the instance's <c>eth0</c>).</summary>
    public static string CardEniTap(int host, int slot) => Text($"nct{host}s{slot}");

    /// <summary>The underlay router's port of a kernel host.</summary>
    public static string KernelRouterPort(int host) => Text($"ncv{host}");

    /// <summary>A kernel host's bridge port of an instance veth.</summary>
    public static string KernelBridgePort(int host, int port) => Text($"vi{host}p{port}");

    /// <summary>The instance side of a kernel host's veth (becomes the instance's <c>eth0</c>).</summary>
    public static string KernelInstanceLink(int host, int port) => Text($"vk{host}p{port}");

    /// <summary>A kernel host's bridge of a VNI.</summary>
    public static string KernelBridge(uint vni) => Text($"br{vni}");

    /// <summary>A kernel host's VXLAN device of a VNI.</summary>
    public static string KernelVxlan(uint vni) => Text($"vx{vni}");

    /// <summary>The edge's TAP to a VPN customer site.</summary>
    public static string VpnSiteTap(int n) => Text($"ncp{n}");

    /// <summary>The edge's TAP into a BGP VPN connection's <see cref="EdgeBgpNamespace"/> (the tunnels' inside side).</summary>
    public static string VpnInsideTap(int n) => Text($"ncb{n}");

    /// <summary>The edge's TAP to a Direct Connect customer router.</summary>
    public static string DirectConnectTap(int n) => Text($"ncd{n}");

    /// <summary>
    /// True when <paramref name="name"/> is, or could be, a namespace or link the live region names itself:
    /// <c>internet</c>, <c>services</c>, anything starting <c>nc-</c>, <c>vpn-</c> or <c>dx-</c>, and the link
    /// patterns above (<c>ncu0</c>, <c>nct0s1</c>, <c>br7</c>, <c>eth0</c>…).
    /// </summary>
    public static bool IsReserved(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name is InternetNamespace or ServicesNamespace or KernelUnderlayLink or "eth0" or "lo"
            || name.StartsWith(ProjectPrefix, StringComparison.Ordinal)
            || name.StartsWith(VpnPrefix, StringComparison.Ordinal)
            || name.StartsWith(DirectConnectPrefix, StringComparison.Ordinal)
            || LinkPattern().IsMatch(name);
    }

    /// <summary>True when <paramref name="name"/> has the shape of a TAP or veth the live region creates in the root namespace.</summary>
    public static bool IsRegionLink(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return LinkPattern().IsMatch(name);
    }

    /// <summary>Why <paramref name="name"/> may not be an ENI id; null when it may.</summary>
    public static string? ReservedProblem(string name) => IsReserved(name)
        ? $"{ResourceName.Quote(name)} is reserved: a live region names its own namespaces and links so " +
          $"({InternetNamespace}, {ServicesNamespace}, {ProjectPrefix}*, {VpnPrefix}*, {DirectConnectPrefix}*, TAP and veth names), and an ENI id names the instance's namespace"
        : null;

    private static string Text(FormattableString name) => name.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?:(?:ncu|ncv|ncp|ncb|ncd)[0-9]+|nct[0-9]+s[0-9]+|nc[eis][0-9]+|v[ik][0-9]+p[0-9]+|(?:br|vx)[0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex LinkPattern();
}
