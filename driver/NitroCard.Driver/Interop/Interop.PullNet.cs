using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_pull_net: 1 and the oldest network output frame, 0 when none, NC_E_BUFFER (length = size needed).</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_pull_net")]
    internal static unsafe partial int NcPullNet(CardSafeHandle card, byte* buffer, uint capacity, out uint length, out ulong cycle);
}
