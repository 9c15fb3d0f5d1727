using NitroCard.Card.FlowRecords;
using NitroCard.Card.Tables;

namespace NitroCard.Model;

/// <summary>docs/card-flow-records.md: flow records from the tracking table, the data source of VPC Flow Logs.</summary>
public sealed partial class ModelCard
{
    private const uint MaxFlowPackets = uint.MaxValue;
    private const ulong MaxFlowBytes = (1UL << 40) - 1;

    private readonly uint[] _flowIntervals;
    private readonly List<CardFlowRecord> _flowRecords = [];
    private int _flowSlotsOn;
    private ulong _flowRecordOverflows;

    /// <inheritdoc />
    public ulong FlowRecordOverflows => _flowRecordOverflows;

    /// <inheritdoc />
    public void SetFlowRecordInterval(int slot, uint seconds)
    {
        TableArguments.Slot(slot, _enis.Length);
        if (_flowIntervals[slot] == 0 && seconds != 0)
            _flowSlotsOn++;
        else if (_flowIntervals[slot] != 0 && seconds == 0)
            _flowSlotsOn--;
        _flowIntervals[slot] = seconds;
    }

    /// <summary>
    /// Records emitted since the last call, oldest first. The card's sweeper walks the tracking table in the
    /// background; the model has none, so while any slot has records on it runs <see cref="Sweep"/> to completion
    /// first (interval and expiry records come from the sweep).
    /// </summary>
    public IReadOnlyList<CardFlowRecord> DrainFlowRecords()
    {
        if (_flowSlotsOn > 0)
            Sweep();
        var records = _flowRecords.ToArray();
        _flowRecords.Clear();
        return records;
    }

    private bool FlowRecordsOn(int slot) => _flowIntervals[slot] != 0;

    /// <summary>Counts one packet of a tracked flow in the direction it went (the entry's <c>LastSeen</c> is the packet's time).</summary>
    private FlowCounts CountFlow(FlowCounts counts, bool ingress, int length)
    {
        var first = counts.IsEmpty ? _now : counts.FirstMicros;
        return ingress
            ? counts with { IngressPackets = SaturatingPackets(counts.IngressPackets), IngressBytes = SaturatingBytes(counts.IngressBytes, length), FirstMicros = first }
            : counts with { EgressPackets = SaturatingPackets(counts.EgressPackets), EgressBytes = SaturatingBytes(counts.EgressBytes, length), FirstMicros = first };
    }

    private static uint SaturatingPackets(uint packets) => packets == MaxFlowPackets ? packets : packets + 1;

    private static ulong SaturatingBytes(ulong bytes, int length) => Math.Min(MaxFlowBytes, bytes + (ulong)length);

    /// <summary>The records of an entry's unrecorded counts: egress (as the slot sent) first, then ingress.</summary>
    private void EmitFlowRecords(in CtEntry entry, FlowRecordCause cause)
    {
        var key = entry.Key;
        var counts = entry.Flow;
        if (counts.IsEmpty || !FlowRecordsOn(key.Slot))
            return;
        var ported = key.Protocol is ProtocolTcp or ProtocolUdp;
        var localPort = ported ? key.LocalPort : (ushort)0;
        var remotePort = ported ? key.RemotePort : (ushort)0;
        if (counts.EgressPackets != 0)
        {
            PushFlowRecord(new CardFlowRecord(key.Slot, key.Local, key.Remote, localPort, remotePort, key.Protocol,
                counts.EgressPackets, counts.EgressBytes, counts.FirstMicros, entry.LastSeen, false, cause));
        }
        if (counts.IngressPackets != 0)
        {
            PushFlowRecord(new CardFlowRecord(key.Slot, key.Remote, key.Local, remotePort, localPort, key.Protocol,
                counts.IngressPackets, counts.IngressBytes, counts.FirstMicros, entry.LastSeen, false, cause));
        }
    }

    /// <summary>A packet the security groups or a network ACL dropped at <paramref name="slot"/>: one record at once.</summary>
    private void RejectFlowRecord(int slot, in PacketInfo p)
    {
        if (!FlowRecordsOn(slot))
            return;
        var ported = p.Protocol is ProtocolTcp or ProtocolUdp;
        PushFlowRecord(new CardFlowRecord(slot, p.Source, p.Destination, ported ? p.SourcePort : (ushort)0, ported ? p.DestinationPort : (ushort)0,
            p.Protocol, 1, SaturatingBytes(0, p.Length), _now, _now, true, FlowRecordCause.Rejected));
    }

    /// <summary>The sweeper's look at one used entry (live or not) with records on: an interval record when its first unrecorded packet is as old as the interval.</summary>
    private bool IntervalDue(in CtEntry entry)
    {
        var interval = _flowIntervals[entry.Key.Slot];
        return interval != 0 && !entry.Flow.IsEmpty && unchecked(_now - entry.Flow.FirstMicros) >= interval * 1_000_000UL;
    }

    private void PushFlowRecord(in CardFlowRecord record)
    {
        if (_flowRecords.Count < Geometry.FlowRecordDepth)
            _flowRecords.Add(record);
        else
            _flowRecordOverflows++;
    }

    /// <summary>
    /// A tracking entry's counts since its last record: packets and bytes per direction (egress = the slot sent),
    /// and the time of the first of those packets (either direction).
    /// </summary>
    private readonly record struct FlowCounts(uint EgressPackets, ulong EgressBytes, uint IngressPackets, ulong IngressBytes, ulong FirstMicros)
    {
        public bool IsEmpty => EgressPackets == 0 && IngressPackets == 0;
    }
}
