using System.Diagnostics;
using System.Globalization;
using NitroCard.Card;
using NitroCard.Driver.Simulation;

namespace NitroCard.Bench;

/// <summary>Everything one bench run measured.</summary>
public sealed class BenchResults
{
    public List<SteadyState> Cycles { get; } = [];

    /// <summary>Established flows through tracked security groups.</summary>
    public List<SteadyState> Established { get; } = [];

    public List<NewFlowResult> NewFlows { get; } = [];

    /// <summary>Established flows of several directions at once, tracked and untracked.</summary>
    public List<MixResult> Mixes { get; } = [];

    public CapacityResult? Capacity { get; set; }

    /// <summary>The tracking table offered more new flows than it holds.</summary>
    public ExhaustionResult? Exhaustion { get; set; }

    public List<FillResult> Fills { get; } = [];

    public List<LoadResult> Loads { get; } = [];

    public List<WallClockResult> WallClock { get; } = [];

    public string? WallClockError { get; set; }

    public string? SynthLog { get; set; }

    public YosysStat? Synth { get; set; }

    public TimeSpan Elapsed { get; set; }

    /// <summary>The card's table sizes as its PARAM registers report them.</summary>
    public CardGeometry? Geometry { get; set; }
}

/// <summary>Runs the sections the options ask for, reporting progress on stderr.</summary>
public static class BenchSuite
{
    /// <summary>Frame size the table-fill runs repeat.</summary>
    public const int FillSize = 64;

    /// <summary>Fractions of the placeable capacity the fill runs load.</summary>
    public static IReadOnlyList<double> FillLevels { get; } = [0.5, 0.9];

    /// <summary>Sizes of the single-commit load measurements (besides the fill levels).</summary>
    public static IReadOnlyList<int> LoadSizes { get; } = [10_000, 50_000];

    public static BenchResults Run(BenchOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var clock = Stopwatch.StartNew();
        var results = new BenchResults();
        var traffic = BenchTraffic.Sample();
        using (var card = CycleBench.CreateCard(traffic))
            results.Geometry = card.Geometry;
        void Progress(string text) => log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,6:F1} s] {text}"));

        if (options.Runs("cycles"))
        {
            foreach (var direction in Enum.GetValues<Direction>())
            {
                using var card = CycleBench.CreateCard(traffic);
                foreach (var size in CycleBench.Sizes)
                {
                    var r = CycleBench.Measure(card, traffic, direction, size, options.SteadyStateFrames);
                    results.Cycles.Add(r);
                    Progress(string.Create(CultureInfo.InvariantCulture, $"cycles {direction} {size} B: {r.CyclesPerPacket:F3} cycles/packet, bound {r.Bound}, ratio {r.Ratio:F3}, latency {r.LatencyCycles}{(r.Problem is null ? "" : " PROBLEM: " + r.Problem)}"));
                }
            }
        }

        if (options.Runs("filter"))
        {
            foreach (var direction in Enum.GetValues<Direction>())
            {
                using var card = CycleBench.CreateCard(traffic);
                FilterBench.Track(card, traffic, 1);
                foreach (var size in FilterBench.EstablishedSizes)
                {
                    var r = FilterBench.Established(card, traffic, direction, size, options.SteadyStateFrames);
                    results.Established.Add(r);
                    Progress(string.Create(CultureInfo.InvariantCulture, $"established {direction} {size} B: {r.CyclesPerPacket:F3} cycles/packet, bound {r.Bound}{(r.Problem is null ? "" : " PROBLEM: " + r.Problem)}"));
                }
            }
            foreach (var rules in FilterBench.RuleCounts)
            {
                using var card = CycleBench.CreateCard(traffic);
                FilterBench.Track(card, traffic, rules);
                var encap = FilterBench.NewFlows(card, traffic, Direction.TxEncap, options.SteadyStateFrames);
                using var localCard = CycleBench.CreateCard(traffic);
                FilterBench.Track(localCard, traffic, rules);
                var local = FilterBench.NewFlows(localCard, traffic, Direction.TxLocal, options.SteadyStateFrames);
                results.NewFlows.Add(new NewFlowResult(rules, encap, local));
                foreach (var r in new[] { encap, local })
                    Progress(string.Create(CultureInfo.InvariantCulture, $"new flows {r.Direction}, {rules} egress rules: {r.CyclesPerPacket:F3} cycles/flow, first packet {r.LatencyCycles} cycles{(r.Problem is null ? "" : " PROBLEM: " + r.Problem)}"));
            }
            foreach (var mix in FilterBench.Mixes)
            {
                foreach (var tracked in new[] { true, false })
                {
                    using var card = CycleBench.CreateCard(traffic);
                    if (tracked)
                        FilterBench.Track(card, traffic, 1);
                    var r = FilterBench.Concurrent(card, traffic, mix, tracked, options.SteadyStateFrames);
                    results.Mixes.Add(r);
                    Progress(string.Create(CultureInfo.InvariantCulture, $"mix {string.Join(" + ", mix)} ({(tracked ? "tracked" : "untracked")}): {r.CyclesPerPacket:F3} cycles/packet, bound {r.BoundCyclesPerPacket:F3}{(r.Problem is null ? "" : " PROBLEM: " + r.Problem)}"));
                }
            }
        }

        if (options.Runs("exhaustion"))
        {
            Progress("tracking table: offering more new flows than it holds, then every admitted flow again");
            var r = results.Exhaustion = ExhaustionBench.Run(traffic, options.Quick ? ExhaustionBench.QuickOffer : ExhaustionBench.Offer, options.Quick ? 100 : 10_000);
            Progress(string.Create(CultureInfo.InvariantCulture, $"tracking table: {r.Admitted:N0} of {r.Offered:N0} new flows admitted (capacity {r.Capacity:N0}), first conntrack-full at flow {r.FirstFull:N0}, established {r.Established:N0} at {r.EstablishedCyclesPerPacket:F3} cycles/packet, {r.Wall.TotalSeconds:F0} s{(r.Problem is null ? "" : " PROBLEM: " + r.Problem)}"));
        }

        if (options.Runs("fill") || options.Runs("load"))
            RunTables(options, traffic, results, Progress);

        if (options.Runs("wallclock"))
        {
            Progress("wall clock: BenchmarkDotNet " + (options.Quick ? "dry run" : "short run") + " (its log follows)");
            try
            {
                results.WallClock.AddRange(WallClock.Run(options.Quick, Path.Combine(options.Root, "out", "bench")));
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or NotSupportedException)
            {
                results.WallClockError = e.Message;
            }
            foreach (var w in results.WallClock)
                Progress(string.Create(CultureInfo.InvariantCulture, $"wall clock {w.Engine} {w.Workload}: {w.PacketsPerSecond:N0} packets/s{(w.Problem is null ? "" : " PROBLEM: " + w.Problem)}"));
        }

        if (options.Runs("synth"))
        {
            var path = Path.Combine(options.Root, "out", "yosys-synth.log");
            if (File.Exists(path))
            {
                results.SynthLog = path;
                results.Synth = YosysStat.Parse(File.ReadAllText(path));
                Progress(results.Synth is null ? $"{path}: no statistics block" : $"synth: {results.Synth.Luts} LUTs, {results.Synth.FlipFlops} FFs, {results.Synth.BramTiles} BRAM36");
            }
            else
            {
                Progress($"{path} does not exist: the report says how to produce it");
            }
        }

        results.Elapsed = clock.Elapsed;
        return results;
    }

    private static void RunTables(BenchOptions options, BenchTraffic traffic, BenchResults results, Action<string> progress)
    {
        // How full can the driver make the table? Random keys until the first insert fails.
        using (var card = CycleBench.CreateCard(traffic))
        {
            progress("mapping table: loading random mappings until the first insert fails");
            results.Capacity = MappingLoad.FillUntilFull(card, traffic.RandomMappings(seed: 1));
            progress(string.Create(CultureInfo.InvariantCulture, $"mapping table: {results.Capacity.Placed} of {results.Capacity.Slots} entries placed ({results.Capacity.PercentOfSlots:F1}%) in {results.Capacity.Load.Elapsed.TotalSeconds:F1} s; then: {results.Capacity.FirstFailure}"));
        }
        var capacity = results.Capacity.Placed;
        var topologyMappings = traffic.Topology.Mappings.Count;

        if (options.Runs("load"))
        {
            foreach (var n in LoadSizes)
            {
                using var card = CycleBench.CreateCard(traffic);
                var entries = traffic.RandomMappings(seed: 2).Take(n).ToList();
                var load = MappingLoad.Load(card, entries, string.Create(CultureInfo.InvariantCulture, $"{n:N0} random mappings, one commit"));
                results.Loads.Add(load);
                progress(Describe(load));
            }
        }

        if (options.Runs("fill"))
        {
            using (var card = CycleBench.CreateCard(traffic))
                results.Fills.Add(MeasureFill(options, traffic, card, "topology only", capacity, progress));
        }
        foreach (var level in FillLevels)
        {
            using var card = CycleBench.CreateCard(traffic);
            var n = (int)Math.Round(level * capacity) - topologyMappings;
            var entries = traffic.RandomMappings(seed: 3).Take(n).ToList();
            var load = MappingLoad.Load(card, entries, string.Create(CultureInfo.InvariantCulture, $"{n:N0} random mappings (to {level * 100:F0}% of what the driver can place), one commit"));
            results.Loads.Add(load);
            progress(Describe(load));
            if (options.Runs("fill") && load.Failure is null)
                results.Fills.Add(MeasureFill(options, traffic, card, string.Create(CultureInfo.InvariantCulture, $"~{level * 100:F0}% of placeable"), capacity, progress));
        }
    }

    private static FillResult MeasureFill(BenchOptions options, BenchTraffic traffic, RtlCardEngine card, string label, int capacity, Action<string> progress)
    {
        var rows = Enum.GetValues<Direction>().Select(d => CycleBench.Measure(card, traffic, d, FillSize, options.SteadyStateFrames)).ToList();
        var fill = new FillResult(label, card.Driver.MappingCount, capacity, card.Geometry.MappingCapacity, rows);
        progress(string.Create(CultureInfo.InvariantCulture, $"fill {label} ({fill.TableEntries} entries): ") + string.Join(", ", rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Direction} {r.CyclesPerPacket:F3}"))));
        return fill;
    }

    private static string Describe(LoadResult load) => load.Failure is null
        ? string.Create(CultureInfo.InvariantCulture, $"load {load.Label}: {load.Loaded} in {load.Elapsed.TotalSeconds:F2} s = {load.EntriesPerSecond:N0}/s, {load.CyclesPerEntry:F2} CSR cycles/entry")
        : $"load {load.Label}: rejected: {load.Failure}";
}
