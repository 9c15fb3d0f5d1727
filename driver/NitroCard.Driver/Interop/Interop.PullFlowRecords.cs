using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_pull_flow_records: takes at most <c>maxRecords</c> records (<see cref="FlowRecordWords.Words"/> words each, NC_FLOW_RECORD_WORDS) from the card's record FIFO (runs the clock while it reads); returns how many.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_pull_flow_records")]
    internal static unsafe partial int NcPullFlowRecords(CardSafeHandle card, uint* words, uint maxRecords, out uint taken);
}
