using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_last_error: the last failure's message (card 0: this thread's, e.g. from nc_create); returns its length.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_last_error")]
    internal static unsafe partial int NcLastError(nint card, byte* buffer, uint capacity);
}
