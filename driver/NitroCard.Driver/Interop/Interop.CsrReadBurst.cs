using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_csr_read_burst: <paramref name="count"/> read cycles at address, address+4, ...</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_csr_read_burst")]
    internal static unsafe partial int NcCsrReadBurst(CardSafeHandle card, uint address, uint* values, uint count);
}
