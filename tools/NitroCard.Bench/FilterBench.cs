using System.Net;
using NitroCard.Driver.Filtering;
using NitroCard.Driver.Simulation;

namespace NitroCard.Bench;

/// <summary>One row of the new-flow table: the steady state of frames that each open a flow, with this many egress rules.</summary>
public sealed record NewFlowResult(int Rules, SteadyState Run);

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

    /// <summary>Frames that each open a new flow (the default sequence), TX encapsulation of <see cref="NewFlowSize"/> bytes.</summary>
    public static SteadyState NewFlows(RtlCardEngine card, BenchTraffic traffic, int frames)
        => CycleBench.Measure(card, traffic, Direction.TxEncap, NewFlowSize, frames);
}
