using System.Diagnostics;
using System.Globalization;
using System.Text;
using NitroCard.Card;
using NitroCard.Driver;
using NitroCard.Driver.Simulation;
using NitroCard.Firmware;
using NitroCard.Mapping.Distribution;

namespace NitroCard.MappingBench;

/// <summary>
/// Mapping load through the Verilated card: one host's full resync (a snapshot applied by <see cref="CardProgrammer"/>
/// to an empty <see cref="RtlCardEngine"/>), with posted and with checked table writes (<see cref="TableWriteMode"/>)
/// in alternating pairs, the card cycles each took (the RTL's, the same every run) and the idle card's simulation rate.
/// </summary>
public static class CardLoadBenchmark
{
    public const string SectionHeading = "## Mapping load through the Verilated card";

    private const ulong IdleStepCycles = 1_000_000;

    /// <summary>Issue 11's target for mapping load through the Verilated card.</summary>
    private const int TargetEntriesPerSecond = 100_000;

    /// <summary>One resync: wall time, the process's CPU time over it, and the card cycles it ran.</summary>
    public sealed record LoadRun(TableWriteMode Mode, double Ms, double CpuMs, ulong Cycles, int Mappings);

    /// <summary>Measures <paramref name="repeat"/> pairs and the idle rate; returns the section for docs/benchmarks/mapping.md.</summary>
    public static string Run(int mappings, int repeat, string commandLine, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        var snapshot = MappingBenchmark.ResyncSnapshot(mappings);
        var runs = new List<LoadRun>();
        for (var i = 0; i < repeat; i++)
        {
            foreach (var mode in (TableWriteMode[])[TableWriteMode.Posted, TableWriteMode.Checked])
            {
                var run = OnCardThread(() => Load(snapshot, mode));
                runs.Add(run);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{mode}: {run.Mappings} mappings in {run.Ms:F0} ms wall, {run.CpuMs:F0} ms CPU, {run.Cycles} card cycles"));
            }
        }
        var rates = Enumerable.Range(0, 3).Select(_ => OnCardThread(IdleCyclesPerSecond)).ToList();
        var idle = new IdleRate(rates.Select(r => r.Wall).Order().ElementAt(1), rates.Select(r => r.Cpu).Order().ElementAt(1));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"idle card: {idle.Wall:F0} cycles/s wall, {idle.Cpu:F0} cycles per CPU second"));
        return Report(runs, idle, commandLine);
    }

    private static LoadRun Load(HostDelta snapshot, TableWriteMode mode)
    {
        using var engine = new RtlCardEngine(mode);
        var programmer = new CardProgrammer(engine.Geometry);
        var startCycle = engine.Card.Cycle;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        programmer.Apply(engine, snapshot);
        var ms = clock.Elapsed.TotalMilliseconds;
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        return new LoadRun(mode, ms, cpuMs, engine.Card.Cycle - startCycle, engine.Driver.MappingCount);
    }

    /// <summary>Cycles a second (of wall time and of the process's CPU time) of the card with nothing to do: the rate every CSR access of a table load runs at.</summary>
    private static IdleRate IdleCyclesPerSecond()
    {
        using var card = VerilatedCard.Create();
        card.Step(IdleStepCycles / 10); // warm caches and the branch predictor
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        card.Step(IdleStepCycles);
        var wall = clock.Elapsed.TotalSeconds;
        return new IdleRate(IdleStepCycles / wall, IdleStepCycles / (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    private sealed record IdleRate(double Wall, double Cpu);

    /// <summary>Runs <paramref name="work"/> on a thread of its own: a Verilated card belongs to the thread that created it.</summary>
    private static T OnCardThread<T>(Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e) when (e is DllNotFoundException or NitroCardException or InvalidOperationException)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException(failure.Message, failure);
    }

    private static string Report(List<LoadRun> runs, IdleRate idle, string commandLine)
    {
        static double Median(IEnumerable<double> values) => MappingBenchmark.Percentile(values.ToList(), 50);
        var posted = runs.Where(r => r.Mode == TableWriteMode.Posted).ToList();
        var checkedRuns = runs.Where(r => r.Mode == TableWriteMode.Checked).ToList();
        var ratios = posted.Zip(checkedRuns, (p, c) => c.Ms / p.Ms).Order().ToList();
        var mappings = posted[0].Mappings;
        var s = new StringBuilder();
        s.AppendLine(SectionHeading);
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Produced by `dotnet run --project tools/NitroCard.MappingBench -c Release -- {commandLine}` on {Environment.ProcessorCount} cores ({DateTime.UtcNow:yyyy-MM-dd}).");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"One host's full resync: a snapshot of {mappings:N0} mappings applied by `CardProgrammer` to an empty `RtlCardEngine` (the card's");
        s.AppendLine("creation not counted), with `CardDriver`'s two table write paths (`TableWriteMode`; docs/registers.md, TBL_CMD) in");
        s.AppendLine("alternating pairs. CPU is the process's over the run (the card, the driver and the runtime). Card cycles are the RTL's and the same on every run.");
        s.AppendLine();
        s.AppendLine("| table writes | runs | wall p50 | wall min | entries/s (p50) | CPU p50 | card cycles | cycles per entry |");
        s.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var group in (List<LoadRun>[])[posted, checkedRuns])
        {
            var wall = Median(group.Select(r => r.Ms));
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {group[0].Mode.ToString().ToLowerInvariant()} | {group.Count} | {wall:F0} ms | {group.Min(r => r.Ms):F0} ms | {mappings / (wall / 1000):N0} | {Median(group.Select(r => r.CpuMs)):F0} ms | {group[0].Cycles:N0} | {(double)group[0].Cycles / mappings:F2} |");
        }
        s.AppendLine();
        var cardCpuMs = posted[0].Cycles / idle.Cpu * 1000;
        var postedCpu = Median(posted.Select(r => r.CpuMs));
        var postedWall = Median(posted.Select(r => r.Ms));
        s.AppendLine(CultureInfo.InvariantCulture, $"Checked / posted wall time of each pair: median {Median(ratios):F2}× (min {ratios[0]:F2}×, max {ratios[^1]:F2}×).");
        s.AppendLine(CultureInfo.InvariantCulture, $"The idle card simulates {idle.Wall:N0} cycles per second of wall time and {idle.Cpu:N0} per second of CPU time (`nc_step` of");
        s.AppendLine(CultureInfo.InvariantCulture, $"{IdleStepCycles:N0} cycles, median of 3 runs), so the posted resync's {posted[0].Cycles:N0} card cycles alone cost about {cardCpuMs:F0} ms of its");
        s.AppendLine(CultureInfo.InvariantCulture, $"{postedCpu:F0} ms of CPU; the rest is the firmware's snapshot handling, the driver's cuckoo placement and encoding, and the runtime (JIT, GC).");
        s.AppendLine();
        var cyclesPerEntry = (double)posted[0].Cycles / mappings;
        s.AppendLine(CultureInfo.InvariantCulture, $"Against issue 11's target (≥ {TargetEntriesPerSecond:N0} entries/s, the {mappings:N0}-mapping resync ≤ 1 s): posted p50 {mappings / (postedWall / 1000):N0} entries/s in");
        s.AppendLine(CultureInfo.InvariantCulture, $"{postedWall:F0} ms of wall time, {mappings / (postedCpu / 1000):N0} per CPU second. At {cyclesPerEntry:F2} cycles per entry the simulated card alone allows");
        s.AppendLine(CultureInfo.InvariantCulture, $"{idle.Cpu / cyclesPerEntry:N0} entries per CPU second; {TargetEntriesPerSecond:N0} would need {TargetEntriesPerSecond * cyclesPerEntry:N0} simulated cycles per second of the idle card");
        s.AppendLine("(issue 11's RTL and build work) or fewer cycles per entry, and the register window leaves little: TBL_INDEX, TBL_CMD and the");
        s.AppendLine("staging words that differ from the previous entry's (the address and MAC_LO in a resync) are one cycle each, and a commit");
        s.AppendLine("writes one queued entry a cycle.");
        s.AppendLine();
        return s.ToString();
    }
}
