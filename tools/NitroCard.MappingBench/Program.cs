using System.Globalization;
using NitroCard.MappingBench;

// nitrocard-mapping-bench [--quick] [--hosts N] [--enis N] [--resync N] [--rtl-resync N] [--whole-region-apply] [--out docs/benchmarks/mapping.md]
// nitrocard-mapping-bench --subscribers N [--changes N] [--backlog-bytes N] [--stall-seconds N] [--out docs/benchmarks/mapping.md]   (its section of the file only)
// nitrocard-mapping-bench --rtl-load N [--repeat N] [--out docs/benchmarks/mapping.md]   (its section of the file only)
string report;
string? path;
var subscribers = Array.IndexOf(args, "--subscribers");
var rtlLoad = Array.IndexOf(args, "--rtl-load");
if (rtlLoad >= 0)
{
    path = Array.IndexOf(args, "--out") is var o and >= 0 ? args[o + 1] : null;
    var repeat = Array.IndexOf(args, "--repeat") is var r and >= 0 ? int.Parse(args[r + 1], CultureInfo.InvariantCulture) : 5;
    var section = CardLoadBenchmark.Run(int.Parse(args[rtlLoad + 1], CultureInfo.InvariantCulture), repeat, string.Join(' ', args), Console.Out);
    report = path is not null && File.Exists(path) ? WithLoadSection(await File.ReadAllTextAsync(path), section) : section;
}
else if (subscribers >= 0)
{
    int Value(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    path = Array.IndexOf(args, "--out") is var o and >= 0 ? args[o + 1] : null;
    var section = await SubscriberBenchmark.RunAsync(Value("--subscribers", 1000), Value("--changes", 5000),
        Value("--backlog-bytes", (int)NitroCard.Mapping.Distribution.DistributionHub.DefaultBacklogLimitBytes),
        TimeSpan.FromSeconds(Value("--stall-seconds", (int)NitroCard.Mapping.Distribution.DistributionHub.DefaultStallTimeout.TotalSeconds)), string.Join(' ', args), Console.Out);
    report = path is not null && File.Exists(path) ? WithSection(await File.ReadAllTextAsync(path), section) : section;
}
else
{
    var options = MappingBenchOptions.Parse(args);
    report = await MappingBenchmark.RunAsync(options, Console.Out);
    path = options.Output;
    // The card load and subscriber figures are measured by their own runs: keep them.
    if (path is not null && File.Exists(path) && KeptSections(await File.ReadAllTextAsync(path)) is { } kept)
        report = report.TrimEnd() + "\n\n" + kept;
}
if (path is null)
{
    Console.WriteLine(report);
    return;
}
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
await File.WriteAllTextAsync(path, report);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {path}"));

// The subscriber section is the file's last: from its heading to the end; the card load section comes right before it.
static string? KeptSections(string text)
    => text.IndexOf(CardLoadBenchmark.SectionHeading, StringComparison.Ordinal) is var l and >= 0 ? text[l..]
        : text.IndexOf(SubscriberBenchmark.SectionHeading, StringComparison.Ordinal) is var i and >= 0 ? text[i..] : null;

// Replaces the card load section (up to the next section) or puts it before the subscriber section or at the end.
static string WithLoadSection(string text, string section)
{
    var start = text.IndexOf(CardLoadBenchmark.SectionHeading, StringComparison.Ordinal);
    if (start >= 0)
    {
        var next = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return text[..start] + section + (next >= 0 ? text[(next + 1)..] : "");
    }
    var subscribers = text.IndexOf(SubscriberBenchmark.SectionHeading, StringComparison.Ordinal);
    return subscribers >= 0 ? text[..subscribers] + section + text[subscribers..] : text.TrimEnd() + "\n\n" + section;
}

static string WithSection(string text, string section)
{
    var i = text.IndexOf(SubscriberBenchmark.SectionHeading, StringComparison.Ordinal);
    return (i >= 0 ? text[..i] : text.TrimEnd() + "\n\n") + section;
}
