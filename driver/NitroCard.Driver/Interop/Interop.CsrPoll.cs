using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_csr_poll: one read cycle at a time until (value &amp; mask) == expected; NC_E_TIMEOUT after maxReads reads.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_csr_poll")]
    internal static partial int NcCsrPoll(CardSafeHandle card, uint address, uint mask, uint expected, uint maxReads, out uint value, out uint reads);
}
