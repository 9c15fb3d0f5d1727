using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_push_host: queues a copy of a frame for the host input port with tuser = slot.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_push_host")]
    internal static unsafe partial int NcPushHost(CardSafeHandle card, uint slot, byte* frame, uint length);
}
