using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_pull_host: 1 and the oldest host output frame, 0 when none, NC_E_BUFFER (length = size needed).</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_pull_host")]
    internal static unsafe partial int NcPullHost(CardSafeHandle card, byte* buffer, uint capacity, out uint length, out uint slot, out ulong cycle);
}
