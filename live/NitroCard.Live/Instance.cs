using System.Globalization;
using System.Net;
using NitroCard.Card.Tables;
using NitroCard.Packets;

namespace NitroCard.Live;

/// <summary>
/// The instances of a live region: a network namespace named exactly the ENI id, whose <c>eth0</c> is the device of the
/// host the ENI is on (a card host's TAP or a kernel host's veth). When the Mapping Service moves an ENI, the new host
/// attaches its device and the old one's <c>eth0</c> is replaced: the namespace (the "instance") stays.
/// </summary>
internal sealed class Instance(LiveState state)
{
    /// <summary>The instance MTU (the card's IP_MTU).</summary>
    public const int Mtu = 9001;

    /// <summary>The substrate links' MTU: an encapsulated 9001-byte packet is 9051 bytes of IPv4.</summary>
    public const int UnderlayMtu = 9216;

    private readonly Lock _lock = new();

    /// <summary>
    /// Moves <paramref name="device"/> (in the root namespace) into the ENI's namespace (created when absent) as <c>eth0</c>,
    /// replacing an <c>eth0</c> another host attached before, and configures it from the ENI.
    /// </summary>
    public void Attach(string eniId, string device, EniEntry entry)
    {
        lock (_lock)
        {
            if (!Exists(eniId))
            {
                CreateNamespace(state, eniId);
                WriteResolvConf(eniId);
            }
            else if (Shell.TryRun("ip", "-n", eniId, "link", "show", "dev", "eth0").Code == 0)
                Shell.Ip(eniId, "link", "delete", "dev", "eth0");
            Shell.Run("ip", "link", "set", "dev", device, "netns", eniId);
            ConfigureEth0(eniId, device, entry);
        }
    }

    /// <summary>True when a network namespace of that name exists.</summary>
    public static bool Exists(string name) => File.Exists(Path.Combine("/run/netns", name));

    /// <summary>Creates a namespace with IPv6 off (docs/live-region.md says why) and its loopback up.</summary>
    public static void CreateNamespace(LiveState state, string name)
    {
        state.AddNamespace(name);
        Shell.Run("ip", "netns", "add", name);
        Shell.Sysctl(name, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        Shell.Ip(name, "link", "set", "lo", "up");
    }

    /// <summary>The instance's <c>/etc/resolv.conf</c>, which <c>ip netns exec</c> bind-mounts over the machine's.</summary>
    public static string ResolvConfPath(string netns) => Path.Combine(LiveState.NetnsEtcDirectory(netns), "resolv.conf");

    /// <summary>
    /// The libc resolver of the instance asks the Amazon DNS resolver, as on EC2 (whose DHCP options name it): at
    /// 169.254.169.253, the address every VPC's resolver answers on, so the file does not depend on the ENI's VPC.
    /// </summary>
    private static void WriteResolvConf(string netns)
    {
        Directory.CreateDirectory(LiveState.NetnsEtcDirectory(netns));
        File.WriteAllText(ResolvConfPath(netns), "# the Amazon DNS resolver, answered by the card host's firmware (nitroctl region up)\nnameserver 169.254.169.253\n");
    }

    /// <summary>
    /// Renames <paramref name="device"/> (already in the namespace) to <c>eth0</c> and gives it the ENI's MAC,
    /// IPv4 with the subnet prefix, MTU 9001 and a default route via the subnet's router (base + 1).
    /// </summary>
    private static void ConfigureEth0(string netns, string device, EniEntry entry)
    {
        if (device != "eth0")
            Shell.Ip(netns, "link", "set", "dev", device, "name", "eth0");
        Shell.Ip(netns, "link", "set", "dev", "eth0", "address", entry.Mac.ToString(), "mtu", Mtu.ToString(CultureInfo.InvariantCulture));
        Shell.Ip(netns, "address", "add", $"{entry.Ip}/{entry.Subnet.PrefixLength}", "dev", "eth0");
        Shell.Ip(netns, "link", "set", "dev", "eth0", "up");
        Shell.Ip(netns, "route", "add", "default", "via", Gateway(entry.Subnet).ToString(), "dev", "eth0");
    }

    /// <summary>The subnet's router: its base address + 1.</summary>
    public static IPAddress Gateway(IPNetwork subnet) => Ipv4Address.FromUInt32(Ipv4Address.ToUInt32(subnet.BaseAddress) + 1);
}
