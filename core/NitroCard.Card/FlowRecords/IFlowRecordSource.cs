namespace NitroCard.Card.FlowRecords;

/// <summary>
/// Flow records from the card's tracking table (docs/card-flow-records.md), as the RTL card and the model both
/// offer them: the data source of VPC Flow Logs.
/// </summary>
public interface IFlowRecordSource
{
    /// <summary>
    /// Flow records for this slot (its untracked flows too, counted in count-only entries): a live flow with counts emits a record every <paramref name="seconds"/> (the
    /// aggregation interval) and on expiry; a rejected packet emits one at once. 0 (the default) = no records for
    /// this slot. Takes effect at once (no commit).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="slot"/> is not a slot of the card.</exception>
    void SetFlowRecordInterval(int slot, uint seconds);

    /// <summary>Records emitted since the last call, oldest first.</summary>
    IReadOnlyList<CardFlowRecord> DrainFlowRecords();

    /// <summary>
    /// Records lost because the record FIFO was full, and untracked packets that passed uncounted because their bucket had no
    /// way for a count-only entry (a counter, since reset; docs/card-flow-records.md).
    /// </summary>
    ulong FlowRecordOverflows { get; }
}
