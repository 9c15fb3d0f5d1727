using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_run_until_idle: runs until nothing is queued, in flight or offered; NC_E_TIMEOUT at the limit.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_run_until_idle")]
    internal static partial int NcRunUntilIdle(CardSafeHandle card, ulong maxCycles, out ulong cyclesRun);
}
