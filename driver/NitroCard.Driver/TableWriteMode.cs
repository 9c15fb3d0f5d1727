namespace NitroCard.Driver;

/// <summary>How <see cref="CardDriver.Commit"/> hands table writes to the card (docs/registers.md, "Indirect table access").</summary>
public enum TableWriteMode
{
    /// <summary>
    /// Stage commands are posted: a batch's stage writes (only the staging words that changed since the previous
    /// entry, then TBL_INDEX and TBL_CMD) go to the bus as one write sequence, and one TBL_STATUS read before the
    /// commit checks that QUEUED counts every one of them. A stage never sets BUSY, so nothing is polled per entry.
    /// The default: less than half the card cycles of <see cref="Checked"/>.
    /// </summary>
    Posted,

    /// <summary>Every entry's ten staging registers written as one burst and TBL_STATUS read after each stage: the reference path.</summary>
    Checked,
}
