using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_push_net_many: queues count frames (back to back in data) for the network input port.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_push_net_many")]
    internal static unsafe partial int NcPushNetMany(CardSafeHandle card, byte* data, uint* lengths, uint count);
}
