using System.Globalization;
using Grpc.Core;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using NitroCard.Card;
using System.Threading.Channels;
using NitroCard.Edge;
using NitroCard.Live.Control;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Security;
using NitroCard.Mapping.Hosting;
using NitroCard.Region;

namespace NitroCard.Live;

/// <summary>How to run a live region.</summary>
/// <param name="Engine">The card engine of the card hosts (<c>rtl</c> or <c>model</c>).</param>
/// <param name="CreateEngine">Makes one card of that engine (called on the card's own thread: the Verilated card must be used there).</param>
/// <param name="Store">
/// The Mapping Service's store: null for the embedded SQLite file in the run directory, <see cref="LiveRegionOptions.LocalEtcd"/>
/// for a three-member etcd cluster the region starts (data in the run directory), or <c>etcd://host:port[,...]</c>.
/// </param>
/// <param name="Captures">Where the edge writes a pcap per outside port; null: no captures.</param>
/// <param name="ReadyTimeout">How long cards, agents and instances may take to come up.</param>
public sealed record LiveRegionOptions(string Engine, Func<ICardEngine> CreateEngine, string? Store, string? Captures, TimeSpan ReadyTimeout)
{
    /// <summary>The <see cref="Store"/> that makes the region start its own etcd cluster.</summary>
    public const string LocalEtcd = "etcd";

    /// <summary>Mapping Service replicas (on etcd only; one of them leads): the hosts' agents and the edge know them all.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Faults every card host's pump puts on its substrate link, each direction on its own; null: none.</summary>
    public SubstrateFaults? SubstrateFaults { get; init; }

    /// <summary>
    /// The program that runs every edge but the first (<c>region edge --name</c>) and, on etcd, every Mapping Service
    /// replica (<c>mapping serve</c>) in a process of its own: <c>nitroctl</c>. Null: a region with several edges, or
    /// with its service on etcd, is refused.
    /// </summary>
    public string? HelperProgram { get; init; }
}

/// <summary>
/// A live region on this machine (docs/live-region.md): the Mapping Service (embedded, or on etcd) holding the region,
/// every ENI a network namespace named by its id, card hosts whose firmware programs their card from the service and
/// pumps frames between TAPs and the card, kernel-VXLAN hosts programmed from the service too, the Blackfoot edge with
/// the namespaces that play the outside world, and the substrate: an IPv4 router in namespace
/// <see cref="UnderlayNamespace"/> with one port per host and edge and static routes and neighbours.
/// </summary>
public sealed class LiveRegion : IAsyncDisposable
{
    public const string UnderlayNamespace = LiveNames.UnderlayNamespace;
    public const string LinuxVxlan = "linux-vxlan";

    private readonly List<CardHost> _cards = [];
    private readonly List<KernelVxlanHost> _kernelHosts = [];
    private readonly List<ControlServer> _servers = [];
    private readonly LiveState _state;
    private readonly ILoggerFactory _logging;
    private readonly CancellationTokenSource _stopping = new();
    private MappingServer? _embeddedService;
    private readonly List<SupervisedProcess> _replicaProcesses = [];
    private RegionServiceClient? _service;
    private MappingReplicas? _firstEdgeReplicas;
    private string _storeDescription = "";
    private Task _edgeFollower = Task.CompletedTask;
    private Task _learnedRoutesReporter = Task.CompletedTask;
    private Task _edgeHeartbeats = Task.CompletedTask;
    private readonly Channel<VpnPrefixesChanged> _learnedRoutes = Channel.CreateUnbounded<VpnPrefixesChanged>(new UnboundedChannelOptions { SingleReader = true });
    private LocalEtcdCluster? _etcd;
    private LiveEdge? _edge;
    private readonly List<SupervisedProcess> _edgeProcesses = [];
    private readonly List<string> _otherEdges = [];
    private readonly OutsideRoutes _outsideRoutes = new();
    private LiveDnsUpstream? _dnsUpstream;

    private LiveRegion(LiveState state)
    {
        _state = state;
        // The service and the agents log warnings and errors only (a lost connection, a refused host) to stderr.
        _logging = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
    }

    public IReadOnlyList<CardHost> Cards => _cards;

    public IReadOnlyList<KernelVxlanHost> KernelHosts => _kernelHosts;

    /// <summary>The region's first edge (in this process); the others run in processes of their own (<see cref="OtherEdges"/>).</summary>
    public LiveEdge? Edge => _edge;

    /// <summary>The names of the edges in processes of their own (every edge but the first).</summary>
    public IEnumerable<string> OtherEdges => _otherEdges;

    /// <summary>The Mapping Service's URL (with replicas: the first).</summary>
    public Uri Endpoint => Service.Endpoints[0];

    /// <summary>Every replica's URL (one without replicas).</summary>
    public IReadOnlyList<Uri> Endpoints => Service.Endpoints;

    /// <summary>How many card alarms the firmware agents have reported to the Mapping Service (each to the replica it is connected to).</summary>
    public Task<int> CountMappingAlarmsAsync() => Service.CountCardAlarmsAsync();

    /// <summary>What the service stores in (its description, as the replica that took the region file gave it).</summary>
    public string StoreDescription => _storeDescription;

    private RegionServiceClient Service => _service ?? throw new InvalidOperationException("the region's Mapping Service is not up");

    /// <summary>How long a dead replica process stays dead before the region starts it again: the survivors elect a leader first.</summary>
    public static readonly TimeSpan ReplicaRestartDelay = TimeSpan.FromSeconds(5);

    /// <summary>Fails with the reason when this process cannot build a live region (not root, no <c>ip</c>).</summary>
    public static void CheckPrivileges()
    {
        if (!OperatingSystem.IsLinux())
            throw new LiveException("a live region needs Linux network namespaces");
        if (!Environment.IsPrivilegedProcess)
            throw new LiveException("a live region needs root (network namespaces, TAP devices)");
        if (!File.Exists("/dev/net/tun"))
            throw new LiveException("a live region needs /dev/net/tun (TAP devices)");
    }

    /// <summary>
    /// What a live region cannot run, found before anything is created: a manually keyed VPN connection
    /// (<c>inbound</c>/<c>outbound</c> SAs, RFC 4301's manual mode). The live region's customer gateway is strongSwan,
    /// which negotiates its keys with IKEv2; manual keys are for <c>simulate-region</c>.
    /// </summary>
    /// <param name="region">A validated region.</param>
    /// <param name="fileName">What the errors call the region file.</param>
    /// <exception cref="RegionException">Every such connection, each naming the file and the field.</exception>
    public static void CheckRegion(RegionTopology region, string fileName)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(fileName);
        var errors = new List<RegionError>();
        for (var v = 0; v < region.Vpcs.Length; v++)
        {
            for (var c = 0; c < region.Vpcs[v].VpnConnections.Length; c++)
            {
                var vpn = region.Vpcs[v].VpnConnections[c];
                if (!vpn.IsIkeKeyed)
                {
                    errors.Add(new RegionError($"vpcs[{v}].vpnConnections[{c}] ({vpn.Id})",
                        "manually keyed SAs (inbound/outbound) are for simulate-region; the live region's customer gateway is strongSwan, "
                        + "which negotiates keys with IKEv2 — give the connection tunnels with pre-shared keys"));
                }
            }
        }
        if (errors.Count > 0)
            throw new RegionException(fileName, errors);
    }

    /// <summary>Builds the region (root): see the class; <see cref="CheckRegion"/> first, then nothing of it may exist already.</summary>
    public static async Task<LiveRegion> UpAsync(RegionTopology region, LiveRegionOptions options)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(options);
        CheckRegion(region, "region");
        if (region.Edges.Length > 1 && options.HelperProgram is null)
            throw new LiveException($"a region with {region.Edges.Length} edges runs every edge but the first in its own process, and no program to run them was given");
        if (IsEtcd(options.Store) && options.HelperProgram is null)
            throw new LiveException("a Mapping Service on etcd runs each replica in its own process, and no program to run them was given");
        if (options.Replicas > 1 && !IsEtcd(options.Store))
            throw new LiveException($"{options.Replicas} Mapping Service replicas need an etcd store (--store etcd or etcd://...): one process owns a SQLite store");
        CheckPrivileges();
        var existing = Shell.Namespaces();
        var clash = region.Vpcs.SelectMany(v => v.Enis).Select(e => e.Id).Append(UnderlayNamespace)
            .Concat(region.Edges.IsEmpty ? [] : LiveEdge.Namespaces(region)).Append(LiveNames.DnsUpstreamNamespace).FirstOrDefault(existing.Contains);
        if (clash is not null)
            throw new LiveException($"network namespace '{clash}' exists already; run 'nitroctl region down' or remove it");
        var live = new LiveRegion(LiveState.Begin());
        try
        {
            await live.BuildAsync(region, options).ConfigureAwait(false);
            return live;
        }
        catch
        {
            await live.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task BuildAsync(RegionTopology region, LiveRegionOptions options)
    {
        // The Mapping Service first: the region file is applied to it, and every host is programmed from its pushes.
        var topology = await StartServiceAsync(region, options).ConfigureAwait(false);

        var routerMac = region.SubstrateRouterMac is null ? RegionDefaults.SubstrateRouterMac : MacAddress.Parse(region.SubstrateRouterMac);
        Instance.CreateNamespace(_state, UnderlayNamespace);
        Shell.Sysctl(UnderlayNamespace, "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0");
        // Addresses of no host and no edge on this substrate are discarded silently rather than answered with ICMP.
        Shell.Ip(UnderlayNamespace, "route", "add", "blackhole", "default");
        var instances = new Instance(_state);

        // The flow logs of this run only: a log of an earlier run with the same id must not show in this one's files.
        if (Directory.Exists(LiveState.FlowLogRoot))
            Directory.Delete(LiveState.FlowLogRoot, recursive: true);

        // Cards come up in parallel (a Verilated card takes a while to create).
        var index = 0;
        foreach (var host in region.Hosts.Where(h => h.Dataplane != LinuxVxlan))
            _cards.Add(new CardHost(host, options.Engine, options.CreateEngine, index++, instances, _state, options.SubstrateFaults));
        await Task.WhenAll(_cards.Select(c => c.StartAsync())).ConfigureAwait(false);
        foreach (var host in region.Hosts.Where(h => h.Dataplane == LinuxVxlan))
        {
            var kernel = new KernelVxlanHost(host, index++, instances, _state);
            _kernelHosts.Add(kernel);
            kernel.Create(UnderlayNamespace, routerMac);
        }
        if (!region.Edges.IsEmpty)
        {
            _edge = new LiveEdge(region, 0, _state, options.Captures);
            // Only what BGP learned: the service refuses learned routes for static connections (their customerCidrs are propagated already).
            _edge.PropagatedPrefixesChanged += (_, e) =>
            {
                if (e.LearnedOverBgp)
                    _learnedRoutes.Writer.TryWrite(e);
            };
            await _edge.StartAsync(UnderlayNamespace, routerMac).ConfigureAwait(false);
            _servers.Add(await ControlServer.StartAsync(_edge.Name, _edge).ConfigureAwait(false));
            OutsideRoutes.Configure(region);
            _outsideRoutes.Follow(topology.Topology);
        }

        // The internet's DNS server behind the cards' resolvers, when the region names one.
        if (RegionCompiler.DnsUpstreamOf(region) is { } upstream)
            _dnsUpstream = LiveDnsUpstream.Start(_state, upstream);

        // Every host's agent with its own identity from the region CA (issued with the service's).
        await Task.WhenAll(
            _cards.Select(c => c.ProgramAsync(Endpoints, LiveState.HostIdentityDirectory(c.Host.Name), UnderlayNamespace, routerMac, options.ReadyTimeout,
                _dnsUpstream is null ? null : _dnsUpstream.CreateSocket))
            .Concat(_kernelHosts.Select(k => k.ProgramAsync(Endpoints, LiveState.HostIdentityDirectory(k.Host.Name), options.ReadyTimeout)))).ConfigureAwait(false);
        foreach (var card in _cards)
            _servers.Add(await ControlServer.StartAsync(card.Host.Name, card).ConfigureAwait(false));

        // Every other edge in its own process, with its own identity, from the service's region.
        if (region.Edges.Length > 1)
        {
            WriteRegionFile(topology.Topology);
            foreach (var edge in region.Edges.Skip(1))
            {
                _otherEdges.Add(edge.Name);
                _edgeProcesses.Add(new SupervisedProcess(options.HelperProgram!, ["region", "edge", "--name", edge.Name], $"edge {edge.Name}",
                    LiveEdgeProcess.ReadyLine, LiveEdgeProcess.RestartDelay, nameOnStderr: false, _state, options.ReadyTimeout));
            }
            await Task.WhenAll(_edgeProcesses.Select(e => e.StartAsync())).ConfigureAwait(false);
            _outsideRoutes.Follow(topology.Topology);
        }
        if (_edge is not null)
        {
            _firstEdgeReplicas = MappingReplicas.ForHost(Endpoints, LiveState.HostIdentityDirectory(_edge.Name));
            _edgeFollower = FollowServiceAsync(_edge, topology, _stopping.Token);
            _learnedRoutesReporter = ReportLearnedRoutesAsync(_firstEdgeReplicas, _stopping.Token);
            _edgeHeartbeats = _edge.HeartbeatAsync(ct => LiveEdgeProcess.HeartbeatToEveryReplicaAsync(_firstEdgeReplicas, _edge.Name, ct), _stopping.Token);
        }
        await Task.WhenAll(_cards.Select(c => c.WaitReadyAsync(options.ReadyTimeout))).ConfigureAwait(false);
    }

    /// <summary>True for a store on etcd (the region's own cluster or an <c>etcd://</c> URL); false for the embedded SQLite file.</summary>
    private static bool IsEtcd(string? store)
        => store == LiveRegionOptions.LocalEtcd || store?.StartsWith("etcd://", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// Starts the Mapping Service, applies the region file to it and writes its endpoints to <see cref="LiveState.EndpointPath"/>:
    /// on etcd, every replica in a process of its own (<c>nitroctl mapping serve</c> on a loopback port it keeps across
    /// restarts, supervised); on the embedded SQLite file, one replica in this process (one process owns the file). The
    /// region CA, and an identity for every host and edge, are made first, before any replica could race to make it.
    /// Returns the version and region the service holds then.
    /// </summary>
    private async Task<(long Version, RegionTopology Topology)> StartServiceAsync(RegionTopology region, LiveRegionOptions options)
    {
        using (var ca = RegionCa.OpenOrCreate(LiveState.CaDirectory))
        {
            foreach (var name in region.Hosts.Select(h => h.Name).Concat(region.Edges.Select(e => e.Name)))
                ca.IssueHost(name, LiveState.HostIdentityDirectory(name));
        }
        var endpoints = new List<Uri>();
        if (IsEtcd(options.Store))
        {
            var store = options.Store!;
            if (store == LiveRegionOptions.LocalEtcd)
            {
                // A fresh cluster each run: its members are helpers of this region (stopped by `region down` after a crash).
                if (Directory.Exists(LiveState.EtcdDirectory))
                    Directory.Delete(LiveState.EtcdDirectory, recursive: true);
                _etcd = await LocalEtcdCluster.StartAsync(LiveState.EtcdDirectory, started: _state.AddChild).ConfigureAwait(false);
                store = _etcd.Url;
            }
            for (var i = 0; i < options.Replicas; i++)
            {
                var port = FreeLoopbackPort();
                var endpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{port}"));
                endpoints.Add(endpoint);
                _replicaProcesses.Add(new SupervisedProcess(options.HelperProgram!,
                    ["--ca-dir", LiveState.CaDirectory, "mapping", "serve", "--store", store, "--listen", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}")],
                    $"mapping service replica {endpoint}", ReplicaReadyLine, ReplicaRestartDelay, nameOnStderr: true, _state, options.ReadyTimeout));
            }
            await Task.WhenAll(_replicaProcesses.Select(r => r.StartAsync())).ConfigureAwait(false);
        }
        else
        {
            _embeddedService = await MappingServer.StartAsync(new MappingServerOptions(options.Store ?? LiveState.StorePath, new IPEndPoint(IPAddress.Loopback, 0), LiveState.CaDirectory), _logging)
                .ConfigureAwait(false);
            endpoints.Add(_embeddedService.Endpoint);
        }
        _service = new RegionServiceClient(endpoints, LiveState.CaDirectory);
        await RegionServiceClient.WriteAsync(_service.Operator, (client, ct) => client.ApplyAsync(new ApplyRequest { Region = RegionLoader.ToJson(region) }, cancellationToken: ct).ResponseAsync,
            options.ReadyTimeout, _stopping.Token).ConfigureAwait(false);
        await File.WriteAllTextAsync(LiveState.EndpointPath, string.Join(',', endpoints) + "\n").ConfigureAwait(false);
        var deadline = DateTime.UtcNow + options.ReadyTimeout;
        while (true)
        {
            // The leader holds the region file now; a follower gets it with the store's watch.
            if (await _service.NewerThanAsync(0, _stopping.Token).ConfigureAwait(false) is { } current)
            {
                var replies = await _service.DescribeEachAsync(includeRegion: false, _stopping.Token).ConfigureAwait(false);
                _storeDescription = replies.FirstOrDefault(r => r is not null)?.Store ?? "";
                return current;
            }
            if (DateTime.UtcNow > deadline)
                throw new LiveException($"no Mapping Service replica holds the region {options.ReadyTimeout.TotalSeconds} s after it took it");
            await Task.Delay(100, _stopping.Token).ConfigureAwait(false);
        }
    }

    /// <summary>What <c>nitroctl mapping serve</c> prints on stdout once it listens.</summary>
    private const string ReplicaReadyLine = "mapping service listening on ";

    /// <summary>A loopback port free now (a replica keeps it across restarts, so the endpoint file stays true).</summary>
    private static int FreeLoopbackPort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>
    /// The edges follow the service's region: every 200 ms, when the newest version any replica holds (asked over gRPC)
    /// moved past the one followed, the first edge is reconfigured from that replica's region (a moved ENI is then
    /// reached on its new host, a new public IP is translated) and the region file the other edges follow is rewritten.
    /// Every replica counts, so the edges keep following whichever one leads or has caught up, and never go back to an
    /// older version. The outside namespaces' routes follow the edges' health and which edges are up (with several
    /// edges, at every tick: a dead edge's TAPs take its routes with them).
    /// </summary>
    private async Task FollowServiceAsync(LiveEdge edge, (long Version, RegionTopology Topology) followed, CancellationToken cancellationToken)
    {
        var (seen, topology) = followed;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                (long Version, RegionTopology Topology)? newer;
                try
                {
                    newer = await Service.NewerThanAsync(seen, cancellationToken).ConfigureAwait(false);
                }
                catch (RegionException e)
                {
                    Console.Error.WriteLine($"nitroctl region: the service's region does not load: {e.Message}");
                    newer = null;
                }
                if (newer is null && _edgeProcesses.Count == 0)
                    continue;
                if (newer is { } next)
                {
                    (seen, topology) = next;
                    if (!topology.Edges.IsEmpty)
                    {
                        edge.Reload(topology);
                        if (_edgeProcesses.Count > 0)
                            WriteRegionFile(topology);
                    }
                }
                try
                {
                    _outsideRoutes.Follow(topology);
                }
                catch (LiveException e)
                {
                    Console.Error.WriteLine($"nitroctl region: cannot route the outside namespaces over the edges: {e.Message}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the region is stopping
        }
    }

    /// <summary>
    /// What the edge learns over BGP goes to the Mapping Service in the order the edge saw it, with the first edge's
    /// identity, to whichever replica leads: the service stores each connection's prefixes and pushes them to the hosts
    /// as propagated routes (then the edge follows the new version).
    /// </summary>
    private async Task ReportLearnedRoutesAsync(MappingReplicas replicas, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in _learnedRoutes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await RegionServiceClient.WriteAsync(replicas, (client, ct) => client.ReplaceVpnLearnedRoutesAsync(
                        new ReplaceVpnLearnedRoutesRequest { VpnConnectionId = change.VpnId, Prefixes = { change.Prefixes } }, cancellationToken: ct).ResponseAsync,
                        LearnedRoutesTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (MappingApiException e)
                {
                    Console.Error.WriteLine($"nitroctl region: the Mapping Service refused the routes learned on {change.VpnId}: {e.Message}");
                }
                catch (TimeoutException e)
                {
                    Console.Error.WriteLine($"nitroctl region: the routes learned on {change.VpnId} were not stored: {e.Message}");
                }
                catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
                {
                    Console.Error.WriteLine($"nitroctl region: the routes learned on {change.VpnId} were not stored: {e.Status.Detail}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the region is stopping
        }
    }

    /// <summary>How long a change of learned routes waits for a leader before it is given up (and said so).</summary>
    private static readonly TimeSpan LearnedRoutesTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The service's region as region-file JSON for the edges in their own processes (a temporary file renamed over it: never read half).</summary>
    private static void WriteRegionFile(RegionTopology topology)
    {
        var temporary = LiveState.RegionPath + ".tmp";
        File.WriteAllText(temporary, RegionLoader.ToJson(topology));
        File.Move(temporary, LiveState.RegionPath, overwrite: true);
    }

    /// <summary>Stops the agents, pumps, edge and service, and removes every namespace, device and file this run created.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _edgeFollower.ConfigureAwait(false);
        await _learnedRoutesReporter.ConfigureAwait(false);
        await _edgeHeartbeats.ConfigureAwait(false);
        _stopping.Dispose();
        foreach (var edge in _edgeProcesses)
            await edge.DisposeAsync().ConfigureAwait(false);
        foreach (var server in _servers)
            await server.DisposeAsync().ConfigureAwait(false);
        foreach (var kernel in _kernelHosts)
            await kernel.DisposeAsync().ConfigureAwait(false);
        foreach (var card in _cards)
            await card.DisposeAsync().ConfigureAwait(false);
        if (_edge is not null)
            await _edge.DisposeAsync().ConfigureAwait(false);
        _dnsUpstream?.Dispose();
        _firstEdgeReplicas?.Dispose();
        _service?.Dispose();
        foreach (var replica in _replicaProcesses)
            await replica.DisposeAsync().ConfigureAwait(false);
        if (_embeddedService is not null)
            await _embeddedService.DisposeAsync().ConfigureAwait(false);
        _etcd?.Dispose();
        LiveState.TearDown(includeProcess: false);
        _logging.Dispose();
    }

    /// <summary>Waits for SIGINT or SIGTERM; returns which.</summary>
    public static async Task<PosixSignal> WaitForSignalAsync()
    {
        var stop = new TaskCompletionSource<PosixSignal>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(c.Signal); });
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(c.Signal); });
        return await stop.Task.ConfigureAwait(false);
    }
}
