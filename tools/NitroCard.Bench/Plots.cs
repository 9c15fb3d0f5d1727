using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace NitroCard.Bench;

/// <summary>
/// The pictures of docs/BENCHMARKS.md, drawn from the same run as its tables (ScottPlot): cycles per packet against the
/// bus bound by frame size for each direction (§1), and simulated speed by engine and workload (§2).
/// </summary>
public static class Plots
{
    /// <summary>§1: cycles per packet divided by the bound, by frame size, one line per direction.</summary>
    public const string CyclesFile = "cycles-per-packet.png";

    /// <summary>§2: packets per second by workload and engine (log scale).</summary>
    public const string SpeedFile = "simulation-speed.png";

    /// <summary>§2: the rtl engine's simulated cycles per second by workload, against the 1,000,000 target.</summary>
    public const string RtlCyclesFile = "rtl-cycles-per-second.png";

    /// <summary>The rtl engine's speed target (issue "The Verilated card five times faster").</summary>
    public const double RtlCyclesPerSecondTarget = 1_000_000;

    private const int Width = 900;
    private const int Height = 480;

    /// <summary>Writes the pictures the results have data for into <paramref name="directory"/>; returns the files written (their names).</summary>
    public static IReadOnlyList<string> Write(BenchResults results, string directory, bool quick)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        var suffix = quick ? " (--quick: not a measurement)" : "";
        if (results.Cycles.Any(r => r.Problem is null))
        {
            CyclesPerPacket(results.Cycles, suffix).SavePng(Path.Combine(directory, CyclesFile), Width, Height);
            written.Add(CyclesFile);
        }
        var wallClock = results.WallClock.Where(r => r.Problem is null).ToList();
        if (wallClock.Count > 0)
        {
            Speed(wallClock, suffix).SavePng(Path.Combine(directory, SpeedFile), Width, Height);
            written.Add(SpeedFile);
        }
        if (wallClock.Any(r => r.Engine == "rtl" && r.CyclesPerPacket > 0))
        {
            RtlCycles(wallClock, suffix).SavePng(Path.Combine(directory, RtlCyclesFile), Width, Height);
            written.Add(RtlCyclesFile);
        }
        return written;
    }

    private static Plot CyclesPerPacket(IReadOnlyList<SteadyState> rows, string suffix)
    {
        var plot = new Plot();
        var sizes = rows.Select(r => r.Size).Distinct().Order().ToList();
        foreach (var direction in Enum.GetValues<Direction>())
        {
            var points = rows.Where(r => r.Direction == direction && r.Problem is null).OrderBy(r => r.Size).ToList();
            if (points.Count == 0)
                continue;
            var line = plot.Add.Scatter(points.Select(r => (double)sizes.IndexOf(r.Size)).ToArray(), points.Select(r => r.Ratio).ToArray());
            line.LegendText = direction switch
            {
                Direction.TxEncap => "TX encapsulation",
                Direction.TxLocal => "TX local switching",
                _ => "RX decapsulation",
            };
            // Directions often lie on top of each other (all at the bound): shapes and sizes keep each one visible.
            (line.MarkerShape, line.MarkerSize, line.LineWidth) = direction switch
            {
                Direction.TxEncap => (MarkerShape.OpenCircle, 15f, 3f),
                Direction.TxLocal => (MarkerShape.OpenSquare, 10f, 2f),
                _ => (MarkerShape.FilledTriangleUp, 6f, 1f),
            };
        }
        var bound = plot.Add.HorizontalLine(1.0);
        bound.LegendText = "bus bound (one 64-byte beat per cycle)";
        bound.LinePattern = LinePattern.Dashed;
        bound.Color = Colors.Black;
        var target = plot.Add.HorizontalLine(SteadyState.Target);
        target.LegendText = "target (bound + 5%)";
        target.LinePattern = LinePattern.Dotted;
        target.Color = Colors.Red;
        plot.Axes.Bottom.TickGenerator = new NumericManual(
            [.. sizes.Select((s, i) => new Tick(i, s.ToString(CultureInfo.InvariantCulture)))]);
        plot.Axes.SetLimitsY(0.95, Math.Max(1.2, rows.Where(r => r.Problem is null).Max(r => r.Ratio) + 0.05));
        plot.XLabel("frame size (bytes of the instance's frame; RX: the inner frame)");
        plot.YLabel("cycles per packet ÷ bound");
        plot.Title("Verilated card: steady-state cycles per packet against the bus bound" + suffix);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static Plot Speed(IReadOnlyList<WallClockResult> rows, string suffix)
    {
        var plot = new Plot();
        var workloads = SimulationThroughput.Workloads.Where(w => rows.Any(r => r.Workload == w)).ToList();
        var engines = SimulationThroughput.Engines.Where(e => rows.Any(r => r.Engine == e)).ToList();
        var palette = new ScottPlot.Palettes.Category10();
        for (var e = 0; e < engines.Count; e++)
        {
            var bars = new List<Bar>();
            for (var w = 0; w < workloads.Count; w++)
            {
                if (rows.FirstOrDefault(r => r.Workload == workloads[w] && r.Engine == engines[e]) is not { } row)
                    continue;
                bars.Add(new Bar
                {
                    Position = (w * (engines.Count + 1)) + e,
                    Value = Math.Log10(row.PacketsPerSecond),
                    FillColor = palette.GetColor(e),
                    Label = row.PacketsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                });
            }
            var series = plot.Add.Bars(bars);
            series.LegendText = engines[e];
            series.ValueLabelStyle.FontSize = 10;
        }
        plot.Axes.Bottom.TickGenerator = new NumericManual(
            [.. workloads.Select((w, i) => new Tick((i * (engines.Count + 1)) + ((engines.Count - 1) / 2.0), w))]);
        LogAxis(plot);
        plot.Axes.Margins(bottom: 0);
        plot.YLabel("simulated packets per wall-clock second (log)");
        plot.Title("Simulation speed by engine, one thread" + suffix);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot RtlCycles(IReadOnlyList<WallClockResult> rows, string suffix)
    {
        var plot = new Plot();
        var rtl = SimulationThroughput.Workloads
            .Select(w => rows.FirstOrDefault(r => r.Workload == w && r.Engine == "rtl" && r.CyclesPerPacket > 0))
            .OfType<WallClockResult>()
            .ToList();
        var bars = rtl.Select((r, i) => new Bar
        {
            Position = i,
            Value = r.CyclesPerSecond,
            Label = r.CyclesPerSecond.ToString("N0", CultureInfo.InvariantCulture),
        }).ToList();
        plot.Add.Bars(bars).LegendText = "rtl engine";
        var target = plot.Add.HorizontalLine(RtlCyclesPerSecondTarget);
        target.LegendText = "target: 1,000,000 cycles/s";
        target.LinePattern = LinePattern.Dashed;
        target.Color = Colors.Red;
        plot.Axes.Bottom.TickGenerator = new NumericManual([.. rtl.Select((r, i) => new Tick(i, r.Workload))]);
        plot.Axes.SetLimitsY(0, Math.Max(RtlCyclesPerSecondTarget, rtl.Max(r => r.CyclesPerSecond)) * 1.15);
        plot.YLabel("simulated card cycles per wall-clock second");
        plot.Title("Verilated card: simulated cycles per second" + suffix);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>A left axis whose values are log10 of the figure: ticks at the powers of ten, labelled with the figure.</summary>
    private static void LogAxis(Plot plot)
    {
        plot.Axes.Left.TickGenerator = new NumericAutomatic
        {
            MinorTickGenerator = new LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Math.Pow(10, y).ToString("N0", CultureInfo.InvariantCulture),
        };
    }
}
