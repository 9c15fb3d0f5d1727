using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Driver.Simulation;

namespace NitroCard.Bench;

/// <summary>
/// One row of the new-flow table: the steady state of frames that each open a flow, with this many egress rules —
/// to a remote address (<paramref name="Encap"/>: one tracking op) and to another ENI of the card (<paramref name="Local"/>:
/// the sender's egress op and the receiver's ingress op).
/// </summary>
public sealed record NewFlowResult(int Rules, SteadyState Encap, SteadyState Local);

/// <summary>
/// Established flows of several directions at once: <paramref name="FramesPerDirection"/> frames of each, the TX ones
/// interleaved on the host port, the RX ones on the network port, all pushed before the card runs.
/// </summary>
/// <param name="Directions">The directions of the mix.</param>
/// <param name="Size">Frame size of every direction (for RX the inner frame).</param>
/// <param name="FramesPerDirection">Frames of each direction.</param>
/// <param name="Tracked">Every ENI tracked (else the default untracked allow-all).</param>
/// <param name="Delivered">Frames that came out (must be all).</param>
/// <param name="CyclesPerPacket">(last output cycle − first output cycle) / (delivered − 1), over every port.</param>
/// <param name="BoundCyclesPerPacket">The busiest resource's cycles for the whole mix / frames of the mix: each port's beats,
/// and each editor's frames at their own bound (one TX editor streams both encapsulated and local frames).</param>
/// <param name="Problem">Why the figure cannot be trusted, or null.</param>
public sealed record MixResult(IReadOnlyList<Direction> Directions, int Size, int FramesPerDirection, bool Tracked, int Delivered,
    double CyclesPerPacket, double BoundCyclesPerPacket, string? Problem)
{
    public double Ratio => CyclesPerPacket / BoundCyclesPerPacket;

    public bool MeetsTarget => Problem is null && Ratio <= SteadyState.Target;
}

/// <summary>
/// Cycle counts with the filtering stages doing real work (docs/card-filtering.md): every ENI tracked, so
/// every packet looks its flow up in the connection tracking table, and a new flow's first packet scans the
/// sender's rules.
/// </summary>
public static class FilterBench
{
    /// <summary>Flows the established-flow runs cycle through.</summary>
    public const int Flows = 8;

    /// <summary>Frame size of the new-flow runs (TX encapsulation, the bus bound is 2 cycles).</summary>
    public const int NewFlowSize = 60;

    public static IReadOnlyList<int> EstablishedSizes { get; } = [60, 64, 65, 128, 1514, 9015];

    public static IReadOnlyList<int> RuleCounts { get; } = [1, 4, 10, 100, 1000];

    /// <summary>
    /// Tracks every ENI of the topology: ingress from anywhere as two /1 rules (so not the untracked allow-all);
    /// egress <paramref name="egressRules"/> − 1 rules that never match (TCP port 1 to 192.0.2.0/24) and then all
    /// traffic — the rule that matches is the last one scanned.
    /// </summary>
    public static void Track(ICardEngine card, BenchTraffic traffic, int egressRules)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(traffic);
        ArgumentOutOfRangeException.ThrowIfLessThan(egressRules, 1);
        FilterRule[] ingress = [FilterRule.All(IPNetwork.Parse("0.0.0.0/1")), FilterRule.All(IPNetwork.Parse("128.0.0.0/1"))];
        var egress = Enumerable.Repeat(FilterRule.ForTcp(IPNetwork.Parse("192.0.2.0/24"), 1, 1), egressRules - 1).Append(FilterRule.AllTraffic).ToList();
        foreach (var eni in traffic.Topology.Enis)
            card.SetSecurityRules(eni.Slot, new SecurityRules(ingress, egress));
        card.SetTime(1_000_000);
        card.Commit();
    }

    /// <summary>Opens <see cref="Flows"/> flows in <paramref name="direction"/>, then measures frames that cycle through them (the latency frame too is established).</summary>
    public static SteadyState Established(RtlCardEngine card, BenchTraffic traffic, Direction direction, int size, int frames)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(traffic);
        for (var f = 0; f < Flows; f++)
            traffic.Push(card, direction, BenchTraffic.MinimumSize + 18, f);
        card.RunUntilIdle();
        card.DrainHost();
        card.DrainNetwork();
        return CycleBench.Measure(card, traffic, direction, size, frames, n => n % Flows);
    }

    /// <summary>Frames that each open a new flow (the default sequence) of <see cref="NewFlowSize"/> bytes, TX encapsulation or TX local.</summary>
    public static SteadyState NewFlows(RtlCardEngine card, BenchTraffic traffic, Direction direction, int frames)
        => CycleBench.Measure(card, traffic, direction, NewFlowSize, frames);

    /// <summary>The mixes of <see cref="Concurrent"/>: every direction that shares a port with another.</summary>
    public static IReadOnlyList<Direction[]> Mixes { get; } =
    [
        [Direction.TxEncap, Direction.RxDecap],
        [Direction.TxLocal, Direction.RxDecap],
        [Direction.TxEncap, Direction.TxLocal],
        [Direction.TxEncap, Direction.TxLocal, Direction.RxDecap],
    ];

    /// <summary>Frame size of the mixes: one beat on the host side, the worst case for the tracking table.</summary>
    public const int MixSize = 64;

    /// <summary>
    /// Opens <see cref="Flows"/> flows per direction of <paramref name="directions"/>, then pushes <paramref name="frames"/>
    /// frames of each (TX ones alternating on the host port) and runs the card until idle.
    /// </summary>
    public static MixResult Concurrent(RtlCardEngine card, BenchTraffic traffic, IReadOnlyList<Direction> directions, bool tracked, int frames)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(traffic);
        ArgumentNullException.ThrowIfNull(directions);
        foreach (var direction in directions)
        {
            for (var f = 0; f < Flows; f++)
                traffic.Push(card, direction, BenchTraffic.MinimumSize + 18, f);
        }
        card.RunUntilIdle();
        card.DrainHost();
        card.DrainNetwork();
        var dropsBefore = CycleBench.TotalDrops(card);

        for (var i = 0; i < frames; i++)
        {
            foreach (var direction in directions)
                traffic.Push(card, direction, MixSize, i % Flows);
        }
        card.RunUntilIdle();
        var outputs = CycleBench.Drain(card);
        var problems = new List<string>();
        var expected = frames * directions.Count;
        if (outputs.Count != expected)
            problems.Add($"{outputs.Count} of {expected} frames came out");
        var drops = CycleBench.TotalDrops(card) - dropsBefore;
        if (drops > 0)
            problems.Add($"{drops} drops");

        // Cycles each port and each editor is busy for one frame of every direction; the busiest bounds the mix.
        int hostIn = 0, netIn = 0, hostOut = 0, netOut = 0, txEditor = 0, rxEditor = 0;
        foreach (var direction in directions)
        {
            var inBeats = BenchTraffic.Beats(BenchTraffic.InputLength(direction, MixSize));
            var outBeats = BenchTraffic.Beats(BenchTraffic.OutputLength(direction, MixSize));
            if (direction == Direction.RxDecap)
            {
                netIn += inBeats;
                rxEditor += BenchTraffic.Bound(direction, MixSize);
            }
            else
            {
                hostIn += inBeats;
                txEditor += BenchTraffic.Bound(direction, MixSize);
            }
            if (direction == Direction.TxEncap)
                netOut += outBeats;
            else
                hostOut += outBeats;
        }
        var bound = (double)new[] { hostIn, netIn, hostOut, netOut, txEditor, rxEditor }.Max() / directions.Count;
        var cyclesPerPacket = outputs.Count >= 2 ? (double)(outputs[^1].Cycle - outputs[0].Cycle) / (outputs.Count - 1) : double.NaN;
        return new MixResult(directions, MixSize, frames, tracked, outputs.Count, cyclesPerPacket, bound,
            problems.Count == 0 ? null : string.Join("; ", problems));
    }
}
