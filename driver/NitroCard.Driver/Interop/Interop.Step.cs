using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_step: runs <paramref name="cycles"/> clock cycles.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_step")]
    internal static partial int NcStep(CardSafeHandle card, ulong cycles);
}
