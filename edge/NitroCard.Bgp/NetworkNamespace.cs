using System.Runtime.InteropServices;

namespace NitroCard.Bgp;

/// <summary>
/// Creates sockets inside a Linux network namespace (one the edge owns, such as <c>/run/netns/NAME</c>). A socket
/// belongs for life to the namespace of the thread that created it, so the factory runs on a fresh thread that has
/// joined the namespace (setns(2)) and ends afterwards; the socket is then used from any thread.
/// </summary>
public static partial class NetworkNamespace
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>Runs <paramref name="factory"/> inside the network namespace at <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The namespace cannot be opened or joined (it does not exist, or we are not root).</exception>
    public static T Run<T>(string path, Func<T> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle(path);
                if (Interop.SetNs(ns, CloneNewNet) != 0)
                {
                    throw new IOException($"cannot join network namespace {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
                }

                result = factory();
            }
#pragma warning disable CA1031 // handed to the calling thread below
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex;
            }
        })
        {
            IsBackground = true,
            Name = "bgp-netns",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw failure as IOException ?? new IOException($"in network namespace {path}: {failure.Message}", failure);
        }

        return result;
    }

    private static partial class Interop
    {
        [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
        internal static partial int SetNs(Microsoft.Win32.SafeHandles.SafeFileHandle fd, int nstype);
    }
}
