using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using System.Text;
using NitroCard.Edge;
using NitroCard.Edge.Vpn;
using NitroCard.Ike;
using NitroCard.Ike.Crypto;
using NitroCard.Ike.Exchanges;
using NitroCard.Ike.Wire;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Simulation;

/// <summary>
/// The customer gateway of an IKE-keyed VPN connection in a <see cref="RegionSimulation"/>, where no strongSwan runs: per
/// tunnel an IKEv2 initiator (<c>edge/NitroCard.Ike</c>, the code tested against strongSwan) set up as the live region's
/// strongSwan site is — the tunnel's proposals in the order the edge prefers them, its pre-shared key,
/// <c>customerGatewayIp</c> as identity, UDP encapsulation forced (ESP in UDP 4500), the site's networks === the VPC's
/// CIDR. It talks to the edge's <c>vpn:&lt;id&gt;</c> port in frames: IKE on UDP 500/4500, then ESP in UDP.
/// </summary>
public sealed class SimulatedVpnCustomerGateway : IDisposable
{
    private readonly RegionSimulation _sim;
    private readonly IPAddress _address;
    private readonly Tunnel[] _tunnels;
    private readonly List<byte[]> _pendingEsp = [];
    private int _read;

    /// <param name="sim">The region; its edge must hold <paramref name="vpn"/>.</param>
    /// <param name="vpn">An IKE-keyed connection.</param>
    /// <param name="vpcCidr">Its VPC's CIDR.</param>
    /// <exception cref="ArgumentException"><paramref name="vpn"/> is manually keyed.</exception>
    public SimulatedVpnCustomerGateway(RegionSimulation sim, VpnConnection vpn, string vpcCidr)
    {
        ArgumentNullException.ThrowIfNull(sim);
        ArgumentNullException.ThrowIfNull(vpn);
        if (!vpn.IsIkeKeyed)
            throw new ArgumentException($"VPN connection {vpn.Id} is manually keyed: it has no tunnels to negotiate", nameof(vpn));
        _sim = sim;
        _address = IPAddress.Parse(vpn.CustomerGatewayIp);
        Port = EdgePorts.VpnPrefix + vpn.Id;
        _tunnels = [.. vpn.Tunnels.Select(t => new Tunnel(t, new IkeConfig
        {
            PreSharedKey = [.. Encoding.UTF8.GetBytes(t.PreSharedKey)],
            LocalId = IkeIdentity.Address(_address),
            IkeProposals = Offer(IkeSuites.Phase1(t)),
            ChildProposals = [.. IkeSuites.Phase2(t).Where(s => s.PfsGroup is null)],
            LocalTrafficSelectors = [.. vpn.SiteTrafficSelectors(t).Select(TrafficSelector.FromPrefix)],
            RemoteTrafficSelectors = [.. vpn.VpcTrafficSelectors(t, vpcCidr).Select(TrafficSelector.FromPrefix)],
            ForceUdpEncapsulation = true,
        }, _address))];
    }

    /// <summary>
    /// What the gateway offers in IKE_SA_INIT: each cipher and PRF of the tunnel's phase 1 options once, with the group
    /// the edge prefers among the listed ones (its KE payload's); a proposal per group too would pass the 64 proposals a
    /// message may carry (strongSwan lists them all as transforms of two proposals instead).
    /// </summary>
    private static ImmutableArray<IkeSuite> Offer(ImmutableArray<IkeSuite> phase1) =>
        [.. phase1.DistinctBy(s => (s.Encryption, s.KeyBits, s.Prf, s.Integrity))];

    /// <summary>The edge's port this gateway is attached to.</summary>
    public string Port { get; }

    /// <summary>Frames from the edge the gateway refused (ESP it cannot decrypt, not for it).</summary>
    public long Refused { get; private set; }

    /// <summary>
    /// Starts an IKE SA on every tunnel and passes messages between the tunnels and the edge until neither side has
    /// anything more to say; ESP the edge sent meanwhile is handed to <see cref="Receive"/>'s next call. True when every
    /// tunnel has a child SA.
    /// </summary>
    /// <param name="clock">The simulation time of each frame sent (microseconds).</param>
    public bool Negotiate(Func<long> clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        foreach (var tunnel in _tunnels.Where(t => t.Child is null))
            tunnel.Start();
        for (var round = 0; round < 50; round++)
        {
            var sent = 0;
            foreach (var tunnel in _tunnels)
            {
                foreach (var d in tunnel.TakeOutbox())
                {
                    _sim.Send(Port, clock(), Frames.Udp(EdgePorts.EdgeMac, EdgePorts.PeerMac, _address, d.Remote.Address,
                        (ushort)d.Local.Port, (ushort)d.Remote.Port, NatTraversal.Frame(d.Message.Span, d.Local.Port)));
                    sent++;
                }
            }
            _pendingEsp.AddRange(ReadFromEdge());
            if (sent == 0 && _tunnels.All(t => t.OutboxEmpty))
                break;
        }
        return _tunnels.All(t => t.Child is not null);
    }

    /// <summary>
    /// Each tunnel's negotiated proposals, as the customer gateway sees them: <c>IKEv2 &lt;IKE suite&gt;, ESP-in-UDP
    /// &lt;ESP suite&gt;</c> (for example <c>IKEv2 AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256, ESP-in-UDP AES_GCM_16_256</c>),
    /// or why it is not up.
    /// </summary>
    public IReadOnlyList<string> Proposals => [.. _tunnels.Select(t => t.Describe())];

    /// <summary>
    /// A packet from the site (IPv4, no Ethernet header): ESP in UDP on the first tunnel with a child SA, as the frame for
    /// the edge's port; null when no tunnel is up.
    /// </summary>
    public byte[]? FromSite(ReadOnlySpan<byte> ipPacket)
    {
        var tunnel = _tunnels.FirstOrDefault(t => t.Outbound is not null);
        if (tunnel?.Outbound?.Encrypt(ipPacket) is not { } esp)
            return null;
        var udp = UdpHeader.Build(Ipv4Address.ToUInt32(_address), tunnel.OutsideIp, NatTraversal.NatTPort, NatTraversal.NatTPort, esp, withChecksum: false);
        return Frames.Ipv4(EdgePorts.EdgeMac, EdgePorts.PeerMac, new Ipv4Fields(Ipv4Address.ToUInt32(_address), tunnel.OutsideIp, Ipv4Header.ProtocolUdp), udp);
    }

    /// <summary>
    /// What the edge sent on the port since the last call: IKE messages go to their tunnel, ESP is decrypted; returns the
    /// packets for the site (IPv4) in order.
    /// </summary>
    public List<byte[]> Receive()
    {
        var packets = new List<byte[]>(_pendingEsp);
        _pendingEsp.Clear();
        packets.AddRange(ReadFromEdge());
        return packets;
    }

    private List<byte[]> ReadFromEdge()
    {
        var received = _sim.ReceivedOn(Port);
        var packets = new List<byte[]>();
        for (; _read < received.Count; _read++)
        {
            var ip = SiteLink.Ipv4Packet(received[_read].Data);
            var source = ip.IsEmpty ? 0 : Ipv4Header.Source(ip);
            var tunnel = _tunnels.FirstOrDefault(t => t.OutsideIp == source);
            if (tunnel is null || Ipv4Header.Protocol(ip) != Ipv4Header.ProtocolUdp || ip.Length < 28)
            {
                Refused++;
                continue;
            }
            var udp = ip[20..];
            var payload = udp[8..];
            var local = new IPEndPoint(_address, UdpHeader.DestinationPort(udp));
            var remote = new IPEndPoint(Ipv4Address.FromUInt32(tunnel.OutsideIp), UdpHeader.SourcePort(udp));
            if (local.Port == NatTraversal.IkePort)
            {
                tunnel.Endpoint.Receive(new IkeDatagram(local, remote, payload.ToArray()));
                continue;
            }
            switch (local.Port == NatTraversal.NatTPort ? NatTraversal.Classify(payload) : Udp4500Kind.Malformed)
            {
                case Udp4500Kind.Ike:
                    tunnel.Endpoint.Receive(new IkeDatagram(local, remote, NatTraversal.StripMarker(payload.ToArray())));
                    break;
                case Udp4500Kind.Esp when tunnel.Decrypt(payload) is { } inner:
                    packets.Add(inner);
                    break;
                case Udp4500Kind.Keepalive:
                    break;
                default:
                    Refused++;
                    break;
            }
        }
        return packets;
    }

    public void Dispose()
    {
        foreach (var tunnel in _tunnels)
            tunnel.Dispose();
    }

    /// <summary>One tunnel: the initiator towards its outside address and the ESP of its child SAs.</summary>
    private sealed class Tunnel : IDisposable
    {
        private readonly List<IkeDatagram> _outbox = [];
        private readonly Dictionary<uint, EspSecurityAssociation> _inbound = [];
        private IkeSa? _sa;
        private string? _failure;

        public Tunnel(VpnTunnelOptions options, IkeConfig config, IPAddress address)
        {
            OutsideIp = Ipv4Address.Parse(options.OutsideIpAddress);
            Endpoint = new IkeEndpoint(config, new IPEndPoint(address, NatTraversal.IkePort), TimeProvider.System, _outbox.Add, OnEvent);
        }

        public uint OutsideIp { get; }

        public IkeEndpoint Endpoint { get; }

        public ChildSa? Child { get; private set; }

        public EspSecurityAssociation? Outbound { get; private set; }

        public bool OutboxEmpty => _outbox.Count == 0;

        public void Start()
        {
            _failure = null;
            _sa = Endpoint.Initiate(new IPEndPoint(Ipv4Address.FromUInt32(OutsideIp), NatTraversal.IkePort));
        }

        public List<IkeDatagram> TakeOutbox()
        {
            var list = _outbox.ToList();
            _outbox.Clear();
            return list;
        }

        public byte[]? Decrypt(ReadOnlySpan<byte> esp) =>
            esp.Length >= 8 && _inbound.TryGetValue(BinaryPrimitives.ReadUInt32BigEndian(esp), out var sa) && sa.Decrypt(esp, out var inner, out _) == EspRejection.None
                ? inner
                : null;

        public string Describe() => Child is { } child && _sa?.Suite is { } suite
            ? $"IKEv2 {suite}, {(child.UdpEncapsulation ? "ESP-in-UDP" : "ESP")} {child.Suite}"
            : $"down ({_failure ?? "no IKE SA"})";

        private void OnEvent(IkeEvent e)
        {
            switch (e)
            {
                case { Kind: IkeEventKind.ChildSaInstalled, Child: { } c }:
                    _inbound[c.InboundSpi] = EspSecurityAssociation.ForChild(c.Suite, c.InboundSpi, c.InboundEncryptionKey, c.InboundIntegrityKey);
                    Outbound?.Dispose();
                    Outbound = EspSecurityAssociation.ForChild(c.Suite, c.OutboundSpi, c.OutboundEncryptionKey, c.OutboundIntegrityKey);
                    Child = c;
                    _sa = e.Sa;
                    break;
                case { Kind: IkeEventKind.ChildSaDeleted, Child: { } c }:
                    if (_inbound.Remove(c.InboundSpi, out var gone))
                        gone.Dispose();
                    if (ReferenceEquals(c, Child))
                    {
                        Outbound?.Dispose();
                        Outbound = null;
                        Child = null;
                    }
                    break;
                case { Kind: IkeEventKind.Failed }:
                    _failure = e.Notify?.ToString() ?? e.Detail ?? "failed";
                    break;
            }
        }

        public void Dispose()
        {
            Outbound?.Dispose();
            foreach (var sa in _inbound.Values)
                sa.Dispose();
            Endpoint.Dispose();
        }
    }
}
