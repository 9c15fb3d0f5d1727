using System.Numerics;
using NitroCard.Card.FlowRecords;

namespace NitroCard.Driver.Tests;

/// <summary>
/// The record FIFO's word layout (nitrocard.h, nc_pull_flow_records): 315 bits from the most significant,
/// slot[7:0], src, dst, sport, dport, proto[7:0], packets[31:0], bytes[39:0], first[63:0], last[63:0], rejected,
/// cause[1:0]; bit 32w + b in word w bit b. Encoded here from that description, field by field.
/// </summary>
public class FlowRecordWordsTests
{
    private static uint[] Encode(params (ulong Value, int Width)[] fields)
    {
        var value = BigInteger.Zero;
        foreach (var (v, width) in fields)
            value = (value << width) | new BigInteger(v);
        var words = new uint[FlowRecordWords.Words];
        for (var w = 0; w < words.Length; w++)
            words[w] = (uint)((value >> (32 * w)) & uint.MaxValue);
        return words;
    }

    [Fact]
    public void Every_field_decodes_from_its_bits()
    {
        var words = Encode((0xA5, 8), (0xC0000201, 32), (0xCB007105, 32), (0xBEEF, 16), (0x0050, 16), (17, 8),
            (0xFFFF_FFFE, 32), (0xFF_1234_5678, 40), (0x8000_0000_0000_0001, 64), (0x0123_4567_89AB_CDEF, 64), (1, 1), (3, 2));
        Assert.Equal(
            new CardFlowRecord(0xA5, 0xC0000201, 0xCB007105, 0xBEEF, 0x0050, 17, 0xFFFF_FFFE, 0xFF_1234_5678, 0x8000_0000_0000_0001,
                0x0123_4567_89AB_CDEF, true, FlowRecordCause.Rejected),
            FlowRecordWords.Decode(words));
    }

    [Fact]
    public void An_accepted_interval_record_decodes()
    {
        var words = Encode((2, 8), (0x0A000110, 32), (0x0A000114, 32), (40000, 16), (22, 16), (6, 8),
            (3, 32), (222, 40), (1_000_000, 64), (2_500_000, 64), (0, 1), (2, 2));
        Assert.Equal(new CardFlowRecord(2, 0x0A000110, 0x0A000114, 40000, 22, 6, 3, 222, 1_000_000, 2_500_000, false, FlowRecordCause.Interval),
            FlowRecordWords.Decode(words));
    }

    [Fact]
    public void Fewer_than_ten_words_are_refused()
        => Assert.Throws<ArgumentException>(() => FlowRecordWords.Decode(new uint[9]));
}
