using System.Collections.Immutable;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Edge.Vpn;

/// <summary>
/// An IKE-keyed VPN connection on the edge: two tunnels, BGP or static routing. Which tunnel carries a destination:
/// among the tunnels that are up (IKE SA and child SA; with BGP also the session Established and the prefix learned
/// over it) the longest matching prefix, then the shortest AS_PATH (a customer prepends to make a tunnel the backup),
/// then the lower tunnel number — so with both up, tunnel 1 carries the traffic, and when its IKE or BGP goes down
/// the other takes over.
/// </summary>
internal sealed class IkeVpnConnection : IDisposable
{
    public IkeVpnConnection(VpnConnection config, EdgeVpc vpc, TimeProvider time)
    {
        Config = config;
        Vpc = vpc;
        CustomerGatewayIp = Ipv4Address.Parse(config.CustomerGatewayIp);
        StaticCidrs = [.. config.CustomerCidrs.Select(Cidr.Parse)];
        Tunnels = [.. config.Tunnels.Select((t, i) => new IkeTunnel(i, t, CustomerGatewayIp, time))];
    }

    public VpnConnection Config { get; }

    public string Id => Config.Id;

    public string Port => EdgePorts.VpnPrefix + Config.Id;

    public string InsidePort => EdgePorts.VpnInsidePrefix + Config.Id;

    public EdgeVpc Vpc { get; set; }

    public uint CustomerGatewayIp { get; }

    public ImmutableArray<Cidr> StaticCidrs { get; }

    public ImmutableArray<IkeTunnel> Tunnels { get; }

    public bool UsesBgp => Config.UsesBgp;

    /// <summary>The customer prefixes a tunnel carries now: learned over its BGP session, or the static ones.</summary>
    public IEnumerable<(Cidr Prefix, int AsPathLength)> PrefixesOf(IkeTunnel tunnel)
    {
        if (!tunnel.IkeUp)
            return [];
        if (!UsesBgp)
            return StaticCidrs.Select(c => (c, 0));
        if (tunnel.BgpState != "Established")
            return [];
        return tunnel.Learned.Select(r => (Cidr.Parse(r.Prefix), r.AsPathLength));
    }

    /// <summary>Every customer prefix some tunnel carries now (what the VPC's route tables get as propagated routes).</summary>
    public ImmutableArray<string> Prefixes =>
        [.. Tunnels.SelectMany(PrefixesOf).Select(p => p.Prefix).Distinct().OrderBy(p => p.Network).ThenBy(p => p.Length).Select(p => $"{Ipv4Address.FromUInt32(p.Network)}/{p.Length}")];

    /// <summary>The tunnel that carries <paramref name="destination"/>, with the length of the prefix that matched; null when none.</summary>
    public (IkeTunnel Tunnel, int Length)? Route(uint destination)
    {
        (IkeTunnel Tunnel, int Length, int Path)? best = null;
        foreach (var tunnel in Tunnels)
        {
            foreach (var (prefix, path) in PrefixesOf(tunnel))
            {
                if (!prefix.Contains(destination))
                    continue;
                if (best is not { } b || prefix.Length > b.Length || (prefix.Length == b.Length && path < b.Path))
                    best = (tunnel, prefix.Length, path);
            }
        }
        return best is { } r ? (r.Tunnel, r.Length) : null;
    }

    /// <summary>Whether an inner source from the customer is one of its networks (any tunnel's: routing may be asymmetric).</summary>
    public bool IsCustomerSource(uint source)
        => Tunnels.Any(t => PrefixesOf(t).Any(p => p.Prefix.Contains(source)));

    /// <summary>The tunnel whose outside address is <paramref name="address"/>.</summary>
    public IkeTunnel? TunnelAt(uint address) => Tunnels.FirstOrDefault(t => t.OutsideIp == address);

    public void Dispose()
    {
        foreach (var t in Tunnels)
            t.Dispose();
    }
}
