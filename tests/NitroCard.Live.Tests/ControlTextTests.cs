using System.Collections.Immutable;
using System.Net;
using NitroCard.Card;
using NitroCard.Edge;
using NitroCard.Live.Control;
using NitroCard.Region;

namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 12: the control replies are typed; <c>nitroctl card</c> and <c>describe-vpn-connections</c> print them as the line
/// protocol's text did (docs/live-region.md, "nitroctl card"), byte for byte.
/// </summary>
public sealed class ControlTextTests
{
    [Fact]
    public void Card_counters_print_as_ethtool_with_the_drops_around_the_card()
    {
        var reply = new CardCountersReply
        {
            Host = "host-a",
            Enis =
            {
                new EniCountersReply { Slot = 0, EniId = "eni-a1", TxPackets = 1, TxBytes = 42, RxPackets = 2, RxBytes = 84, PumpQueueOverflow = 3, TapWriteFailed = 4, TapTxDropped = 5, TapRxDropped = 6 },
                new EniCountersReply { Slot = 2, EniId = "eni-a2" },
            },
            NetworkPumpQueueOverflow = 7,
            NetworkTapWriteFailed = 8,
            Drops = { new DropCounter { Reason = "malformed", Count = 9 }, new DropCounter { Reason = "spoofed-source", Count = 10 } },
            ConntrackAllowanceExceeded = 11,
            ConntrackAllowanceAvailable = 12,
            AlarmOverflow = 13,
            SubstrateToCard = new SubstrateFaultCounters { Dropped = 14, Duplicated = 15, Reordered = 16 },
            SubstrateFromCard = new SubstrateFaultCounters { Dropped = 17, Duplicated = 18, Reordered = 19 },
        };

        Assert.Equal("""
            NIC statistics (host-a):
                 eni_0_id: eni-a1
                 eni_0_tx_cnt: 1
                 eni_0_tx_bytes: 42
                 eni_0_rx_cnt: 2
                 eni_0_rx_bytes: 84
                 eni_0_pump_queue_overflow: 3
                 eni_0_tap_write_failed: 4
                 eni_0_tap_tx_dropped: 5
                 eni_0_tap_rx_dropped: 6
                 eni_2_id: eni-a2
                 eni_2_tx_cnt: 0
                 eni_2_tx_bytes: 0
                 eni_2_rx_cnt: 0
                 eni_2_rx_bytes: 0
                 network_pump_queue_overflow: 7
                 network_tap_write_failed: 8
                 substrate_to_card_dropped: 14
                 substrate_to_card_duplicated: 15
                 substrate_to_card_reordered: 16
                 substrate_from_card_dropped: 17
                 substrate_from_card_duplicated: 18
                 substrate_from_card_reordered: 19
                 drop_malformed: 9
                 drop_spoofed_source: 10
                 conntrack_allowance_exceeded: 11
                 conntrack_allowance_available: 12
                 alarm_overflow: 13

            """, ControlText.Counters(new CountersReply { Card = reply }));
    }

    [Fact]
    public void Card_counters_without_a_pump_or_kernel_drops_leave_those_lines_out_and_list_every_drop_reason()
    {
        var region = RegionLoader.Load(RepoPaths.File("docs/examples/region.json"));
        var plan = RegionCompiler.ForHost(region, "host-a");
        var drops = new ulong[DropReasonNames.Count];
        drops[(int)DropReason.ConntrackFull] = 5;
        var counters = new CardCounters(drops, new EniCounters[plan.Geometry.EniSlots], 0, ConntrackFree: 9);
        var kernel = plan.Enis.ToDictionary(e => e.Slot, _ => ((long Rx, long Tx)?)null);

        var reply = ControlReplies.Counters(plan, counters, drops: null, kernel);
        var text = ControlText.Counters(reply);

        Assert.Equal(plan.Enis.Select(e => e.EniId), reply.Enis.Select(e => e.EniId));
        Assert.DoesNotContain("pump_queue_overflow", text, StringComparison.Ordinal);
        Assert.DoesNotContain("tap_", text, StringComparison.Ordinal);
        Assert.Equal(DropReasonNames.Count, text.Split('\n').Count(l => l.StartsWith("     drop_", StringComparison.Ordinal)));
        Assert.Contains("     drop_conntrack_full: 5\n     drop_mtu_exceeded: 0\n", text, StringComparison.Ordinal);
        Assert.EndsWith("     conntrack_allowance_exceeded: 5\n     conntrack_allowance_available: 9\n     alarm_overflow: 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Edge_counters_print_by_name_under_the_edge()
    {
        var reply = new EdgeCountersReply { Edge = "blackfoot-1", Counters = { new NamedCounter { Name = "drop.no-route", Value = 2 }, new NamedCounter { Name = "esp.decrypted.vpn-1.tunnel1", Value = 0 } } };

        Assert.Equal("edge statistics (blackfoot-1):\n     drop.no-route: 2\n     esp.decrypted.vpn-1.tunnel1: 0\n",
            ControlText.Counters(new CountersReply { Edge = reply }));
    }

    [Fact]
    public void Alarms_print_one_line_each_an_absent_edge_address_as_a_dash()
    {
        var card = ControlReplies.Alarm(new CardAlarm(1234, DropReason.SpoofedSource, 1, 100, IPAddress.Parse("192.0.2.9"), IPAddress.Parse("10.0.0.5"), IPAddress.Parse("10.0.0.6")));
        var edge = ControlReplies.Alarm(new EdgeAlarm("unknown-public-ip", "internet", 0, null, "203.0.113.7", null));

        Assert.Equal("cycle 1234 spoofed-source slot 1 vni 100 outer-src 192.0.2.9 inner 10.0.0.5 -> 10.0.0.6\n", ControlText.Alarms(new AlarmsReply { Card = { card } }));
        Assert.Equal("unknown-public-ip port internet vni 0 outer-src - inner 203.0.113.7 -> -\n", ControlText.Alarms(new AlarmsReply { Edge = { edge } }));
        Assert.Equal("", ControlText.Alarms(new AlarmsReply()));
    }

    [Fact]
    public void Traces_print_what_happened_to_whose_card()
    {
        Assert.Equal("tracing host-a's card to /tmp/run.fst\n", ControlText.Trace(new TraceReply { Host = "host-a", Tracing = true, File = "/tmp/run.fst" }));
        Assert.Equal("trace of host-a's card stopped\n", ControlText.Trace(new TraceReply { Host = "host-a" }));
    }

    [Fact]
    public void Vpn_connections_print_per_tunnel_as_vgw_telemetry()
    {
        var rekey = new DateTimeOffset(2026, 1, 2, 4, 4, 5, TimeSpan.FromHours(1));
        var up = new VpnTunnelStatus("198.51.100.201", "169.254.10.1/30", "169.254.10.2/30", "UP", true, true,
            "AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256", "AES_GCM_16_256", true, rekey, "Established", ["192.168.0.0/16", "172.16.0.0/24"], true);
        var down = new VpnTunnelStatus("198.51.100.202", "169.254.11.1/30", "169.254.11.2/30", "DOWN", false, false, null, null, false, null, "Connect", [], false);
        var bgp = new VpnConnectionStatus("vpn-1", "vpc-1", "198.51.100.10", "bgp", [up, down], ["192.168.0.0/16"]);
        var statics = new VpnConnectionStatus("vpn-2", "vpc-2", "198.51.100.11", "static",
            [down with { BgpState = null, OutsideIpAddress = "198.51.100.203" }], ImmutableArray<string>.Empty);

        var text = ControlText.VpnConnections(new VpnConnectionsReply { Connections = { ControlReplies.VpnConnection(bgp), ControlReplies.VpnConnection(statics) } });

        Assert.Equal("""
            vpn-1 vpc-1 customer-gateway 198.51.100.10 routing bgp prefixes 192.168.0.0/16
              tunnel1 198.51.100.201 inside 169.254.10.1/30 status UP (preferred) ike ESTABLISHED AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256 child INSTALLED AES_GCM_16_256 in UDP 4500 last-rekey 2026-01-02 03:04:05Z bgp Established prefixes 192.168.0.0/16,172.16.0.0/24
              tunnel2 198.51.100.202 inside 169.254.11.1/30 status DOWN ike - child - last-rekey - bgp Connect prefixes -
            vpn-2 vpc-2 customer-gateway 198.51.100.11 routing static prefixes -
              tunnel1 198.51.100.203 inside 169.254.11.1/30 status DOWN ike - child - last-rekey -

            """, text);
    }
}
