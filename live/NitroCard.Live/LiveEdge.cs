using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using NitroCard.Card;
using NitroCard.Edge;
using NitroCard.Live.Control;
using NitroCard.Mapping.Edges;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Live;

/// <summary>
/// One of the region's Blackfoot edges in a live region (docs/live-region.md, "The edges"): <see cref="BlackfootEdge"/> on
/// its own thread, its substrate port a TAP in the underlay router, and its outside ports TAPs into the namespaces that play
/// the world. The first edge (in the <c>region up</c> process) creates them: <c>internet</c>, <c>services</c> (with an HTTP
/// server standing in for S3/DynamoDB), and owns the customer sites; every other edge (its own process,
/// <see cref="LiveEdgeProcess"/>) joins <c>internet</c> and <c>services</c> with a link of its own and has no site. A customer site
/// <c>vpn-&lt;connection&gt;</c> behind strongSwan (with BIRD as the customer's router for BGP), and
/// <c>dx-&lt;connection&gt;</c> behind a Q-in-Q customer router. Manually keyed VPN connections are for
/// <c>simulate-region</c> only (<see cref="LiveRegion.CheckRegion"/> refuses them). A BGP connection
/// also has a namespace of the edge's own, <c>nc-vgw-&lt;connection&gt;</c>, with the tunnels' edge inside addresses and
/// the edge's BGP speakers (<see cref="EdgeBgpSpeakers"/>). Every frame on an outside port (ESP and tagged frames
/// included) can be written to a pcap per port.
/// </summary>
public sealed class LiveEdge : IControlledEdge, IAsyncDisposable
{
    public const string InternetNamespace = LiveNames.InternetNamespace;
    public const string ServicesNamespace = LiveNames.ServicesNamespace;

    /// <summary>The internet namespace's address (issue 6).</summary>
    public const string InternetAddress = "203.0.113.1/24";

    /// <summary>The HTTP port of the services namespace's server.</summary>
    public const int ServicesHttpPort = 80;

    private readonly RegionTopology _region;
    private readonly int _index;
    private readonly LiveState? _state;
    private readonly string? _captures;
    private readonly BlockingCollection<Action> _work = [];
    private readonly List<TapDevice> _taps = [];
    private readonly Dictionary<string, TapDevice> _portTaps = new(StringComparer.Ordinal);
    private readonly List<StrongSwanSite> _strongSwanSites = [];
    private readonly List<BirdSite> _birdSites = [];
    private readonly Dictionary<string, EdgeBgpSpeakers> _bgp = new(StringComparer.Ordinal);
    private Timer? _poll;
    private readonly Dictionary<string, DirectConnectCustomerRouter> _routers = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Connection, int STag, int CTag), TapDevice> _vifTaps = [];
    private readonly Dictionary<string, PcapWriter> _pcaps = new(StringComparer.Ordinal);
    private readonly List<EdgeAlarm> _alarms = [];
    private readonly List<EdgeFrame> _output = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly long _epochMicroseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
    private BlackfootEdge? _edge;
    private Process? _httpServer;
    private Thread? _thread;

    /// <param name="region">The region.</param>
    /// <param name="index">Which of the region's edges this is (0: the first, which owns the outside namespaces and the customer sites).</param>
    /// <param name="state">The region's state file, which records the TAPs; null in an edge's own process (its TAPs die with it).</param>
    /// <param name="captures">Where to write a pcap per outside port; null: none.</param>
    public LiveEdge(RegionTopology region, int index, LiveState? state, string? captures)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, region.Edges.Length);
        _region = region;
        _index = index;
        _state = state;
        _captures = captures;
    }

    public string Name => _region.Edges[_index].Name;

    /// <summary>The first edge: it creates the outside namespaces and owns the VPN and Direct Connect sites.</summary>
    private bool IsFirst => _index == 0;

    /// <summary>The state file, where the first edge records what it creates (namespaces, helpers).</summary>
    private LiveState RegionState => _state ?? throw new InvalidOperationException($"edge {Name} runs in its own process and creates no namespace");

    /// <summary>The pcap files written so far (one per outside port).</summary>
    public IEnumerable<string> CaptureFiles => _pcaps.Keys.Select(CapturePath);

    public static string VpnNamespace(string vpnId) => LiveNames.VpnNamespace(vpnId);

    public static string DirectConnectNamespace(string connection) => LiveNames.DirectConnectNamespace(connection);

    /// <summary>The namespaces this edge creates for a region.</summary>
    public static IEnumerable<string> Namespaces(RegionTopology region) =>
    [
        InternetNamespace, ServicesNamespace,
        .. region.Vpcs.SelectMany(v => v.VpnConnections).Select(v => VpnNamespace(v.Id)),
        .. region.Vpcs.SelectMany(v => v.VpnConnections).Where(v => v.UsesBgp).Select(v => LiveNames.EdgeBgpNamespace(v.Id)),
        .. region.Vpcs.SelectMany(v => v.DirectConnect).Select(d => DirectConnectNamespace(d.Connection)).Distinct(),
    ];

    /// <summary>Starts the edge thread and builds its ports and the outside namespaces.</summary>
    public async Task StartAsync(string underlayNamespace, MacAddress routerMac)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(() =>
        {
            using var edge = new BlackfootEdge(_region, _index);
            edge.PropagatedPrefixesChanged += (_, e) => PropagatedPrefixesChanged?.Invoke(this, e);
            _edge = edge;
            ready.SetResult();
            foreach (var work in _work.GetConsumingEnumerable())
                work();
        })
        { IsBackground = true, Name = "edge " + Name };
        _thread.Start();
        await ready.Task.ConfigureAwait(false);
        if (_captures is not null)
            Directory.CreateDirectory(_captures);

        // Substrate: like a card host's port on the router, with the edge's underlay address and MAC.
        var edgeIp = _region.Edges[_index].UnderlayIp;
        var substrate = Tap(LiveNames.EdgeSubstrateTapOf(_index));
        Shell.Run("ip", "link", "set", "dev", substrate.Name, "netns", underlayNamespace);
        Shell.Ip(underlayNamespace, "link", "set", "dev", substrate.Name, "address", routerMac.ToString(), "mtu", Instance.UnderlayMtu.ToString(CultureInfo.InvariantCulture), "up");
        Shell.Ip(underlayNamespace, "route", "add", $"{edgeIp}/32", "dev", substrate.Name);
        Shell.Ip(underlayNamespace, "neigh", "replace", edgeIp, "lladdr", RegionDefaults.DerivedUnderlayMac(Ipv4Address.Parse(edgeIp)).ToString(), "dev", substrate.Name, "nud", "permanent");
        Listen(substrate, EdgePorts.Substrate);

        // The internet: 203.0.113.1/24 on the first edge's link; the region routes its public IPs over every healthy
        // edge's link (OutsideRoutes). Another edge joins the namespace the first one made.
        var internet = OutsideLink(InternetNamespace, LiveNames.InternetTapOf(_index), LiveNames.OutsideLinkOf(_index), EdgePorts.PeerMac, EdgePorts.EdgeMac);
        if (IsFirst)
            Shell.Ip(InternetNamespace, "address", "add", InternetAddress, "dev", LiveNames.OutsideLinkOf(0));
        Listen(internet, EdgePorts.Internet);

        // The services of gateway endpoints: the first address of each prefix-list prefix, an HTTP server on them (the
        // default route, over every healthy edge, is OutsideRoutes').
        var services = OutsideLink(ServicesNamespace, LiveNames.ServicesTapOf(_index), LiveNames.OutsideLinkOf(_index), EdgePorts.PeerMac, EdgePorts.EdgeMac);
        Listen(services, EdgePorts.Services);
        if (!IsFirst)
            return;
        foreach (var prefix in _region.Vpcs.SelectMany(v => v.GatewayEndpoints).SelectMany(e => e.PrefixList).Distinct())
            Shell.Ip(ServicesNamespace, "address", "add", $"{ServiceAddress(prefix)}/{IPNetwork.Parse(prefix).PrefixLength}", "dev", LiveNames.OutsideLinkOf(0));
        StartHttpServer();

        // VPN customer sites: strongSwan as the customer gateway, its public address on eth0 towards the edge's
        // tunnel outside addresses; the site's networks (static customerCidrs, or with BGP the customerAnnouncedCidrs its
        // BIRD announces) on lo, reached from the VPC through the tunnels.
        var n = 0;
        var inside = 0;
        foreach (var vpc in _region.Vpcs)
        {
            foreach (var vpn in vpc.VpnConnections)
            {
                var ns = VpnNamespace(vpn.Id);
                var site = OutsideLink(ns, LiveNames.VpnSiteTap(n++), "eth0", EdgePorts.PeerMac, EdgePorts.EdgeMac);
                Shell.Ip(ns, "address", "add", vpn.CustomerGatewayIp + "/32", "dev", "eth0");
                foreach (var tunnel in vpn.Tunnels)
                    Shell.Ip(ns, "route", "add", tunnel.OutsideIpAddress + "/32", "via", SiteLink.NextHop, "dev", "eth0", "onlink", "src", vpn.CustomerGatewayIp);
                Shell.Ip(ns, "link", "set", "dev", "lo", "up");
                foreach (var cidr in vpn.UsesBgp ? vpn.CustomerAnnouncedCidrs ?? [] : vpn.CustomerCidrs)
                    Shell.Ip(ns, "address", "add", $"{ServiceAddress(cidr)}/{IPNetwork.Parse(cidr).PrefixLength}", "dev", "lo");
                Listen(site, EdgePorts.VpnPrefix + vpn.Id);
                if (vpn.UsesBgp)
                    StartBgp(vpn, vpc.Cidr, inside++);
                var swan = new StrongSwanSite(vpn, vpc.Cidr, StrongSwanDirectory(vpn.Id));
                _strongSwanSites.Add(swan);
                swan.Start(RegionState);
                if (vpn.UsesBgp)
                {
                    var bird = new BirdSite(vpn, StrongSwanDirectory(vpn.Id));
                    _birdSites.Add(bird);
                    bird.Start(RegionState);
                }
            }
        }
        _poll = new Timer(_ => Post(PollOnEdgeThread), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));

        // Direct Connect customer sites: one untagged link per virtual interface, s<S-tag>c<C-tag>.
        n = 0;
        foreach (var group in _region.Vpcs.SelectMany(v => v.DirectConnect.Select(d => (Vpc: v, Vif: d))).GroupBy(x => x.Vif.Connection))
        {
            var ns = DirectConnectNamespace(group.Key);
            Instance.CreateNamespace(RegionState, ns);
            var router = new DirectConnectCustomerRouter(group.Key);
            _routers[router.Port] = router;
            foreach (var (vpc, vif) in group)
            {
                var tap = Tap(LiveNames.DirectConnectTap(n++));
                var link = string.Create(CultureInfo.InvariantCulture, $"s{vif.STag}c{vif.CTag}");
                Shell.Run("ip", "link", "set", "dev", tap.Name, "netns", ns);
                Shell.Ip(ns, "link", "set", "dev", tap.Name, "name", link);
                ConfigureLink(ns, link, SiteLink.SiteMac, SiteLink.CustomerRouterMac);
                SiteAddresses(ns, link, vif.CustomerCidrs, vpc.Cidr);
                _vifTaps[(group.Key, vif.STag, vif.CTag)] = tap;
                tap.StartReading(frame => Post(() =>
                {
                    if (router.FromSite(vif, frame) is { } tagged)
                        Receive(router.Port, tagged);
                }));
            }
        }
    }

    /// <summary>
    /// Where an IKE-keyed connection's strongSwan site keeps its configuration and log: <c>/var/lib/nitrocard/vpn-&lt;id&gt;</c>
    /// (<c>NITROCARD_SITE_DIR</c> overrides the parent) — not under /run, which charon covers with a tmpfs of its own.
    /// </summary>
    public static string StrongSwanDirectory(string vpnId) => SiteDirectory(LiveNames.VpnNamespace(vpnId));

    /// <summary>
    /// Where a program playing part of the outside world keeps the files a user reads (configuration, log):
    /// <c>/var/lib/nitrocard/&lt;name&gt;</c>, <c>NITROCARD_SITE_DIR</c> overriding the parent.
    /// </summary>
    public static string SiteDirectory(string name) => SafePath.Under(
        Environment.GetEnvironmentVariable("NITROCARD_SITE_DIR") is { Length: > 0 } dir ? dir : "/var/lib/nitrocard", name);

    /// <summary>The strongSwan customer gateways of the region's IKE-keyed VPN connections.</summary>
    public IReadOnlyList<StrongSwanSite> StrongSwanSites => _strongSwanSites;

    /// <summary>The BIRD routers of the region's BGP VPN connections' sites.</summary>
    public IReadOnlyList<BirdSite> BirdSites => _birdSites;

    /// <summary>
    /// Raised (on the edge thread) when a BGP connection's propagated prefixes change: what the Mapping Service must
    /// store and push to the route tables with <c>vgwRoutePropagation</c>.
    /// </summary>
    public event EventHandler<VpnPrefixesChanged>? PropagatedPrefixesChanged;

    /// <summary>
    /// A BGP connection's inside side: the edge's namespace with both tunnels' edge inside addresses on a TAP that is the
    /// edge's <c>vpn-inside:&lt;id&gt;</c> port (what the namespace sends goes into the tunnel of its destination), and
    /// the speakers in it, whose sessions the edge takes on its own thread.
    /// </summary>
    private void StartBgp(VpnConnection vpn, string vpcCidr, int n)
    {
        var ns = LiveNames.EdgeBgpNamespace(vpn.Id);
        var tap = OutsideLink(ns, LiveNames.VpnInsideTap(n), "eth0", EdgePorts.PeerMac, EdgePorts.EdgeMac);
        Shell.Ip(ns, "link", "set", "dev", "lo", "up");
        foreach (var tunnel in vpn.Tunnels)
        {
            Shell.Ip(ns, "address", "add", $"{tunnel.EdgeInsideAddress}/{IPNetwork.Parse(tunnel.TunnelInsideCidr).PrefixLength}", "dev", "eth0");
            Shell.Ip(ns, "neigh", "replace", tunnel.CustomerInsideAddress.ToString(), "lladdr", new MacAddress(EdgePorts.EdgeMac).ToString(), "dev", "eth0", "nud", "permanent");
        }
        Listen(tap, EdgePorts.VpnInsidePrefix + vpn.Id);
        var speakers = new EdgeBgpSpeakers(vpn, vpcCidr);
        speakers.SessionChanged += (_, tunnel) => Post(() =>
        {
            var (state, routes) = speakers.Session(tunnel);
            _edge!.UpdateBgp(vpn.Id, tunnel, state, routes);
        });
        _bgp[vpn.Id] = speakers;
        speakers.Start();
    }

    /// <summary>On the edge thread: the IKE timers, and what they send.</summary>
    private void PollOnEdgeThread()
    {
        _output.Clear();
        _edge!.Poll(_output);
        Dispatch();
    }

    /// <summary>Reconfigures the edge for a changed region (on the edge thread; see <see cref="BlackfootEdge.Reload"/>).</summary>
    public void Reload(RegionTopology region) => Post(() => ReloadOnEdgeThread(region));

    private void ReloadOnEdgeThread(RegionTopology region)
    {
        try
        {
            _edge!.Reload(region);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or FormatException)
        {
            Console.Error.WriteLine($"nitroctl region: edge {Name}: cannot follow the Mapping Service's region: {e.Message}");
        }
    }

    /// <summary>The edge's counters by name (as <c>nitroctl card --host &lt;edge&gt; counters</c> prints them), then each BGP session's routes left out for overlapping the VPC.</summary>
    public Task<CountersReply> CountersAsync() => InvokeAsync(() =>
    {
        var reply = new EdgeCountersReply { Edge = Name };
        foreach (var (name, value) in _edge!.Counters.All)
            reply.Counters.Add(new NamedCounter { Name = name, Value = value });
        foreach (var (id, speakers) in _bgp)
        {
            for (var t = 0; t < speakers.IgnoredRoutes.Length; t++)
                reply.Counters.Add(new NamedCounter { Name = string.Create(CultureInfo.InvariantCulture, $"bgp.{id}.tunnel{t + 1}.routes-overlapping-vpc"), Value = speakers.IgnoredRoutes[t] });
        }
        return new CountersReply { Edge = reply };
    });

    /// <summary>Completes when the edge's thread runs a work item: what its heartbeat vouches for (docs/card-edges.md).</summary>
    public Task<bool> AliveAsync() => InvokeAsync(() => _edge is not null);

    /// <summary>
    /// The edge's heartbeat (<paramref name="beat"/>: to every Mapping Service replica), every interval while its thread
    /// answers within it (docs/card-edges.md), until <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task HeartbeatAsync(Func<CancellationToken, Task> beat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(beat);
        var interval = EdgeHealthOptions.Default.HeartbeatInterval;
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                try
                {
                    await AliveAsync().WaitAsync(interval, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    continue;   // a stuck edge sends no heartbeat
                }
                await beat(cancellationToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // the edge is stopping
        }
    }

    /// <summary>The alarms the edge raised since the region came up.</summary>

    public Task<AlarmsReply> AlarmsAsync() => InvokeAsync(() => new AlarmsReply { Edge = { _alarms.Select(ControlReplies.Alarm) } });

    public Task<VpnConnectionsReply> VpnConnectionsAsync() =>
        InvokeAsync(() => new VpnConnectionsReply { Connections = { _edge!.DescribeVpnConnections().Select(ControlReplies.VpnConnection) } });

    public string Unsupported(string request) => $"unknown request '{request}' for the edge (counters, alarms, vpn-connections)";

    /// <summary>An alarm as <c>nitroctl card --host &lt;edge&gt; alarms</c> prints it.</summary>
    public static string Describe(EdgeAlarm a) => a.Describe();

    /// <summary>The address the services namespace answers on for a prefix-list prefix: its first host.</summary>
    public static IPAddress ServiceAddress(string prefix) => Ipv4Address.FromUInt32(Ipv4Address.ToUInt32(IPNetwork.Parse(prefix).BaseAddress) + 1);

    private Task<T> InvokeAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        // A request that fails fails its caller (a control rpc), not the edge thread.
        if (!Post(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }))
            done.SetException(new LiveException($"edge {Name} is stopping"));
        return done.Task;
    }

    /// <summary>Queues work for the edge thread; false once the edge is stopping (a frame then is lost, as on a wire).</summary>
    private bool Post(Action work)
    {
        try
        {
            return _work.TryAdd(work);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            return false;
        }
    }

    private TapDevice Tap(string name)
    {
        var tap = TapDevice.Create(name);
        _state?.AddLink(tap.Name);
        _taps.Add(tap);
        return tap;
    }

    /// <summary>
    /// A TAP moved into namespace <paramref name="ns"/> as <paramref name="link"/>, its peer (the edge or the customer
    /// router) a permanent neighbour. The first edge creates the namespace; another edge joins the one it made.
    /// </summary>
    private TapDevice OutsideLink(string ns, string tapName, string link, ulong mac, ulong peerMac)
    {
        if (IsFirst)
            Instance.CreateNamespace(RegionState, ns);
        var tap = Tap(tapName);
        Shell.Run("ip", "link", "set", "dev", tap.Name, "netns", ns);
        Shell.Ip(ns, "link", "set", "dev", tap.Name, "name", link);
        ConfigureLink(ns, link, mac, peerMac);
        return tap;
    }

    private static void ConfigureLink(string ns, string link, ulong mac, ulong peerMac)
    {
        Shell.Ip(ns, "link", "set", "dev", link, "address", new MacAddress(mac).ToString(), "mtu", Instance.Mtu.ToString(CultureInfo.InvariantCulture), "up");
        Shell.Ip(ns, "neigh", "replace", SiteLink.NextHop, "lladdr", new MacAddress(peerMac).ToString(), "dev", link, "nud", "permanent");
    }

    /// <summary>A customer site's address (the first host of each customer CIDR not already there) and its route to the VPC.</summary>
    private static void SiteAddresses(string ns, string link, IEnumerable<string> customerCidrs, string vpcCidr)
    {
        foreach (var cidr in customerCidrs)
        {
            var address = $"{ServiceAddress(cidr)}/{IPNetwork.Parse(cidr).PrefixLength}";
            if (!Shell.Run("ip", "-n", ns, "-o", "-4", "address", "show").Contains($" {address} ", StringComparison.Ordinal))
                Shell.Ip(ns, "address", "add", address, "dev", link);
        }
        if (Shell.TryRun("ip", "-n", ns, "route", "add", vpcCidr, "via", SiteLink.NextHop, "dev", link, "onlink").Code != 0)
            Console.Error.WriteLine($"nitroctl region: {ns}: {vpcCidr} is already routed through another virtual interface; {link} carries only replies");
    }

    private void Listen(TapDevice tap, string port)
    {
        _portTaps[port] = tap;
        tap.StartReading(frame => Post(() => Receive(port, frame)));
    }

    /// <summary>On the edge thread: one frame into the edge, and everything it sends out to its ports.</summary>
    private void Receive(string port, byte[] frame)
    {
        Capture(port, frame);
        _output.Clear();
        try
        {
            _edge!.Receive(port, frame, _output);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"nitroctl region: edge {Name}: {e.Message}");
            return;
        }
        Dispatch();
    }

    /// <summary>On the edge thread: the edge's alarms, and the frames it sent out to their ports.</summary>
    private void Dispatch()
    {
        foreach (var alarm in _edge!.DrainAlarms())
        {
            _alarms.Add(alarm);
            Console.Error.WriteLine($"nitroctl region: edge {Name}: alarm {Describe(alarm)}");
        }
        foreach (var sent in _output)
        {
            Capture(sent.Port, sent.Data);
            if (_routers.TryGetValue(sent.Port, out var router))
            {
                if (router.ToSite(sent.Data) is { } untagged && _vifTaps.TryGetValue((sent.Port[EdgePorts.DirectConnectPrefix.Length..], untagged.STag, untagged.CTag), out var vifTap))
                    vifTap.Write(untagged.Frame);
            }
            else if (_portTaps.TryGetValue(sent.Port, out var tap))
            {
                tap.Write(sent.Data);
            }
        }
    }

    private void Capture(string port, byte[] frame)
    {
        if (_captures is null || port == EdgePorts.Substrate)
            return;
        if (!_pcaps.TryGetValue(port, out var pcap))
            _pcaps[port] = pcap = new PcapWriter(CapturePath(port));
        pcap.Write(_epochMicroseconds + _clock.Elapsed.Ticks / 10, frame);
        pcap.Flush();
    }

    private string CapturePath(string port) => SafePath.Under(_captures!, $"edge-{port.Replace(':', '-')}.pcap");

    /// <summary>
    /// The services namespace's HTTP server (Python's http.server): every GET is answered 200 with the bucket and key it
    /// named, so what decides between an answer and a reset is the endpoint policy at the edge alone.
    /// </summary>
    private void StartHttpServer()
    {
        const string Script = """
            import http.server, sys
            class S3(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = ("s3 object " + self.path + " (host " + str(self.headers.get("Host")) + ")\n").encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass
            http.server.ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), S3).serve_forever()
            """;
        _httpServer = Shell.StartDaemon(RegionState, ServicesNamespace, "services http", "python3", "-c", Script, ServicesHttpPort.ToString(CultureInfo.InvariantCulture));
        Shell.WaitUntilReady(_httpServer, () => Shell.Run("ip", "netns", "exec", ServicesNamespace, "ss", "-Hltn").Contains($":{ServicesHttpPort} ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the services namespace's HTTP server (python3 http.server) did not start");
    }

    public async ValueTask DisposeAsync()
    {
        _poll?.Dispose();
        foreach (var speakers in _bgp.Values)
            await speakers.DisposeAsync().ConfigureAwait(false);
        foreach (var bird in _birdSites)
            bird.Dispose();
        foreach (var swan in _strongSwanSites)
            swan.Dispose();
        if (_httpServer is { HasExited: false })
        {
            _httpServer.Kill();
            _httpServer.WaitForExit(5000);
        }
        _httpServer?.Dispose();
        _work.CompleteAdding();
        _thread?.Join(TimeSpan.FromSeconds(5));
        foreach (var tap in _taps)
            tap.Dispose();
        foreach (var pcap in _pcaps.Values)
            pcap.Dispose();
        _work.Dispose();
    }
}
