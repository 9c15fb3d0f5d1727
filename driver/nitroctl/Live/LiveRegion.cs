using System.Runtime.InteropServices;
using NitroCard.Driver;
using NitroCard.Region;

namespace NitroCard.Cli.Live;

/// <summary>
/// A live region on this machine (docs/live-region.md): every ENI a network namespace named by its id, card
/// hosts pumping frames between TAPs and their card, kernel-VXLAN hosts, and the substrate: an IPv4 router in
/// namespace <see cref="UnderlayNamespace"/> with one port per host and static routes and neighbours.
/// </summary>
internal sealed class LiveRegion : IDisposable
{
    public const string UnderlayNamespace = "nc-underlay";
    public const string LinuxVxlan = "linux-vxlan";

    private readonly List<CardHost> _cards = [];
    private readonly List<ControlServer> _servers = [];
    private readonly LiveState _state;

    private LiveRegion(LiveState state) => _state = state;

    public IReadOnlyList<CardHost> Cards => _cards;

    /// <summary>Fails with the reason when this process cannot build a live region (not root, no <c>ip</c>).</summary>
    public static void CheckPrivileges()
    {
        if (!OperatingSystem.IsLinux())
            throw new CliException("a live region needs Linux network namespaces");
        if (!Environment.IsPrivilegedProcess)
            throw new CliException("a live region needs root (network namespaces, TAP devices); run it as root or use 'nitroctl demo'");
        if (!File.Exists("/dev/net/tun"))
            throw new CliException("a live region needs /dev/net/tun (TAP devices)");
    }

    public static async Task<LiveRegion> UpAsync(RegionTopology region, string engine, TimeSpan readyTimeout)
    {
        CheckPrivileges();
        var existing = Shell.Namespaces();
        var clash = region.Vpcs.SelectMany(v => v.Enis).Select(e => e.Id).Append(UnderlayNamespace).FirstOrDefault(existing.Contains);
        if (clash is not null)
            throw new CliException($"network namespace '{clash}' exists already; run 'nitroctl region down' or remove it");
        var live = new LiveRegion(LiveState.Begin());
        try
        {
            await live.BuildAsync(region, engine, readyTimeout).ConfigureAwait(false);
            return live;
        }
        catch
        {
            live.Dispose();
            throw;
        }
    }

    private async Task BuildAsync(RegionTopology region, string engine, TimeSpan readyTimeout)
    {
        var routerMac = region.SubstrateRouterMac is null ? RegionDefaults.SubstrateRouterMac : MacAddress.Parse(region.SubstrateRouterMac);
        Instance.CreateNamespace(_state, UnderlayNamespace);
        Shell.Sysctl(UnderlayNamespace, "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0");
        // Edges are not on this substrate yet: their traffic is discarded silently rather than answered with ICMP.
        Shell.Ip(UnderlayNamespace, "route", "add", "blackhole", "default");

        // Cards come up in parallel (a Verilated card takes a while to create and load).
        var index = 0;
        foreach (var host in region.Hosts.Where(h => h.Dataplane != LinuxVxlan))
            _cards.Add(new CardHost(region, host, engine, index++));
        await Task.WhenAll(_cards.Select(c => Task.Run(c.Start))).ConfigureAwait(false);
        foreach (var card in _cards)
        {
            card.Attach(_state, UnderlayNamespace, routerMac);
            _servers.Add(ControlServer.Start(card));
        }
        foreach (var host in region.Hosts.Where(h => h.Dataplane == LinuxVxlan))
            KernelVxlanHost.Start(_state, region, host, index++, UnderlayNamespace, routerMac);
        await Task.WhenAll(_cards.Select(c => c.WaitReadyAsync(readyTimeout))).ConfigureAwait(false);
    }

    /// <summary>Stops the pumps and removes every namespace and device this run created.</summary>
    public void Dispose()
    {
        foreach (var server in _servers)
            server.Dispose();
        LiveState.TearDown(includeProcess: false);
        foreach (var card in _cards)
            card.Dispose();
    }

    /// <summary>Waits for SIGINT or SIGTERM.</summary>
    public static async Task WaitForSignalAsync()
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        await stop.Task.ConfigureAwait(false);
    }
}
