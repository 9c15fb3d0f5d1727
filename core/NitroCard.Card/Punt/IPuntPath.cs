namespace NitroCard.Card.Punt;

/// <summary>
/// The card's exception path for the link-local services (docs/card-punt.md), as the RTL card and the model both
/// offer it: frames an instance sends to them are punted to a queue the firmware drains instead of being forwarded,
/// and the firmware's answers are injected back to that ENI only. Which slots may punt, and their resolver address,
/// follow the ENI table (<see cref="Tables.EniEntry.Resolver"/>).
/// </summary>
public interface IPuntPath
{
    /// <summary>The longest frame, in bytes, the punt queue and the injection queue carry (PARAM_PUNT.QUEUE_BEATS × 64).</summary>
    int PuntQueueBytes { get; }

    /// <summary>Sets the per-ENI token bucket (PUNT_LIMIT); every bucket starts full again.</summary>
    void SetPuntLimit(PuntLimit limit);

    /// <summary>Frames punted since the last call, oldest first; <see cref="CardFrame.Slot"/> is the ENI slot they came from.</summary>
    IReadOnlyList<CardFrame> DrainPunt();

    /// <summary>Queues an answer for delivery on the host port to <paramref name="slot"/> only (processed by the next run).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="slot"/> is not 0..255.</exception>
    void Inject(int slot, ReadOnlySpan<byte> frame);

    /// <summary>The punt counters of every ENI slot (PUNT_ENI_COUNT).</summary>
    IReadOnlyList<PuntSlotCounters> ReadPuntCounters();
}
