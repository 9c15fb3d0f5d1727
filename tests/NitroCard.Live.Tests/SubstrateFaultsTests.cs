using Microsoft.Extensions.Time.Testing;

namespace NitroCard.Live.Tests;

/// <summary>The pump's substrate fault injector (<c>region up --substrate-faults</c>) without a region: parse, seeded faults, timing.</summary>
public class SubstrateFaultsTests
{
    [Fact]
    public void The_text_parses_field_by_field_and_a_wrong_field_is_named()
    {
        Assert.Equal(new SubstrateFaults(0.01, 0.002, 0.05, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(2), 7),
            SubstrateFaults.Parse("drop=0.01, duplicate=0.002,reorder=0.05,delay=5,jitter=2,seed=7"));
        Assert.True(SubstrateFaults.Parse("").IsNone);
        Assert.Equal(new SubstrateFaults(Drop: 0.5), SubstrateFaults.Parse("drop=0.5"));
        Assert.Contains("drop '1.5' is not a probability", Assert.Throws<FormatException>(() => SubstrateFaults.Parse("drop=1.5")).Message, StringComparison.Ordinal);
        Assert.Contains("unknown fault 'loss'", Assert.Throws<FormatException>(() => SubstrateFaults.Parse("loss=0.1")).Message, StringComparison.Ordinal);
        Assert.Contains("'delay' is not name=value", Assert.Throws<FormatException>(() => SubstrateFaults.Parse("delay")).Message, StringComparison.Ordinal);
        Assert.Contains("drop is given twice", Assert.Throws<FormatException>(() => SubstrateFaults.Parse("drop=0.1,drop=0.2")).Message, StringComparison.Ordinal);
        Assert.Contains("jitter (3 ms) is larger than delay (1 ms)", Assert.Throws<FormatException>(() => SubstrateFaults.Parse("delay=1,jitter=3")).Message, StringComparison.Ordinal);
        Assert.Contains("seed 'x' is not an integer", Assert.Throws<FormatException>(() => SubstrateFaults.Parse("seed=x")).Message, StringComparison.Ordinal);
        Assert.Equal("drop=0.01,duplicate=0,reorder=0,delay=5,jitter=0,seed=1", SubstrateFaults.Parse("drop=0.01,delay=5").ToString());
    }

    [Fact]
    public void Drops_and_duplicates_follow_their_probabilities_and_the_seed_repeats_the_run_frame_by_frame()
    {
        static (List<int> Out, SubstrateFaultInjector Injector) Run(int seed, int stream)
        {
            var injector = new SubstrateFaultInjector(new SubstrateFaults(Drop: 0.1, Duplicate: 0.05, Seed: seed), stream, new FakeTimeProvider());
            var output = new List<int>();
            for (var i = 0; i < 10_000; i++)
            {
                injector.Offer(BitConverter.GetBytes(i));
                injector.Release(f => output.Add(BitConverter.ToInt32(f)));
            }
            return (output, injector);
        }

        var (output, injector) = Run(3, 0);
        Assert.InRange(injector.Dropped, 850, 1150);
        Assert.InRange(injector.Duplicated, 380, 520);
        Assert.Equal(10_000 - injector.Dropped + injector.Duplicated, output.Count);
        // No delay: what goes through goes in order, a duplicate right behind its original.
        Assert.True(output.Zip(output.Skip(1)).All(p => p.First <= p.Second));
        Assert.Equal(injector.Duplicated, output.Zip(output.Skip(1)).Count(p => p.First == p.Second));
        Assert.Equal(output, Run(3, 0).Out);
        Assert.NotEqual(output, Run(3, 1).Out);
        Assert.NotEqual(output, Run(4, 0).Out);
    }

    [Fact]
    public void A_delayed_frame_leaves_when_due_and_a_reordered_one_is_overtaken()
    {
        var time = new FakeTimeProvider();
        var injector = new SubstrateFaultInjector(new SubstrateFaults(Reorder: 0.2, Delay: TimeSpan.FromMilliseconds(5), Seed: 11), 0, time);
        var output = new List<int>();
        for (var i = 0; i < 1000; i++)
        {
            injector.Offer(BitConverter.GetBytes(i));
            time.Advance(TimeSpan.FromMilliseconds(0.1));
            injector.Release(f => output.Add(BitConverter.ToInt32(f)));
        }
        // 5 ms at 0.1 ms a frame: about 50 frames held, the first due 5 ms after it came.
        Assert.InRange(injector.Held, 45, 80);
        Assert.InRange(injector.UntilNext()!.Value, TimeSpan.Zero, TimeSpan.FromMilliseconds(5));
        time.Advance(TimeSpan.FromMilliseconds(10));
        injector.Release(f => output.Add(BitConverter.ToInt32(f)));
        Assert.Null(injector.UntilNext());
        Assert.Equal(Enumerable.Range(0, 1000), output.Order());
        Assert.InRange(injector.Reordered, 150, 250);
        // Each reordered frame is held 2 ms longer: about 20 frames behind it overtake it.
        var overtaken = output.Select((frame, at) => (frame, at)).Count(x => x.at > x.frame);
        Assert.InRange(overtaken, injector.Reordered / 2, injector.Reordered);
        Assert.NotEqual(Enumerable.Range(0, 1000), output);
    }
}
