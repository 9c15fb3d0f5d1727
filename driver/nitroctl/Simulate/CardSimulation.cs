using NitroCard.Card;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Cli.Simulate;

/// <summary>
/// Runs pcaps through one host's card. Frames are offered in timestamp order across all
/// inputs (ties keep the inputs' order); frames with equal timestamps are pushed back to back,
/// paced only by the card's tready, and the card runs until idle before the next timestamp.
/// The card's time base follows the timestamps; idle gaps are not clocked cycle by cycle.
/// Inputs are read and outputs written one timestamp group at a time, so memory does not grow with the files.
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

    /// <summary>Offers <paramref name="frames"/> (in timestamp order; slot -1: from the network) and hands each group's results to <paramref name="output"/>.</summary>
    public static SimulationResult Run(ICardEngine engine, IEnumerable<(int Slot, PcapRecord Record)> frames, SimulationOutput output)
    {
        long framesIn = 0;
        ulong? cycles = null;
        using var next = frames.GetEnumerator();
        var pending = next.MoveNext();
        while (pending)
        {
            var timestamp = next.Current.Record.TimestampMicroseconds;
            engine.SetTime((ulong)Math.Max(timestamp, 0));
            for (; pending && next.Current.Record.TimestampMicroseconds == timestamp; pending = next.MoveNext())
            {
                var (slot, record) = next.Current;
                if (slot < 0)
                    engine.PushNetwork(record.Data);
                else
                    engine.PushHost(slot, record.Data);
                framesIn++;
            }
            if (engine.RunUntilIdle() is { } ran)
                cycles = (cycles ?? 0) + ran;
            output.Add(timestamp, engine.DrainNetwork(), engine.DrainHost(), engine.DrainAlarms());
        }
        var counters = engine.ReadCounters();
        output.Finish(counters, cycles);
        return new SimulationResult(framesIn, output.NetworkFrames, output.HostFrames, output.AlarmCount, counters, cycles);
    }
}
