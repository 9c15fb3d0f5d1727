using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_input_pending: input frames queued or partly sent, both ports.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_input_pending")]
    internal static partial uint NcInputPending(CardSafeHandle card);
}
