using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_push_inject: queues a copy of a firmware answer for the injection port, delivered to ENI slot <c>slot</c>.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_push_inject")]
    internal static unsafe partial int NcPushInject(CardSafeHandle card, uint slot, byte* frame, uint length);
}
