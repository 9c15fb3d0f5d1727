namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>Names of the native libraries the driver binds to.</summary>
    internal static class Libraries
    {
        /// <summary>libnitrocard.so: the Verilated card behind the C ABI of hw/verilator/nitrocard.h.</summary>
        internal const string NitroCard = "nitrocard";
    }
}
