using System.CommandLine;

namespace NitroCard.Bench;

/// <summary>The bench's command line: <c>--root &lt;dir&gt; [--quick] [--out &lt;file&gt;] [--only &lt;section,...&gt;]</c>.</summary>
public sealed record BenchOptions(string Root, bool Quick, string Output, IReadOnlySet<string> Sections)
{
    /// <summary>The report's sections, in order.</summary>
    public static IReadOnlyList<string> AllSections { get; } = ["cycles", "fill", "filter", "exhaustion", "wallclock", "load", "synth"];

    public const string Usage = "usage: NitroCard.Bench --root <repo> [--quick] [--out <file>] [--only <section>[,<section>...]]";

    /// <summary>Frames pushed back to back for each steady-state figure.</summary>
    public int SteadyStateFrames => Quick ? 50 : 500;

    public bool Runs(string section) => Sections.Contains(section);

    private static readonly Option<string> RootOption = new("--root")
    {
        Description = "the repository (reads out/lib/libnitrocard.so and out/yosys-synth.log from it)",
        Required = true,
    };

    private static readonly Option<bool> QuickOption = new("--quick")
    {
        Description = "few frames and a BenchmarkDotNet dry run: a smoke test, not a measurement",
    };

    private static readonly Option<string?> OutOption = new("--out")
    {
        Description = "the Markdown report to write (default <root>/docs/BENCHMARKS.md)",
    };

    private static readonly Option<string?> OnlyOption = new("--only")
    {
        Description = "sections to run: cycles, fill, filter, exhaustion, wallclock, load, synth (default all)",
    };

    private static readonly RootCommand Command = new("Measures the card and writes docs/BENCHMARKS.md.")
    {
        RootOption, QuickOption, OutOption, OnlyOption,
    };

    /// <summary>Parses the arguments (System.CommandLine); throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parse = Command.Parse([.. args]);
        if (parse.Errors.Count > 0)
            throw new ArgumentException(string.Join("; ", parse.Errors.Select(e => e.Message)));
        var sections = new HashSet<string>(AllSections);
        if (parse.GetValue(OnlyOption) is { } only)
        {
            sections = [.. only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            var unknown = sections.Except(AllSections).ToList();
            if (unknown.Count > 0 || sections.Count == 0)
                throw new ArgumentException($"--only: unknown section(s) {string.Join(", ", unknown)}; known: {string.Join(", ", AllSections)}");
        }
        var root = Path.GetFullPath(parse.GetValue(RootOption)!);
        if (!File.Exists(Path.Combine(root, "NitroCard.sln")))
            throw new ArgumentException($"--root {root}: no NitroCard.sln there");
        var output = Path.GetFullPath(parse.GetValue(OutOption) ?? Path.Combine(root, "docs", "BENCHMARKS.md"));
        return new BenchOptions(root, parse.GetValue(QuickOption), output, sections);
    }
}
