namespace NitroCard.Card.Punt;

/// <summary>One ENI slot's punt counters (PUNT_ENI_COUNT, 32 bits, wrapping).</summary>
/// <param name="Punted">Frames handed to the punt queue.</param>
/// <param name="RateLimited">Punt-bound frames dropped by the slot's token bucket.</param>
public readonly record struct PuntSlotCounters(uint Punted, uint RateLimited);
