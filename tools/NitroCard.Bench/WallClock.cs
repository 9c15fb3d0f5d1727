using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;
using Perfolizer.Horology;

namespace NitroCard.Bench;

/// <summary>One case of <see cref="SimulationThroughput"/>: wall-clock time per packet and what it simulated.</summary>
/// <param name="Engine">rtl, model or model-direct.</param>
/// <param name="Workload">The frame mix.</param>
/// <param name="MedianNs">Median of the iterations, nanoseconds per packet.</param>
/// <param name="MinNs">Fastest iteration, nanoseconds per packet.</param>
/// <param name="MaxNs">Slowest iteration, nanoseconds per packet.</param>
/// <param name="Iterations">Measured iterations.</param>
/// <param name="CyclesPerPacket">Simulated clock cycles per packet (rtl only, else 0).</param>
/// <param name="OneThread">GlobalSetup, every invocation and GlobalCleanup ran on one thread.</param>
/// <param name="Problem">Why there is no figure, or null.</param>
public sealed record WallClockResult(string Engine, string Workload, double MedianNs, double MinNs, double MaxNs, int Iterations, double CyclesPerPacket, bool OneThread, string? Problem)
{
    public double PacketsPerSecond => 1e9 / MedianNs;

    /// <summary>Packets per second of the slowest and the fastest iteration.</summary>
    public (double Low, double High) PacketsPerSecondRange => (1e9 / MaxNs, 1e9 / MinNs);

    public double CyclesPerSecond => CyclesPerPacket * PacketsPerSecond;
}

/// <summary>Runs <see cref="SimulationThroughput"/> under BenchmarkDotNet's in-process toolchain.</summary>
public static class WallClock
{
    /// <summary>The job: in-process (the Verilated card cannot cross threads or processes), short.</summary>
    public static Job CreateJob(bool quick)
    {
        var job = quick
            ? Job.Dry
            : Job.Default
                .WithWarmupCount(2)
                .WithIterationCount(7)
                .WithIterationTime(TimeInterval.FromMilliseconds(200))
                .WithUnrollFactor(1)
                .WithEvaluateOverhead(false);
        return job.WithToolchain(InProcessNoEmitToolchain.Instance).WithId(quick ? "Dry" : "Short");
    }

    /// <summary>A one-line description of the job for the report.</summary>
    public static string Describe(bool quick) => quick
        ? "BenchmarkDotNet Dry job (1 iteration of 1 invocation, no warmup: a smoke test, not a measurement), in-process (InProcessNoEmitToolchain)"
        : "BenchmarkDotNet, in-process (InProcessNoEmitToolchain), 1 launch, 2 warmup + 7 measured iterations of ~200 ms, no overhead evaluation";

    public static IReadOnlyList<WallClockResult> Run(bool quick, string artifactsPath)
    {
        var config = ManualConfig.CreateEmpty()
            .AddJob(CreateJob(quick))
            .AddLogger(new StderrLogger())
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithArtifactsPath(artifactsPath)
            .WithOptions(ConfigOptions.DisableLogFile);
        var summary = BenchmarkRunner.Run<SimulationThroughput>(config);
        var results = new List<WallClockResult>();
        foreach (var report in summary.Reports)
        {
            var engine = (string)report.BenchmarkCase.Parameters["Engine"];
            var workload = (string)report.BenchmarkCase.Parameters["Workload"];
            var ledger = ThroughputLedger.Get($"{engine}/{workload}");
            var stats = report.ResultStatistics;
            if (stats is null || !report.Success)
            {
                results.Add(new WallClockResult(engine, workload, double.NaN, double.NaN, double.NaN, 0, 0, ledger?.OneThread ?? false,
                    "no result: " + string.Join(" ", report.ExecuteResults.SelectMany(r => r.Results).Where(l => l.Contains("Exception", StringComparison.Ordinal)).Take(1).DefaultIfEmpty("the case failed (see the log on stderr)"))));
                continue;
            }
            results.Add(new WallClockResult(engine, workload, stats.Median, stats.Min, stats.Max, stats.N,
                ledger?.CyclesPerPacket ?? 0, ledger?.OneThread ?? false, null));
        }
        return results;
    }

    /// <summary>
    /// BenchmarkDotNet's progress on stderr (stdout stays clean): headers, warnings and errors; not the
    /// per-iteration lines, statistics, summary table and legends (the bench prints its own result lines).
    /// </summary>
    private sealed class StderrLogger : ILogger
    {
        private bool _lineKept = true;

        public string Id => "stderr";

        public int Priority => 0;

        public void Write(LogKind logKind, string text)
        {
            _lineKept = Keep(logKind);
            if (_lineKept)
                Console.Error.Write(text);
        }

        public void WriteLine()
        {
            if (_lineKept)
                Console.Error.WriteLine();
            _lineKept = false;
        }

        public void WriteLine(LogKind logKind, string text)
        {
            _lineKept = Keep(logKind);
            if (_lineKept)
                Console.Error.WriteLine(text);
            _lineKept = false;
        }

        public void Flush() => Console.Error.Flush();

        private static bool Keep(LogKind kind) => kind is LogKind.Header or LogKind.Error or LogKind.Warning;
    }
}
