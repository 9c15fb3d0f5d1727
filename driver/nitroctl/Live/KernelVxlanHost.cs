using System.Globalization;
using NitroCard.Driver;
using NitroCard.Driver.Simulation;
using NitroCard.Region;

namespace NitroCard.Cli.Live;

/// <summary>
/// A host whose ENIs the Linux kernel's own VXLAN device serves (<c>"dataplane": "linux-vxlan"</c>): in namespace
/// <c>nc-host-&lt;name&gt;</c>, one VXLAN device per VNI (<c>dstport 4789 nolearning proxy rsc</c>) on a bridge with the
/// instances' veths. It is programmed from the same per-host plan a card gets: a static FDB entry per remote ENI
/// MAC (no flooding entries), and neighbour entries (remote ENIs, subnet routers) that the
/// device answers ARP from (<c>proxy</c>) and routes across subnets with (<c>rsc</c>: the gateway MAC's FDB entry
/// is marked <c>router</c>, so a frame sent to the gateway is re-addressed to the destination ENI's MAC).
/// </summary>
internal static class KernelVxlanHost
{
    public static string NamespaceOf(RegionHost host) => $"nc-host-{host.Name}";

    public static HostCardPlan Start(LiveState state, RegionTopology region, RegionHost host, int index, string underlayNamespace, MacAddress routerMac)
    {
        var plan = RegionCompiler.ForHost(region, host.Name, CardGeometry.Default);
        var ns = NamespaceOf(host);
        var ip = plan.Settings.UnderlayIp.ToString();
        var mtu = Instance.UnderlayMtu.ToString(CultureInfo.InvariantCulture);
        var instanceMtu = Instance.Mtu.ToString(CultureInfo.InvariantCulture);
        Instance.CreateNamespace(state, ns);

        // The host's substrate link: a veth into the underlay router.
        var routerPort = string.Create(CultureInfo.InvariantCulture, $"ncv{index}");
        Shell.Run("ip", "link", "add", routerPort, "netns", underlayNamespace, "type", "veth", "peer", "name", "ul0", "netns", ns);
        Shell.Ip(underlayNamespace, "link", "set", "dev", routerPort, "address", routerMac.ToString(), "mtu", mtu, "up");
        Shell.Ip(underlayNamespace, "route", "add", $"{ip}/32", "dev", routerPort);
        Shell.Ip(underlayNamespace, "neigh", "replace", ip, "lladdr", plan.Settings.UnderlayMac.ToString(), "dev", routerPort, "nud", "permanent");
        Shell.Ip(ns, "link", "set", "dev", "ul0", "address", plan.Settings.UnderlayMac.ToString(), "mtu", mtu, "up");
        Shell.Ip(ns, "address", "add", $"{ip}/32", "dev", "ul0");
        var remotes = plan.Mappings.Where(m => m.LocalSlot is null).Select(m => m.UnderlayIp.ToString())
            .Concat(plan.Edges.Select(e => e.UnderlayIp.ToString()))
            .Where(r => r != ip).Distinct().ToList();
        foreach (var remote in remotes)
        {
            Shell.Ip(ns, "route", "add", $"{remote}/32", "dev", "ul0");
            Shell.Ip(ns, "neigh", "replace", remote, "lladdr", routerMac.ToString(), "dev", "ul0", "nud", "permanent");
        }

        foreach (var vpc in plan.Vpcs)
        {
            var vni = vpc.Vni.ToString(CultureInfo.InvariantCulture);
            var vx = $"vx{vni}";
            var br = $"br{vni}";
            Shell.Ip(ns, "link", "add", vx, "type", "vxlan", "id", vni, "local", ip, "dstport", "4789", "nolearning", "proxy", "rsc", "dev", "ul0");
            Shell.Ip(ns, "link", "add", br, "type", "bridge");
            Shell.Ip(ns, "link", "set", "dev", vx, "master", br, "mtu", instanceMtu, "up");
            Shell.Ip(ns, "link", "set", "dev", br, "mtu", instanceMtu, "up");
            var mappings = plan.Mappings.Where(m => m.Vni == vpc.Vni).ToList();
            var vpcRemotes = mappings.Where(m => m.LocalSlot is null).Select(m => m.UnderlayIp.ToString()).Distinct().ToList();
            // No all-zeros (flood) entries: every MAC is known from the plan, ARP is answered by the device, and a
            // card drops broadcast/multicast from the substrate anyway (the bridge's IGMP reports would only count
            // as 'unsupported' on every card).
            foreach (var m in mappings.Where(m => m.LocalSlot is null))
            {
                Shell.Run("bridge", "-n", ns, "fdb", "replace", m.Mac.ToString(), "dev", vx, "dst", m.UnderlayIp.ToString());
                Shell.Ip(ns, "neigh", "replace", m.Ip.ToString(), "lladdr", m.Mac.ToString(), "dev", vx, "nud", "permanent");
            }
            if (vpcRemotes.Count > 0)
            {
                Shell.Run("bridge", "-n", ns, "fdb", "replace", plan.Settings.GatewayMac.ToString(), "dev", vx, "dst", vpcRemotes[0], "router");
                foreach (var subnet in plan.Enis.Where(e => e.Entry.Vni == vpc.Vni).Select(e => e.Entry.Subnet).Distinct())
                    Shell.Ip(ns, "neigh", "replace", Instance.Gateway(subnet).ToString(), "lladdr", plan.Settings.GatewayMac.ToString(), "dev", vx, "nud", "permanent");
            }
        }

        foreach (var eni in plan.Enis)
        {
            var port = string.Create(CultureInfo.InvariantCulture, $"vi{index}s{eni.Slot}");
            Instance.CreateNamespace(state, eni.EniId);
            Shell.Run("ip", "link", "add", "eth0", "netns", eni.EniId, "type", "veth", "peer", "name", port, "netns", ns);
            Instance.ConfigureEth0(eni.EniId, "eth0", eni);
            Shell.Ip(ns, "link", "set", "dev", port, "master", $"br{eni.Entry.Vni.ToString(CultureInfo.InvariantCulture)}", "mtu", instanceMtu, "up");
        }
        return plan;
    }
}
