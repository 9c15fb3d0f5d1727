using NitroCard.Region;

namespace NitroCard.Cli.Tests;

/// <summary>The second wall: a name from input never becomes a path outside its folder (issue 16).</summary>
public class SafePathTests
{
    [Theory]
    [InlineData("/tmp/x/victim.pcap")]
    [InlineData("../escaped.pcap")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("a/b.pcap")]
    [InlineData("a\\b.pcap")]
    [InlineData("nul\0.pcap")]
    public void A_name_that_would_leave_the_folder_is_refused(string fileName)
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<UnsafePathException>(() => SafePath.Under(dir.Path, fileName));
        Assert.Contains(dir.Path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_name_stays_under_the_folder()
    {
        using var dir = new TempDir();
        Assert.Equal(Path.Combine(dir.Path, "eni-a1.pcap"), SafePath.Under(dir.Path, "eni-a1.pcap"));
        Assert.Equal(Path.Combine(dir.Path, "..pcap"), SafePath.Under(dir.Path + "/", "..pcap"));
    }
}
