// The tests make the runtime's own exceptions on purpose: they are what a parser crash throws.
#pragma warning disable CA2201, CA2208

namespace NitroCard.Fuzz.Tests;

/// <summary>
/// The targets tell a documented refusal from a crash: garbage comes back <see cref="Outcome.Rejected"/> through the
/// parser's own exception or status result, and the exceptions a crash is made of are never taken for a refusal (a
/// target that swallowed every exception would fail here).
/// </summary>
public class TargetTests
{
    public static TheoryData<string> Targets() => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Garbage_is_rejected_the_documented_way(string name)
    {
        var target = FuzzTargets.Find(name)!;
        Exception? thrown = null;
        Outcome outcome;
        try
        {
            outcome = target.Body(target.Garbage);
        }
        catch (Exception e)
        {
            thrown = e;
            outcome = Outcome.Rejected;
        }
        Assert.Equal(Outcome.Rejected, outcome);
        if (thrown is not null)
            Assert.True(target.IsDocumentedFailure(thrown), $"{name}: garbage threw {thrown}");
        Assert.Equal(Outcome.Rejected, target.Run(target.Garbage));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Crash_exceptions_are_never_a_refusal(string name)
    {
        var target = FuzzTargets.Find(name)!;
        Exception[] crashes =
        [
            new NullReferenceException(), new IndexOutOfRangeException(), new ArgumentOutOfRangeException("x"), new ArgumentException("x"),
            new InvalidOperationException(), new OutOfMemoryException(), new OverflowException(), new FormatException(),
            new KeyNotFoundException(), new InvalidCastException(), new Exception("x"),
        ];
        foreach (var e in crashes)
            Assert.False(target.IsDocumentedFailure(e), $"{name} takes {e.GetType().Name} for a refusal");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void A_crash_propagates_out_of_the_target(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var broken = target with { Body = _ => throw new IndexOutOfRangeException("planted") };
        Assert.Throws<IndexOutOfRangeException>(() => broken.Run([1, 2, 3]));
        var (_, error, _) = Replay.RunOne(broken, [1, 2, 3]);
        Assert.Contains("planted", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Target_names_are_unique_and_name_their_assemblies()
    {
        Assert.Equal(FuzzTargets.All.Count, FuzzTargets.All.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(FuzzTargets.All, t => Assert.NotEmpty(t.Instrument));
    }
}
