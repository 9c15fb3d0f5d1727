// Measures the card and writes docs/BENCHMARKS.md (see BenchOptions.Usage):
//   dotnet pwsh ./build.ps1 bench [--quick] [--out <file>] [--only <section>,...]
using NitroCard.Bench;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

// Measure the library of the repository we were pointed at, unless the caller chose one.
var library = Environment.GetEnvironmentVariable("NITROCARD_LIB");
if (string.IsNullOrEmpty(library))
{
    library = Path.Combine(options.Root, "out", "lib", "libnitrocard.so");
    Environment.SetEnvironmentVariable("NITROCARD_LIB", library);
}

Console.Error.WriteLine($"NitroCard bench{(options.Quick ? " (quick)" : "")}: sections {string.Join(", ", BenchOptions.AllSections.Where(options.Runs))}; report to {options.Output}");
var machine = MachineInfo.Collect(options.Root, library);
var results = BenchSuite.Run(options, Console.Error);
Directory.CreateDirectory(Path.GetDirectoryName(options.Output)!);
// The pictures go to benchmarks/ beside the report, which links them (docs/BENCHMARKS.md -> docs/benchmarks/*.png).
var pictures = Plots.Write(results, Path.Combine(Path.GetDirectoryName(options.Output)!, "benchmarks"), options.Quick);
await File.WriteAllTextAsync(options.Output, Report.Render(options, machine, results, pictures));
Console.Error.WriteLine($"wrote {options.Output} ({results.Elapsed.TotalSeconds:F0} s)");
return 0;
