using Google.Protobuf.WellKnownTypes;
using NitroCard.Card;
using NitroCard.Edge;
using NitroCard.Region;

namespace NitroCard.Live.Control;

/// <summary>The control replies (Protos/control.proto) made from what the card hosts and the edge hold.</summary>
public static class ControlReplies
{
    /// <summary>
    /// A card's counters with the frames lost around it: the pump's (<paramref name="drops"/>, null when it is not running)
    /// and the kernel's on each instance's <c>eth0</c> (<paramref name="kernel"/> per slot, null where unknown), and the
    /// substrate faults the pump injected (<paramref name="faults"/>, null when it injects none).
    /// </summary>
    internal static CardCountersReply Counters(HostCardPlan plan, CardCounters counters, PumpDrops? drops = null, IReadOnlyDictionary<int, (long Rx, long Tx)?>? kernel = null,
        (SubstrateFaultInjector ToCard, SubstrateFaultInjector FromCard)? faults = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(counters);
        var reply = new CardCountersReply
        {
            Host = plan.HostName,
            ConntrackAllowanceExceeded = counters[DropReason.ConntrackFull],
            ConntrackAllowanceAvailable = counters.ConntrackFree,
            AlarmOverflow = counters.AlarmOverflow,
        };
        foreach (var eni in plan.Enis)
        {
            var c = counters.Enis[eni.Slot];
            var line = new EniCountersReply
            {
                Slot = eni.Slot,
                EniId = eni.EniId,
                TxPackets = c.TxPackets,
                TxBytes = c.TxBytes,
                RxPackets = c.RxPackets,
                RxBytes = c.RxBytes,
            };
            if (drops is not null)
            {
                line.PumpQueueOverflow = drops.QueueOverflowOf(eni.Slot);
                line.TapWriteFailed = drops.TapWriteFailedOf(eni.Slot);
            }
            if (kernel is not null && kernel.TryGetValue(eni.Slot, out var k) && k is { } taps)
            {
                line.TapTxDropped = taps.Tx;
                line.TapRxDropped = taps.Rx;
            }
            reply.Enis.Add(line);
        }
        if (drops is not null)
        {
            reply.NetworkPumpQueueOverflow = drops.QueueOverflowOf(-1);
            reply.NetworkTapWriteFailed = drops.TapWriteFailedOf(-1);
        }
        if (faults is var (toCard, fromCard))
        {
            reply.SubstrateToCard = Faults(toCard);
            reply.SubstrateFromCard = Faults(fromCard);
        }
        for (var r = 0; r < DropReasonNames.Count; r++)
            reply.Drops.Add(new DropCounter { Reason = ((DropReason)r).ToWireName(), Count = counters.Drops[r] });
        return reply;
    }

    private static SubstrateFaultCounters Faults(SubstrateFaultInjector injector)
        => new() { Dropped = injector.Dropped, Duplicated = injector.Duplicated, Reordered = injector.Reordered };

    public static CardAlarmReply Alarm(CardAlarm alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        return new CardAlarmReply
        {
            Cycle = alarm.Cycle,
            Reason = alarm.Reason.ToWireName(),
            Slot = alarm.Slot,
            Vni = alarm.Vni,
            OuterSource = alarm.OuterSource.ToString(),
            InnerSource = alarm.InnerSource.ToString(),
            InnerDestination = alarm.InnerDestination.ToString(),
        };
    }

    public static EdgeAlarmReply Alarm(EdgeAlarm alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        var reply = new EdgeAlarmReply { Reason = alarm.Reason, Port = alarm.Port, Vni = alarm.Vni };
        if (alarm.OuterSource is not null)
            reply.OuterSource = alarm.OuterSource;
        if (alarm.InnerSource is not null)
            reply.InnerSource = alarm.InnerSource;
        if (alarm.InnerDestination is not null)
            reply.InnerDestination = alarm.InnerDestination;
        return reply;
    }

    public static VpnConnectionReply VpnConnection(VpnConnectionStatus connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var reply = new VpnConnectionReply
        {
            VpnId = connection.VpnId,
            VpcId = connection.VpcId,
            CustomerGatewayIp = connection.CustomerGatewayIp,
            Routing = connection.Routing,
            Prefixes = { connection.Prefixes },
        };
        foreach (var t in connection.Tunnels)
        {
            var tunnel = new VpnTunnelReply
            {
                OutsideIpAddress = t.OutsideIpAddress,
                EdgeInsideAddress = t.EdgeInsideAddress,
                Status = t.Status,
                Preferred = t.Preferred,
                IkeSaEstablished = t.IkeSaEstablished,
                ChildSaEstablished = t.ChildSaEstablished,
                UdpEncapsulation = t.UdpEncapsulation,
                LastRekey = t.LastRekey is { } rekey ? Timestamp.FromDateTimeOffset(rekey) : null,
                PrefixesReceived = { t.PrefixesReceived },
            };
            if (t.IkeProposal is not null)
                tunnel.IkeProposal = t.IkeProposal;
            if (t.EspProposal is not null)
                tunnel.EspProposal = t.EspProposal;
            if (t.BgpState is not null)
                tunnel.BgpState = t.BgpState;
            reply.Tunnels.Add(tunnel);
        }
        return reply;
    }
}
