using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_create: a new card (reset for 8 cycles); the calling thread owns it.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_create")]
    internal static partial int NcCreate(out CardSafeHandle card);
}
