using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_csr_read: one CSR read cycle.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_csr_read")]
    internal static partial int NcCsrRead(CardSafeHandle card, uint address, out uint value);
}
