using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_set_valid: tvalid probability (percent) of an input port, deterministic from seed.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_set_valid")]
    internal static partial int NcSetValid(CardSafeHandle card, uint port, uint percent, ulong seed);
}
