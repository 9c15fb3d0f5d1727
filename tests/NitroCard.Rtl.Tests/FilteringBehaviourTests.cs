using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.FlowRecords;
using NitroCard.Card.Hashing;
using NitroCard.Packets;
using static NitroCard.Rtl.Tests.TestHost;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// Route tables, network ACLs, security groups and connection tracking (docs/card-filtering.md),
/// with the same expectations on every engine in <see cref="FilteringEngines"/>.
/// </summary>
public class FilteringBehaviourTests
{
    /// <summary>The engines that implement docs/card-filtering.md: the Verilated card and the software model.</summary>
    public static TheoryData<string> FilteringEngines => new() { "rtl", "model" };

    private static readonly IPAddress Internet = IPAddress.Parse("198.51.100.7");
    private static readonly IPNetwork Vpc = IPNetwork.Parse("10.0.0.0/16");
    private static readonly IPNetwork Anywhere = IPNetwork.Parse("0.0.0.0/0");

    private static byte[] Tcp(TestEni from, ulong dstMac, IPAddress dst, ushort sport, ushort dport, TcpControl flags)
        => Frames.Tcp(dstMac, from.Mac.Value, from.Ip, dst, sport, dport, 1, 0, flags);

    private static byte[] Udp(TestEni from, ulong dstMac, IPAddress dst, ushort sport, ushort dport)
        => Frames.Udp(dstMac, from.Mac.Value, from.Ip, dst, sport, dport, new byte[20]);

    /// <summary>Blue's route table 0: the VPC local, the internet through the edge, one blackholed prefix.</summary>
    private static void StageRoutes(TestHost host)
        => host.Card.SetRouteTables(
        [
            new RouteTableSpec(Vpc,
            [
                new RouteSpec(Anywhere, RouteKind.Edge, EdgeIp: EdgeIp),
                new RouteSpec(IPNetwork.Parse("203.0.113.0/24"), RouteKind.Blackhole),
            ]),
        ]);

    [Theory]
    [MemberData(nameof(FilteringEngines))]
    public void Routes_send_the_internet_to_the_edge_blackhole_a_prefix_and_drop_what_has_no_route(string engine)
    {
        using var host = new TestHost(engine);
        StageRoutes(host);
        host.Card.Commit();

        var toInternet = Frames.IcmpEcho(GatewayMac.Value, BlueA1.Mac.Value, BlueA1.Ip, Internet, 1, 1);
        var sent = Assert.Single(host.SendFromEni(BlueA1, toInternet).Network);
        Assert.Equal(Ipv4Address.ToUInt32(EdgeIp), Ipv4Header.Destination(sent.Data.AsSpan(14)));
        Assert.Equal(BlueVni, VxlanHeader.Vni(sent.Data.AsSpan(42)));
        Assert.Equal(GatewayMac, MacAddress.Read(sent.Data.AsSpan(50)));
        Assert.Equal(BlueA1.Mac, MacAddress.Read(sent.Data.AsSpan(56)));
        Assert.Equal(toInternet.AsSpan(12).ToArray(), sent.Data.AsSpan(62).ToArray());

        var toBlackhole = Frames.IcmpEcho(GatewayMac.Value, BlueA1.Mac.Value, BlueA1.Ip, IPAddress.Parse("203.0.113.9"), 1, 1);
        Assert.Equal(DropReason.Blackhole, Dropped(host.SendFromEni(BlueA1, toBlackhole)));

        // Inside the VPC the local route wins: an unmapped VPC address is unknown, not sent to the edge.
        var toNobody = Frames.IcmpEcho(GatewayMac.Value, BlueA1.Mac.Value, BlueA1.Ip, IPAddress.Parse("10.0.7.7"), 1, 1);
        Assert.Equal(DropReason.UnknownDestination, Dropped(host.SendFromEni(BlueA1, toNobody)));

        host.Card.SetRouteTables([new RouteTableSpec(Vpc, [])]);
        host.Card.Commit();
        Assert.Equal(DropReason.UnknownDestination, Dropped(host.SendFromEni(BlueA1, toInternet)));
        Assert.Equal(1UL, host.Card.ReadCounters()[DropReason.Blackhole]);
    }

    [Theory]
    [MemberData(nameof(FilteringEngines))]
    public void A_network_acl_denies_by_first_match_only_across_a_subnet_boundary(string engine)
    {
        using var host = new TestHost(engine);
        host.Card.SetNetworkAcl(0, new NetworkAcl(
            Ingress: [new NetworkAclRule(100, FilterRule.AllTraffic, Allow: true)],
            Egress:
            [
                new NetworkAclRule(100, FilterRule.ForTcp(Anywhere, 8080, 8080), Allow: false),
                new NetworkAclRule(200, FilterRule.AllTraffic, Allow: true),
            ]));
        host.Card.Commit();

        // Blue-a1 (10.0.1.0/24) to blue-a2 (10.0.2.0/24): across the boundary, so the egress ACL applies.
        var denied = Tcp(BlueA1, GatewayMac.Value, BlueA2.Ip, 40000, 8080, TcpControl.Syn);
        Assert.Equal(DropReason.NaclDeny, Dropped(host.SendFromEni(BlueA1, denied)));
        Assert.Single(host.SendFromEni(BlueA1, Tcp(BlueA1, GatewayMac.Value, BlueA2.Ip, 40000, 80, TcpControl.Syn)).Host);

        // Blue-a1 to blue-a3 stays inside 10.0.1.0/24: no ACL.
        Assert.Single(host.SendFromEni(BlueA1, Tcp(BlueA1, BlueA3.Mac.Value, BlueA3.Ip, 40000, 8080, TcpControl.Syn)).Host);
        Assert.Equal(1UL, host.Card.ReadCounters()[DropReason.NaclDeny]);
    }

    [Theory]
    [MemberData(nameof(FilteringEngines))]
    public void Replies_need_no_rule_and_unsolicited_traffic_is_denied(string engine)
    {
        using var host = new TestHost(engine);
        // Blue-a3 accepts ssh from the VPC only and may send anything; blue-a1 may send anything, accepts nothing.
        host.Card.SetSecurityRules(BlueA3.Slot, new SecurityRules([FilterRule.ForTcp(Vpc, 22, 22)], [FilterRule.AllTraffic]));
        host.Card.SetSecurityRules(BlueA1.Slot, new SecurityRules([], [FilterRule.AllTraffic]));
        host.Card.Commit();

        Assert.Equal(DropReason.SgDeny, Dropped(host.SendFromEni(BlueA1, Tcp(BlueA1, BlueA3.Mac.Value, BlueA3.Ip, 40000, 80, TcpControl.Syn))));
        Assert.Single(host.SendFromEni(BlueA1, Tcp(BlueA1, BlueA3.Mac.Value, BlueA3.Ip, 40000, 22, TcpControl.Syn)).Host);
        // The reply to blue-a1 passes: blue-a1's egress created the flow.
        Assert.Single(host.SendFromEni(BlueA3, Tcp(BlueA3, BlueA1.Mac.Value, BlueA1.Ip, 22, 40000, TcpControl.Syn | TcpControl.Ack)).Host);
        // Unsolicited traffic to blue-a1 is denied.
        Assert.Equal(DropReason.SgDeny, Dropped(host.SendFromEni(BlueA3, Tcp(BlueA3, BlueA1.Mac.Value, BlueA1.Ip, 5555, 40001, TcpControl.Syn))));

        var counters = host.Card.ReadCounters();
        Assert.Equal(2UL, counters.Filters[BlueA1.Slot].SgDeniedIn + counters.Filters[BlueA3.Slot].SgDeniedIn);
    }

    [Theory]
    [MemberData(nameof(FilteringEngines))]
    public void Removing_a_rule_stops_untracked_flows_at_once_and_tracked_flows_only_when_they_expire(string engine)
    {
        using var host = new TestHost(engine);
        host.Card.SetTime(1_000_000);
        // Blue-a3 untracked (all traffic both ways); red and blue-a1 send anything.
        host.Card.SetSecurityRules(BlueA3.Slot, SecurityRules.AllowAll);
        host.Card.SetSecurityRules(BlueA1.Slot, new SecurityRules([FilterRule.ForTcp(Vpc, 22, 22)], [FilterRule.AllTraffic]));
        host.Card.Commit();

        // A tracked flow into blue-a1 (port 22) and an untracked one into blue-a3.
        Assert.Single(host.SendFromEni(BlueA3, Tcp(BlueA3, BlueA1.Mac.Value, BlueA1.Ip, 50000, 22, TcpControl.Syn)).Host);
        Assert.Single(host.SendFromEni(BlueA1, Tcp(BlueA1, BlueA3.Mac.Value, BlueA3.Ip, 50001, 80, TcpControl.Syn)).Host);

        // Both ENIs lose their ingress rules.
        host.Card.SetSecurityRules(BlueA3.Slot, new SecurityRules([], [FilterRule.AllTraffic]));
        host.Card.SetSecurityRules(BlueA1.Slot, new SecurityRules([], [FilterRule.AllTraffic]));
        host.Card.Commit();

        Assert.Single(host.SendFromEni(BlueA3, Tcp(BlueA3, BlueA1.Mac.Value, BlueA1.Ip, 50000, 22, TcpControl.Ack)).Host);
        Assert.Equal(DropReason.SgDeny, Dropped(host.SendFromEni(BlueA1, Tcp(BlueA1, BlueA3.Mac.Value, BlueA3.Ip, 50001, 80, TcpControl.Ack))));

        // The tracked flow ends when it has been idle longer than the TCP timeout.
        host.Card.SetTime(1_000_000 + (432_001UL * 1_000_000));
        Assert.Equal(DropReason.SgDeny, Dropped(host.SendFromEni(BlueA3, Tcp(BlueA3, BlueA1.Mac.Value, BlueA1.Ip, 50000, 22, TcpControl.Ack))));
    }

    [Theory]
    [MemberData(nameof(FilteringEngines))]
    public void With_flow_records_on_an_untracked_flow_is_counted_and_removing_the_rule_still_stops_it_at_once(string engine)
    {
        // docs/card-flow-records.md: the untracked flow into blue-a3 gets a count-only entry, which must not act as
        // an established entry once blue-a3 is tracked.
        using var host = new TestHost(engine);
        var records = (IFlowRecordSource)host.Card;
        records.SetFlowRecordInterval(BlueA3.Slot, 60);
        host.Card.SetTime(1_000_000);
        host.Card.SetSecurityRules(BlueA3.Slot, SecurityRules.AllowAll);
        host.Card.SetSecurityRules(BlueA1.Slot, new SecurityRules([], [FilterRule.AllTraffic]));
        host.Card.Commit();
        var capacity = (ulong)host.Card.Geometry.Filtering!.ConntrackCapacity;

        var syn = Tcp(BlueA1, BlueA3.Mac.Value, BlueA3.Ip, 50001, 80, TcpControl.Syn);
        Assert.Single(host.SendFromEni(BlueA1, syn).Host);
        var reply = Tcp(BlueA3, BlueA1.Mac.Value, BlueA1.Ip, 80, 50001, TcpControl.Syn | TcpControl.Ack);
        Assert.Single(host.SendFromEni(BlueA3, reply).Host);
        // Blue-a1's tracked entry and blue-a3's count-only one.
        Assert.Equal(capacity - 2, host.Card.ReadCounters().ConntrackFree);

        host.Card.SetSecurityRules(BlueA3.Slot, new SecurityRules([], [FilterRule.AllTraffic]));
        host.Card.Commit();
        var ack = Tcp(BlueA1, BlueA3.Mac.Value, BlueA3.Ip, 50001, 80, TcpControl.Ack);
        Assert.Equal(DropReason.SgDeny, Dropped(host.SendFromEni(BlueA1, ack)));

        // The count-only entry expires like a tracked TCP flow (432,000 s) and is recorded; the ACK is a reject.
        host.Card.SetTime(1_000_000 + (432_001UL * 1_000_000));
        if (engine == "rtl")
            host.Rtl.Card.Step((ulong)host.Card.Geometry.Filtering.ConntrackBuckets + 1024);
        (int, ushort, uint, ulong, bool, FlowRecordCause)[] expected =
        [
            (BlueA3.Slot, 80, 1, (ulong)reply.Length, false, FlowRecordCause.Expired),      // egress
            (BlueA3.Slot, 50001, 1, (ulong)syn.Length, false, FlowRecordCause.Expired),     // ingress
            (BlueA3.Slot, 50001, 1, (ulong)ack.Length, true, FlowRecordCause.Rejected),
        ];
        var drained = records.DrainFlowRecords().Select(r => (r.Slot, r.SourcePort, r.Packets, r.Bytes, r.Rejected, r.Cause));
        Assert.Equal(expected.Order(), drained.Order());
        Assert.Equal(0UL, records.FlowRecordOverflows);
    }

    [Theory]
    [MemberData(nameof(FilteringEngines))]
    public void Udp_replies_pass_until_the_udp_timeout_and_a_stream_lives_longer(string engine)
    {
        using var host = new TestHost(engine);
        host.Card.SetSecurityRules(BlueA3.Slot, new SecurityRules([FilterRule.ForUdp(Vpc, 53, 53)], []));
        host.Card.SetSecurityRules(BlueA1.Slot, new SecurityRules([], [FilterRule.AllTraffic]));
        host.Card.Commit();
        const ulong second = 1_000_000;
        host.Card.SetTime(10 * second);

        Assert.Single(host.SendFromEni(BlueA1, Udp(BlueA1, BlueA3.Mac.Value, BlueA3.Ip, 3333, 53)).Host);
        host.Card.SetTime(40 * second);
        Assert.Single(host.SendFromEni(BlueA3, Udp(BlueA3, BlueA1.Mac.Value, BlueA1.Ip, 53, 3333)).Host);

        // Seen both ways: a stream, idle timeout 180 s. At 200 s (160 s idle) it still passes.
        host.Card.SetTime(200 * second);
        Assert.Single(host.SendFromEni(BlueA3, Udp(BlueA3, BlueA1.Mac.Value, BlueA1.Ip, 53, 3333)).Host);

        // A new one-way flow times out after 30 s.
        Assert.Single(host.SendFromEni(BlueA1, Udp(BlueA1, BlueA3.Mac.Value, BlueA3.Ip, 4444, 53)).Host);
        host.Card.SetTime(231 * second);
        Assert.Equal(DropReason.SgDeny, Dropped(host.SendFromEni(BlueA3, Udp(BlueA3, BlueA1.Mac.Value, BlueA1.Ip, 53, 4444))));
    }

    [Theory]
    [MemberData(nameof(FilteringEngines))]
    public void A_full_tracking_bucket_drops_new_flows_only_while_an_established_flow_keeps_every_packet(string engine)
    {
        using var host = new TestHost(engine);
        host.Card.SetSecurityRules(BlueA1.Slot, new SecurityRules([], [FilterRule.AllTraffic]));
        host.Card.SetSecurityRules(BlueA3.Slot, new SecurityRules([FilterRule.AllTraffic], []));
        host.Card.Commit();
        var filtering = host.Card.Geometry.Filtering!;

        // Blue-a1 → blue-a3 TCP flows (source port, destination port) that share one tracking bucket. Both ENIs are
        // on this card and tracked, so a flow takes two ways of the bucket: a1's egress entry and a3's ingress entry.
        var a1 = Ipv4Address.ToUInt32(BlueA1.Ip);
        var a3 = Ipv4Address.ToUInt32(BlueA3.Ip);
        int Bucket((ushort Source, ushort Destination) f) => CardHash.ConntrackBucket(6, a1, a3, f.Source, f.Destination, filtering.ConntrackBuckets);
        var flows = new List<(ushort Source, ushort Destination)> { (40000, 80) };
        var target = Bucket(flows[0]);
        Assert.Equal(target, CardHash.ConntrackBucket(6, a3, a1, 80, 40000, filtering.ConntrackBuckets));
        for (var i = 0; flows.Count < (filtering.ConntrackWays / 2) + 3; i++)
        {
            var candidate = ((ushort)(1024 + (i % 60000)), (ushort)(1 + (i / 60000)));
            if (Bucket(candidate) == target)
                flows.Add(candidate);
        }
        byte[] Segment((ushort Source, ushort Destination) f, TcpControl flags) => Tcp(BlueA1, BlueA3.Mac.Value, BlueA3.Ip, f.Source, f.Destination, flags);

        // The established flow takes two ways; the flood fills the rest and then overflows.
        Assert.Single(host.SendFromEni(BlueA1, Segment(flows[0], TcpControl.Syn)).Host);
        var full = 0;
        foreach (var flow in flows.Skip(1))
        {
            var flood = host.SendFromEni(BlueA1, Segment(flow, TcpControl.Syn));
            if (flood.Alarms.Count == 1 && flood.Alarms[0].Reason == DropReason.ConntrackFull)
                full++;
            Assert.Single(host.SendFromEni(BlueA1, Segment(flows[0], TcpControl.Ack)).Host);
        }
        Assert.Equal(3, full);
        var counters = host.Card.ReadCounters();
        Assert.Equal(3UL, counters[DropReason.ConntrackFull]);
        Assert.Equal(3UL, counters.Filters[BlueA1.Slot].ConntrackAllowanceExceeded);
    }
}
