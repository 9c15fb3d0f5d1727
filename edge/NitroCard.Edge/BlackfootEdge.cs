using NitroCard.Edge.DirectConnect;
using NitroCard.Edge.Nat;
using NitroCard.Edge.Vpn;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Edge;

/// <summary>
/// The Blackfoot edge: terminates VXLAN from the cards and translates to and from the world outside the region —
/// Internet Gateway (1:1 NAT), Direct Connect (Q-in-Q), gateway endpoints (policy-checked, on the services port) and
/// VPN (IPsec ESP: AES-GCM, or AES-CBC with HMAC-SHA2). Like the card it validates before it acts: a VXLAN frame whose inner source is not in
/// the mapping for its VNI (or is sent from another host than the mapping says), a public IP that belongs to no ENI,
/// ESP that does not authenticate or is replayed — each is dropped, counted and alarmed. See edge/README.md.
/// One instance is used by one thread at a time.
/// </summary>
public sealed partial class BlackfootEdge : IDisposable
{
    private readonly int _edgeIndex;
    private EdgeTopology _t;
    private readonly TimeProvider _time;
    private readonly List<EdgeAlarm> _alarms = [];

    /// <summary>The edge at <paramref name="edgeIndex"/> of a validated region.</summary>
    /// <param name="region">A validated region.</param>
    /// <param name="edgeIndex">Which of its edges.</param>
    /// <param name="time">The clock of the IKE-keyed VPN tunnels (lifetimes, DPD, retransmissions); default the system clock.</param>
    public BlackfootEdge(RegionTopology region, int edgeIndex = 0, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(edgeIndex, region.Edges.Length);
        _edgeIndex = edgeIndex;
        _time = time ?? TimeProvider.System;
        _t = new EdgeTopology(region, edgeIndex, null, _time);
        ExternalPorts = [EdgePorts.Internet, EdgePorts.Services,
            .. _t.Vpns.Keys.Concat(_t.IkeVpns.Keys).Order(StringComparer.Ordinal).Select(id => EdgePorts.VpnPrefix + id),
            .. _t.IkeVpns.Values.Where(c => c.Connection.UsesBgp).Select(c => EdgePorts.VpnInsidePrefix + c.Connection.Id).Order(StringComparer.Ordinal),
            .. _t.Connections.Select(c => EdgePorts.DirectConnectPrefix + c)];
    }

    /// <summary>
    /// Reconfigures the edge for a changed region (for example the Mapping Service's current state after an ENI moved or
    /// got a public IP): ENIs and their hosts, public IPs and attachments. A VPN connection whose SAs are unchanged keeps
    /// them (sequence numbers, anti-replay window); gateway-endpoint flows are kept; the counters go on. The edge's name,
    /// underlay address and <see cref="ExternalPorts"/> stay as they were built.
    /// </summary>
    public void Reload(RegionTopology region)
    {
        ArgumentNullException.ThrowIfNull(region);
        var next = new EdgeTopology(region, _edgeIndex, _t, _time);
        foreach (var (id, old) in _t.IkeVpns)
        {
            if (!next.IkeVpns.TryGetValue(id, out var now) || !ReferenceEquals(now.Connection, old.Connection))
                old.Connection.Dispose();
        }
        foreach (var (id, old) in _t.Vpns)
        {
            if (!next.Vpns.TryGetValue(id, out var now) || !ReferenceEquals(now.Outbound, old.Outbound))
            {
                old.Inbound.Dispose();
                old.Outbound.Dispose();
            }
        }
        _t = next;
    }

    /// <summary>The edge's name in the region file.</summary>
    public string Name => _t.Name;

    /// <summary>The edge's substrate address.</summary>
    public uint UnderlayIp => _t.UnderlayIp;

    /// <summary><c>internet</c>, <c>services</c>, <c>vpn:&lt;id&gt;</c> per VPN connection, <c>vpn-inside:&lt;id&gt;</c> per BGP connection, <c>dx:&lt;connection&gt;</c> per Direct Connect connection.</summary>
    public IReadOnlyList<string> ExternalPorts { get; }

    /// <summary>The edge's counters.</summary>
    public EdgeCounters Counters { get; } = new();

    /// <summary>Alarms raised since the last call, oldest first.</summary>
    public IReadOnlyList<EdgeAlarm> DrainAlarms()
    {
        var list = _alarms.ToArray();
        _alarms.Clear();
        return list;
    }

    /// <summary>
    /// Processes one frame arriving on <paramref name="port"/> (<see cref="EdgePorts.Substrate"/> or one of
    /// <see cref="ExternalPorts"/>) and appends what the edge sends because of it to <paramref name="output"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The port is not one of the edge's.</exception>
    public void Receive(string port, ReadOnlySpan<byte> frame, List<EdgeFrame> output)
    {
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(output);
        Counters.Add("rx." + port);
        if (port == EdgePorts.Substrate)
            FromSubstrate(frame, output);
        else if (port == EdgePorts.Internet)
            FromInternet(frame, output);
        else if (port == EdgePorts.Services)
            FromServices(frame, output);
        else if (port.StartsWith(EdgePorts.VpnPrefix, StringComparison.Ordinal) && _t.Vpns.TryGetValue(port[EdgePorts.VpnPrefix.Length..], out var tunnel))
            FromVpn(tunnel, frame, output);
        else if (port.StartsWith(EdgePorts.VpnPrefix, StringComparison.Ordinal) && _t.IkeVpns.TryGetValue(port[EdgePorts.VpnPrefix.Length..], out var ike))
            FromIkeVpn(ike.Connection, frame, output);
        else if (port.StartsWith(EdgePorts.VpnInsidePrefix, StringComparison.Ordinal) && _t.IkeVpns.TryGetValue(port[EdgePorts.VpnInsidePrefix.Length..], out var inside) && inside.Connection.UsesBgp)
            FromVpnInside(inside.Connection, frame, output);
        else if (port.StartsWith(EdgePorts.DirectConnectPrefix, StringComparison.Ordinal) && _t.Connections.Contains(port[EdgePorts.DirectConnectPrefix.Length..]))
            FromDirectConnect(port[EdgePorts.DirectConnectPrefix.Length..], frame, output);
        else
            throw new ArgumentException($"'{port}' is not a port of edge {Name} (ports: substrate, {string.Join(", ", ExternalPorts)})", nameof(port));
    }

    // ---- substrate -------------------------------------------------------------------------------

    private void FromSubstrate(ReadOnlySpan<byte> frame, List<EdgeFrame> output)
    {
        const string port = EdgePorts.Substrate;
        if (frame.Length < EthernetHeader.Length)
        {
            Drop("malformed", port);
            return;
        }
        if (EthernetHeader.EtherType(frame) != EthernetHeader.TypeIpv4)
        {
            Drop("unsupported", port);
            return;
        }
        var outer = CheckIpv4(frame[EthernetHeader.Length..], port, 0, null);
        if (outer.IsEmpty)
            return;
        var outerSrc = Ipv4Header.Source(outer);
        if (Ipv4Header.Destination(outer) != _t.UnderlayIp)
        {
            Drop("not-on-host", port, 0, outerSrc);
            return;
        }
        if (Ipv4Header.Protocol(outer) != Ipv4Header.ProtocolUdp || outer.Length < 28 || UdpHeader.DestinationPort(outer[20..]) != VxlanHeader.Port)
        {
            Drop("unsupported", port, 0, outerSrc);
            return;
        }
        if (outer.Length < 36 + EthernetHeader.Length || UdpHeader.DatagramLength(outer[20..]) != outer.Length - 20 || outer[28] != VxlanHeader.FlagI)
        {
            Drop("malformed", port, 0, outerSrc);
            return;
        }
        var vni = VxlanHeader.Vni(outer[28..]);
        var innerFrame = outer[36..];
        if (EthernetHeader.EtherType(innerFrame) != EthernetHeader.TypeIpv4)
        {
            Drop("unsupported", port, vni, outerSrc);
            return;
        }
        var inner = CheckIpv4(innerFrame[EthernetHeader.Length..], port, vni, outerSrc);
        if (inner.IsEmpty)
            return;
        var src = Ipv4Header.Source(inner);
        var dst = Ipv4Header.Destination(inner);
        if (!_t.Vpcs.TryGetValue(vni, out var vpc))
        {
            Drop("unknown-vni", port, vni, outerSrc, src, dst);
            return;
        }
        if (!vpc.EnisByIp.TryGetValue(src, out var eni))
        {
            Drop("spoofed-source", port, vni, outerSrc, src, dst);
            return;
        }
        // A frame for a customer site that another edge forwarded here (below) comes from that edge, not from the ENI's
        // host; the forwarding edge checked the host. Anything else from it is refused.
        var fromPeerEdge = eni.HostUnderlay != outerSrc && _t.HoldsSites && _t.PeerEdgeUnderlays.Contains(outerSrc) && vpc.IsSiteDestination(dst);
        if (eni.HostUnderlay != outerSrc && !fromPeerEdge)
        {
            Drop("spoofed-source", port, vni, outerSrc, src, dst);
            return;
        }
        if (!_t.HoldsSites && vpc.IsSiteDestination(dst))
        {
            // The cards spread every edge route over the healthy edges, but one edge holds a connection's SAs, BGP
            // sessions and Q-in-Q port: the first. The frame goes to it over the substrate, unchanged; customer networks
            // come first there too (below).
            Counters.Add("forwarded.site-edge");
            Emit(EdgePorts.Substrate, VxlanHeader.Encapsulate(innerFrame, _t.SubstrateRouterMac, _t.UnderlayMac, _t.UnderlayIp, _t.SiteEdgeUnderlayIp, vni), output);
            return;
        }
        var packet = inner.ToArray();

        // The card sent it here because its route table said so; the edge picks the attachment by the destination:
        // the longest customer prefix of a VPN or Direct Connect interface (Direct Connect on a tie), then a gateway
        // endpoint's prefix list, then the Internet Gateway.
        VpnTunnel? bestVpn = null;
        IkeVpnConnection? bestIke = null;
        DirectConnectVifState? bestVif = null;
        var bestLength = -1;
        foreach (var dx in vpc.Vifs)
        {
            foreach (var c in dx.Cidrs)
            {
                if (c.Contains(dst) && c.Length > bestLength)
                    (bestVif, bestLength) = (dx.Vif, c.Length);
            }
        }
        foreach (var vpn in vpc.Vpns)
        {
            foreach (var c in vpn.CustomerCidrs)
            {
                if (c.Contains(dst) && c.Length > bestLength)
                    (bestVpn, bestVif, bestLength) = (vpn, null, c.Length);
            }
        }
        foreach (var ike in vpc.IkeVpns)
        {
            if (ike.Route(dst) is { } r && r.Length > bestLength)
                (bestIke, bestVpn, bestVif, bestLength) = (ike, null, null, r.Length);
        }
        if (bestIke is not null)
        {
            ToIkeVpn(bestIke, packet, output);
            return;
        }
        if (bestVif is not null)
        {
            ToDirectConnect(bestVif, packet, output);
            return;
        }
        if (bestVpn is not null)
        {
            ToVpn(bestVpn, packet, output);
            return;
        }
        foreach (var endpoint in vpc.Endpoints)
        {
            if (endpoint.Prefixes.Any(p => p.Contains(dst)))
            {
                ToServices(vpc, eni, endpoint.Endpoint, endpoint.Policy, packet, output);
                return;
            }
        }
        ToInternet(vpc, eni, packet, output);
    }

    /// <summary>Sends an IPv4 packet to the card hosting <paramref name="eni"/>, VXLAN-encapsulated like a card would.</summary>
    private void ToCard(EdgeEni eni, ReadOnlySpan<byte> packet, List<EdgeFrame> output)
    {
        var inner = new byte[EthernetHeader.Length + packet.Length];
        EthernetHeader.Write(inner, eni.Mac, _t.GatewayMac, EthernetHeader.TypeIpv4);
        packet.CopyTo(inner.AsSpan(EthernetHeader.Length));
        var frame = VxlanHeader.Encapsulate(inner, _t.SubstrateRouterMac, _t.UnderlayMac, _t.UnderlayIp, eni.HostUnderlay, eni.Vni);
        Counters.Add("tx." + EdgePorts.Substrate);
        output.Add(new EdgeFrame(EdgePorts.Substrate, frame));
    }

    private void Emit(string port, byte[] frame, List<EdgeFrame> output)
    {
        Counters.Add("tx." + port);
        output.Add(new EdgeFrame(port, frame));
    }

    private static byte[] PlainFrame(ReadOnlySpan<byte> packet)
    {
        var frame = new byte[EthernetHeader.Length + packet.Length];
        EthernetHeader.Write(frame, EdgePorts.PeerMac, EdgePorts.EdgeMac, EthernetHeader.TypeIpv4);
        packet.CopyTo(frame.AsSpan(EthernetHeader.Length));
        return frame;
    }

    // ---- Internet Gateway ------------------------------------------------------------------------

    private void ToInternet(EdgeVpc vpc, EdgeEni eni, byte[] packet, List<EdgeFrame> output)
    {
        if (!vpc.HasInternetGateway)
        {
            Count("no-internet-gateway");
            return;
        }
        if (eni.PublicIp is not { } publicIp)
        {
            Count("no-public-ip");
            return;
        }
        Ipv4Nat.Translate(packet, source: true, eni.Ip, publicIp);
        Counters.Add("nat.outbound");
        Emit(EdgePorts.Internet, PlainFrame(packet), output);
    }

    private void FromInternet(ReadOnlySpan<byte> frame, List<EdgeFrame> output)
    {
        const string port = EdgePorts.Internet;
        var ip = PlainIpv4(frame, port);
        if (ip.IsEmpty)
            return;
        var dst = Ipv4Header.Destination(ip);
        if (!_t.PublicIps.TryGetValue(dst, out var eni))
        {
            Drop("unknown-public-ip", port, 0, null, Ipv4Header.Source(ip), dst);
            return;
        }
        if (!_t.Vpcs[eni.Vni].HasInternetGateway)
        {
            Count("no-internet-gateway");
            return;
        }
        var packet = ip.ToArray();
        Ipv4Nat.Translate(packet, source: false, dst, eni.Ip);
        Counters.Add("nat.inbound");
        ToCard(eni, packet, output);
    }

    // ---- Direct Connect --------------------------------------------------------------------------

    private void ToDirectConnect(DirectConnectVifState vif, byte[] packet, List<EdgeFrame> output)
    {
        Counters.Add("dx.outbound");
        Emit(EdgePorts.DirectConnectPrefix + vif.Connection, QinQ.Build(EdgePorts.PeerMac, EdgePorts.EdgeMac, vif.STag, vif.CTag, packet), output);
    }

    private void FromDirectConnect(string connection, ReadOnlySpan<byte> frame, List<EdgeFrame> output)
    {
        var port = EdgePorts.DirectConnectPrefix + connection;
        if (!QinQ.TryParse(frame, out var sTag, out var cTag, out var etherType, out var payloadOffset))
        {
            Drop("malformed", port);
            return;
        }
        if (!_t.Vifs.TryGetValue((connection, sTag, cTag), out var vif))
        {
            Drop("unknown-vif", port);
            return;
        }
        if (etherType != EthernetHeader.TypeIpv4)
        {
            Drop("unsupported", port, vif.Vpc.Vni);
            return;
        }
        var ip = CheckIpv4(frame[payloadOffset..], port, vif.Vpc.Vni, null);
        if (ip.IsEmpty)
            return;
        var dxSource = Ipv4Header.Source(ip);
        if (!vif.CustomerCidrs.Any(c => c.Contains(dxSource)))
        {
            Drop("spoofed-source", port, vif.Vpc.Vni, null, Ipv4Header.Source(ip), Ipv4Header.Destination(ip));
            return;
        }
        Counters.Add("dx.inbound");
        ToVpcEni(vif.Vpc, ip, port, output);
    }

    /// <summary>Delivers a packet from outside (VPN, Direct Connect) to the ENI its destination names in <paramref name="vpc"/>.</summary>
    private void ToVpcEni(EdgeVpc vpc, ReadOnlySpan<byte> ip, string port, List<EdgeFrame> output)
    {
        if (!vpc.EnisByIp.TryGetValue(Ipv4Header.Destination(ip), out var eni))
        {
            Drop("unknown-destination", port, vpc.Vni, null, Ipv4Header.Source(ip), Ipv4Header.Destination(ip));
            return;
        }
        ToCard(eni, ip, output);
    }

    // ---- VPN -------------------------------------------------------------------------------------

    private void ToVpn(VpnTunnel tunnel, byte[] packet, List<EdgeFrame> output)
    {
        if (tunnel.Outbound.Encrypt(packet) is not { } esp)
        {
            Count("esp-sequence-exhausted");
            return;
        }
        var fields = new Ipv4Fields(tunnel.EdgeIp, tunnel.CustomerGatewayIp, Esp.Protocol) { Identification = tunnel.NextIdentification++ };
        Counters.Add("esp.encrypted");
        Emit(tunnel.Port, Frames.Ipv4(EdgePorts.PeerMac, EdgePorts.EdgeMac, fields, esp), output);
    }

    private void FromVpn(VpnTunnel tunnel, ReadOnlySpan<byte> frame, List<EdgeFrame> output)
    {
        var port = tunnel.Port;
        var vni = tunnel.Vpc.Vni;
        var outer = PlainIpv4(frame, port);
        if (outer.IsEmpty)
            return;
        var outerSrc = Ipv4Header.Source(outer);
        if (Ipv4Header.Protocol(outer) != Esp.Protocol || Ipv4Header.IsFragment(outer))
        {
            Drop("unsupported", port, vni, outerSrc);
            return;
        }
        if (outerSrc != tunnel.CustomerGatewayIp || Ipv4Header.Destination(outer) != tunnel.EdgeIp)
        {
            Drop("spoofed-source", port, vni, outerSrc, outerSrc, Ipv4Header.Destination(outer));
            return;
        }
        var rejection = tunnel.Inbound.Decrypt(outer[20..], out var inner, out _);
        if (rejection != EspRejection.None)
        {
            Drop(rejection switch
            {
                EspRejection.Replay => "esp-replay",
                EspRejection.AuthenticationFailed => "esp-auth-failed",
                EspRejection.UnknownSpi => "esp-unknown-spi",
                EspRejection.NotIpv4 => "unsupported",
                _ => "malformed",
            }, port, vni, outerSrc);
            return;
        }
        Counters.Add("esp.decrypted");
        var ip = CheckIpv4(inner, port, vni, outerSrc);
        if (ip.IsEmpty)
            return;
        var vpnSource = Ipv4Header.Source(ip);
        if (!tunnel.CustomerCidrs.Any(c => c.Contains(vpnSource)))
        {
            Drop("spoofed-source", port, vni, outerSrc, Ipv4Header.Source(ip), Ipv4Header.Destination(ip));
            return;
        }
        ToVpcEni(tunnel.Vpc, ip, port, output);
    }

    // ---- shared checks ---------------------------------------------------------------------------

    /// <summary>224.0.0.0/24, the local network control block, as its top 24 bits.</summary>
    private const uint LinkLocalMulticast = 0xE00000;

    /// <summary>An Ethernet/IPv4 frame from an external port: its IPv4 packet, checked; null when dropped.</summary>
    private ReadOnlySpan<byte> PlainIpv4(ReadOnlySpan<byte> frame, string port)
    {
        if (frame.Length < EthernetHeader.Length)
        {
            Drop("malformed", port);
            return [];
        }
        if (EthernetHeader.EtherType(frame) != EthernetHeader.TypeIpv4)
        {
            Drop("unsupported", port);
            return [];
        }
        var data = frame[EthernetHeader.Length..];
        if (data.Length >= Ipv4Header.MinLength && Ipv4Header.Version(data) == 4 && (Ipv4Header.Destination(data) >> 8) == LinkLocalMulticast)
        {
            // 224.0.0.0/24 never leaves its link (RFC 5771): a neighbour's IGMP reports (which carry the Router Alert
            // option) and the like are not for the edge, which routes no multicast. Counted, not alarmed.
            Count("link-local-multicast");
            return [];
        }
        return CheckIpv4(data, port, 0, null);
    }

    /// <summary>
    /// The IPv4 packet at the start of <paramref name="data"/> trimmed to its total length (Ethernet padding dropped),
    /// after the card's checks (version, IHL 5, header checksum, total length); an empty span (and a drop) otherwise.
    /// </summary>
    private ReadOnlySpan<byte> CheckIpv4(ReadOnlySpan<byte> data, string port, uint vni, uint? outerSrc)
    {
        if (data.Length < Ipv4Header.MinLength || Ipv4Header.Version(data) != 4 || Ipv4Header.Ihl(data) < 5)
        {
            Drop("malformed", port, vni, outerSrc);
            return [];
        }
        if (Ipv4Header.Ihl(data) > 5)
        {
            Drop("unsupported", port, vni, outerSrc);
            return [];
        }
        var total = Ipv4Header.TotalLength(data);
        if (!Ipv4Header.ChecksumValid(data) || total < Ipv4Header.MinLength || total > data.Length)
        {
            Drop("malformed", port, vni, outerSrc);
            return [];
        }
        return data[..total];
    }

    private void Count(string reason) => Counters.Add("drop." + reason);

    private void Drop(string reason, string port, uint vni = 0, uint? outerSrc = null, uint? src = null, uint? dst = null)
    {
        Count(reason);
        _alarms.Add(new EdgeAlarm(reason, port, vni, Format(outerSrc), Format(src), Format(dst)));
    }

    private static string? Format(uint? ip) => ip is { } v ? Ipv4Address.FromUInt32(v).ToString() : null;

    public void Dispose()
    {
        foreach (var (connection, _) in _t.IkeVpns.Values)
            connection.Dispose();
        foreach (var tunnel in _t.Vpns.Values)
        {
            tunnel.Inbound.Dispose();
            tunnel.Outbound.Dispose();
        }
    }

    /// <summary>ESP's IP protocol number.</summary>
    private static class Esp
    {
        public const byte Protocol = 50;
    }

}
