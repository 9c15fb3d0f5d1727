using System.Globalization;
using System.Net;
using NitroCard.Region;
using NitroCard.Packets;

namespace NitroCard.Cli.Live;

/// <summary>An instance: a network namespace named exactly the ENI id, its <c>eth0</c> configured from the ENI.</summary>
internal static class Instance
{
    /// <summary>The instance MTU (the card's IP_MTU).</summary>
    public const int Mtu = 9001;

    /// <summary>The substrate links' MTU: an encapsulated 9001-byte packet is 9051 bytes of IPv4.</summary>
    public const int UnderlayMtu = 9216;

    /// <summary>Creates a namespace with IPv6 off (docs/live-region.md says why) and its loopback up.</summary>
    public static void CreateNamespace(LiveState state, string name)
    {
        state.AddNamespace(name);
        Shell.Run("ip", "netns", "add", name);
        Shell.Sysctl(name, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        Shell.Ip(name, "link", "set", "lo", "up");
    }

    /// <summary>
    /// Renames <paramref name="device"/> (already in the namespace) to <c>eth0</c> and gives it the ENI's MAC,
    /// IPv4 with the subnet prefix, MTU 9001 and a default route via the subnet's router (base + 1).
    /// </summary>
    public static void ConfigureEth0(string netns, string device, EniSlot eni)
    {
        var entry = eni.Entry;
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
