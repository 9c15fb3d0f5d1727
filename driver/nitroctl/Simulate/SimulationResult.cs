using NitroCard.Driver;
using NitroCard.Driver.Simulation;

namespace NitroCard.Cli.Simulate;

/// <summary>What a card did with a simulation's frames.</summary>
/// <param name="Network">Frames sent to the substrate, with the timestamp of the input group that caused them.</param>
/// <param name="Host">Frames delivered to instances, with the same timestamps.</param>
/// <param name="Alarms">Alarms in the order the card raised them.</param>
/// <param name="Counters">The card's counters after the run.</param>
/// <param name="Cycles">Data-path clock cycles the run took (null for an engine without a clock).</param>
internal sealed record SimulationResult(
    IReadOnlyList<TimedFrame> Network,
    IReadOnlyList<TimedFrame> Host,
    IReadOnlyList<CardAlarm> Alarms,
    CardCounters Counters,
    ulong? Cycles);

internal sealed record TimedFrame(long TimestampMicroseconds, CardFrame Frame);
