using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Hashing;
using NitroCard.Packets;
using static NitroCard.Model.Tests.TestBench;

namespace NitroCard.Model.Tests;

/// <summary>
/// docs/card-filtering.md on the model, with <see cref="CardTopology.SampleWithFilters"/>: routes, network
/// ACLs, security groups, connection tracking with injected time. Expectations come from the spec.
/// </summary>
public class ModelCardFilteringTests
{
    private const ulong Second = 1_000_000;
    private static readonly IPAddress Any = IPAddress.Any;

    private sealed class Bench
    {
        public Bench(CardGeometry? geometry = null)
        {
            Card = new ModelCard(geometry ?? CardGeometry.Default);
            CardTopology.SampleWithFilters().LoadInto(Card);
        }

        public ModelCard Card { get; }

        public IReadOnlyList<CardFrame> Host { get; private set; } = [];

        public IReadOnlyList<CardFrame> Network { get; private set; } = [];

        public IReadOnlyList<CardAlarm> Alarms { get; private set; } = [];

        public EniFilterCounters Filter(int slot) => Card.ReadCounters().Filters[slot];

        public Bench At(ulong seconds, ulong micros = 0)
        {
            Card.SetTime((seconds * Second) + micros);
            return this;
        }

        public Bench Tx(int slot, byte[] frame)
        {
            Card.PushHost(slot, frame);
            return Run();
        }

        public Bench Rx(byte[] inner, IPAddress? outerSource = null, uint vni = VpcA)
        {
            Card.PushNetwork(Vxlan(vni, inner, outerSource ?? HostB));
            return Run();
        }

        private Bench Run()
        {
            Card.RunUntilIdle();
            Host = Card.DrainHost();
            Network = Card.DrainNetwork();
            Alarms = Card.DrainAlarms();
            return this;
        }

        public void Passed()
        {
            Assert.Empty(Alarms);
            Assert.Equal(1, Host.Count + Network.Count);
        }

        public CardAlarm Dropped(DropReason reason, int slot)
        {
            Assert.Empty(Host);
            Assert.Empty(Network);
            var alarm = Assert.Single(Alarms);
            Assert.Equal(reason, alarm.Reason);
            Assert.Equal(slot, alarm.Slot);
            return alarm;
        }
    }

    private static byte[] Tcp(uint vni, string src, string dst, ushort sport, ushort dport, TcpControl flags, ulong? dstMac = null)
        => Frames.Tcp(dstMac ?? GatewayMac, Mac(vni, src), Ip(src), Ip(dst), sport, dport, 1, 1, flags);

    /// <summary>A TCP segment arriving from outside (source MAC is whatever the remote sent).</summary>
    private static byte[] TcpIn(string src, string dst, ushort sport, ushort dport, TcpControl flags)
        => Frames.Tcp(0x02_00_00_00_00_99, 0x02_00_00_00_00_98, Ip(src), Ip(dst), sport, dport, 2, 2, flags);

    private static byte[] UdpIn(string src, string dst, ushort sport, ushort dport)
        => Frames.Udp(0x02_00_00_00_00_99, 0x02_00_00_00_00_98, Ip(src), Ip(dst), sport, dport, Payload(10));

    [Fact]
    public void Reply_traffic_needs_no_inbound_rule()
    {
        var b = new Bench().At(100);
        b.Tx(0, Tcp(VpcA, "10.0.1.10", "10.0.1.20", 40000, 5000, TcpControl.Syn)).Passed();
        b.Rx(TcpIn("10.0.1.20", "10.0.1.10", 5000, 40000, TcpControl.Syn | TcpControl.Ack)).Passed();
        Assert.Equal(Mac(VpcA, "10.0.1.10"), EthernetHeader.Destination(b.Host[0].Data));
        // Not a reply: a new inbound flow to a port no rule allows.
        b.Rx(TcpIn("10.0.1.20", "10.0.1.10", 5000, 40001, TcpControl.Syn)).Dropped(DropReason.SgDeny, 0);
        Assert.Equal(new EniFilterCounters(1, 1, 1, 0, 0), b.Filter(0));
        Assert.Equal(1UL, b.Card.ReadCounters()[DropReason.SgDeny]);
    }

    [Fact]
    public void A_removed_rule_stops_untracked_flows_at_once_and_tracked_flows_when_they_expire()
    {
        var b = new Bench().At(10);
        // Tracked: ssh into slot 0, allowed by the tcp 22 rule.
        b.Rx(TcpIn("10.0.1.20", "10.0.1.10", 50000, 22, TcpControl.Syn)).Passed();
        // Untracked: slot 1 allows everything both ways.
        b.Rx(UdpIn("10.0.1.20", "10.0.1.11", 7000, 7001)).Passed();

        b.Card.SetSecurityRules(0, new SecurityRules([], [FilterRule.AllTraffic]));
        b.Card.SetSecurityRules(1, new SecurityRules([], [FilterRule.AllTraffic]));
        b.Card.Commit();
        b.Rx(UdpIn("10.0.1.20", "10.0.1.11", 7000, 7001)).Dropped(DropReason.SgDeny, 1);
        b.At(10 + 432_000).Rx(TcpIn("10.0.1.20", "10.0.1.10", 50000, 22, TcpControl.Ack)).Passed();
        b.Tx(0, Tcp(VpcA, "10.0.1.10", "10.0.1.20", 22, 50000, TcpControl.Ack)).Passed();
        // Idle for one microsecond more than the established timeout: gone, and no rule lets it back in.
        b.At(10 + 432_000 + 432_000, 1).Rx(TcpIn("10.0.1.20", "10.0.1.10", 50000, 22, TcpControl.Ack)).Dropped(DropReason.SgDeny, 0);
    }

    [Fact]
    public void Udp_is_new_for_30_seconds_and_a_stream_once_replied()
    {
        var b = new Bench().At(1000);
        // One-way: the reply window is the UDP timeout (30 s for slot 2).
        b.Tx(2, Udp(VpcA, "10.0.2.10", "10.0.1.20", sourcePort: 3333, destinationPort: 53)).Passed();
        b.At(1030, 1).Rx(UdpIn("10.0.1.20", "10.0.2.10", 53, 3333)).Dropped(DropReason.SgDeny, 2);

        b.At(2000).Tx(2, Udp(VpcA, "10.0.2.10", "10.0.1.20", sourcePort: 4444, destinationPort: 53)).Passed();
        b.At(2030).Rx(UdpIn("10.0.1.20", "10.0.2.10", 53, 4444)).Passed(); // exactly the timeout: live; now a stream
        b.At(2090).Rx(UdpIn("10.0.1.20", "10.0.2.10", 53, 4444)).Passed(); // stream timeout 60 s
        b.At(2150, 1).Rx(UdpIn("10.0.1.20", "10.0.2.10", 53, 4444)).Dropped(DropReason.SgDeny, 2);
    }

    [Fact]
    public void Tcp_closes_after_fins_both_ways_or_a_reset_and_then_lasts_5_seconds()
    {
        var b = new Bench().At(50);
        b.Tx(0, Tcp(VpcA, "10.0.1.10", "10.0.1.20", 41000, 80, TcpControl.Syn)).Passed();
        b.Rx(TcpIn("10.0.1.20", "10.0.1.10", 80, 41000, TcpControl.Fin | TcpControl.Ack)).Passed();
        b.At(60).Rx(TcpIn("10.0.1.20", "10.0.1.10", 80, 41000, TcpControl.Ack)).Passed(); // one FIN: still open
        b.Tx(0, Tcp(VpcA, "10.0.1.10", "10.0.1.20", 41000, 80, TcpControl.Fin | TcpControl.Ack)).Passed(); // both: closed
        b.At(65).Rx(TcpIn("10.0.1.20", "10.0.1.10", 80, 41000, TcpControl.Ack)).Passed(); // retransmit within 5 s
        b.At(70, 1).Rx(TcpIn("10.0.1.20", "10.0.1.10", 80, 41000, TcpControl.Ack)).Dropped(DropReason.SgDeny, 0);

        b.At(100).Tx(0, Tcp(VpcA, "10.0.1.10", "10.0.1.20", 42000, 80, TcpControl.Syn)).Passed();
        b.Rx(TcpIn("10.0.1.20", "10.0.1.10", 80, 42000, TcpControl.Rst)).Passed();
        b.At(105, 1).Rx(TcpIn("10.0.1.20", "10.0.1.10", 80, 42000, TcpControl.Ack)).Dropped(DropReason.SgDeny, 0);
    }

    [Fact]
    public void Icmp_and_other_protocols_are_tracked_for_600_seconds_even_when_untracked()
    {
        var b = new Bench().At(0);
        b.Tx(1, Frames.IcmpEcho(GatewayMac, Mac(VpcA, "10.0.1.11"), Ip("10.0.1.11"), Ip("10.0.1.20"), 77, 1)).Passed();
        Assert.Equal(1, b.Card.ConntrackOccupied);
        b.At(600).Rx(Frames.IcmpEcho(Mac(VpcA, "10.0.1.11"), 0x02_00_00_00_00_98, Ip("10.0.1.20"), Ip("10.0.1.11"), 77, 1, reply: true)).Passed();

        // GRE (47) out of slot 0 is tracked by addresses and protocol.
        var gre = Frames.Ipv4(GatewayMac, Mac(VpcA, "10.0.1.10"), new Ipv4Fields(Ipv4Address.ToUInt32(Ip("10.0.1.10")), Ipv4Address.ToUInt32(Ip("10.0.1.20")), 47), Payload(8));
        var greBack = Frames.Ipv4(0x02_00_00_00_00_99, 0x02_00_00_00_00_98, new Ipv4Fields(Ipv4Address.ToUInt32(Ip("10.0.1.20")), Ipv4Address.ToUInt32(Ip("10.0.1.10")), 47), Payload(8));
        b.At(1000).Tx(0, gre).Passed();
        b.At(1600).Rx(greBack).Passed();
        b.At(2200, 1).Rx(greBack).Dropped(DropReason.SgDeny, 0);
    }

    [Fact]
    public void A_full_tracking_table_drops_new_flows_only()
    {
        var geometry = CardGeometry.Default with { Filtering = FilterGeometry.Default with { ConntrackBucketsLog2 = 2, ConntrackWays = 4 } };
        var b = new Bench(geometry).At(5);
        b.Tx(0, Tcp(VpcA, "10.0.1.10", "10.0.1.20", 45000, 443, TcpControl.Syn)).Passed();
        var exceeded = 0;
        for (var i = 0; i < 500; i++)
        {
            b.Tx(0, Tcp(VpcA, "10.0.1.10", "10.0.1.20", (ushort)(20000 + i), 443, TcpControl.Syn));
            if (b.Alarms.Count > 0)
            {
                Assert.Equal(DropReason.ConntrackFull, b.Dropped(DropReason.ConntrackFull, 0).Reason);
                exceeded++;
            }
            // The established flow keeps every packet, both ways.
            b.Tx(0, Tcp(VpcA, "10.0.1.10", "10.0.1.20", 45000, 443, TcpControl.Ack)).Passed();
            b.Rx(TcpIn("10.0.1.20", "10.0.1.10", 443, 45000, TcpControl.Ack)).Passed();
        }
        Assert.Equal(500 - 15, exceeded);
        var counters = b.Card.ReadCounters();
        Assert.Equal(0UL, counters.ConntrackFree);
        Assert.Equal((ulong)exceeded, counters.Filters[0].ConntrackAllowanceExceeded);
        Assert.Equal((ulong)exceeded, counters[DropReason.ConntrackFull]);
        Assert.Equal((ulong)exceeded, counters.Filters[0].SgDeniedOut);

        // Once the flood's flows expire, ways free up again; the sweeper returns them to CT_FREE.
        b.At(5 + 432_000 + 1).Tx(0, Tcp(VpcA, "10.0.1.10", "10.0.1.20", 46000, 443, TcpControl.Syn)).Passed();
        Assert.Equal(0UL, b.Card.ReadCounters().ConntrackFree);
        b.Card.Sweep();
        Assert.Equal(15UL, b.Card.ReadCounters().ConntrackFree);
    }

    [Fact]
    public void Network_acl_first_match_decides_and_the_final_rule_denies()
    {
        var b = new Bench().At(1);
        // Rule 100 denies tcp 8080 before rule 200 allows all.
        b.Rx(TcpIn("10.0.2.20", "10.0.1.10", 1234, 8080, TcpControl.Syn), HostB).Dropped(DropReason.NaclDeny, 0);
        // Rule 110 denies everything from 10.0.2.20, even ssh that the security group allows...
        b.Rx(TcpIn("10.0.2.20", "10.0.1.10", 1234, 22, TcpControl.Syn), HostB).Dropped(DropReason.NaclDeny, 0);
        // From 10.0.1.30, in the same subnet, the ACL is skipped (the security group allows ssh).
        b.Rx(TcpIn("10.0.1.30", "10.0.1.10", 1234, 22, TcpControl.Syn), HostC).Passed();
        // Egress rule 100: udp 9999 out of subnet 10.0.1.0/24 to another subnet.
        b.Tx(0, Udp(VpcA, "10.0.1.10", "10.0.2.20", destinationPort: 9999)).Dropped(DropReason.NaclDeny, 0);
        // Same port inside the subnet: the ACL does not apply.
        b.Tx(0, Udp(VpcA, "10.0.1.10", "10.0.1.20", destinationPort: 9999)).Passed();

        // An ACL whose only ingress rule allows tcp: everything else hits the implicit deny.
        b.Card.SetNetworkAcl(0, new NetworkAcl([new NetworkAclRule(10, FilterRule.ForTcp(new IPNetwork(Any, 0), 0, 65535), true)], [new NetworkAclRule(10, FilterRule.AllTraffic, true)]));
        b.Card.Commit();
        b.Rx(Frames.IcmpEcho(0x02_00_00_00_00_99, 0x02_00_00_00_00_98, Ip("10.0.2.20"), Ip("10.0.1.10"), 5, 5), HostB).Dropped(DropReason.NaclDeny, 0);
        b.Rx(TcpIn("10.0.2.20", "10.0.1.10", 1234, 22, TcpControl.Syn), HostB).Passed();
    }

    [Fact]
    public void The_ingress_acl_of_a_local_destination_applies_on_the_host_path()
    {
        var b = new Bench().At(1);
        // slot 2 (10.0.2.10, ACL 1) → slot 0 (10.0.1.10, ACL 0) tcp 8080: egress allows, ingress ACL 0 denies; the alarm names the input slot.
        b.Card.SetSecurityRules(2, SecurityRules.AllowAll);
        b.Card.Commit();
        b.Tx(2, Tcp(VpcA, "10.0.2.10", "10.0.1.10", 3000, 8080, TcpControl.Syn)).Dropped(DropReason.NaclDeny, 2);
        Assert.Equal(1UL, b.Filter(2).SgAllowedOut);
    }

    [Fact]
    public void Local_delivery_runs_the_egress_then_the_ingress_security_group()
    {
        var b = new Bench().At(1);
        b.Tx(0, Tcp(VpcA, "10.0.1.10", "10.0.2.10", 3000, 80, TcpControl.Syn)).Passed();
        Assert.Equal(2, b.Host[0].Slot);
        b.Tx(2, Tcp(VpcA, "10.0.2.10", "10.0.1.10", 80, 3000, TcpControl.Syn | TcpControl.Ack)).Passed(); // the reply, tracked at both slots
        b.Tx(1, Tcp(VpcA, "10.0.1.11", "10.0.2.10", 3000, 80, TcpControl.Syn)).Dropped(DropReason.SgDeny, 1); // only 10.0.1.10/32 may
        Assert.Equal(new EniFilterCounters(1, 1, 1, 0, 0), b.Filter(2));
    }

    [Fact]
    public void Blackhole_routes_drop_and_the_local_route_hides_them_inside_the_vpc()
    {
        var b = new Bench().At(1);
        b.Tx(0, Udp(VpcA, "10.0.1.10", "192.168.7.7")).Dropped(DropReason.Blackhole, 0);
        b.Tx(0, Udp(VpcA, "10.0.1.10", "203.0.113.7")).Dropped(DropReason.Blackhole, 0); // propagated /24
        b.Tx(0, Udp(VpcA, "10.0.1.10", "203.0.113.200")).Passed(); // static /25 to the edge
        b.Tx(0, Udp(VpcA, "10.0.1.10", "10.0.9.9")).Dropped(DropReason.UnknownDestination, 0); // local: mapping miss
    }

    [Fact]
    public void No_route_is_an_unknown_destination()
    {
        var b = new Bench().At(1);
        b.Tx(5, Udp(VpcB, "10.0.1.10", "8.8.8.8")).Dropped(DropReason.UnknownDestination, 5);
    }

    [Fact]
    public void Edge_routes_encapsulate_to_the_edge_with_the_gateway_and_eni_macs_and_replies_come_back()
    {
        var b = new Bench().At(1);
        var frame = Tcp(VpcA, "10.0.1.10", "52.217.3.4", 40100, 443, TcpControl.Syn, dstMac: 0x02_11_22_33_44_55);
        b.Tx(0, frame).Passed();
        var sent = b.Network[0].Data;
        Assert.Equal(frame.Length + 50, sent.Length);
        Assert.Equal(Ipv4Address.ToUInt32(CardTopology.SampleEdge), Ipv4Header.Destination(sent.AsSpan(14)));
        Assert.Equal(Ipv4Address.ToUInt32(Underlay), Ipv4Header.Source(sent.AsSpan(14)));
        Assert.Equal(VpcA, VxlanHeader.Vni(sent.AsSpan(42)));
        var inner = sent.AsSpan(50);
        Assert.Equal(GatewayMac, EthernetHeader.Destination(inner));
        Assert.Equal(Mac(VpcA, "10.0.1.10"), EthernetHeader.Source(inner));
        Assert.True(inner[12..].SequenceEqual(frame.AsSpan(12)));
        Assert.Equal(FlowHash.SourcePort(frame), UdpHeader.SourcePort(sent.AsSpan(34)));

        b.Rx(TcpIn("52.217.3.4", "10.0.1.10", 443, 40100, TcpControl.Syn | TcpControl.Ack), CardTopology.SampleEdge).Passed();
        b.Rx(TcpIn("52.217.3.4", "10.0.1.10", 443, 40101, TcpControl.Syn), CardTopology.SampleEdge).Dropped(DropReason.SgDeny, 0);
    }

    [Fact]
    public void Arp_is_never_filtered()
    {
        var b = new Bench().At(1);
        b.Tx(6, Frames.ArpRequest(Mac(VpcB, "10.0.1.12"), Ip("10.0.1.12"), Ip("10.0.1.1"))).Passed();
        Assert.Equal(6, b.Host[0].Slot);
    }

    [Fact]
    public void Flow_keys_hash_into_the_spec_bucket()
    {
        // crc32c of the ordered flow (13 bytes) decides the bucket; the lowest free way is used. Fill one bucket's 4 ways.
        var geometry = CardGeometry.Default with { Filtering = FilterGeometry.Default with { ConntrackBucketsLog2 = 4, ConntrackWays = 4 } };
        var b = new Bench(geometry).At(1);
        var local = Ipv4Address.ToUInt32(Ip("10.0.1.10"));
        var remote = Ipv4Address.ToUInt32(Ip("10.0.1.20"));
        var target = CardHash.ConntrackBucket(6, local, remote, 30000, 443, 16);
        var same = Enumerable.Range(30000, 5000).Where(p => CardHash.ConntrackBucket(6, local, remote, (ushort)p, 443, 16) == target).Take(5).ToList();
        foreach (var port in same.Take(4))
            b.Tx(0, Tcp(VpcA, "10.0.1.10", "10.0.1.20", (ushort)port, 443, TcpControl.Syn)).Passed();
        b.Tx(0, Tcp(VpcA, "10.0.1.10", "10.0.1.20", (ushort)same[4], 443, TcpControl.Syn)).Dropped(DropReason.ConntrackFull, 0);
        Assert.Equal((ulong)(64 - 4), b.Card.ReadCounters().ConntrackFree);
    }

    [Fact]
    public void A_card_without_filtering_geometry_forwards_without_filters()
    {
        var card = new ModelCard(CardGeometry.Default with { Filtering = null });
        CardTopology.Sample().LoadInto(card);
        Assert.Throws<NitroCardException>(() => CardTopology.SampleWithFilters().LoadInto(card));
        Assert.Throws<NitroCardException>(() => card.SetRouteTables([RouteTableSpec.LocalOnly]));
        Assert.Empty(card.ReadCounters().Filters);
    }

    [Fact]
    public void Tracked_frames_do_not_allocate()
    {
        var b = new Bench().At(1);
        var output = new byte[10000];
        var syn = Tcp(VpcA, "10.0.1.10", "10.0.1.20", 40000, 5000, TcpControl.Syn);
        var ack = Vxlan(VpcA, TcpIn("10.0.1.20", "10.0.1.10", 5000, 40000, TcpControl.Ack), HostB);
        var denied = Vxlan(VpcA, TcpIn("10.0.1.20", "10.0.1.10", 5000, 40001, TcpControl.Ack), HostB);
        var edge = Udp(VpcA, "10.0.1.10", "8.8.8.8", destinationPort: 53);
        for (var i = 0; i < 100; i++)
        {
            b.Card.ProcessHost(0, syn, output);
            b.Card.ProcessNetwork(ack, output);
            b.Card.ProcessNetwork(denied, output);
            b.Card.ProcessHost(0, edge, output);
            b.Card.DrainAlarms();
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            b.Card.ProcessHost(0, syn, output);
            b.Card.ProcessNetwork(ack, output);
            b.Card.ProcessHost(0, edge, output);
        }
        Assert.Equal(0L, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
