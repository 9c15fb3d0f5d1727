using NitroCard.Card.FlowRecords;

namespace NitroCard.Driver;

/// <summary>
/// One flow record as the card's record FIFO holds it (docs/card-flow-records.md): 315 bits in ten 32-bit words,
/// bit 32w + b in word w bit b, fields from the most significant bit: slot[7:0], source[31:0], destination[31:0],
/// source port, destination port, protocol[7:0], packets[31:0], bytes[39:0], first[63:0], last[63:0], rejected,
/// cause[1:0].
/// </summary>
internal static class FlowRecordWords
{
    /// <summary>Words of one record (NC_FLOW_RECORD_WORDS in nitrocard.h).</summary>
    internal const int Words = 10;

    public static CardFlowRecord Decode(ReadOnlySpan<uint> words)
    {
        if (words.Length < Words)
            throw new ArgumentException($"a flow record is {Words} words, got {words.Length}", nameof(words));
        return new CardFlowRecord(
            Slot: (int)Bits(words, 307, 8),
            SourceAddress: (uint)Bits(words, 275, 32),
            DestinationAddress: (uint)Bits(words, 243, 32),
            SourcePort: (ushort)Bits(words, 227, 16),
            DestinationPort: (ushort)Bits(words, 211, 16),
            Protocol: (byte)Bits(words, 203, 8),
            Packets: (uint)Bits(words, 171, 32),
            Bytes: Bits(words, 131, 40),
            FirstMicros: Bits(words, 67, 64),
            LastMicros: Bits(words, 3, 64),
            Rejected: Bits(words, 2, 1) != 0,
            Cause: (FlowRecordCause)Bits(words, 0, 2));
    }

    /// <summary>Bits lsb .. lsb + width − 1 (width 1..64).</summary>
    private static ulong Bits(ReadOnlySpan<uint> words, int lsb, int width)
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
