using NitroCard.Card;

namespace NitroCard.Simulation;

/// <summary>What a card did with a simulation's frames (the frames themselves went to the output as they came).</summary>
/// <param name="FramesIn">Frames offered.</param>
/// <param name="Network">Frames sent to the substrate.</param>
/// <param name="Host">Frames delivered to instances.</param>
/// <param name="Alarms">Alarms raised.</param>
/// <param name="Counters">The card's counters after the run.</param>
/// <param name="Cycles">Data-path clock cycles the run took (null for an engine without a clock).</param>
public sealed record SimulationResult(long FramesIn, long Network, long Host, long Alarms, CardCounters Counters, ulong? Cycles);
