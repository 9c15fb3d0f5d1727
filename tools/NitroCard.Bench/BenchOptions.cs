namespace NitroCard.Bench;

/// <summary>The bench's command line: <c>--root &lt;dir&gt; [--quick] [--out &lt;file&gt;] [--only &lt;section,...&gt;]</c>.</summary>
public sealed record BenchOptions(string Root, bool Quick, string Output, IReadOnlySet<string> Sections)
{
    /// <summary>The report's sections, in order.</summary>
    public static IReadOnlyList<string> AllSections { get; } = ["cycles", "fill", "filter", "wallclock", "load", "synth"];

    public const string Usage =
        "usage: NitroCard.Bench --root <repo> [--quick] [--out <file>] [--only <section>[,<section>...]]\n" +
        "  --root   the repository (reads out/lib/libnitrocard.so and out/yosys-synth.log from it)\n" +
        "  --quick  few frames and a BenchmarkDotNet dry run: a smoke test, not a measurement\n" +
        "  --out    the Markdown report to write (default <root>/docs/BENCHMARKS.md)\n" +
        "  --only   sections to run: cycles, fill, filter, wallclock, load, synth (default all)";

    /// <summary>Frames pushed back to back for each steady-state figure.</summary>
    public int SteadyStateFrames => Quick ? 50 : 500;

    public bool Runs(string section) => Sections.Contains(section);

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? root = null, output = null;
        var quick = false;
        var sections = new HashSet<string>(AllSections);
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--root":
                    root = Value();
                    break;
                case "--out":
                    output = Value();
                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--only":
                    sections = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                    var unknown = sections.Except(AllSections).ToList();
                    if (unknown.Count > 0 || sections.Count == 0)
                        throw new ArgumentException($"--only: unknown section(s) {string.Join(", ", unknown)}; known: {string.Join(", ", AllSections)}");
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }
        if (root is null)
            throw new ArgumentException("--root is required");
        root = Path.GetFullPath(root);
        if (!File.Exists(Path.Combine(root, "NitroCard.sln")))
            throw new ArgumentException($"--root {root}: no NitroCard.sln there");
        output = Path.GetFullPath(output ?? Path.Combine(root, "docs", "BENCHMARKS.md"));
        return new BenchOptions(root, quick, output, sections);
    }
}
