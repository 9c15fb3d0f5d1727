using NitroCard.Driver;
using NitroCard.Driver.Simulation;
using NitroCard.Region;

namespace NitroCard.Cli.Simulate;

/// <summary>
/// Runs pcaps through one host's card. Frames are offered in timestamp order across all
/// inputs (ties keep the inputs' order); frames with equal timestamps are pushed back to back,
/// paced only by the card's tready, and the card runs until idle before the next timestamp.
/// The card's time base follows the timestamps; idle gaps are not clocked cycle by cycle.
/// </summary>
internal static class CardSimulation
{
    /// <summary>
    /// Loads the plan into the engine and commits. On an engine with filtering hardware the route tables,
    /// network ACLs, security rules and conntrack timeouts are loaded too, so the card enforces everything the
    /// region file says; an engine without it (a card built before docs/card-filtering.md) forwards by mapping
    /// alone. Returns false in that case so the caller can say so.
    /// </summary>
    public static bool Load(ICardEngine engine, HostCardPlan plan) => plan.LoadInto(engine);

    public static SimulationResult Run(ICardEngine engine, IReadOnlyList<SimulationInput> inputs)
    {
        var offers = inputs
            .SelectMany((input, order) => input.Records.Select((r, index) => (r.TimestampMicroseconds, order, index, input.Slot, r.Data)))
            .OrderBy(o => o.TimestampMicroseconds).ThenBy(o => o.order).ThenBy(o => o.index)
            .ToList();
        var network = new List<TimedFrame>();
        var host = new List<TimedFrame>();
        var alarms = new List<CardAlarm>();
        ulong? cycles = null;
        for (var start = 0; start < offers.Count;)
        {
            var timestamp = offers[start].TimestampMicroseconds;
            engine.SetTime((ulong)Math.Max(timestamp, 0));
            var end = start;
            for (; end < offers.Count && offers[end].TimestampMicroseconds == timestamp; end++)
            {
                var offer = offers[end];
                if (offer.Slot < 0)
                    engine.PushNetwork(offer.Data);
                else
                    engine.PushHost(offer.Slot, offer.Data);
            }
            if (engine.RunUntilIdle() is { } ran)
                cycles = (cycles ?? 0) + ran;
            network.AddRange(engine.DrainNetwork().Select(f => new TimedFrame(timestamp, f)));
            host.AddRange(engine.DrainHost().Select(f => new TimedFrame(timestamp, f)));
            alarms.AddRange(engine.DrainAlarms());
            start = end;
        }
        return new SimulationResult(network, host, alarms, engine.ReadCounters(), cycles);
    }
}
