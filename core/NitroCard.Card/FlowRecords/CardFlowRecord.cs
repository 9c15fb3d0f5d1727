namespace NitroCard.Card.FlowRecords;

/// <summary>
/// One direction of one flow on one ENI slot, counts since that flow's previous record. Times are the card's time
/// base (<see cref="ICardEngine.SetTime"/>, microseconds). Addresses as NitroCard.Packets uses them (first octet most
/// significant); ports 0 for protocols without them (ICMP included).
/// </summary>
/// <param name="Slot">The ENI slot the record is for.</param>
/// <param name="SourceAddress">The packets' IPv4 source as they had it.</param>
/// <param name="DestinationAddress">The packets' IPv4 destination.</param>
/// <param name="SourcePort">TCP/UDP source port, else 0.</param>
/// <param name="DestinationPort">TCP/UDP destination port, else 0.</param>
/// <param name="Protocol">IP protocol number.</param>
/// <param name="Packets">Packets in this direction since the previous record (saturates at 2^32 − 1).</param>
/// <param name="Bytes">Their bytes as the ENI counters count them: whole Ethernet frames without FCS (saturates at 2^40 − 1).</param>
/// <param name="FirstMicros">Time of the flow's first packet since its previous record (either direction).</param>
/// <param name="LastMicros">Time of the flow's last packet (either direction).</param>
/// <param name="Rejected">The packet was dropped (REJECT); false for accepted traffic.</param>
/// <param name="Cause">Why the record was emitted.</param>
public readonly record struct CardFlowRecord(
    int Slot, uint SourceAddress, uint DestinationAddress, ushort SourcePort, ushort DestinationPort, byte Protocol,
    uint Packets, ulong Bytes, ulong FirstMicros, ulong LastMicros, bool Rejected, FlowRecordCause Cause);
