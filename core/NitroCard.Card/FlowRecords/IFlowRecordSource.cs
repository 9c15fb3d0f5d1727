// core/NitroCard.Card/FlowRecords/IFlowRecordSource.cs (namespace NitroCard.Card.FlowRecords)
namespace NitroCard.Card.FlowRecords;

public enum FlowRecordCause : byte { Expired = 1, Interval = 2, Rejected = 3 }
public readonly record struct CardFlowRecord(
    int Slot, uint SourceAddress, uint DestinationAddress, ushort SourcePort, ushort DestinationPort, byte Protocol,
    uint Packets, ulong Bytes, ulong FirstMicros, ulong LastMicros, bool Rejected, FlowRecordCause Cause);
public interface IFlowRecordSource
{
    void SetFlowRecordInterval(int slot, uint seconds);   // 0 (default) = no records for this slot
    IReadOnlyList<CardFlowRecord> DrainFlowRecords();      // since the last call, oldest first
    ulong FlowRecordOverflows { get; }
}
