namespace NitroCard.Ike.Tests;

public class NatTraversalTests
{
    [Fact]
    public void Marker_is_added_and_stripped()
    {
        var ike = WireTests.Everything().Encode();
        var framed = NatTraversal.AddMarker(ike);
        Assert.Equal([0, 0, 0, 0], framed[..4]);
        Assert.Equal(Udp4500Kind.Ike, NatTraversal.Classify(framed));
        Assert.Equal(ike, NatTraversal.StripMarker(framed).ToArray());
        Assert.Equal(framed, NatTraversal.Frame(ike, 4500));
        Assert.Equal(ike, NatTraversal.Frame(ike, 500));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF }, Udp4500Kind.Keepalive)]
    [InlineData(new byte[] { }, Udp4500Kind.Malformed)]
    [InlineData(new byte[] { 0xFE }, Udp4500Kind.Malformed)]
    [InlineData(new byte[] { 0, 0, 0, 0 }, Udp4500Kind.Malformed)]
    [InlineData(new byte[] { 0, 0, 1 }, Udp4500Kind.Malformed)]
    [InlineData(new byte[] { 0, 0, 1, 0, 0, 0, 0, 1 }, Udp4500Kind.Esp)]
    [InlineData(new byte[] { 0, 0, 1, 0, 0, 0, 0 }, Udp4500Kind.Malformed)]
    public void Classify(byte[] payload, Udp4500Kind kind)
    {
        Assert.Equal(kind, NatTraversal.Classify(payload));
        if (kind != Udp4500Kind.Ike)
            Assert.True(NatTraversal.StripMarker(payload).IsEmpty);
    }
}
