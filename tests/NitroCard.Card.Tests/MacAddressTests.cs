namespace NitroCard.Card.Tests;

public class MacAddressTests
{
    [Theory]
    [InlineData("02:00:0a:00:01:0a", 0x0200_0A00_010AUL)]
    [InlineData("02-00-0A-00-01-0A", 0x0200_0A00_010AUL)]
    [InlineData("ff:ff:ff:ff:ff:ff", 0xFFFF_FFFF_FFFFUL)]
    public void Parses_colons_or_dashes_in_either_case_and_formats_lower_case_with_colons(string text, ulong value)
    {
        var mac = MacAddress.Parse(text);
        Assert.Equal(value, mac.Value);
        Assert.Equal(text.Replace('-', ':').ToLowerInvariant(), mac.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("02:00:0a:00:01")]
    [InlineData("02:00:0a:00:01:0a:00")]
    [InlineData("02.00.0a.00.01.0a")]
    [InlineData("02:00:0g:00:01:0a")]
    public void Refuses_what_is_not_six_hex_bytes(string text)
    {
        Assert.False(MacAddress.TryParse(text, out _));
        Assert.Contains("is not a MAC address", Assert.Throws<FormatException>(() => MacAddress.Parse(text)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Register_words_and_wire_bytes_are_big_endian()
    {
        var mac = MacAddress.Parse("02:00:0a:00:01:0a");
        Assert.Equal(0x0200u, mac.High);
        Assert.Equal(0x0A00_010Au, mac.Low);
        Assert.Equal(mac, MacAddress.FromWords(0xFFFF_0200, 0x0A00_010A));
        Span<byte> bytes = stackalloc byte[6];
        mac.Write(bytes);
        Assert.Equal("02000A00010A", Convert.ToHexString(bytes));
        Assert.Equal(mac, MacAddress.Read(bytes));
    }
}
