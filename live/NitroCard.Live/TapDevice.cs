using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace NitroCard.Live;

/// <summary>
/// A Linux TAP device owned by this process (<c>/dev/net/tun</c>, <c>IFF_TAP | IFF_NO_PI</c>): every read
/// returns one whole Ethernet frame the kernel sent, every write hands one frame to the kernel. The device
/// disappears when the process closes it (or dies), wherever it was moved.
/// </summary>
public sealed partial class TapDevice : IDisposable
{
    private const int OpenReadWrite = 2;
    private const int OpenCloseOnExec = 0x80000;
    private const nuint TunSetInterface = 0x400454ca;
    private const short FlagTap = 0x0002;
    private const short FlagNoPacketInfo = 0x1000;
    private const int InterfaceRequestSize = 40;
    private const int InterfaceNameSize = 16;
    private const int InterruptedCall = 4;

    private readonly SafeFileHandle _handle;

    private TapDevice(string name, SafeFileHandle handle)
    {
        Name = name;
        _handle = handle;
    }

    /// <summary>The device's name when it was created (it may be renamed inside a namespace).</summary>
    public string Name { get; }

    public static unsafe TapDevice Create(string name)
    {
        var nameBytes = Encoding.ASCII.GetBytes(name);
        if (nameBytes.Length >= InterfaceNameSize)
            throw new LiveException($"TAP name '{name}' is longer than {InterfaceNameSize - 1} characters");
        var fd = Open("/dev/net/tun", OpenReadWrite | OpenCloseOnExec);
        if (fd < 0)
            throw new LiveException($"open /dev/net/tun: {Marshal.GetLastPInvokeErrorMessage()}");
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var request = stackalloc byte[InterfaceRequestSize];
        new Span<byte>(request, InterfaceRequestSize).Clear();
        nameBytes.CopyTo(new Span<byte>(request, InterfaceNameSize));
        *(short*)(request + InterfaceNameSize) = FlagTap | FlagNoPacketInfo;
        if (Ioctl(fd, TunSetInterface, request) < 0)
        {
            var message = Marshal.GetLastPInvokeErrorMessage();
            handle.Dispose();
            throw new LiveException($"TUNSETIFF {name}: {message}");
        }
        return new TapDevice(name, handle);
    }

    /// <summary>Blocks until the kernel sends a frame; returns its length, or 0 when the device is gone.</summary>
    public unsafe int Read(Span<byte> buffer)
    {
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            fixed (byte* data = buffer)
            {
                while (true)
                {
                    var n = NativeRead((int)_handle.DangerousGetHandle(), data, (nuint)buffer.Length);
                    if (n >= 0)
                        return (int)n;
                    if (Marshal.GetLastPInvokeError() != InterruptedCall)
                        return 0;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        finally
        {
            if (added)
                _handle.DangerousRelease();
        }
    }

    /// <summary>
    /// Hands a frame to the kernel; a frame the kernel refuses (device down, gone) is dropped, as a wire would.
    /// Returns false when it was (the caller counts it).
    /// </summary>
    public unsafe bool Write(ReadOnlySpan<byte> frame)
    {
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            fixed (byte* data = frame)
            {
                // A TAP whose interface is down or deleted refuses frames: the frame is lost, as on a wire.
                return NativeWrite((int)_handle.DangerousGetHandle(), data, (nuint)frame.Length) == frame.Length;
            }
        }
        catch (ObjectDisposedException)
        {
            // Closed while the region stops: the frame is lost.
            return false;
        }
        finally
        {
            if (added)
                _handle.DangerousRelease();
        }
    }

    /// <summary>
    /// Starts a background thread handing every frame the kernel sends on this device to <paramref name="onFrame"/>,
    /// until the device is closed or gone.
    /// </summary>
    public void StartReading(Action<byte[]> onFrame, int maxFrame = 16_384)
    {
        var thread = new Thread(() =>
        {
            var buffer = new byte[maxFrame];
            while (true)
            {
                var length = Read(buffer);
                if (length <= 0)
                    return;
                onFrame(buffer.AsSpan(0, length).ToArray());
            }
        })
        { IsBackground = true, Name = $"tap {Name}" };
        thread.Start();
    }

    public void Dispose() => _handle.Dispose();

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint NativeRead(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint NativeWrite(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int Ioctl(int fd, nuint request, byte* argument);
}
