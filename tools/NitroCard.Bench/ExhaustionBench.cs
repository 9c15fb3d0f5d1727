using System.Diagnostics;
using NitroCard.Card;

namespace NitroCard.Bench;

/// <summary>
/// The tracking table filled past its capacity (issue "Nothing lost under faults", exhaustion): what a tracked ENI's new
/// flows get once the table is full, and whether the flows it holds keep every packet.
/// </summary>
/// <param name="Capacity">Entries of the card's tracking table (CT_BUCKETS × CT_WAYS).</param>
/// <param name="Offered">New flows offered, one frame each (TX encapsulated, one tracking entry a flow).</param>
/// <param name="Admitted">Of those, frames that came out (flows that got an entry).</param>
/// <param name="FirstFull">The index of the first offered flow dropped as <c>conntrack-full</c> (its bucket's ways all live), −1 if none.</param>
/// <param name="ConntrackFull">The <c>conntrack-full</c> drop counter after the offer.</param>
/// <param name="AllowanceExceeded">The ENI's <c>conntrackAllowanceExceeded</c> counter after the offer.</param>
/// <param name="OtherDrops">Drops of any other reason over the whole run (must be 0).</param>
/// <param name="FreeAfter">CT_FREE after the offer.</param>
/// <param name="Established">A second frame of every admitted flow, pushed back to back: frames that came out.</param>
/// <param name="EstablishedCyclesPerPacket">Their output spacing (the bus bound is <see cref="Bound"/>).</param>
/// <param name="LateNew">New flows offered after that, while the table is still full.</param>
/// <param name="LateNewFull">Of those, dropped as <c>conntrack-full</c>.</param>
/// <param name="Wall">Wall time of the whole run.</param>
/// <param name="Problem">Why the figure cannot be trusted, or null.</param>
public sealed record ExhaustionResult(int Capacity, int Offered, int Admitted, int FirstFull, ulong ConntrackFull, ulong AllowanceExceeded,
    ulong OtherDrops, ulong FreeAfter, int Established, double EstablishedCyclesPerPacket, int LateNew, ulong LateNewFull, TimeSpan Wall, string? Problem)
{
    /// <summary>Frame size of every frame (TX encapsulation: 2 cycles at the bus bound).</summary>
    public const int Size = 60;

    public static int Bound => BenchTraffic.Bound(Direction.TxEncap, Size);
}

/// <summary>Offers a tracked ENI more new flows than its card's tracking table holds, then replays the admitted ones.</summary>
public static class ExhaustionBench
{
    /// <summary>New flows offered, as a fraction of the table's capacity: enough to fill every bucket.</summary>
    public const double Offer = 1.25;

    /// <summary>The quick run's offer: enough for some full buckets (a smoke test).</summary>
    public const double QuickOffer = 0.1;

    /// <summary>Frames pushed before the card runs them.</summary>
    private const int Chunk = 8192;

    /// <summary>
    /// Offers <paramref name="capacityFraction"/> × the table's capacity of distinct seeded random UDP flows from the traffic's source ENI to its remote peer, tracked with one egress rule, at a card time where nothing
    /// expires; then a second frame of every admitted flow; then <paramref name="lateNew"/> more new flows.
    /// </summary>
    public static ExhaustionResult Run(BenchTraffic traffic, double capacityFraction, int lateNew)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        var clock = Stopwatch.StartNew();
        using var card = CycleBench.CreateCard(traffic);
        FilterBench.Track(card, traffic, 1);
        var capacity = card.Geometry.Filtering?.ConntrackCapacity ?? throw new InvalidOperationException("the card has no tracking table");
        var offered = (int)(capacity * capacityFraction);
        var flows = RandomFlows(offered + lateNew, seed: 1);
        var problems = new List<string>();
        var slot = traffic.Source.Slot;
        var fullReason = (int)DropReason.ConntrackFull;

        // The offer, chunk by chunk: which flows came out (the frame carries its flow in its ports).
        var admitted = new List<(ushort Source, ushort Destination)>(Math.Min(offered, capacity));
        var firstFull = -1;
        for (var start = 0; start < offered; start += Chunk)
        {
            var end = Math.Min(offered, start + Chunk);
            for (var i = start; i < end; i++)
                card.PushHost(slot, Frame(traffic, flows[i]));
            card.RunUntilIdle();
            var came = CycleBench.Drain(card).Select(f => FlowOf(f.Data)).ToList();
            admitted.AddRange(came);
            if (firstFull < 0 && card.ReadCounters().Drops[fullReason] > 0)
            {
                // The first flow of the chunk whose frame did not come out.
                var cameSet = came.ToHashSet();
                firstFull = Enumerable.Range(start, end - start).First(i => !cameSet.Contains(flows[i]));
            }
        }
        var afterOffer = card.ReadCounters();
        var conntrackFull = afterOffer.Drops[fullReason];
        if (afterOffer.ConntrackFree != (ulong)(capacity - admitted.Count))
            problems.Add($"CT_FREE is {afterOffer.ConntrackFree} with {admitted.Count} of {capacity} entries taken");
        if ((ulong)(offered - admitted.Count) != conntrackFull)
            problems.Add($"{offered - admitted.Count} flows did not come out but conntrack-full counted {conntrackFull}");

        // Every admitted flow again: established, each must come out. Run in one go so the spacing is the card's, not
        // the host's chunking.
        foreach (var flow in admitted)
            card.PushHost(slot, Frame(traffic, flow));
        card.RunUntilIdle();
        var established = CycleBench.Drain(card);
        var spacing = established.Count >= 2 ? (double)(established[^1].Cycle - established[0].Cycle) / (established.Count - 1) : double.NaN;
        if (established.Count != admitted.Count)
            problems.Add($"{established.Count} of {admitted.Count} established flows' frames came out");

        // New flows while the table is still full: each comes out or is counted conntrack-full.
        for (var i = 0; i < lateNew; i++)
            card.PushHost(slot, Frame(traffic, flows[offered + i]));
        card.RunUntilIdle();
        var lateOut = CycleBench.Drain(card).Count;
        var atEnd = card.ReadCounters();
        var lateFull = atEnd.Drops[fullReason] - conntrackFull;
        var otherDrops = atEnd.Drops.Aggregate(0UL, (a, b) => a + b) - atEnd.Drops[fullReason];
        if (otherDrops > 0)
            problems.Add($"{otherDrops} drops of other reasons");
        if (lateOut + (int)lateFull != lateNew)
            problems.Add("late new flows neither came out nor were counted");
        return new ExhaustionResult(capacity, offered, admitted.Count, firstFull, conntrackFull, afterOffer.Filters![slot].ConntrackAllowanceExceeded,
            otherDrops, afterOffer.ConntrackFree, established.Count, spacing, lateNew, lateFull, clock.Elapsed,
            problems.Count == 0 ? null : string.Join("; ", problems));
    }

    /// <summary>
    /// <paramref name="count"/> distinct flows, seeded random (source port 1024..65535, destination port 1..65535): the
    /// tracking hash is linear, so sequential ports would spread over the buckets more evenly than real traffic does.
    /// </summary>
    private static (ushort Source, ushort Destination)[] RandomFlows(int count, int seed)
    {
        var random = new Random(seed);
        var seen = new HashSet<(ushort, ushort)>(count);
        var flows = new (ushort Source, ushort Destination)[count];
        for (var i = 0; i < count;)
        {
            var flow = ((ushort)random.Next(1024, 65536), (ushort)random.Next(1, 65536));
            if (seen.Add(flow))
                flows[i++] = flow;
        }
        return flows;
    }

    private static byte[] Frame(BenchTraffic traffic, (ushort Source, ushort Destination) flow)
        => traffic.InstanceFrame(Direction.TxEncap, ExhaustionResult.Size, flow.Source, flow.Destination);

    /// <summary>The flow of an encapsulated output frame (outer 50 bytes, then the instance's frame).</summary>
    private static (ushort Source, ushort Destination) FlowOf(byte[] data)
    {
        const int inner = BenchTraffic.Encap + 34;
        return ((ushort)((data[inner] << 8) | data[inner + 1]), (ushort)((data[inner + 2] << 8) | data[inner + 3]));
    }
}
