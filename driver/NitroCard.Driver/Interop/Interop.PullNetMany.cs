using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_pull_net_many: the number of oldest network output frames copied back to back into buffer (0 when none), NC_E_BUFFER (frames[0].Length = size needed).</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_pull_net_many")]
    internal static unsafe partial int NcPullNetMany(CardSafeHandle card, byte* buffer, uint capacity, FrameInfo* frames, uint maxFrames);
}
