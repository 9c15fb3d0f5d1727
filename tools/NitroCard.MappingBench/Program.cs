using System.Globalization;
using NitroCard.MappingBench;

// nitrocard-mapping-bench [--quick] [--hosts N] [--enis N] [--resync N] [--rtl-resync N] [--whole-region-apply] [--out docs/benchmarks/mapping.md]
// nitrocard-mapping-bench --subscribers N [--changes N] [--backlog-bytes N] [--stall-seconds N] [--out docs/benchmarks/mapping.md]   (its section of the file only)
string report;
string? path;
var subscribers = Array.IndexOf(args, "--subscribers");
if (subscribers >= 0)
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
    // The subscriber figures are measured by their own run: keep them.
    if (path is not null && File.Exists(path) && SectionOf(await File.ReadAllTextAsync(path)) is { } kept)
        report = WithSection(report, kept);
}
if (path is null)
{
    Console.WriteLine(report);
    return;
}
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
await File.WriteAllTextAsync(path, report);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {path}"));

// The subscriber section is the file's last: from its heading to the end.
static string? SectionOf(string text) => text.IndexOf(SubscriberBenchmark.SectionHeading, StringComparison.Ordinal) is var i and >= 0 ? text[i..] : null;

static string WithSection(string text, string section)
{
    var i = text.IndexOf(SubscriberBenchmark.SectionHeading, StringComparison.Ordinal);
    return (i >= 0 ? text[..i] : text.TrimEnd() + "\n\n") + section;
}
