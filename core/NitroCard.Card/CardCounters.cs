namespace NitroCard.Card;

/// <summary>A snapshot of the card's counters.</summary>
/// <param name="Drops">Drop count per reason, indexed by <see cref="DropReason"/>.</param>
/// <param name="Enis">Counters per ENI slot.</param>
/// <param name="AlarmOverflow">Alarms lost because the FIFO was full.</param>
/// <param name="Filters">Filtering counters per ENI slot (empty on a card without filtering hardware).</param>
/// <param name="ConntrackFree">CT_FREE: tracking table entries not in use (ENA conntrack_allowance_available); 0 without filtering hardware.</param>
public sealed record CardCounters(IReadOnlyList<ulong> Drops, IReadOnlyList<EniCounters> Enis, ulong AlarmOverflow, IReadOnlyList<EniFilterCounters>? Filters = null, ulong ConntrackFree = 0)
{
    public IReadOnlyList<EniFilterCounters> Filters { get; init; } = Filters ?? [];

    public ulong this[DropReason reason] => Drops[(int)reason];
}
