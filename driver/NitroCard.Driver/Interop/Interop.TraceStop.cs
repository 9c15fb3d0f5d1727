using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_trace_stop: closes the waveform.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_trace_stop")]
    internal static partial int NcTraceStop(CardSafeHandle card);
}
