using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Hashing;
using NitroCard.Packets;
using static NitroCard.Rtl.Tests.TestHost;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// Frames aimed at paths the forwarding, filtering and differential tests leave untaken (docs/benchmarks/rtl-coverage.md):
/// the RX length checks between the outer headers and the inner frame, an ARP request longer than a beat, both ports
/// alarming into a full alarm FIFO, a security group range longer than one row of the rule memories, the
/// receiver's ACL and tracking table deciding a TX-local packet the sender's side let through. Same expectations on the
/// Verilated card and on the model.
/// </summary>
public class RarePathBehaviourTests
{
    private static readonly IPNetwork Vpc = IPNetwork.Parse("10.0.0.0/16");

    private static byte[] Tcp(TestEni from, TestEni to, ushort sport, ushort dport, TcpControl flags = TcpControl.Syn)
        => Frames.Tcp(to.Mac.Value, from.Mac.Value, from.Ip, to.Ip, sport, dport, 1, 0, flags);

    /// <summary>An outer IPv4/UDP frame to this card's underlay address from host B, checksum right, UDP payload as given.</summary>
    private static byte[] OuterUdp(ushort destinationPort, ReadOnlySpan<byte> udpPayload)
    {
        var src = Ipv4Address.ToUInt32(UnderlayB);
        var dst = Ipv4Address.ToUInt32(UnderlayA);
        return Frames.Ipv4(UnderlayMacA.Value, 0x02_4e_c0_00_02_0c, new Ipv4Fields(src, dst, Ipv4Header.ProtocolUdp),
            UdpHeader.Build(src, dst, 50000, destinationPort, udpPayload, withChecksum: false));
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Rx_frames_too_short_for_udp_vxlan_or_an_inner_frame_are_malformed(string engine)
    {
        using var host = new TestHost(engine);
        var src = Ipv4Address.ToUInt32(UnderlayB);
        var dst = Ipv4Address.ToUInt32(UnderlayA);

        // 40 bytes: a valid IPv4 header (total length 26) carrying 6 bytes of a UDP header.
        var truncatedUdp = Frames.Ipv4(UnderlayMacA.Value, 0x02_4e_c0_00_02_0c, new Ipv4Fields(src, dst, Ipv4Header.ProtocolUdp), new byte[6]);
        Assert.Equal(40, truncatedUdp.Length);
        // 46 bytes: UDP to 4789 whose length agrees with IPv4's, but only 4 bytes of the 8-byte VXLAN header.
        var truncatedVxlan = OuterUdp(4789, [0x08, 0, 0, 0]);
        Assert.Equal(46, truncatedVxlan.Length);
        // A whole VXLAN header whose total length leaves 4 bytes of inner frame (padded to the 60-byte minimum).
        var innerStub = Frames.Pad(VxlanHeader.Encapsulate(new byte[4], UnderlayMacA.Value, 0x02_4e_c0_00_02_0c, src, dst, BlueVni));

        foreach (var frame in new[] { truncatedUdp, truncatedVxlan, innerStub })
            Assert.Equal(DropReason.Malformed, Dropped(host.SendFromNetwork(frame)));

        // The same host's well-formed frame still crosses.
        var inner = Frames.IcmpEcho(BlueA1.Mac.Value, BlueB1.Mac.Value, BlueB1.Ip, BlueA1.Ip, 1, 1, new byte[32]);
        Assert.Equal(BlueA1.Slot, Assert.Single(host.SendFromNetwork(VxlanHeader.Encapsulate(inner, UnderlayMacA.Value, 0x02_4e_c0_00_02_0c, src, dst, BlueVni)).Host).Slot);
        Assert.Equal(3UL, host.Card.ReadCounters()[DropReason.Malformed]);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void An_arp_request_longer_than_a_beat_gets_the_same_one_beat_reply(string engine)
    {
        using var host = new TestHost(engine);
        var request = Frames.ArpRequest(BlueA1.Mac.Value, BlueA1.Ip, BlueB1.Ip);
        var expected = Frames.ArpReply(BlueB1.Mac.Value, BlueB1.Ip, BlueA1.Mac.Value, BlueA1.Ip);
        foreach (var length in new[] { 65, 128, 300 })
        {
            var outcome = host.SendFromEni(BlueA1, Frames.Pad(request, length, fill: 0xA5));
            Assert.Equal(expected, Assert.Single(outcome.Host).Data);
            Assert.Empty(outcome.Network);
            Assert.Empty(outcome.Alarms);
        }
        // The discarded beats of the long requests leave nothing behind: the next frame is forwarded as usual.
        Assert.Single(host.SendFromEni(BlueA1, Frames.IcmpEcho(BlueB1.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, BlueB1.Ip, 1, 1)).Network);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Alarms_from_both_ports_fill_the_alarm_fifo_and_every_lost_alarm_is_counted(string engine)
    {
        using var host = new TestHost(engine);
        const int PerPort = 70;
        // One-beat frames on both ports at once: TX from a slot without an ENI, RX for another host's underlay address.
        var notOnHost = Frames.Pad(Frames.Ipv4(UnderlayMacA.Value, 0x02_4e_c0_00_02_0c,
            new Ipv4Fields(Ipv4Address.ToUInt32(UnderlayB), Ipv4Address.ToUInt32(UnderlayC), Ipv4Header.ProtocolUdp), new byte[8]));
        for (var i = 0; i < PerPort; i++)
        {
            host.Card.PushHost(9, Frames.Pad([], 60));
            host.Card.PushNetwork(notOnHost);
        }
        var outcome = host.Run();
        Assert.Empty(outcome.Host);
        Assert.Empty(outcome.Network);
        var counters = host.Card.ReadCounters();
        Assert.Equal((ulong)PerPort, counters[DropReason.SourceCheck]);
        Assert.Equal((ulong)PerPort, counters[DropReason.NotOnHost]);
        // The FIFO holds 64 alarms, the oldest; the rest are counted, none is lost without a count.
        Assert.Equal(64, outcome.Alarms.Count);
        Assert.Equal((ulong)((2 * PerPort) - 64), counters.AlarmOverflow);
        Assert.All(outcome.Alarms, a => Assert.Contains(a.Reason, new[] { DropReason.SourceCheck, DropReason.NotOnHost }));
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void A_receiver_range_longer_than_one_rule_row_is_scanned_to_its_end(string engine)
    {
        using var host = new TestHost(engine);
        // Blue-a3 accepts TCP 1001..1006 only (six rules: more than one row of four); blue-a1 may send anything.
        var ingress = Enumerable.Range(1001, 6).Select(p => FilterRule.ForTcp(Vpc, p, p)).ToArray();
        host.Card.SetSecurityRules(BlueA3.Slot, new SecurityRules(ingress, []));
        host.Card.SetSecurityRules(BlueA1.Slot, new SecurityRules([], [FilterRule.AllTraffic]));
        host.Card.Commit();

        // A TX-local packet: a1's egress passes on its probe, a3's ingress needs the scan; no rule matches.
        Assert.Equal(DropReason.SgDeny, Dropped(host.SendFromEni(BlueA1, Tcp(BlueA1, BlueA3, 40000, 9999))));
        // The last rule of the range matches: delivered, and the reply is tracked both ways.
        Assert.Single(host.SendFromEni(BlueA1, Tcp(BlueA1, BlueA3, 40001, 1006)).Host);
        Assert.Single(host.SendFromEni(BlueA3, Tcp(BlueA3, BlueA1, 1006, 40001, TcpControl.Syn | TcpControl.Ack)).Host);
        // From the substrate the same range decides the RX op alone.
        var src = Ipv4Address.ToUInt32(UnderlayB);
        var fromB = Frames.Tcp(BlueA3.Mac.Value, BlueB1.Mac.Value, BlueB1.Ip, BlueA3.Ip, 40002, 9998, 1, 0, TcpControl.Syn);
        Assert.Equal(DropReason.SgDeny, Dropped(host.SendFromNetwork(VxlanHeader.Encapsulate(fromB, UnderlayMacA.Value, 0x02_4e_c0_00_02_0c, src, Ipv4Address.ToUInt32(UnderlayA), BlueVni))));

        var counters = host.Card.ReadCounters();
        Assert.Equal(2UL, counters[DropReason.SgDeny]);
        Assert.Equal(2UL, counters.Filters[BlueA3.Slot].SgDeniedIn);
        Assert.Equal(1UL, counters.Filters[BlueA3.Slot].SgAllowedIn);
        Assert.Equal(2UL, counters.Filters[BlueA1.Slot].SgAllowedOut);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void The_receivers_ingress_acl_drops_a_tx_local_packet_the_senders_side_let_through(string engine)
    {
        using var host = new TestHost(engine);
        // Every ENI uses ACL 0: egress open, ingress denies TCP 8080.
        host.Card.SetNetworkAcl(0, new NetworkAcl(
            Ingress:
            [
                new NetworkAclRule(100, FilterRule.ForTcp(IPNetwork.Parse("0.0.0.0/0"), 8080, 8080), Allow: false),
                new NetworkAclRule(200, FilterRule.AllTraffic, Allow: true),
            ],
            Egress: [new NetworkAclRule(100, FilterRule.AllTraffic, Allow: true)]));
        host.Card.Commit();

        // Blue-a1 (10.0.1.0/24) to blue-a2 (10.0.2.0/24): across a subnet boundary, so a2's ingress ACL applies.
        Assert.Equal(DropReason.NaclDeny, Dropped(host.SendFromEni(BlueA1, Tcp(BlueA1, BlueA2, 40000, 8080))));
        Assert.Single(host.SendFromEni(BlueA1, Tcp(BlueA1, BlueA2, 40000, 80)).Host);
        var counters = host.Card.ReadCounters();
        Assert.Equal(1UL, counters[DropReason.NaclDeny]);
        Assert.Equal(0UL, counters[DropReason.SgDeny]);
        Assert.Equal(1UL, counters.Enis[BlueA2.Slot].RxPackets);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void A_tx_local_flow_whose_receiver_entry_finds_no_way_is_conntrack_full_at_the_receiver(string engine)
    {
        using var host = new TestHost(engine);
        host.Card.SetSecurityRules(BlueA1.Slot, new SecurityRules([], [FilterRule.AllTraffic]));
        host.Card.SetSecurityRules(BlueA3.Slot, new SecurityRules([FilterRule.AllTraffic], []));
        host.Card.Commit();
        var filtering = host.Card.Geometry.Filtering!;
        Assert.True(filtering.ConntrackWays % 2 == 0, "the fill below leaves one way free only with an even number of ways");

        // Flows of blue-a1 that share one tracking bucket: to blue-b1 (one way: a1's egress entry) and to blue-a3 (two
        // ways: a1's egress entry and a3's ingress entry).
        var a1 = Ipv4Address.ToUInt32(BlueA1.Ip);
        var a3 = Ipv4Address.ToUInt32(BlueA3.Ip);
        var b1 = Ipv4Address.ToUInt32(BlueB1.Ip);
        var target = CardHash.ConntrackBucket(6, a1, b1, 40000, 80, filtering.ConntrackBuckets);
        var local = new List<(ushort Source, ushort Destination)>();
        for (var i = 0; local.Count < filtering.ConntrackWays / 2; i++)
        {
            var candidate = ((ushort)(1024 + (i % 60000)), (ushort)(1 + (i / 60000)));
            if (CardHash.ConntrackBucket(6, a1, a3, candidate.Item1, candidate.Item2, filtering.ConntrackBuckets) == target)
                local.Add(candidate);
        }

        // One remote flow and ways / 2 - 1 local ones leave one way free: the next local flow's egress entry takes it
        // and its receiver's entry finds none.
        Assert.Single(host.SendFromEni(BlueA1, Frames.Tcp(BlueB1.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, BlueB1.Ip, 40000, 80, 1, 0, TcpControl.Syn)).Network);
        foreach (var (source, destination) in local.SkipLast(1))
            Assert.Single(host.SendFromEni(BlueA1, Tcp(BlueA1, BlueA3, source, destination)).Host);
        Assert.Equal(DropReason.ConntrackFull, Dropped(host.SendFromEni(BlueA1, Tcp(BlueA1, BlueA3, local[^1].Source, local[^1].Destination))));

        var counters = host.Card.ReadCounters();
        Assert.Equal(1UL, counters[DropReason.ConntrackFull]);
        Assert.Equal(1UL, counters.Filters[BlueA3.Slot].ConntrackAllowanceExceeded);
        Assert.Equal(0UL, counters.Filters[BlueA1.Slot].ConntrackAllowanceExceeded);
        Assert.Equal(1UL, counters.Filters[BlueA3.Slot].SgDeniedIn);
    }
}
