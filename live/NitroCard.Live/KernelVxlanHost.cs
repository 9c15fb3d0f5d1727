using System.Globalization;
using NitroCard.Card;
using NitroCard.Firmware;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Live;

/// <summary>
/// A host whose ENIs the Linux kernel's own VXLAN device serves (<c>"dataplane": "linux-vxlan"</c>): in namespace
/// <c>nc-host-&lt;name&gt;</c>, one VXLAN device per VNI (<c>dstport 4789 nolearning proxy rsc</c>) on a bridge with the
/// instances' veths. Its agent subscribes to the Mapping Service like a card's firmware (no card: it keeps only the
/// mirror) and, after every push, makes the kernel's tables equal to it: a static FDB entry per ENI MAC (no flooding
/// entries), neighbour entries (every ENI, subnet routers) that the device answers ARP from (<c>proxy</c>) and routes
/// across subnets with (<c>rsc</c>: the gateway MAC's FDB entry is marked <c>router</c>, so a frame sent to the gateway
/// is re-addressed to the destination ENI's MAC and looked up again). A local ENI's FDB entry on the VXLAN device
/// points at the host itself, so a re-addressed frame for a local instance in another subnet comes straight back into
/// the bridge (the kernel's encapsulation bypass for local destinations); the gateway's own entry points at the VPC's
/// edge (internet, VPN, ... through the Blackfoot edge), or at the host itself when the VPC has none.
/// </summary>
public sealed class KernelVxlanHost : IAsyncDisposable
{
    private readonly RegionHost _host;
    private readonly int _index;
    private readonly Instance _instances;
    private readonly LiveState _state;
    private readonly string _ns;
    private readonly HashSet<uint> _vnis = [];
    private readonly Dictionary<string, string> _ports = new(StringComparer.Ordinal);
    private readonly HashSet<string> _routes = new(StringComparer.Ordinal);
    private Dictionary<string, string[]> _entries = new(StringComparer.Ordinal);
    private HostAgent? _agent;
    private int _nextPort;

    internal KernelVxlanHost(RegionHost host, int index, Instance instances, LiveState state)
    {
        _host = host;
        _index = index;
        _instances = instances;
        _state = state;
        _ns = NamespaceOf(host);
    }

    public static string NamespaceOf(RegionHost host) => LiveNames.KernelHostNamespace(host.Name);

    public RegionHost Host => _host;

    /// <summary>Creates the host's namespace and its substrate link (a veth into the underlay router).</summary>
    public void Create(string underlayNamespace, MacAddress routerMac)
    {
        var ip = _host.UnderlayIp;
        var mac = (_host.UnderlayMac is null ? RegionDefaults.DerivedUnderlayMac(Ipv4Address.Parse(ip)) : MacAddress.Parse(_host.UnderlayMac)).ToString();
        var mtu = Instance.UnderlayMtu.ToString(CultureInfo.InvariantCulture);
        Instance.CreateNamespace(_state, _ns);
        var routerPort = LiveNames.KernelRouterPort(_index);
        Shell.Run("ip", "link", "add", routerPort, "netns", underlayNamespace, "type", "veth", "peer", "name", LiveNames.KernelUnderlayLink, "netns", _ns);
        Shell.Ip(underlayNamespace, "link", "set", "dev", routerPort, "address", routerMac.ToString(), "mtu", mtu, "up");
        Shell.Ip(underlayNamespace, "route", "add", $"{ip}/32", "dev", routerPort);
        Shell.Ip(underlayNamespace, "neigh", "replace", ip, "lladdr", mac, "dev", routerPort, "nud", "permanent");
        Shell.Ip(_ns, "link", "set", "dev", LiveNames.KernelUnderlayLink, "address", mac, "mtu", mtu, "up");
        Shell.Ip(_ns, "address", "add", $"{ip}/32", "dev", LiveNames.KernelUnderlayLink);
        RouterMac = routerMac;
    }

    private MacAddress RouterMac { get; set; }

    /// <summary>Starts the host's agent and waits until the kernel follows the service's first push.</summary>
    public async Task ProgramAsync(IReadOnlyList<Uri> endpoints, string identityDirectory, TimeSpan timeout)
    {
        _agent = new HostAgent(_host.Name, endpoints, identityDirectory, card: null, CardGeometry.Default, Reconcile);
        await _agent.StartAsync(timeout).ConfigureAwait(false);
    }

    /// <summary>Makes the namespace's devices, FDB and neighbour entries equal to the agent's mirror.</summary>
    private void Reconcile(CardProgrammer programmer)
    {
        var settings = programmer.Settings!;
        var self = settings.UnderlayIp.ToString();
        var enis = programmer.Enis;
        var instanceMtu = Instance.Mtu.ToString(CultureInfo.InvariantCulture);

        // Devices: a VXLAN device and a bridge per VNI with local ENIs (VNIs are never torn down while the region runs).
        foreach (var vni in enis.Values.Select(e => e.Entry.Vni).Distinct().Where(_vnis.Add))
        {
            var text = vni.ToString(CultureInfo.InvariantCulture);
            var (vxlan, bridge) = (LiveNames.KernelVxlan(vni), LiveNames.KernelBridge(vni));
            Shell.Ip(_ns, "link", "add", vxlan, "type", "vxlan", "id", text, "local", self, "dstport", "4789", "nolearning", "proxy", "rsc", "dev", LiveNames.KernelUnderlayLink);
            Shell.Ip(_ns, "link", "add", bridge, "type", "bridge");
            Shell.Ip(_ns, "link", "set", "dev", vxlan, "master", bridge, "mtu", instanceMtu, "up");
            Shell.Ip(_ns, "link", "set", "dev", bridge, "mtu", instanceMtu, "up");
        }

        // Remote underlay addresses (hosts and edges) are reached through the router; nothing on the substrate ARPs.
        var remotes = programmer.Mappings.Select(m => Ipv4Address.FromUInt32(m.UnderlayIp).ToString())
            .Concat(programmer.Edges.Select(e => e.UnderlayIp.ToString())).Where(r => r != self).Distinct();
        foreach (var remote in remotes.Where(_routes.Add))
        {
            Shell.Ip(_ns, "route", "replace", $"{remote}/32", "dev", LiveNames.KernelUnderlayLink);
            Shell.Ip(_ns, "neigh", "replace", remote, "lladdr", RouterMac.ToString(), "dev", LiveNames.KernelUnderlayLink, "nud", "permanent");
        }

        // Instances: ENIs that left lose their veth; new ones get one on their VNI's bridge.
        foreach (var (id, port) in _ports.Where(p => !enis.ContainsKey(p.Key)).ToList())
        {
            Shell.TryRun("ip", "-n", _ns, "link", "delete", "dev", port);
            _ports.Remove(id);
        }
        foreach (var (id, eni) in enis.Where(e => !_ports.ContainsKey(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var n = _nextPort++;
            var port = LiveNames.KernelBridgePort(_index, n);
            var instanceSide = LiveNames.KernelInstanceLink(_index, n);
            _state.AddLink(instanceSide);
            Shell.Run("ip", "link", "add", instanceSide, "type", "veth", "peer", "name", port, "netns", _ns);
            _instances.Attach(id, instanceSide, eni.Entry);
            Shell.Ip(_ns, "link", "set", "dev", port, "master", LiveNames.KernelBridge(eni.Entry.Vni), "mtu", instanceMtu, "up");
            _ports[id] = port;
        }

        // Tables: every entry the mirror calls for, keyed so that a later push removes what is gone.
        var wanted = KernelEntries(_ns, programmer, _ports);
        foreach (var (key, command) in _entries.Where(e => !wanted.ContainsKey(e.Key)))
        {
            var words = key.Split(' ');
            if (words[0] == "fdb")
                Shell.TryRun("bridge", "-n", _ns, "fdb", "delete", words[1], "dev", words[2]);
            else if (words[0] == "neigh")
                Shell.TryRun("ip", "-n", _ns, "neigh", "delete", words[1], "dev", words[2]);
            else if (words[0] == "port")
                Shell.TryRun("bridge", "-n", _ns, "fdb", "delete", words[1], "dev", command[7], "master");
        }
        foreach (var (key, command) in wanted)
        {
            if (!_entries.TryGetValue(key, out var had) || !had.SequenceEqual(command))
                Shell.Run(command[0], command[1..]);
        }
        _entries = wanted;
    }

    /// <summary>
    /// The kernel's tables the agent's mirror calls for in namespace <paramref name="ns"/>, keyed (<c>fdb</c>, <c>neigh</c>,
    /// <c>port</c>) so that a later push removes what is gone: per mapping the VXLAN FDB entry (a local ENI's pointing at
    /// this host) and the neighbour entry, per local ENI its bridge port's static entry, per VNI the gateway MAC routed
    /// (<c>router</c>) to the VPC's edge or this host, per local subnet its router's neighbour entry.
    /// <paramref name="ports"/> are the local ENIs' bridge ports.
    /// </summary>
    internal static Dictionary<string, string[]> KernelEntries(string ns, CardProgrammer programmer, IReadOnlyDictionary<string, string> ports)
    {
        var settings = programmer.Settings!;
        var self = settings.UnderlayIp.ToString();
        var enis = programmer.Enis;
        var wanted = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var m in programmer.Mappings)
        {
            var vx = LiveNames.KernelVxlan(m.Key.Vni);
            var ip = Ipv4Address.FromUInt32(m.Key.Ip).ToString();
            var mac = m.Mac.ToString();
            var local = m.LocalEniId is { } id && ports.ContainsKey(id);
            var dst = local ? self : Ipv4Address.FromUInt32(m.UnderlayIp).ToString();
            wanted[$"fdb {mac} {vx}"] = ["bridge", "-n", ns, "fdb", "replace", mac, "dev", vx, "dst", dst];
            wanted[$"neigh {ip} {vx}"] = ["ip", "-n", ns, "neigh", "replace", ip, "lladdr", mac, "dev", vx, "nud", "permanent"];
            if (local)
                wanted[$"port {mac}"] = ["bridge", "-n", ns, "fdb", "replace", mac, "dev", ports[m.LocalEniId!], "master", "static"];
        }
        foreach (var vni in enis.Values.Select(e => e.Entry.Vni).Distinct())
        {
            var vx = LiveNames.KernelVxlan(vni);
            var edge = programmer.Edges.FirstOrDefault(e => e.Vni == vni)?.UnderlayIp.ToString() ?? self;
            wanted[$"fdb {settings.GatewayMac} {vx}"] = ["bridge", "-n", ns, "fdb", "replace", settings.GatewayMac.ToString(), "dev", vx, "dst", edge, "router"];
            foreach (var subnet in enis.Values.Where(e => e.Entry.Vni == vni).Select(e => e.Entry.Subnet).Distinct())
            {
                var gateway = Instance.Gateway(subnet).ToString();
                wanted[$"neigh {gateway} {vx}"] = ["ip", "-n", ns, "neigh", "replace", gateway, "lladdr", settings.GatewayMac.ToString(), "dev", vx, "nud", "permanent"];
            }
        }
        return wanted;
    }

    public async ValueTask DisposeAsync()
    {
        if (_agent is not null)
            await _agent.DisposeAsync().ConfigureAwait(false);
    }
}
