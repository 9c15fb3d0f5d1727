using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using NitroCard.Region;

namespace NitroCard.Live;

/// <summary>
/// The customer's router of a BGP VPN connection's site <c>vpn-&lt;id&gt;</c>: BIRD 2 (Debian's <c>bird2</c>) in the site
/// namespace, one BGP session per tunnel over the tunnels' inside addresses (the customer's second host address of each
/// /30, on strongSwan's <c>ipsec0</c>, to the edge's first), announcing the site's networks
/// (<see cref="VpnConnection.CustomerAnnouncedCidrs"/>, configured here only) and learning the VPC's CIDR. Its files —
/// <c>bird.conf</c>, <c>bird.log</c> and the control socket <c>bird.ctl</c> for <c>birdc -s</c> — are in
/// <see cref="Directory"/>, beside strongSwan's (docs/live-region.md).
/// </summary>
public sealed class BirdSite : IDisposable
{
    public const string Bird = "/usr/sbin/bird";
    public const string Birdc = "/usr/sbin/birdc";

    /// <summary>The link kernel-libipsec creates for the tunnels (the route-based VPN's tunnel interface).</summary>
    public const string TunnelLink = "ipsec0";

    private Process? _bird;

    public BirdSite(VpnConnection vpn, string directory)
    {
        Vpn = vpn;
        Directory = directory;
    }

    public VpnConnection Vpn { get; }

    /// <summary>Where the site's configuration, log and control socket are.</summary>
    public string Directory { get; }

    public string Namespace => LiveNames.VpnNamespace(Vpn.Id);

    public string ConfigPath => Path.Combine(Directory, "bird.conf");

    public string LogPath => Path.Combine(Directory, "bird.log");

    public string ControlSocket => Path.Combine(Directory, "bird.ctl");

    /// <summary>Writes the configuration and starts BIRD in the site namespace (after strongSwan: see <see cref="AddTunnelAddresses"/>).</summary>
    public void Start(LiveState state)
    {
        if (!File.Exists(Bird) || !File.Exists(Birdc))
            throw new LiveException("a BGP VPN connection's site needs BIRD 2 (bird2; see build.ps1)");
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(ConfigPath, Config(Vpn, LogPath));
        _bird = Shell.StartDaemon(state, Namespace, $"{Namespace}: bird", Bird, "-f", "-c", ConfigPath, "-s", ControlSocket);
        Shell.WaitUntilReady(_bird, () => Run("show", "status").Code == 0, TimeSpan.FromSeconds(10), $"bird did not come up in {Namespace} (see {LogPath})");
    }

    /// <summary>Runs <c>birdc -s &lt;socket&gt;</c> with a command (<c>show protocols</c>, <c>show route</c>, <c>disable tunnel1</c>…).</summary>
    public (int Code, string Output) Run(params string[] command)
    {
        var (code, output, error) = Shell.TryRun(Birdc, ["-s", ControlSocket, .. command]);
        return (code, output + error);
    }

    /// <summary>
    /// Puts the customer inside addresses on strongSwan's tunnel link, so each edge inside address is a directly connected
    /// neighbour, as on a router's tunnel interface. Before charon loads the connections: kernel-libipsec installs each
    /// child SA's routes from an address of its local selectors, which must exist by then.
    /// </summary>
    public static void AddTunnelAddresses(VpnConnection vpn, string ns)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Shell.TryRun("ip", "-n", ns, "link", "show", TunnelLink).Code != 0)
        {
            if (DateTime.UtcNow > deadline)
                throw new LiveException($"strongSwan's {TunnelLink} did not appear in {ns} (kernel-libipsec)");
            Thread.Sleep(100);
        }
        foreach (var t in vpn.Tunnels)
        {
            Shell.Ip(ns, "address", "add", $"{t.CustomerInsideAddress}/{IPNetwork.Parse(t.TunnelInsideCidr).PrefixLength}", "dev", TunnelLink);
        }
        Shell.Ip(ns, "link", "set", "dev", TunnelLink, "up");
    }

    /// <summary>
    /// bird.conf: the site's networks as static routes (BIRD's table only: the site's addresses are local), one BGP
    /// session per tunnel with AWS's timers (hold 30 s, keepalive 10 s) and short retry times so a lost tunnel's session
    /// comes back soon after the tunnel does.
    /// </summary>
    public static string Config(VpnConnection vpn, string log)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"log \"{log}\" all;");
        text.AppendLine(CultureInfo.InvariantCulture, $"router id {vpn.CustomerGatewayIp};");
        text.AppendLine("protocol device { scan time 1; }");
        // What BGP chose goes into the kernel (the VPC via the preferred tunnel's edge inside address on ipsec0), from
        // the site's first address: the edge accepts only the site's networks as sources.
        var source = vpn.CustomerAnnouncedCidrs is { Length: > 0 } announced
            ? $" krt_prefsrc = {LiveEdge.ServiceAddress(announced[0])};"
            : "";
        text.AppendLine(CultureInfo.InvariantCulture, $"protocol kernel {{ ipv4 {{ export filter {{ if source = RTS_BGP then {{{source} accept; }} reject; }}; }}; }}");
        text.AppendLine("protocol static site {");
        text.AppendLine("  ipv4;");
        foreach (var cidr in vpn.CustomerAnnouncedCidrs ?? [])
            text.AppendLine(CultureInfo.InvariantCulture, $"  route {cidr} blackhole;");
        text.AppendLine("}");
        for (var i = 0; i < vpn.Tunnels.Length; i++)
        {
            var (edge, customer) = (vpn.Tunnels[i].EdgeInsideAddress, vpn.Tunnels[i].CustomerInsideAddress);
            text.AppendLine(CultureInfo.InvariantCulture, $$"""
                protocol bgp tunnel{{i + 1}} {
                  local {{customer}} as {{vpn.CustomerGatewayAsn}};
                  neighbor {{edge}} as {{vpn.AmazonSideAsn}};
                  hold time 30;
                  keepalive time 10;
                  connect delay time 1;
                  connect retry time 5;
                  error wait time 1, 10;
                  ipv4 {
                    import all;
                    export where proto = "site";
                  };
                }
                """);
        }
        return text.ToString();
    }

    public void Dispose()
    {
        if (_bird is { HasExited: false })
        {
            _bird.Kill();
            _bird.WaitForExit(5000);
        }
        _bird?.Dispose();
    }
}
