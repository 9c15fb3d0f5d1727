using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_push_host_many: queues count frames (back to back in data) for the host input port, frame i with tuser = slots[i].</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_push_host_many")]
    internal static unsafe partial int NcPushHostMany(CardSafeHandle card, byte* data, uint* lengths, uint* slots, uint count);
}
