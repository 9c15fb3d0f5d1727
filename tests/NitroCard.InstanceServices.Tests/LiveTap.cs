using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace NitroCard.InstanceServices.Tests;

/// <summary>A Linux TAP device (<c>IFF_TAP | IFF_NO_PI</c>) owned by the test: one read, one frame. Gone when closed.</summary>
internal sealed partial class LiveTap : IDisposable
{
    private const int OpenReadWrite = 2;
    private const int OpenCloseOnExec = 0x80000;
    private const nuint TunSetInterface = 0x400454ca;
    private const short FlagTap = 0x0002;
    private const short FlagNoPacketInfo = 0x1000;
    private readonly SafeFileHandle handle;

    private LiveTap(SafeFileHandle handle) => this.handle = handle;

    public static unsafe LiveTap? TryCreate(string name)
    {
        var fd = Open("/dev/net/tun", OpenReadWrite | OpenCloseOnExec);
        if (fd < 0)
            return null;
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var request = stackalloc byte[40];
        new Span<byte>(request, 40).Clear();
        Encoding.ASCII.GetBytes(name).CopyTo(new Span<byte>(request, 16));
        *(short*)(request + 16) = FlagTap | FlagNoPacketInfo;
        if (Ioctl(fd, TunSetInterface, request) < 0)
        {
            handle.Dispose();
            return null;
        }
        return new LiveTap(handle);
    }

    /// <summary>One frame, or 0 when the device is closed.</summary>
    public unsafe int Read(Span<byte> buffer)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            fixed (byte* data = buffer)
            {
                var n = NativeRead((int)handle.DangerousGetHandle(), data, (nuint)buffer.Length);
                return n > 0 ? (int)n : 0;
            }
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }

    public unsafe void Write(ReadOnlySpan<byte> frame)
    {
        fixed (byte* data = frame)
            _ = NativeWrite((int)handle.DangerousGetHandle(), data, (nuint)frame.Length);
    }

    public void Dispose() => handle.Dispose();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint NativeRead(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint NativeWrite(int fd, byte* buffer, nuint count);
}
