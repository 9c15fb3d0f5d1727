namespace NitroCard.Fuzz.Tests;

/// <summary>
/// The short slice of the fuzzing campaigns (docs/fuzzing.md): every input kept in a target's corpus
/// (tools/NitroCard.Fuzz/corpus/&lt;target&gt;) and every crash a campaign ever found (tools/NitroCard.Fuzz/crashes/&lt;target&gt;)
/// runs through its target with no crash and no hang.
/// </summary>
public class CorpusReplayTests
{
    private static readonly string FuzzDir = RepoPaths.File("tools/NitroCard.Fuzz");

    public static TheoryData<string> Targets() => [.. FuzzTargets.All.Select(t => t.Name)];

    /// <summary>One case per crash file: a crash found by a campaign is a regression test from the moment it is committed.</summary>
    public static TheoryData<string, string> Crashes()
    {
        var data = new TheoryData<string, string>();
        var root = Path.Combine(FuzzDir, "crashes");
        foreach (var target in FuzzTargets.All)
        {
            var dir = Path.Combine(root, target.Name);
            if (!Directory.Exists(dir))
                continue;
            foreach (var file in Directory.EnumerateFiles(dir).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                data.Add(target.Name, Path.GetFileName(file));
        }
        if (data.Count == 0)
            data.Add("", ""); // xunit needs one row; the test skips it
        return data;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_corpus_input_runs_without_a_crash(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var dir = Path.Combine(FuzzDir, "corpus", name);
        var files = Directory.GetFiles(dir);
        Assert.NotEmpty(files);
        var crashes = new List<string>();
        var accepted = 0;
        foreach (var file in files)
        {
            var (outcome, error, _) = Replay.RunOne(target, File.ReadAllBytes(file));
            if (error is not null)
                crashes.Add($"{Path.GetFileName(file)}: {error}");
            else if (outcome == Outcome.Accepted)
                accepted++;
        }
        Assert.True(crashes.Count == 0, string.Join("\n", crashes));
        // A corpus the parser refuses whole would fuzz only the first checks.
        Assert.True(accepted > 0, $"no input of corpus/{name} is accepted by the parser");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void The_corpus_stays_small(string name)
    {
        var files = Directory.GetFiles(Path.Combine(FuzzDir, "corpus", name));
        Assert.InRange(files.Length, 1, 60);
        Assert.InRange(files.Sum(f => new FileInfo(f).Length), 1, 1 << 20);
    }

    [Theory]
    [MemberData(nameof(Crashes))]
    public void Every_crash_ever_found_is_fixed(string name, string file)
    {
        if (name.Length == 0)
            return;
        var target = FuzzTargets.Find(name)!;
        var (_, error, _) = Replay.RunOne(target, File.ReadAllBytes(Path.Combine(FuzzDir, "crashes", name, file)));
        Assert.Null(error);
    }
}
