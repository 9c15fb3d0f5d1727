using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NitroCard.Bgp;
using NitroCard.Region;

namespace NitroCard.Live;

/// <summary>
/// The region's <c>dnsUpstream</c> played by a real DNS server: Debian's dnsmasq in namespace
/// <see cref="LiveNames.DnsUpstreamNamespace"/>, on the upstream's address (on that namespace's <c>lo</c>), answering the
/// names of <see cref="Names"/> from a hosts file and NXDOMAIN for other names of their zone; every query is logged. The
/// cards' resolvers reach it with sockets made in that namespace (<see cref="CreateSocket"/>), so nothing is routed in
/// the machine's own namespace. Its files, in <see cref="Directory"/>: <c>dnsmasq.conf</c>, <c>hosts</c>, <c>dnsmasq.log</c>.
/// </summary>
public sealed class LiveDnsUpstream : IDisposable
{
    /// <summary>The zone the upstream owns: names under it not in <see cref="Names"/> are NXDOMAIN.</summary>
    public const string Zone = "example.com";

    /// <summary>The names the upstream answers, with their addresses (documentation ranges).</summary>
    public static readonly IReadOnlyList<(string Name, string Address)> Names =
    [
        ("example.com", "203.0.113.80"),
        ("www.example.com", "203.0.113.80"),
        ("api.example.com", "203.0.113.81"),
    ];

    private readonly Process _dnsmasq;

    private LiveDnsUpstream(IPEndPoint endpoint, Process dnsmasq)
    {
        Endpoint = endpoint;
        _dnsmasq = dnsmasq;
    }

    /// <summary>Where dnsmasq listens (the region file's <c>dnsUpstream</c>).</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>The directory of the configuration, hosts file and query log.</summary>
    public static string Directory => LiveEdge.SiteDirectory("dns-upstream");

    /// <summary>Creates the namespace, writes the files and starts dnsmasq; returns once it listens.</summary>
    public static LiveDnsUpstream Start(LiveState state, IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        const string Ns = LiveNames.DnsUpstreamNamespace;
        Instance.CreateNamespace(state, Ns);
        if (!IPAddress.IsLoopback(endpoint.Address))
            Shell.Ip(Ns, "address", "add", $"{endpoint.Address}/32", "dev", "lo");
        var dir = Directory;
        System.IO.Directory.CreateDirectory(dir);
        var hosts = Path.Combine(dir, "hosts");
        var log = Path.Combine(dir, "dnsmasq.log");
        File.WriteAllText(hosts, string.Concat(Names.Select(n => $"{n.Address} {n.Name}\n")));
        File.WriteAllText(log, "");
        var port = endpoint.Port.ToString(CultureInfo.InvariantCulture);
        // No /etc/resolv.conf, no /etc/hosts, no DHCP: the hosts file alone; the zone is local, so its other names are
        // NXDOMAIN instead of going anywhere; root keeps the log file writable; no pid file in the machine's /run.
        File.WriteAllText(Path.Combine(dir, "dnsmasq.conf"), $"""
            # The live region's dnsUpstream (docs/live-region.md), written by nitroctl region up.
            listen-address={endpoint.Address}
            port={port}
            bind-interfaces
            no-resolv
            no-hosts
            addn-hosts={hosts}
            local=/{Zone}/
            user=root
            pid-file=
            log-queries
            log-facility={log}

            """);
        var upstream = new LiveDnsUpstream(endpoint, Shell.StartDaemon(state, Ns, "dnsmasq", "dnsmasq", "--keep-in-foreground", $"--conf-file={Path.Combine(dir, "dnsmasq.conf")}"));
        try
        {
            Shell.WaitUntilReady(upstream._dnsmasq, () => Shell.Run("ip", "netns", "exec", Ns, "ss", "-Hlun").Contains($"{endpoint.Address}:{port} ", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10), $"dnsmasq did not start for dnsUpstream {endpoint} (see {log} and its stderr above; Debian package dnsmasq-base)");
        }
        catch (LiveException)
        {
            upstream.Dispose();
            throw;
        }
        return upstream;
    }

    /// <summary>A socket in the upstream's namespace, for the cards' resolvers.</summary>
    public Socket CreateSocket(SocketType type, ProtocolType protocol)
        => NetworkNamespace.Run(Path.Combine("/run/netns", LiveNames.DnsUpstreamNamespace), () => new Socket(Endpoint.AddressFamily, type, protocol));

    public void Dispose()
    {
        if (!_dnsmasq.HasExited)
        {
            _dnsmasq.Kill();
            _dnsmasq.WaitForExit(5000);
        }
        _dnsmasq.Dispose();
    }
}
