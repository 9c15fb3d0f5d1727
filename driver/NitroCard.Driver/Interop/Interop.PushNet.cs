using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_push_net: queues a copy of a frame for the network input port.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_push_net")]
    internal static unsafe partial int NcPushNet(CardSafeHandle card, byte* frame, uint length);
}
