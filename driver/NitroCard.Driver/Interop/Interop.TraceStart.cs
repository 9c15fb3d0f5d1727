using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_trace_start: opens an FST waveform.</summary>
    [LibraryImport(Libraries.NitroCard, EntryPoint = "nc_trace_start", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int NcTraceStart(CardSafeHandle card, string path);
}
