namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>Status codes of the C ABI (the NC_* enum of nitrocard.h).</summary>
    internal static class Status
    {
        internal const int Ok = 0;
        internal const int Argument = -1;
        internal const int Fatal = -2;
        internal const int Timeout = -3;
        internal const int Buffer = -4;
        internal const int Io = -5;
        internal const int Thread = -6;

        internal static string Name(int status) => status switch
        {
            Argument => "NC_E_ARG",
            Fatal => "NC_E_FATAL",
            Timeout => "NC_E_TIMEOUT",
            Buffer => "NC_E_BUFFER",
            Io => "NC_E_IO",
            Thread => "NC_E_THREAD",
            _ => $"status {status}",
        };
    }
}
