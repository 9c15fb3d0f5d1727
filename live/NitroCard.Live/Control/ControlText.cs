using System.Globalization;
using System.Text;
using NitroCard.Edge;

namespace NitroCard.Live.Control;

/// <summary>
/// The control replies as <c>nitroctl card</c> and <c>nitroctl describe-vpn-connections</c> print them (docs/live-region.md):
/// a card's counters as <c>ethtool -S</c> prints a NIC's, one line per alarm, the VPN connections as AWS's VGW telemetry.
/// </summary>
public static class ControlText
{
    /// <summary>
    /// A card's counters with ENA's names where ENA has one, and the frames lost around the card per ENI:
    /// <c>pump_queue_overflow</c> (read from the TAP, the queue to the card full), <c>tap_write_failed</c> (the card
    /// delivered it, the kernel refused it), and the kernel's own drops on the instance's <c>eth0</c>: <c>tap_tx_dropped</c>
    /// (sent by the instance, never read by the pump) and <c>tap_rx_dropped</c> (written by the pump, never received by the
    /// instance); the substrate faults the pump injected, each direction (<c>substrate_to_card_*</c>, <c>substrate_from_card_*</c>);
    /// the edge's counters by name.
    /// </summary>
    public static string Counters(CountersReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return reply.NodeCase switch
        {
            CountersReply.NodeOneofCase.Card => Counters(reply.Card),
            CountersReply.NodeOneofCase.Edge => Counters(reply.Edge),
            _ => "",
        };
    }

    public static string Counters(CardCountersReply card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"NIC statistics ({card.Host}):");
        foreach (var eni in card.Enis)
        {
            var prefix = $"     eni_{eni.Slot}_";
            text.AppendLine(CultureInfo.InvariantCulture, $"{prefix}id: {eni.EniId}");
            text.AppendLine(CultureInfo.InvariantCulture, $"{prefix}tx_cnt: {eni.TxPackets}");
            text.AppendLine(CultureInfo.InvariantCulture, $"{prefix}tx_bytes: {eni.TxBytes}");
            text.AppendLine(CultureInfo.InvariantCulture, $"{prefix}rx_cnt: {eni.RxPackets}");
            text.AppendLine(CultureInfo.InvariantCulture, $"{prefix}rx_bytes: {eni.RxBytes}");
            if (eni.HasPumpQueueOverflow)
                text.AppendLine(CultureInfo.InvariantCulture, $"{prefix}pump_queue_overflow: {eni.PumpQueueOverflow}");
            if (eni.HasTapWriteFailed)
                text.AppendLine(CultureInfo.InvariantCulture, $"{prefix}tap_write_failed: {eni.TapWriteFailed}");
            if (eni.HasTapTxDropped)
                text.AppendLine(CultureInfo.InvariantCulture, $"{prefix}tap_tx_dropped: {eni.TapTxDropped}");
            if (eni.HasTapRxDropped)
                text.AppendLine(CultureInfo.InvariantCulture, $"{prefix}tap_rx_dropped: {eni.TapRxDropped}");
        }
        if (card.HasNetworkPumpQueueOverflow)
            text.AppendLine(CultureInfo.InvariantCulture, $"     network_pump_queue_overflow: {card.NetworkPumpQueueOverflow}");
        if (card.HasNetworkTapWriteFailed)
            text.AppendLine(CultureInfo.InvariantCulture, $"     network_tap_write_failed: {card.NetworkTapWriteFailed}");
        foreach (var (direction, faults) in new[] { ("to_card", card.SubstrateToCard), ("from_card", card.SubstrateFromCard) })
        {
            if (faults is null)
                continue;
            text.AppendLine(CultureInfo.InvariantCulture, $"     substrate_{direction}_dropped: {faults.Dropped}");
            text.AppendLine(CultureInfo.InvariantCulture, $"     substrate_{direction}_duplicated: {faults.Duplicated}");
            text.AppendLine(CultureInfo.InvariantCulture, $"     substrate_{direction}_reordered: {faults.Reordered}");
        }
        foreach (var drop in card.Drops)
            text.AppendLine(CultureInfo.InvariantCulture, $"     drop_{drop.Reason.Replace('-', '_')}: {drop.Count}");
        text.AppendLine(CultureInfo.InvariantCulture, $"     conntrack_allowance_exceeded: {card.ConntrackAllowanceExceeded}");
        text.AppendLine(CultureInfo.InvariantCulture, $"     conntrack_allowance_available: {card.ConntrackAllowanceAvailable}");
        text.AppendLine(CultureInfo.InvariantCulture, $"     alarm_overflow: {card.AlarmOverflow}");
        return text.ToString();
    }

    public static string Counters(EdgeCountersReply edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"edge statistics ({edge.Edge}):");
        foreach (var counter in edge.Counters)
            text.AppendLine(CultureInfo.InvariantCulture, $"     {counter.Name}: {counter.Value}");
        return text.ToString();
    }

    /// <summary>One line per alarm, oldest first.</summary>
    public static string Alarms(AlarmsReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return string.Concat(reply.Card.Select(a => Alarm(a) + "\n").Concat(reply.Edge.Select(a => Alarm(a) + "\n")));
    }

    public static string Alarm(CardAlarmReply a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return string.Create(CultureInfo.InvariantCulture,
            $"cycle {a.Cycle} {a.Reason} slot {a.Slot} vni {a.Vni} outer-src {a.OuterSource} inner {a.InnerSource} -> {a.InnerDestination}");
    }

    /// <summary>The edge's one line for an alarm (<see cref="EdgeAlarm.Describe"/>), from the reply's fields.</summary>
    public static string Alarm(EdgeAlarmReply a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new EdgeAlarm(a.Reason, a.Port, a.Vni, a.HasOuterSource ? a.OuterSource : null, a.HasInnerSource ? a.InnerSource : null,
            a.HasInnerDestination ? a.InnerDestination : null).Describe();
    }

    public static string Tables(TablesReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return reply.Text;
    }

    public static string Trace(TraceReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return reply.Tracing ? $"tracing {reply.Host}'s card to {reply.File}\n" : $"trace of {reply.Host}'s card stopped\n";
    }

    /// <summary>Per connection and tunnel, as AWS's VGW telemetry.</summary>
    public static string VpnConnections(VpnConnectionsReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var text = new StringBuilder();
        foreach (var c in reply.Connections)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{c.VpnId} {c.VpcId} customer-gateway {c.CustomerGatewayIp} routing {c.Routing} prefixes {List(c.Prefixes)}");
            for (var i = 0; i < c.Tunnels.Count; i++)
            {
                var t = c.Tunnels[i];
                var line = string.Create(CultureInfo.InvariantCulture, $"  tunnel{i + 1} {t.OutsideIpAddress} inside {t.EdgeInsideAddress} status {t.Status}{(t.Preferred ? " (preferred)" : "")}")
                    + $" ike {(t.IkeSaEstablished ? "ESTABLISHED " + t.IkeProposal : "-")}"
                    + $" child {(t.ChildSaEstablished ? "INSTALLED " + t.EspProposal + (t.UdpEncapsulation ? " in UDP 4500" : "") : "-")}"
                    + $" last-rekey {(t.LastRekey is { } r ? r.ToDateTimeOffset().ToString("u", CultureInfo.InvariantCulture) : "-")}"
                    + (t.HasBgpState ? $" bgp {t.BgpState} prefixes {List(t.PrefixesReceived)}" : "");
                text.AppendLine(line);
            }
        }
        return text.ToString();
    }

    private static string List(Google.Protobuf.Collections.RepeatedField<string> items) => items.Count == 0 ? "-" : string.Join(',', items);
}
