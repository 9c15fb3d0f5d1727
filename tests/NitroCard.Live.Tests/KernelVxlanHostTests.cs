using NitroCard.Card;
using NitroCard.Firmware;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.State;
using NitroCard.Region;

namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 12: a kernel VXLAN host's tables (KernelVxlanHost.KernelEntries) from its agent's mirror, without root: the
/// service's snapshot for host-k of regions/with-kernel-host.json (eni-red4 and eni-red5 on host-k, VNI 1001, no edge).
/// </summary>
public sealed class KernelVxlanHostTests
{
    private const string Ns = "nc-host-host-k";
    private static readonly string Vxlan = LiveNames.KernelVxlan(1001);

    private static CardProgrammer Mirror()
    {
        var region = RegionLoader.Load(Path.Combine(AppContext.BaseDirectory, "regions", "with-kernel-host.json"));
        var programmer = new CardProgrammer(CardGeometry.Default);
        programmer.Apply(null, DeltaBuilder.Snapshot(RegionState.From(region, 1), "host-k", 0));
        return programmer;
    }

    [Fact]
    public void A_remote_eni_is_reached_through_its_host_and_answered_from_a_permanent_neighbour()
    {
        var entries = KernelVxlanHost.KernelEntries(Ns, Mirror(), new Dictionary<string, string>());

        Assert.Equal(["bridge", "-n", Ns, "fdb", "replace", "02:00:0a:00:01:0a", "dev", Vxlan, "dst", "192.0.2.11"], entries[$"fdb 02:00:0a:00:01:0a {Vxlan}"]);
        Assert.Equal(["ip", "-n", Ns, "neigh", "replace", "10.0.2.20", "lladdr", "02:00:0a:00:02:14", "dev", Vxlan, "nud", "permanent"], entries[$"neigh 10.0.2.20 {Vxlan}"]);
    }

    [Fact]
    public void A_local_eni_points_at_this_host_and_its_bridge_port_once_it_has_one()
    {
        var ports = new Dictionary<string, string> { ["eni-red4"] = "nck2p0" };

        var entries = KernelVxlanHost.KernelEntries(Ns, Mirror(), ports);

        Assert.Equal(["bridge", "-n", Ns, "fdb", "replace", "02:00:0a:00:01:28", "dev", Vxlan, "dst", "192.0.2.13"], entries[$"fdb 02:00:0a:00:01:28 {Vxlan}"]);
        Assert.Equal(["bridge", "-n", Ns, "fdb", "replace", "02:00:0a:00:01:28", "dev", "nck2p0", "master", "static"], entries["port 02:00:0a:00:01:28"]);
        Assert.False(entries.ContainsKey("port 02:00:0a:00:02:32"));   // eni-red5 has no port yet
    }

    [Fact]
    public void Without_an_edge_the_gateway_routes_back_into_this_host_and_each_local_subnets_router_is_a_neighbour()
    {
        var mirror = Mirror();
        var gatewayMac = mirror.Settings!.GatewayMac.ToString();

        var entries = KernelVxlanHost.KernelEntries(Ns, mirror, new Dictionary<string, string>());

        Assert.Equal(["bridge", "-n", Ns, "fdb", "replace", gatewayMac, "dev", Vxlan, "dst", "192.0.2.13", "router"], entries[$"fdb {gatewayMac} {Vxlan}"]);
        Assert.Equal(["ip", "-n", Ns, "neigh", "replace", "10.0.1.1", "lladdr", gatewayMac, "dev", Vxlan, "nud", "permanent"], entries[$"neigh 10.0.1.1 {Vxlan}"]);
        Assert.Equal(["ip", "-n", Ns, "neigh", "replace", "10.0.2.1", "lladdr", gatewayMac, "dev", Vxlan, "nud", "permanent"], entries[$"neigh 10.0.2.1 {Vxlan}"]);
        Assert.DoesNotContain(entries.Keys, k => k.EndsWith(LiveNames.KernelVxlan(1002), StringComparison.Ordinal));   // blue has no ENI here
    }
}
