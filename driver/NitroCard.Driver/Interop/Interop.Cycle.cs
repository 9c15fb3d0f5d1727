using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_cycle: rising edges since creation.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_cycle")]
    internal static partial ulong NcCycle(CardSafeHandle card);
}
