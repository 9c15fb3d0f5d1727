using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_destroy: final blocks, then frees the card. Only <see cref="CardSafeHandle"/> calls it.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_destroy")]
    internal static partial void NcDestroy(nint card);
}
