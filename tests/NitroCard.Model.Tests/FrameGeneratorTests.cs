using NitroCard.Card;

namespace NitroCard.Model.Tests;

public class FrameGeneratorTests
{
    private static List<GeneratedFrame> Generate(ulong seed, int count)
        => new FrameGenerator(CardTopology.Sample(), seed).Take(count).ToList();

    [Fact]
    public void Same_seed_gives_the_same_frames()
    {
        var a = Generate(42, 500);
        var b = Generate(42, 500);
        Assert.Equal(a.Count, b.Count);
        for (var i = 0; i < a.Count; i++)
        {
            Assert.Equal((a[i].Kind, a[i].FromNetwork, a[i].Slot), (b[i].Kind, b[i].FromNetwork, b[i].Slot));
            Assert.Equal(a[i].Data, b[i].Data);
        }
    }

    [Fact]
    public void Different_seeds_give_different_frames()
    {
        var a = Generate(1, 50);
        var b = Generate(2, 50);
        Assert.Contains(Enumerable.Range(0, 50), i => !a[i].Data.AsSpan().SequenceEqual(b[i].Data));
    }

    [Fact]
    public void Every_kind_is_generated()
    {
        var kinds = Generate(7, 3000).Select(f => f.Kind).ToHashSet();
        Assert.Equal(Enum.GetValues<GeneratedKind>().ToHashSet(), kinds);
    }

    [Theory]
    [InlineData(GeneratedKind.SameHost)]
    [InlineData(GeneratedKind.CrossHost)]
    [InlineData(GeneratedKind.Arp)]
    [InlineData(GeneratedKind.RxValid)]
    [InlineData(GeneratedKind.RxFromEdge)]
    [InlineData(GeneratedKind.MtuBoundary)]
    public void Valid_kinds_are_never_dropped(GeneratedKind kind)
    {
        var (outputs, drops) = Run(kind, 300);
        Assert.Equal(300, outputs);
        Assert.Equal(0UL, drops.Drops.Aggregate(0UL, (s, d) => s + d));
    }

    [Theory]
    [InlineData(GeneratedKind.BadChecksum, DropReason.Malformed)]
    [InlineData(GeneratedKind.UnknownSlot, DropReason.SourceCheck)]
    [InlineData(GeneratedKind.UnknownDestination, DropReason.UnknownDestination)]
    [InlineData(GeneratedKind.TtlZero, DropReason.TtlExpired)]
    [InlineData(GeneratedKind.Spoofed, DropReason.SpoofedSource)]
    [InlineData(GeneratedKind.NotOnHost, DropReason.NotOnHost)]
    [InlineData(GeneratedKind.Oversized, DropReason.MtuExceeded)]
    [InlineData(GeneratedKind.RxMalformed, DropReason.Malformed)]
    public void Invalid_kinds_are_dropped_for_their_reason(GeneratedKind kind, DropReason reason)
    {
        var (outputs, counters) = Run(kind, 200);
        Assert.Equal(0, outputs);
        Assert.Equal(200UL, counters[reason]);
    }

    [Theory]
    [InlineData(GeneratedKind.WrongSourceMac)]
    [InlineData(GeneratedKind.WrongSourceIp)]
    [InlineData(GeneratedKind.CrossVpc)]
    [InlineData(GeneratedKind.ArpUnanswered)]
    [InlineData(GeneratedKind.Unsupported)]
    public void Other_invalid_kinds_are_dropped_unless_the_eni_disables_the_check(GeneratedKind kind)
    {
        var frames = new FrameGenerator(CardTopology.Sample(), 99).Let(g => Enumerable.Range(0, 200).Select(_ => g.Next(kind)).ToList());
        var card = new ModelCard();
        CardTopology.Sample().LoadInto(card);
        foreach (var f in frames)
            f.PushTo(card);
        card.RunUntilIdle();
        var delivered = card.DrainHost().Count + card.DrainNetwork().Count;
        // Only slot 6 (source/destination check off) may get a wrong-source IPv4 frame through.
        var allowed = kind == GeneratedKind.WrongSourceIp ? frames.Count(f => f.Slot == 6) : 0;
        Assert.InRange(delivered, 0, allowed);
    }

    [Fact]
    public void Random_mix_conserves_frames_and_never_throws()
    {
        var card = new ModelCard(alarmDepth: int.MaxValue);
        CardTopology.Sample().LoadInto(card);
        var frames = Generate(2024, 5000);
        foreach (var f in frames)
            f.PushTo(card);
        card.RunUntilIdle();
        // Punted frames are outputs too (the punt queue); punt drops raise no alarm.
        var outputs = card.DrainHost().Count + card.DrainNetwork().Count + card.DrainPunt().Count;
        var counters = card.ReadCounters();
        var drops = counters.Drops.Aggregate(0UL, (s, d) => s + d);
        Assert.Equal((ulong)frames.Count, (ulong)outputs + drops);
        Assert.Equal((int)(drops - counters[DropReason.PuntRateLimit] - counters[DropReason.PuntQueueFull]), card.DrainAlarms().Count);
        // The mix reaches most reasons the spec defines.
        foreach (var reason in new[] { DropReason.Malformed, DropReason.Unsupported, DropReason.SourceCheck, DropReason.UnknownDestination, DropReason.NotOnHost, DropReason.SpoofedSource, DropReason.MtuExceeded, DropReason.TtlExpired })
            Assert.True(counters[reason] > 0, reason.ToWireName());
    }

    private static (int Outputs, CardCounters Counters) Run(GeneratedKind kind, int count)
    {
        var generator = new FrameGenerator(CardTopology.Sample(), (ulong)kind + 1000);
        var card = new ModelCard(alarmDepth: int.MaxValue);
        CardTopology.Sample().LoadInto(card);
        for (var i = 0; i < count; i++)
            generator.Next(kind).PushTo(card);
        card.RunUntilIdle();
        return (card.DrainHost().Count + card.DrainNetwork().Count, card.ReadCounters());
    }
}

internal static class FunctionalExtensions
{
    public static TResult Let<T, TResult>(this T value, Func<T, TResult> f) => f(value);
}
