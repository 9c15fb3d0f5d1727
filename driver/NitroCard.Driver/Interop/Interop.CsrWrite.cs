using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_csr_write: one CSR write cycle.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_csr_write")]
    internal static partial int NcCsrWrite(CardSafeHandle card, uint address, uint value);
}
