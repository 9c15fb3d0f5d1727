using System.Collections.Immutable;
using System.Net;
using NitroCard.Edge.Vpn;
using NitroCard.Ike;
using NitroCard.Ike.Exchanges;
using NitroCard.Packets;

namespace NitroCard.Edge;

/// <summary>IKE-keyed VPN connections: IKEv2 on UDP 500/4500 per tunnel, ESP or ESP-in-UDP (RFC 3948), two tunnels, BGP state.</summary>
public sealed partial class BlackfootEdge
{
    /// <summary>
    /// Runs the IKE timers of every tunnel (retransmissions, DPD, rekeys at the lifetimes, expiry) and starts the IKE
    /// SAs the edge initiates; appends what the edge sends because of it. Call it every few hundred milliseconds.
    /// </summary>
    public void Poll(List<EdgeFrame> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var (connection, _) in _t.IkeVpns.Values)
        {
            var before = connection.Prefixes;
            foreach (var tunnel in connection.Tunnels)
            {
                tunnel.StartIfNeeded();
                tunnel.Endpoint.Poll();
                FlushIke(connection, tunnel, output);
            }
            NotePrefixes(connection, before);
        }
    }

    /// <summary>
    /// What the BGP session over a tunnel reports (the edge's host runs the speaker, edge/NitroCard.Bgp): its state
    /// (<c>Established</c> or another FSM state) and the routes learned. They decide which tunnel carries a prefix and
    /// which prefixes the VPC's route tables get (<see cref="PropagatedPrefixes"/>).
    /// </summary>
    /// <exception cref="ArgumentException">No IKE-keyed connection with that id, or no such tunnel.</exception>
    public void UpdateBgp(string vpnId, int tunnel, string state, IEnumerable<VpnLearnedRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(routes);
        var connection = IkeConnection(vpnId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)tunnel, (uint)connection.Tunnels.Length, nameof(tunnel));
        var before = connection.Prefixes;
        connection.Tunnels[tunnel].BgpState = state;
        connection.Tunnels[tunnel].Learned = [.. routes];
        NotePrefixes(connection, before);
    }

    /// <summary>
    /// The customer prefixes an IKE-keyed connection carries now — learned over BGP on a tunnel that is up, or the
    /// static ones while a tunnel is up; empty when both tunnels are down. The VPC's route tables with
    /// <c>vgwRoutePropagation</c> get them as propagated routes.
    /// </summary>
    public ImmutableArray<string> PropagatedPrefixes(string vpnId) => IkeConnection(vpnId).Prefixes;

    /// <summary>Raised when an IKE-keyed connection's <see cref="PropagatedPrefixes"/> change (a tunnel or session came up or went down, a route was learned or withdrawn).</summary>
    public event EventHandler<VpnPrefixesChanged>? PropagatedPrefixesChanged;

    /// <summary>Every IKE-keyed connection's tunnels as AWS's VGW telemetry shows them.</summary>
    public IReadOnlyList<VpnConnectionStatus> DescribeVpnConnections()
    {
        var list = new List<VpnConnectionStatus>();
        foreach (var (connection, _) in _t.IkeVpns.Values.OrderBy(c => c.Connection.Id, StringComparer.Ordinal))
        {
            var preferred = connection.Tunnels.FirstOrDefault(t => connection.PrefixesOf(t).Any());
            var tunnels = connection.Tunnels.Select(t =>
            {
                var ike = t.EstablishedSas.FirstOrDefault();
                return new VpnTunnelStatus(
                    t.Options.OutsideIpAddress,
                    $"{Ipv4Address.FromUInt32(t.EdgeInsideIp)}/30",
                    $"{Ipv4Address.FromUInt32(t.CustomerInsideIp)}/30",
                    t.IkeUp ? "UP" : "DOWN",
                    ike is not null,
                    t.OutboundChild is not null,
                    ike?.Suite?.ToString(),
                    t.OutboundChild?.Suite.ToString(),
                    t.OutboundChild?.UdpEncapsulation ?? false,
                    t.LastRekey,
                    connection.UsesBgp ? t.BgpState : null,
                    [.. t.Learned.Select(r => r.Prefix)],
                    ReferenceEquals(t, preferred));
            }).ToImmutableArray();
            list.Add(new VpnConnectionStatus(connection.Id, connection.Vpc.Id, connection.Config.CustomerGatewayIp,
                connection.UsesBgp ? "bgp" : "static", tunnels, connection.Prefixes));
        }
        return list;
    }

    private IkeVpnConnection IkeConnection(string vpnId)
    {
        ArgumentNullException.ThrowIfNull(vpnId);
        return _t.IkeVpns.TryGetValue(vpnId, out var c) ? c.Connection : throw new ArgumentException($"'{vpnId}' is not an IKE-keyed VPN connection of edge {Name}", nameof(vpnId));
    }

    private void NotePrefixes(IkeVpnConnection connection, ImmutableArray<string> before)
    {
        var now = connection.Prefixes;
        if (!before.SequenceEqual(now))
            PropagatedPrefixesChanged?.Invoke(this, new VpnPrefixesChanged(connection.Id, connection.Vpc.Id, now, connection.UsesBgp));
    }

    // ---- from the customer gateway -------------------------------------------------------------------

    private void FromIkeVpn(IkeVpnConnection connection, ReadOnlySpan<byte> frame, List<EdgeFrame> output)
    {
        var port = connection.Port;
        var vni = connection.Vpc.Vni;
        var outer = PlainIpv4(frame, port);
        if (outer.IsEmpty)
            return;
        var outerSrc = Ipv4Header.Source(outer);
        var outerDst = Ipv4Header.Destination(outer);
        if (Ipv4Header.IsFragment(outer))
        {
            Drop("unsupported", port, vni, outerSrc);
            return;
        }
        if (outerSrc != connection.CustomerGatewayIp || connection.TunnelAt(outerDst) is not { } tunnel)
        {
            Drop("spoofed-source", port, vni, outerSrc, outerSrc, outerDst);
            return;
        }
        var before = connection.Prefixes;
        switch (Ipv4Header.Protocol(outer))
        {
            case EspProtocol:
                FromTunnelEsp(connection, tunnel, outer[20..], outerSrc, output);
                break;
            case Ipv4Header.ProtocolUdp when outer.Length >= 28 && UdpHeader.DatagramLength(outer[20..]) == outer.Length - 20:
                var udp = outer[20..];
                var payload = udp[8..];
                var remote = new IPEndPoint(Ipv4Address.FromUInt32(outerSrc), UdpHeader.SourcePort(udp));
                var dstPort = UdpHeader.DestinationPort(udp);
                if (dstPort == NatTraversal.IkePort)
                {
                    Counters.Add("ike.rx");
                    tunnel.Endpoint.Receive(new IkeDatagram(new IPEndPoint(Ipv4Address.FromUInt32(outerDst), dstPort), remote, payload.ToArray()));
                }
                else if (dstPort == NatTraversal.NatTPort)
                {
                    switch (NatTraversal.Classify(payload))
                    {
                        case Udp4500Kind.Ike:
                            Counters.Add("ike.rx");
                            tunnel.Endpoint.Receive(new IkeDatagram(new IPEndPoint(Ipv4Address.FromUInt32(outerDst), dstPort), remote,
                                NatTraversal.StripMarker(payload.ToArray())));
                            break;
                        case Udp4500Kind.Keepalive:
                            Counters.Add("nat-t.keepalive");
                            break;
                        case Udp4500Kind.Esp:
                            FromTunnelEsp(connection, tunnel, payload, outerSrc, output);
                            break;
                        default:
                            Drop("malformed", port, vni, outerSrc);
                            break;
                    }
                }
                else
                {
                    Drop("unsupported", port, vni, outerSrc);
                }
                FlushIke(connection, tunnel, output);
                break;
            default:
                Drop("unsupported", port, vni, outerSrc);
                break;
        }
        NotePrefixes(connection, before);
    }

    private void FromTunnelEsp(IkeVpnConnection connection, IkeTunnel tunnel, ReadOnlySpan<byte> esp, uint outerSrc, List<EdgeFrame> output)
    {
        var port = connection.Port;
        var vni = connection.Vpc.Vni;
        if (esp.Length < 8 || tunnel.InboundFor(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(esp)) is not { } sa)
        {
            Drop(esp.Length < 8 ? "malformed" : "esp-unknown-spi", port, vni, outerSrc);
            return;
        }
        var rejection = sa.Decrypt(esp, out var inner, out _);
        if (rejection != EspRejection.None)
        {
            Drop(rejection switch
            {
                EspRejection.Replay => "esp-replay",
                EspRejection.AuthenticationFailed => "esp-auth-failed",
                EspRejection.NotIpv4 => "unsupported",
                _ => "malformed",
            }, port, vni, outerSrc);
            return;
        }
        tunnel.NoteInbound(sa.Spi);
        Counters.Add("esp.decrypted");
        Counters.Add($"esp.decrypted.{connection.Id}.tunnel{tunnel.Index + 1}");
        var ip = CheckIpv4(inner, port, vni, outerSrc);
        if (ip.IsEmpty)
            return;
        var src = Ipv4Header.Source(ip);
        var dst = Ipv4Header.Destination(ip);
        // To the edge's own inside address (BGP, ping): the inside port, from the customer's inside address only.
        if (dst == tunnel.EdgeInsideIp)
        {
            if (src != tunnel.CustomerInsideIp)
            {
                Drop("spoofed-source", port, vni, outerSrc, src, dst);
                return;
            }
            if (connection.UsesBgp)
                Emit(connection.InsidePort, PlainFrame(ip), output);
            return;
        }
        if (!connection.IsCustomerSource(src))
        {
            Drop("spoofed-source", port, vni, outerSrc, src, dst);
            return;
        }
        ToVpcEni(connection.Vpc, ip, port, output);
    }

    /// <summary>From the edge's BGP side: into the tunnel whose inside CIDR holds the destination.</summary>
    private void FromVpnInside(IkeVpnConnection connection, ReadOnlySpan<byte> frame, List<EdgeFrame> output)
    {
        var port = connection.InsidePort;
        var ip = PlainIpv4(frame, port);
        if (ip.IsEmpty)
            return;
        var dst = Ipv4Header.Destination(ip);
        var src = Ipv4Header.Source(ip);
        var tunnel = connection.Tunnels.FirstOrDefault(t => t.CustomerInsideIp == dst && src == t.EdgeInsideIp);
        if (tunnel is null)
        {
            Drop("unknown-destination", port, connection.Vpc.Vni, null, Ipv4Header.Source(ip), dst);
            return;
        }
        ToTunnel(connection, tunnel, ip.ToArray(), output);
    }

    // ---- to the customer gateway ---------------------------------------------------------------------

    private void ToIkeVpn(IkeVpnConnection connection, byte[] packet, List<EdgeFrame> output)
    {
        if (connection.Route(Ipv4Header.Destination(packet)) is not { } route)
        {
            Count("vpn-tunnels-down");
            return;
        }
        ToTunnel(connection, route.Tunnel, packet, output);
    }

    private void ToTunnel(IkeVpnConnection connection, IkeTunnel tunnel, byte[] packet, List<EdgeFrame> output)
    {
        if (tunnel.Outbound is not { } sa || tunnel.OutboundChild is not { } child)
        {
            Count("vpn-tunnels-down");
            return;
        }
        if (sa.Encrypt(packet) is not { } esp)
        {
            Count("esp-sequence-exhausted");
            return;
        }
        Counters.Add("esp.encrypted");
        Counters.Add($"esp.encrypted.{connection.Id}.tunnel{tunnel.Index + 1}");
        var remote = Ipv4Address.ToUInt32(child.RemoteEndpoint.Address);
        byte[] frame;
        if (child.UdpEncapsulation)
        {
            // RFC 3948 §2.1: ESP right after the UDP header, checksum 0.
            var udp = UdpHeader.Build(tunnel.OutsideIp, remote, NatTraversal.NatTPort, (ushort)child.RemoteEndpoint.Port, esp, withChecksum: false);
            frame = Frames.Ipv4(EdgePorts.PeerMac, EdgePorts.EdgeMac, new Ipv4Fields(tunnel.OutsideIp, remote, Ipv4Header.ProtocolUdp) { Identification = tunnel.NextIdentification++ }, udp);
        }
        else
        {
            frame = Frames.Ipv4(EdgePorts.PeerMac, EdgePorts.EdgeMac, new Ipv4Fields(tunnel.OutsideIp, remote, EspProtocol) { Identification = tunnel.NextIdentification++ }, esp);
        }
        Emit(connection.Port, frame, output);
    }

    /// <summary>The IKE messages a tunnel's endpoint sent, as UDP from its outside address (on 4500 with the non-ESP marker).</summary>
    private void FlushIke(IkeVpnConnection connection, IkeTunnel tunnel, List<EdgeFrame> output)
    {
        foreach (var d in tunnel.TakeOutbox())
        {
            Counters.Add("ike.tx");
            var frame = Frames.Udp(EdgePorts.PeerMac, EdgePorts.EdgeMac, d.Local.Address, d.Remote.Address, (ushort)d.Local.Port, (ushort)d.Remote.Port,
                NatTraversal.Frame(d.Message.Span, d.Local.Port));
            Emit(connection.Port, frame, output);
        }
    }

    private const byte EspProtocol = 50;
}

/// <summary>An IKE-keyed VPN connection's propagated prefixes changed.</summary>
/// <param name="VpnId">The connection.</param>
/// <param name="VpcId">Its VPC.</param>
/// <param name="Prefixes">What it carries now.</param>
/// <param name="LearnedOverBgp">
/// True for a BGP connection, whose prefixes are learned and must reach the Mapping Service; a static connection's come
/// from its <c>customerCidrs</c>, which the service already propagates.
/// </param>
public sealed record VpnPrefixesChanged(string VpnId, string VpcId, ImmutableArray<string> Prefixes, bool LearnedOverBgp);

/// <summary>One VPN connection as <c>describe-vpn-connections</c> shows it.</summary>
/// <param name="VpnId">The connection's id.</param>
/// <param name="VpcId">Its VPC.</param>
/// <param name="CustomerGatewayIp">The customer gateway's public IPv4.</param>
/// <param name="Tunnels">Both tunnels, in the file's order.</param>
/// <param name="Routing"><c>bgp</c> or <c>static</c>.</param>
/// <param name="Prefixes">The customer prefixes the connection carries now (propagated to route tables).</param>
public sealed record VpnConnectionStatus(string VpnId, string VpcId, string CustomerGatewayIp, string Routing,
    ImmutableArray<VpnTunnelStatus> Tunnels, ImmutableArray<string> Prefixes);

/// <summary>One tunnel, like AWS's VGW telemetry (Status UP/DOWN) with the IKE and BGP detail.</summary>
/// <param name="OutsideIpAddress">The edge's outside address of the tunnel.</param>
/// <param name="EdgeInsideAddress">The edge's inside address (the first host of the inside CIDR).</param>
/// <param name="CustomerInsideAddress">The customer gateway's inside address (the second).</param>
/// <param name="IkeSaEstablished">An IKE SA is established.</param>
/// <param name="ChildSaEstablished">A child SA carries the tunnel's ESP.</param>
/// <param name="Status"><c>UP</c> when an IKE SA and a child SA are established, else <c>DOWN</c>.</param>
/// <param name="IkeProposal">The IKE SA's negotiated suite, e.g. <c>AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256</c>.</param>
/// <param name="EspProposal">The child SA's suite.</param>
/// <param name="UdpEncapsulation">ESP in UDP 4500 (NAT traversal).</param>
/// <param name="LastRekey">When a child or IKE SA was last rekeyed.</param>
/// <param name="BgpState">The BGP session's state (null for static routing).</param>
/// <param name="PrefixesReceived">Prefixes learned over the session.</param>
/// <param name="Preferred">This tunnel carries the traffic now.</param>
public sealed record VpnTunnelStatus(string OutsideIpAddress, string EdgeInsideAddress, string CustomerInsideAddress, string Status,
    bool IkeSaEstablished, bool ChildSaEstablished, string? IkeProposal, string? EspProposal, bool UdpEncapsulation,
    DateTimeOffset? LastRekey, string? BgpState, ImmutableArray<string> PrefixesReceived, bool Preferred);
