using NitroCard.Card;
using NitroCard.Driver.Registers;

namespace NitroCard.Driver.Tests;

public class RegisterEncodingTests
{
    [Theory]
    [InlineData(0, 0, 1, 1ul, new uint[] { 0b1 })]
    [InlineData(0, 8, 6, 24ul, new uint[] { 0b0001_1000_0000_0000 })]
    [InlineData(0, 1, 1, 1ul, new uint[] { 0b10 })]
    [InlineData(0, 0, 32, 0xFFFF_FFFFul, new uint[] { 0xFFFF_FFFF })]
    public void Table_fields_encode_at_their_bits_and_round_trip(int word, int lsb, int width, ulong value, uint[] expected)
    {
        var field = new TableField(word, lsb, width);
        var words = new uint[8];
        field.Write(words, value);
        Assert.Equal(expected[0], words[word]);
        Assert.Equal((uint)value, field.Read(words));
    }

    [Fact]
    public void A_value_wider_than_its_field_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => TableLayout.Eni.Vni.Write(new uint[8], 1 << 24));

    [Fact]
    public void Writing_a_field_keeps_its_neighbours()
    {
        var words = new uint[8];
        TableLayout.Mapping.Valid.Write(words, 1);
        TableLayout.Mapping.LocalSlot.Write(words, 0xAB);
        TableLayout.Mapping.Local.Write(words, 1);
        Assert.Equal(0b1010_1011_0000_0011u, words[0]);
    }

    [Theory]
    [InlineData("02:00:0a:00:01:0a", 0x0200_0A00_010AUL)]
    [InlineData("ff-ff-ff-ff-ff-ff", 0xFFFF_FFFF_FFFFUL)]
    public void Mac_addresses_parse_and_format(string text, ulong value)
    {
        var mac = MacAddress.Parse(text);
        Assert.Equal(value, mac.Value);
        Assert.Equal(text.Replace('-', ':'), mac.ToString());
        Assert.Equal(mac, MacAddress.FromWords(mac.High, mac.Low));
    }

    [Theory]
    [InlineData("02:00:0a:00:01")]
    [InlineData("02:00:0a:00:01:0g")]
    [InlineData("0200.0a00.010a.")]
    public void Bad_mac_addresses_are_refused(string text) => Assert.False(MacAddress.TryParse(text, out _));

    [Fact]
    public void Register_map_addresses_match_the_generated_constants()
    {
        Assert.Equal(0x4E49_5452u, RegisterMap.IdReset);
        Assert.Equal(RegisterMap.TblData + (4 * (uint)RegisterMap.TblDataCount), RegisterMap.TblIndex);
        Assert.Equal(RegisterMap.TblIndex + 4, RegisterMap.TblCmd);
        Assert.Equal(14, DropReasonNames.Count);
        Assert.Equal("punt-rate-limit", DropReason.PuntRateLimit.ToWireName());
        Assert.Equal("spoofed-source", DropReason.SpoofedSource.ToWireName());
    }
}
