using System.Runtime.InteropServices;

namespace NitroCard.Driver;

internal static partial class Interop
{
    /// <summary>nc_frame_info: one frame taken by nc_pull_host_many / nc_pull_net_many.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FrameInfo
    {
        internal uint Length;
        internal uint Slot;
        internal ulong Cycle;
    }
}
