using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_reset: drops queued frames, then holds reset for <paramref name="cycles"/> cycles.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_reset")]
    internal static partial int NcReset(CardSafeHandle card, uint cycles);
}
