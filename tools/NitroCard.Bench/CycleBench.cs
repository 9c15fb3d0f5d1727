using NitroCard.Card;
using NitroCard.Driver.Simulation;

namespace NitroCard.Bench;

/// <summary>One row of the cycles-per-packet table.</summary>
/// <param name="Direction">Which way the frames went.</param>
/// <param name="Size">The instance's frame size in bytes (for RX the inner frame).</param>
/// <param name="Frames">Frames pushed back to back for the steady-state figure.</param>
/// <param name="Delivered">Frames that came out (must equal <paramref name="Frames"/>).</param>
/// <param name="CyclesPerPacket">(last output cycle − first output cycle) / (delivered − 1).</param>
/// <param name="LatencyCycles">One frame into an idle card: cycles from offering its first beat to the edge that took its last output beat.</param>
/// <param name="Drops">Drop counters added up over the whole run (must be 0).</param>
/// <param name="Problem">Why the figure cannot be trusted, or null.</param>
public sealed record SteadyState(Direction Direction, int Size, int Frames, int Delivered, double CyclesPerPacket, ulong LatencyCycles, ulong Drops, string? Problem)
{
    /// <summary>Bytes per frame on the input port.</summary>
    public int InBytes => BenchTraffic.InputLength(Direction, Size);

    /// <summary>Bytes per frame on the output port.</summary>
    public int OutBytes => BenchTraffic.OutputLength(Direction, Size);

    /// <summary>max(ceil(in/64), ceil(out/64)).</summary>
    public int Bound => BenchTraffic.Bound(Direction, Size);

    public double Ratio => CyclesPerPacket / Bound;

    /// <summary>The design target: within 5% of the bus bound.</summary>
    public const double Target = 1.05;

    public bool MeetsTarget => Problem is null && Ratio <= Target;
}

/// <summary>Cycle-counter measurements on the Verilated card: steady-state cycles per packet and single-frame latency.</summary>
public static class CycleBench
{
    /// <summary>The frame sizes of the table (bytes of the instance's frame).</summary>
    public static IReadOnlyList<int> Sizes { get; } = [60, 64, 65, 128, 256, 512, 1024, 1514, 4096, 9000, 9015];

    /// <summary>A card loaded with <paramref name="traffic"/>'s topology. The caller owns (and must stay on the thread of) the card.</summary>
    public static RtlCardEngine CreateCard(BenchTraffic traffic)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        var card = new RtlCardEngine();
        try
        {
            traffic.Topology.LoadInto(card);
        }
        catch
        {
            card.Dispose();
            throw;
        }
        return card;
    }

    /// <summary>
    /// Measures one (direction, size) on <paramref name="card"/>: first the latency of a single
    /// frame through the idle card, then <paramref name="frames"/> frames pushed at once and run
    /// until idle; the steady state is the spacing of their outputs.
    /// </summary>
    /// <param name="card">The card.</param>
    /// <param name="traffic">Where frames come from.</param>
    /// <param name="direction">The direction.</param>
    /// <param name="size">Frame size.</param>
    /// <param name="frames">Frames of the steady state.</param>
    /// <param name="sequenceOf">The frame sequence (UDP source port, so the flow) of frame n: n = 0 is the latency frame,
    /// 1..frames the steady state. Default n: every frame its own flow.</param>
    public static SteadyState Measure(RtlCardEngine card, BenchTraffic traffic, Direction direction, int size, int frames, Func<int, int>? sequenceOf = null)
    {
        sequenceOf ??= n => n;
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(traffic);
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 2);
        var problems = new List<string>();
        card.RunUntilIdle();
        Drain(card);
        var dropsBefore = TotalDrops(card);

        // Latency: one frame into an idle card. Its first beat is offered in the first cycle run.
        traffic.Push(card, direction, size, sequenceOf(0));
        var start = card.Card.Cycle;
        card.RunUntilIdle();
        var single = Drain(card);
        ulong latency = 0;
        if (single.Count == 1)
            latency = single[0].Cycle - start;
        else
            problems.Add($"the single frame gave {single.Count} outputs");

        for (var i = 0; i < frames; i++)
            traffic.Push(card, direction, size, sequenceOf(i + 1));
        card.RunUntilIdle();
        var outputs = Drain(card);
        var outBytes = BenchTraffic.OutputLength(direction, size);
        var slot = traffic.OutputSlot(direction);
        var wrong = outputs.Count(f => f.Data.Length != outBytes || f.Slot != slot);
        if (outputs.Count != frames)
            problems.Add($"{outputs.Count} of {frames} frames came out");
        if (wrong > 0)
            problems.Add($"{wrong} outputs on the wrong port or not {outBytes} bytes long");
        var drops = TotalDrops(card) - dropsBefore;
        if (drops > 0)
            problems.Add($"{drops} drops");
        var cyclesPerPacket = outputs.Count >= 2 ? (double)(outputs[^1].Cycle - outputs[0].Cycle) / (outputs.Count - 1) : double.NaN;
        return new SteadyState(direction, size, frames, outputs.Count, cyclesPerPacket, latency, drops,
            problems.Count == 0 ? null : string.Join("; ", problems));
    }

    /// <summary>Both output ports' frames, in the order they left the card.</summary>
    internal static List<CardFrame> Drain(RtlCardEngine card)
        => [.. card.DrainHost().Concat(card.DrainNetwork()).OrderBy(f => f.Cycle)];

    /// <summary>Every drop counter of <paramref name="card"/> added up.</summary>
    internal static ulong TotalDrops(RtlCardEngine card)
        => card.ReadCounters().Drops.Aggregate(0UL, (a, b) => a + b);
}
