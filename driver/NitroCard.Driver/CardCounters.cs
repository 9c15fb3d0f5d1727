namespace NitroCard.Driver;

/// <summary>A snapshot of the card's counters.</summary>
/// <param name="Drops">Drop count per reason, indexed by <see cref="DropReason"/>.</param>
/// <param name="Enis">Counters per ENI slot.</param>
/// <param name="AlarmOverflow">Alarms lost because the FIFO was full.</param>
public sealed record CardCounters(IReadOnlyList<ulong> Drops, IReadOnlyList<EniCounters> Enis, ulong AlarmOverflow)
{
    public ulong this[DropReason reason] => Drops[(int)reason];
}
