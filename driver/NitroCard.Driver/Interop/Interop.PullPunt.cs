using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_pull_punt: 1 and the oldest punted frame (slot = the ENI it came from), 0 when none, NC_E_BUFFER (length = size needed).</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_pull_punt")]
    internal static unsafe partial int NcPullPunt(CardSafeHandle card, byte* buffer, uint capacity, out uint length, out uint slot, out ulong cycle);
}
