using NitroCard.Card.FlowRecords;
using NitroCard.Driver.Registers;
using FlowRec = NitroCard.Driver.Registers.RecordLayout.FlowRec;

namespace NitroCard.Driver;

/// <summary>
/// One flow record as the card's record FIFO holds it (docs/card-flow-records.md): the flowRec record of the register
/// map (<see cref="RecordLayout.FlowRec"/>, docs/registers.md) in ten 32-bit words, bit 32w + b in word w bit b.
/// </summary>
internal static class FlowRecordWords
{
    /// <summary>Words of one record (NC_FLOW_RECORD_WORDS in nitrocard.h).</summary>
    internal const int Words = (FlowRec.Width + 31) / 32;

    public static CardFlowRecord Decode(ReadOnlySpan<uint> words)
    {
        if (words.Length < Words)
            throw new ArgumentException($"a flow record is {Words} words, got {words.Length}", nameof(words));
        return new CardFlowRecord(
            Slot: (int)Field(words, FlowRec.SlotLsb, FlowRec.SlotWidth),
            SourceAddress: (uint)Field(words, FlowRec.SrcLsb, FlowRec.SrcWidth),
            DestinationAddress: (uint)Field(words, FlowRec.DstLsb, FlowRec.DstWidth),
            SourcePort: (ushort)Field(words, FlowRec.SportLsb, FlowRec.SportWidth),
            DestinationPort: (ushort)Field(words, FlowRec.DportLsb, FlowRec.DportWidth),
            Protocol: (byte)Field(words, FlowRec.ProtoLsb, FlowRec.ProtoWidth),
            Packets: (uint)Field(words, FlowRec.PacketsLsb, FlowRec.PacketsWidth),
            Bytes: Field(words, FlowRec.BytesLsb, FlowRec.BytesWidth),
            FirstMicros: Field(words, FlowRec.FirstLsb, FlowRec.FirstWidth),
            LastMicros: Field(words, FlowRec.LastLsb, FlowRec.LastWidth),
            Rejected: Field(words, FlowRec.RejectedLsb, FlowRec.RejectedWidth) != 0,
            Cause: (FlowRecordCause)Field(words, FlowRec.CauseLsb, FlowRec.CauseWidth));
    }

    /// <summary>Bits lsb .. lsb + width − 1 (width 1..64).</summary>
    private static ulong Field(ReadOnlySpan<uint> words, int lsb, int width)
    {
        ulong value = 0;
        for (var k = width - 1; k >= 0; k--)
        {
            var bit = lsb + k;
            value = (value << 1) | ((words[bit >> 5] >> (bit & 31)) & 1);
        }
        return value;
    }
}
