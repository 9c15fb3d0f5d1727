using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_csr_write_seq: <paramref name="count"/> write cycles, addresses[i] := values[i] in order.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_csr_write_seq")]
    internal static unsafe partial int NcCsrWriteSeq(CardSafeHandle card, uint* addresses, uint* values, uint count);
}
