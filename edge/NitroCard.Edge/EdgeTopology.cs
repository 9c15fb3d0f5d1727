using System.Collections.Immutable;
using System.Globalization;
using NitroCard.Edge.Vpn;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Edge;

/// <summary>An ENI as the edge knows it.</summary>
internal sealed record EdgeEni(string Id, uint Vni, uint Ip, ulong Mac, uint HostUnderlay, uint? PublicIp);

/// <summary>An IPv4 prefix.</summary>
internal readonly record struct Cidr(uint Network, int Length)
{
    public uint Mask => Length == 0 ? 0 : uint.MaxValue << (32 - Length);

    public bool Contains(uint ip) => (ip & Mask) == Network;

    public static Cidr Parse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var length = int.Parse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        var c = new Cidr(Ipv4Address.Parse(text[..slash]), length);
        return c with { Network = c.Network & c.Mask };
    }
}

/// <summary>A VPC's attachments on the edge.</summary>
internal sealed class EdgeVpc(string id, uint vni)
{
    public string Id { get; } = id;

    public uint Vni { get; } = vni;

    public bool HasInternetGateway { get; set; }

    public Dictionary<uint, EdgeEni> EnisByIp { get; } = [];

    public List<VpnTunnel> Vpns { get; } = [];

    public List<IkeVpnConnection> IkeVpns { get; } = [];

    public List<(DirectConnectVifState Vif, ImmutableArray<Cidr> Cidrs)> Vifs { get; } = [];

    /// <summary>
    /// Whether <paramref name="destination"/> is in a customer network the region file gives one of its VPN connections
    /// (static routing) or Direct Connect interfaces. BGP-learned prefixes are the Mapping Service's state, not the
    /// file's, so an edge that does not hold the sites does not know them.
    /// </summary>
    public bool IsSiteDestination(uint destination)
    {
        foreach (var (_, cidrs) in Vifs)
        {
            if (Contains(cidrs, destination))
                return true;
        }
        foreach (var vpn in Vpns)
        {
            if (Contains(vpn.CustomerCidrs, destination))
                return true;
        }
        foreach (var ike in IkeVpns)
        {
            if (!ike.UsesBgp && Contains(ike.StaticCidrs, destination))
                return true;
        }
        return false;

        static bool Contains(ImmutableArray<Cidr> cidrs, uint address)
        {
            foreach (var c in cidrs)
            {
                if (c.Contains(address))
                    return true;
            }
            return false;
        }
    }

    public List<(GatewayEndpoint Endpoint, EndpointPolicy Policy, ImmutableArray<Cidr> Prefixes)> Endpoints { get; } = [];
}

/// <summary>A Direct Connect virtual interface on the edge.</summary>
internal sealed record DirectConnectVifState(string Id, string Connection, ushort STag, ushort CTag, EdgeVpc Vpc, ImmutableArray<Cidr> CustomerCidrs);

/// <summary>What the edge is configured with, compiled from the region file.</summary>
internal sealed class EdgeTopology
{
    /// <param name="region">A validated region.</param>
    /// <param name="edgeIndex">Which of its edges this is.</param>
    /// <param name="previous">The configuration this one replaces: a VPN connection whose SAs are the same keeps its SA
    /// objects (sequence numbers, anti-replay window) and IPv4 identification counter; an IKE-keyed connection whose
    /// configuration is the same keeps its IKE SAs, child SAs and BGP state.</param>
    /// <param name="time">The clock of the IKE endpoints.</param>
    public EdgeTopology(RegionTopology region, int edgeIndex, EdgeTopology? previous = null, TimeProvider? time = null)
    {
        var edge = region.Edges[edgeIndex];
        Name = edge.Name;
        UnderlayIp = Ipv4Address.Parse(edge.UnderlayIp);
        UnderlayMac = RegionDefaults.DerivedUnderlayMac(UnderlayIp).Value;
        SubstrateRouterMac = (region.SubstrateRouterMac is null ? RegionDefaults.SubstrateRouterMac : NitroCard.Card.MacAddress.Parse(region.SubstrateRouterMac)).Value;
        GatewayMac = (region.GatewayMac is null ? RegionDefaults.GatewayMac : NitroCard.Card.MacAddress.Parse(region.GatewayMac)).Value;
        SiteEdgeUnderlayIp = Ipv4Address.Parse(region.Edges[0].UnderlayIp);
        foreach (var peer in region.Edges.Where((_, i) => i != edgeIndex))
            PeerEdgeUnderlays.Add(Ipv4Address.Parse(peer.UnderlayIp));
        var hosts = region.Hosts.ToDictionary(h => h.Name, h => Ipv4Address.Parse(h.UnderlayIp), StringComparer.Ordinal);
        foreach (var vpc in region.Vpcs)
        {
            var state = new EdgeVpc(vpc.Id, vpc.Vni) { HasInternetGateway = vpc.InternetGateway is not null };
            Vpcs[vpc.Vni] = state;
            foreach (var eni in vpc.Enis)
            {
                var e = new EdgeEni(eni.Id, vpc.Vni, Ipv4Address.Parse(eni.Ip), NitroCard.Card.MacAddress.Parse(eni.Mac).Value, hosts[eni.Host],
                    eni.PublicIp is null ? null : Ipv4Address.Parse(eni.PublicIp));
                state.EnisByIp[e.Ip] = e;
                if (e.PublicIp is { } pub)
                    PublicIps[pub] = e;
            }
            foreach (var vpn in vpc.VpnConnections.Where(v => !v.IsIkeKeyed))
            {
                var kept = previous is not null && previous.Vpns.TryGetValue(vpn.Id, out var old) && old.OutboundSa == vpn.Outbound && old.InboundSa == vpn.Inbound ? old : null;
                var tunnel = new VpnTunnel(vpn.Id, Ipv4Address.Parse(vpn.CustomerGatewayIp), Ipv4Address.Parse(vpn.EdgeIp!),
                    [.. vpn.CustomerCidrs.Select(Cidr.Parse)], vpn.Outbound!, vpn.Inbound!,
                    kept?.Outbound ?? EspSecurityAssociation.FromRegion(vpn.Outbound!), kept?.Inbound ?? EspSecurityAssociation.FromRegion(vpn.Inbound!), state)
                {
                    NextIdentification = kept?.NextIdentification ?? 0,
                };
                state.Vpns.Add(tunnel);
                Vpns[vpn.Id] = tunnel;
            }
            foreach (var vpn in vpc.VpnConnections.Where(v => v.IsIkeKeyed))
            {
                var fingerprint = System.Text.Json.JsonSerializer.Serialize(vpn, RegionJsonContext.Default.VpnConnection);
                IkeVpnConnection connection;
                if (previous is not null && previous.IkeVpns.TryGetValue(vpn.Id, out var old) && old.Fingerprint == fingerprint)
                {
                    connection = old.Connection;
                    connection.Vpc = state;
                }
                else
                {
                    connection = new IkeVpnConnection(vpn, state, time ?? TimeProvider.System);
                }
                state.IkeVpns.Add(connection);
                IkeVpns[vpn.Id] = (connection, fingerprint);
            }
            foreach (var dx in vpc.DirectConnect)
            {
                var cidrs = dx.CustomerCidrs.Select(Cidr.Parse).ToImmutableArray();
                var vif = new DirectConnectVifState(dx.Id, dx.Connection, (ushort)dx.STag, (ushort)dx.CTag, state, cidrs);
                state.Vifs.Add((vif, cidrs));
                Vifs[(dx.Connection, vif.STag, vif.CTag)] = vif;
                Connections.Add(dx.Connection);
            }
            foreach (var endpoint in vpc.GatewayEndpoints)
                state.Endpoints.Add((endpoint, EndpointPolicy.Parse(endpoint.Policy, out _)!, [.. endpoint.PrefixList.Select(Cidr.Parse)]));
        }
    }

    public string Name { get; }

    public uint UnderlayIp { get; }

    public ulong UnderlayMac { get; }

    public ulong SubstrateRouterMac { get; }

    public ulong GatewayMac { get; }

    /// <summary>The underlay address of the region's first edge, which holds the customer sites (VPN, Direct Connect).</summary>
    public uint SiteEdgeUnderlayIp { get; }

    /// <summary>Whether this edge holds the customer sites: the first edge does, the others forward such frames to it.</summary>
    public bool HoldsSites => SiteEdgeUnderlayIp == UnderlayIp;

    /// <summary>The underlay addresses of the region's other edges.</summary>
    public HashSet<uint> PeerEdgeUnderlays { get; } = [];

    public Dictionary<uint, EdgeVpc> Vpcs { get; } = [];

    public Dictionary<uint, EdgeEni> PublicIps { get; } = [];

    public Dictionary<string, VpnTunnel> Vpns { get; } = new(StringComparer.Ordinal);

    /// <summary>IKE-keyed VPN connections by id, with the configuration they were built from (JSON).</summary>
    public Dictionary<string, (IkeVpnConnection Connection, string Fingerprint)> IkeVpns { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string Connection, ushort STag, ushort CTag), DirectConnectVifState> Vifs { get; } = [];

    public SortedSet<string> Connections { get; } = new(StringComparer.Ordinal);
}
