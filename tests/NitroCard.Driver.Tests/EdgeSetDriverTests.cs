using System.Net;
using NitroCard.Card.Tables;
using NitroCard.Driver.Registers;
using NitroCard.Packets;

namespace NitroCard.Driver.Tests;

/// <summary><see cref="CardDriver.SetEdgeSet"/> on the fake card: EDGE_SET0..7 as <see cref="EdgeSet.SlotWords"/> computes them, a refused set writes nothing.</summary>
public class EdgeSetDriverTests
{
    private static uint Ip(string text) => Ipv4Address.Parse(text);

    private static uint[] Words(FakeCard card) => [.. Enumerable.Range(0, RegisterMap.EdgeSetCount).Select(i => card.Register(RegisterMap.EdgeSet + (uint)(4 * i)))];

    [Fact]
    public void The_slots_follow_the_set_and_a_dead_edge_gives_up_only_its_own()
    {
        var card = new FakeCard();
        var driver = new CardDriver(card);
        Assert.Equal(EdgeSet.Slots, RegisterMap.EdgeSetCount);

        var writes = card.BusWrites;
        driver.SetEdgeSet([IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.2")]);
        Assert.Equal(writes + RegisterMap.EdgeSetCount, card.BusWrites);
        uint a = Ip("192.0.2.1"), b = Ip("192.0.2.2"), c = Ip("192.0.2.3");
        Assert.Equal([a, a, a, a, b, b, b, b], Words(card));

        driver.SetEdgeSet([IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.2"), IPAddress.Parse("192.0.2.3")]);
        Assert.Equal([a, a, a, c, b, b, b, c], Words(card));

        driver.SetEdgeSet([IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.3")]);
        Assert.Equal([a, a, a, c, a, c, c, c], Words(card));

        driver.SetEdgeSet([]);
        Assert.Equal(new uint[8], Words(card));
    }

    [Fact]
    public void A_refused_set_writes_nothing()
    {
        var card = new FakeCard();
        var driver = new CardDriver(card);
        driver.SetEdgeSet([IPAddress.Parse("192.0.2.1")]);
        var writes = card.BusWrites;
        Assert.Throws<ArgumentException>(() => driver.SetEdgeSet([IPAddress.Parse("192.0.2.1"), IPAddress.Parse("192.0.2.1")]));
        Assert.Throws<ArgumentException>(() => driver.SetEdgeSet([IPAddress.Parse("2001:db8::1")]));
        Assert.Equal(writes, card.BusWrites);
        Assert.All(Words(card), w => Assert.Equal(Ip("192.0.2.1"), w));
    }
}
