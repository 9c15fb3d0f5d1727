using System.Globalization;
using NitroCard.MappingBench;

// nitrocard-mapping-bench [--quick] [--hosts N] [--enis N] [--resync N] [--rtl-resync N] [--out docs/benchmarks/mapping.md]
var options = MappingBenchOptions.Parse(args);
var report = await MappingBenchmark.RunAsync(options, Console.Out);
if (options.Output is { } path)
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    await File.WriteAllTextAsync(path, report);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {path}"));
}
