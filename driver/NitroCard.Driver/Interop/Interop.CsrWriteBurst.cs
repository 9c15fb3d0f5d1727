using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_csr_write_burst: <paramref name="count"/> write cycles at address, address+4, ...</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_csr_write_burst")]
    internal static unsafe partial int NcCsrWriteBurst(CardSafeHandle card, uint address, uint* values, uint count);
}
