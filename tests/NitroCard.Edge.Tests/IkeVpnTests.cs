using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NitroCard.Card;
using NitroCard.Edge.Vpn;
using NitroCard.Ike;
using NitroCard.Ike.Exchanges;
using NitroCard.Ike.Wire;
using NitroCard.Model;
using NitroCard.Packets;
using NitroCard.Region;
using NitroCard.Simulation;
using static NitroCard.Edge.Tests.EdgeRegion;

namespace NitroCard.Edge.Tests;

/// <summary>
/// An IKE-keyed VPN connection (issue 13) on the edge, cards on the model engine: the customer gateway is an
/// in-process IKEv2 initiator (NitroCard.Ike) behind a NAT (192.168.1.2 → 203.0.113.9, port 4500 → 64500), so both
/// tunnels float to UDP 4500 and ESP goes in UDP. Child SAs feed the edge's ESP; BGP state (the speaker runs in the
/// edge's host) decides which tunnel carries a prefix; rekeys under traffic lose nothing.
/// </summary>
public sealed class IkeVpnTests : IDisposable
{
    private const string Vpn = "vpn-2";
    private const string Port = "vpn:vpn-2";
    private static readonly IPAddress CustomerPrivate = IPAddress.Parse("192.168.1.2");
    private static readonly IPAddress CustomerPublic = IPAddress.Parse("203.0.113.9");
    private static readonly IPAddress Outside1 = IPAddress.Parse("198.51.100.201");
    private static readonly IPAddress Outside2 = IPAddress.Parse("198.51.100.202");
    private static readonly IPAddress SiteHost = IPAddress.Parse("192.168.50.5");
    private const ushort NatPort4500 = 64500;

    private readonly RegionSimulation _sim;
    private readonly RegionTopology _region;
    private CustomerTunnel[] _customer;
    private int _seen;
    private long _time = 1_000_000;

    public IkeVpnTests()
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "regions", "edge-region.json")))!.AsObject();
        root["vpcs"]![0]!["vpnConnections"]!.AsArray().Add(JsonNode.Parse("""
            { "id": "vpn-2", "customerGatewayIp": "203.0.113.9", "customerGatewayAsn": 65000,
              "tunnels": [
                { "outsideIpAddress": "198.51.100.201", "tunnelInsideCidr": "169.254.10.0/30", "preSharedKey": "tunnel_one.key" },
                { "outsideIpAddress": "198.51.100.202", "tunnelInsideCidr": "169.254.11.0/30", "preSharedKey": "tunnel_two.key",
                  "replayWindowSize": 2048 } ] }
            """));
        var region = RegionLoader.LoadFromString(root.ToJsonString(), "ike-region.json");
        _region = region;
        _sim = new RegionSimulation(region, () => new ModelCard(CardGeometry.Default));
        _customer = [new CustomerTunnel(Outside1, "tunnel_one.key"), new CustomerTunnel(Outside2, "tunnel_two.key")];
    }

    private BlackfootEdge Edge => _sim.Edge!;

    public void Dispose()
    {
        foreach (var c in _customer)
            c.Dispose();
        _sim.Dispose();
    }

    [Fact]
    public void Both_tunnels_come_up_over_nat_traversal_and_report_the_negotiated_proposal()
    {
        var frames = Establish();
        // IKE_SA_INIT on 500, then (NAT detected) IKE_AUTH on 4500 with the non-ESP marker.
        Assert.Equal(500, UdpHeader.DestinationPort(Ip(frames[0])[20..]));
        Assert.Equal(500, UdpHeader.SourcePort(Ip(frames[0])[20..]));
        var later = frames.Skip(2).Select(f => UdpHeader.SourcePort(Ip(f)[20..])).ToList();
        Assert.NotEmpty(later);
        Assert.All(later, p => Assert.Equal(4500, p));

        var status = Assert.Single(Edge.DescribeVpnConnections());
        Assert.Equal(("vpn-2", "bgp"), (status.VpnId, status.Routing));
        Assert.All(status.Tunnels, t =>
        {
            Assert.Equal("UP", t.Status);
            Assert.True(t.IkeSaEstablished && t.ChildSaEstablished && t.UdpEncapsulation);
            Assert.Equal("AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256", t.IkeProposal);
            Assert.Equal("AES_GCM_16_128", t.EspProposal);
            Assert.Equal("Idle", t.BgpState);
        });
        Assert.Equal<string>(["169.254.10.1/30", "169.254.11.1/30"], status.Tunnels.Select(t => t.EdgeInsideAddress));
        Assert.Empty(status.Prefixes); // BGP not up yet: nothing to propagate
    }

    [Fact]
    public void Bgp_learned_prefixes_carry_traffic_both_ways_over_the_preferred_tunnel()
    {
        Establish();
        var changes = new List<VpnPrefixesChanged>();
        Edge.PropagatedPrefixesChanged += (_, e) => changes.Add(e);
        BgpUp(0);
        BgpUp(1);
        Assert.Equal<string>(["192.168.50.0/24"], Edge.PropagatedPrefixes(Vpn));
        Assert.Equal<string>(["192.168.50.0/24"], Assert.Single(changes).Prefixes);
        Assert.True(changes[0].LearnedOverBgp); // for the Mapping Service (a static connection's prefixes are the region file's)

        // VPC → site: tunnel 1 (both up, equal paths).
        var inner = PingSite(1);
        Assert.Equal("10.0.1.10", Src(inner));
        Assert.Equal(0, _customer[0].LastTunnelUsed);

        // Site → VPC over tunnel 2 (asymmetric routing is fine), delivered to eni-a1.
        Send(_customer[1].EspFrame(EchoReplyFromSite(1)));
        var delivered = Ip(Assert.Single(_sim.ReceivedOn("eni-a1").TakeLast(1)).Data);
        Assert.Equal("192.168.50.5", Src(delivered));
        Assert.True(Assert.Single(Edge.DescribeVpnConnections()).Tunnels[0].Preferred);

        // A source the customer did not announce is refused.
        Send(_customer[1].EspFrame(Ipv4Header.Build(new Ipv4Fields(Ipv4Address.Parse("192.168.99.1"), Ipv4Address.ToUInt32(EniA1), Ipv4Header.ProtocolIcmp), IcmpEcho.Build(1, 1, "x"u8))));
        Assert.Contains(_sim.Alarms, a => a.Edge?.Reason == "spoofed-source");
    }

    [Fact]
    public void A_gateway_offering_only_aes_cbc_with_sha384_gets_that_esp_and_traffic_crosses_both_ways()
    {
        foreach (var c in _customer)
            c.Dispose();
        var cbc = new NitroCard.Ike.Crypto.ChildSuite(EncryptionId.AesCbc, 256, IntegrityId.HmacSha384_192);
        _customer = [new CustomerTunnel(Outside1, "tunnel_one.key", cbc), new CustomerTunnel(Outside2, "tunnel_two.key", cbc)];
        Establish();
        Assert.All(Assert.Single(Edge.DescribeVpnConnections()).Tunnels, t => Assert.Equal("AES_CBC_256/HMAC_SHA2_384_192", t.EspProposal));
        BgpUp(0);
        BgpUp(1);

        var inner = PingSite(1);
        Assert.Equal(("10.0.1.10", "192.168.50.5"), (Src(inner), Dst(inner)));
        Send(_customer[0].EspFrame(EchoReplyFromSite(1)));
        Assert.Equal("192.168.50.5", Src(Ip(Assert.Single(_sim.ReceivedOn("eni-a1").TakeLast(1)).Data)));

        // One flipped ciphertext bit fails the HMAC: a counted drop, nothing delivered.
        var delivered = _sim.ReceivedOn("eni-a1").Count;
        var tampered = _customer[0].EspFrame(EchoReplyFromSite(2));
        tampered[^30] ^= 1;
        Send(tampered);
        Assert.Equal(delivered, _sim.ReceivedOn("eni-a1").Count);
        Assert.Contains(_sim.Alarms, a => a.Edge?.Reason == "esp-auth-failed");
    }

    [Fact]
    public void Prepending_on_tunnel_1_makes_tunnel_2_carry_the_traffic()
    {
        Establish();
        Edge.UpdateBgp(Vpn, 0, "Established", [new VpnLearnedRoute("192.168.50.0/24", AsPathLength: 3)]);
        BgpUp(1);
        PingSite(1);
        Assert.Equal(1, _customer[1].LastTunnelUsed);
    }

    [Fact]
    public void Ike_or_bgp_going_down_moves_traffic_to_the_other_tunnel_and_both_down_withdraws_the_routes()
    {
        Establish();
        BgpUp(0);
        BgpUp(1);
        PingSite(1);
        Assert.Equal(0, _customer[0].LastTunnelUsed);

        // The customer terminates tunnel 1's IKE SA (swanctl --terminate): tunnel 2 takes over.
        _customer[0].Sa!.Delete();
        Pump();
        var status = Assert.Single(Edge.DescribeVpnConnections());
        Assert.Equal<string>(["DOWN", "UP"], status.Tunnels.Select(t => t.Status));
        PingSite(2);
        Assert.Equal(1, _customer[1].LastTunnelUsed);
        Assert.Equal<string>(["192.168.50.0/24"], Edge.PropagatedPrefixes(Vpn));

        // BGP on tunnel 2 goes down too: nothing left to propagate.
        var changes = new List<VpnPrefixesChanged>();
        Edge.PropagatedPrefixesChanged += (_, e) => changes.Add(e);
        Edge.UpdateBgp(Vpn, 1, "Idle", []);
        Assert.Empty(Edge.PropagatedPrefixes(Vpn));
        Assert.Empty(Assert.Single(changes).Prefixes);
    }

    [Fact]
    public void A_child_rekey_under_traffic_loses_no_packet()
    {
        Establish();
        BgpUp(0);
        var customer = _customer[0];
        var oldChild = customer.Child!;
        var delivered = 0;
        void SiteToVpc(ushort seq)
        {
            Send(customer.EspFrame(EchoReplyFromSite(seq)));
            delivered++;
            Assert.Equal(delivered, _sim.ReceivedOn("eni-a1").Count);
        }

        SiteToVpc(1);
        customer.Sa!.RekeyChild(oldChild);
        DeliverCustomerToEdge();        // the edge (responder) installs the new child SA now ...
        SiteToVpc(2);                   // ... and still accepts the old one, the customer has not switched yet
        var vpcToSite = PingSite(3);    // the edge keeps sending under the old SA until the customer shows it has the new one
        Assert.Equal("192.168.50.5", Dst(vpcToSite));
        Pump();                         // the customer installs the new child and deletes the old
        Assert.NotSame(oldChild, customer.Child);
        SiteToVpc(4);
        Assert.DoesNotContain(_sim.Alarms, a => a.Edge is not null);
        Assert.NotNull(Assert.Single(Edge.DescribeVpnConnections()).Tunnels[0].LastRekey);

        // The old SA is gone once IKE deleted it.
        Send(customer.EspFrame(EchoReplyFromSite(5), oldChild));
        Assert.Contains(_sim.Alarms, a => a.Edge?.Reason == "esp-unknown-spi");
    }

    [Fact]
    public void Reloading_the_same_connection_keeps_its_sas_and_a_changed_key_resets_the_tunnel()
    {
        Establish();
        BgpUp(0);
        // What a live region does on every Mapping Service change: the region as the service holds it (JSON round trip).
        var region = RegionLoader.LoadFromString(RegionLoader.ToJson(_region), "service.json");
        Edge.Reload(region);
        Assert.Equal<string>(["UP", "UP"], Assert.Single(Edge.DescribeVpnConnections()).Tunnels.Select(t => t.Status));
        Assert.Equal<string>(["192.168.50.0/24"], Edge.PropagatedPrefixes(Vpn));
        Send(_customer[0].EspFrame(EchoReplyFromSite(1)));
        Assert.Single(_sim.ReceivedOn("eni-a1"));

        var rekeyed = region with
        {
            Vpcs = [region.Vpcs[0] with
            {
                VpnConnections = [region.Vpcs[0].VpnConnections[0], region.Vpcs[0].VpnConnections[1] with
                {
                    Tunnels = [region.Vpcs[0].VpnConnections[1].Tunnels[0] with { PreSharedKey = "another.key" }, region.Vpcs[0].VpnConnections[1].Tunnels[1]],
                }],
            }, .. region.Vpcs.Skip(1)],
        };
        Edge.Reload(rekeyed);
        Assert.Equal<string>(["DOWN", "DOWN"], Assert.Single(Edge.DescribeVpnConnections()).Tunnels.Select(t => t.Status));
    }

    [Fact]
    public void A_gateways_igmp_reports_to_link_local_multicast_are_counted_not_alarmed_and_options_to_the_edge_still_are()
    {
        // What Linux sends when the customer gateway's interface comes up: IGMPv3 reports to 224.0.0.22 with the Router
        // Alert option (IHL 6). Not for the edge, which routes no multicast: counted, no alarm, nothing forwarded.
        int Forwarded() => _sim.Substrate.Count + _sim.Received.Values.Sum(l => l.Count);
        var forwarded = Forwarded();
        Send(Ipv4WithRouterAlert(Ipv4Address.Parse("224.0.0.22")));
        Send(Ipv4WithRouterAlert(Ipv4Address.Parse("224.0.0.22")));
        Assert.Equal(2, Edge.Counters["drop.link-local-multicast"]);
        Assert.DoesNotContain(_sim.Alarms, a => a.Edge is not null);
        Assert.Equal(forwarded, Forwarded());

        // The same option on a packet to the edge's outside address is still an unsupported, alarmed drop.
        Send(Ipv4WithRouterAlert(Ipv4Address.ToUInt32(Outside1)));
        Assert.Equal(1, Edge.Counters["drop.unsupported"]);
        Assert.Contains(_sim.Alarms, a => a.Edge is { Reason: "unsupported", Port: Port });
    }

    /// <summary>An IGMPv3 membership report from the customer gateway to <paramref name="destination"/>, IHL 6 (Router Alert).</summary>
    private static byte[] Ipv4WithRouterAlert(uint destination)
    {
        byte[] report = [0x22, 0, 0, 0, 0, 0, 0, 0];
        var frame = new byte[EthernetHeader.Length + 24 + report.Length];
        EthernetHeader.Write(frame, EdgePorts.EdgeMac, EdgePorts.PeerMac, EthernetHeader.TypeIpv4);
        var ip = frame.AsSpan(EthernetHeader.Length);
        ip[0] = 0x46;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(24 + report.Length));
        ip[8] = 1;
        ip[9] = 2; // IGMP
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], Ipv4Address.ToUInt32(CustomerPublic));
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], destination);
        BinaryPrimitives.WriteUInt32BigEndian(ip[20..], 0x94040000); // Router Alert
        report.CopyTo(ip[24..]);
        return frame;
    }

    [Fact]
    public void A_wrong_pre_shared_key_leaves_the_tunnel_down()
    {
        _customer[0].Dispose();
        _customer[0] = new CustomerTunnel(Outside1, "not_the.key");
        _customer[0].Start();
        Pump();
        Assert.Equal("DOWN", Assert.Single(Edge.DescribeVpnConnections()).Tunnels[0].Status);
        Assert.True(Edge.Counters["ike.rx"] > 0);
    }

    [Fact]
    public void The_replay_window_is_the_tunnels_replayWindowSize()
    {
        var key = new byte[20];
        using var tx = new EspSecurityAssociation(300, key);
        using var rx = new EspSecurityAssociation(300, key, replayWindow: 1024);
        using var narrow = new EspSecurityAssociation(300, key);
        var packets = Enumerable.Range(0, 1100).Select(_ => tx.Encrypt(Ipv4Header.Build(new Ipv4Fields(1, 2, 17), [1, 2, 3]))!).ToList();
        Assert.Equal(EspRejection.None, rx.Decrypt(packets[1099], out _, out _));
        Assert.Equal(EspRejection.None, narrow.Decrypt(packets[1099], out _, out _));
        Assert.Equal(EspRejection.None, rx.Decrypt(packets[200], out _, out _));      // 900 behind: inside 1024
        Assert.Equal(EspRejection.Replay, narrow.Decrypt(packets[200], out _, out _)); // outside 64
        Assert.Equal(EspRejection.Replay, rx.Decrypt(packets[200], out _, out _));     // seen
        Assert.Equal(EspRejection.Replay, rx.Decrypt(packets[10], out _, out _));      // left of the window
    }

    // ---- harness -------------------------------------------------------------------------------

    private List<byte[]> Establish()
    {
        foreach (var c in _customer)
            c.Start();
        Pump();
        Assert.All(_customer, c => Assert.NotNull(c.Child));
        return [.. _sim.ReceivedOn(Port).Select(r => r.Data)];
    }

    private void BgpUp(int tunnel) => Edge.UpdateBgp(Vpn, tunnel, "Established", [new VpnLearnedRoute("192.168.50.0/24")]);

    /// <summary>eni-a1 pings the site; returns the inner packet the customer decrypted.</summary>
    private byte[] PingSite(ushort seq)
    {
        var before = _sim.ReceivedOn(Port).Count;
        _sim.Send("eni-a1", _time += 1000, Frames.IcmpEcho(GatewayMac, EniA1Mac, EniA1, SiteHost, 9, seq, "to the site"u8));
        var esp = Assert.Single(_sim.ReceivedOn(Port).Skip(before)).Data;
        var ip = Ip(esp);
        Assert.Equal(Ipv4Header.ProtocolUdp, Ipv4Header.Protocol(ip));
        Assert.Equal(4500, UdpHeader.SourcePort(ip[20..]));
        Assert.Equal(NatPort4500, UdpHeader.DestinationPort(ip[20..]));
        Assert.Equal("203.0.113.9", Dst(ip));
        var source = Ipv4Header.Source(ip);
        var tunnel = Array.FindIndex(_customer, c => Ipv4Address.ToUInt32(c.Edge) == source);
        var inner = _customer[tunnel].Decrypt(ip[28..].ToArray());
        _customer[tunnel].LastTunnelUsed = tunnel;
        return inner;
    }

    private static byte[] EchoReplyFromSite(ushort seq) => Ipv4Header.Build(
        new Ipv4Fields(Ipv4Address.ToUInt32(SiteHost), Ipv4Address.ToUInt32(EniA1), Ipv4Header.ProtocolIcmp), IcmpEcho.Build(9, seq, "from the site"u8, reply: true));

    private void Send(byte[] frame) => _sim.Send(Port, _time += 1000, frame);

    private void Pump()
    {
        for (var i = 0; i < 50; i++)
        {
            var moved = DeliverCustomerToEdge();
            moved += DeliverEdgeToCustomer();
            if (moved == 0)
                return;
        }
        Assert.Fail("IKE did not settle");
    }

    private int DeliverCustomerToEdge()
    {
        var n = 0;
        foreach (var c in _customer)
        {
            foreach (var d in c.TakeOutbox())
            {
                var natPort = d.Local.Port == NatTraversal.NatTPort ? NatPort4500 : (ushort)500;
                Send(Frames.Udp(EdgePorts.EdgeMac, PeerMac, CustomerPublic, d.Remote.Address, natPort, (ushort)d.Remote.Port, NatTraversal.Frame(d.Message.Span, d.Local.Port)));
                n++;
            }
        }
        return n;
    }

    private int DeliverEdgeToCustomer()
    {
        var frames = _sim.ReceivedOn(Port).Skip(_seen).ToList();
        _seen += frames.Count;
        foreach (var f in frames)
        {
            var ip = Ip(f.Data);
            Assert.Equal(Ipv4Header.ProtocolUdp, Ipv4Header.Protocol(ip));
            var udp = ip[20..];
            var payload = udp[8..].ToArray();
            var localPort = UdpHeader.DestinationPort(udp) == NatPort4500 ? NatTraversal.NatTPort : NatTraversal.IkePort;
            if (localPort == NatTraversal.NatTPort)
            {
                if (NatTraversal.Classify(payload) == Udp4500Kind.Esp)
                    continue; // traffic, read by the test itself
                payload = NatTraversal.StripMarker(payload).ToArray();
            }
            var from = Ipv4Address.FromUInt32(Ipv4Header.Source(ip));
            var customer = _customer.Single(c => c.Edge.Equals(from));
            customer.Endpoint.Receive(new IkeDatagram(new IPEndPoint(CustomerPrivate, localPort), new IPEndPoint(from, UdpHeader.SourcePort(udp)), payload));
        }
        return frames.Count;
    }

    /// <summary>The customer gateway's side of one tunnel: an IKEv2 initiator and the ESP of its newest child SA.</summary>
    private sealed class CustomerTunnel : IDisposable
    {
        private readonly List<IkeDatagram> _outbox = [];
        private readonly Dictionary<ChildSa, (EspSecurityAssociation Out, EspSecurityAssociation In)> _esp = [];

        public CustomerTunnel(IPAddress edge, string psk, NitroCard.Ike.Crypto.ChildSuite? espSuite = null)
        {
            Edge = edge;
            var config = new IkeConfig
            {
                PreSharedKey = [.. Encoding.UTF8.GetBytes(psk)],
                LocalId = IkeIdentity.Address(CustomerPublic),
                IkeProposals = [new NitroCard.Ike.Crypto.IkeSuite(EncryptionId.AesGcm16, 128, PrfId.HmacSha256, IntegrityId.None, 19)],
                ChildProposals = [espSuite ?? NitroCard.Ike.Crypto.ChildSuite.Gcm128],
            };
            Endpoint = new IkeEndpoint(config, new IPEndPoint(CustomerPrivate, NatTraversal.IkePort), TimeProvider.System, _outbox.Add, e =>
            {
                if (e is { Kind: IkeEventKind.ChildSaInstalled, Child: { } c })
                {
                    _esp[c] = (EspSecurityAssociation.ForChild(c.Suite, c.OutboundSpi, c.OutboundEncryptionKey, c.OutboundIntegrityKey),
                        EspSecurityAssociation.ForChild(c.Suite, c.InboundSpi, c.InboundEncryptionKey, c.InboundIntegrityKey));
                    Child = c;
                }
            });
        }

        public IPAddress Edge { get; }

        public IkeEndpoint Endpoint { get; }

        public IkeSa? Sa { get; private set; }

        public ChildSa? Child { get; private set; }

        public int LastTunnelUsed { get; set; } = -1;

        public void Start() => Sa = Endpoint.Initiate(new IPEndPoint(Edge, NatTraversal.IkePort));

        public List<IkeDatagram> TakeOutbox()
        {
            var list = _outbox.ToList();
            _outbox.Clear();
            return list;
        }

        /// <summary>ESP in UDP from the NAT's public side to the tunnel's outside address.</summary>
        public byte[] EspFrame(byte[] inner, ChildSa? child = null)
        {
            var esp = _esp[child ?? Child!].Out.Encrypt(inner)!;
            return Frames.Udp(EdgePorts.EdgeMac, PeerMac, CustomerPublic, Edge, NatPort4500, NatTraversal.NatTPort, esp);
        }

        public byte[] Decrypt(byte[] esp)
        {
            var spi = BinaryPrimitives.ReadUInt32BigEndian(esp);
            var sa = _esp.Values.Single(s => s.In.Spi == spi).In;
            Assert.Equal(EspRejection.None, sa.Decrypt(esp, out var inner, out _));
            return inner;
        }

        public void Dispose()
        {
            foreach (var (o, i) in _esp.Values)
            {
                o.Dispose();
                i.Dispose();
            }
            Endpoint.Dispose();
        }
    }
}
