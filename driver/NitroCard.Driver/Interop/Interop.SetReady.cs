using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_set_ready: tready probability (percent) of an output port, deterministic from seed.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_set_ready")]
    internal static partial int NcSetReady(CardSafeHandle card, uint port, uint percent, ulong seed);
}
