using System.Text.Json;

namespace NitroCard.Live;

/// <summary>
/// Frames a card host's pump lost before or after the card, per ENI slot (and the network port): the frames the card
/// never saw count in no card counter, so <c>nitroctl card counters</c> shows these next to the card's own.
/// </summary>
internal sealed class PumpDrops(int slots)
{
    // One entry per ENI slot, the last for the network port (slot -1).
    private readonly long[] _queueOverflow = new long[slots + 1];
    private readonly long[] _tapWriteFailed = new long[slots + 1];

    /// <summary>A frame read from a TAP was dropped because the pump's queue to the card was full.</summary>
    public void QueueOverflow(int slot) => Interlocked.Increment(ref _queueOverflow[Index(slot)]);

    /// <summary>The kernel refused a frame the card delivered to a TAP (device down, no buffer).</summary>
    public void TapWriteFailed(int slot) => Interlocked.Increment(ref _tapWriteFailed[Index(slot)]);

    public long QueueOverflowOf(int slot) => Interlocked.Read(ref _queueOverflow[Index(slot)]);

    public long TapWriteFailedOf(int slot) => Interlocked.Read(ref _tapWriteFailed[Index(slot)]);

    private int Index(int slot) => slot < 0 ? _queueOverflow.Length - 1 : slot;

    /// <summary>
    /// The kernel's own drops on an instance's <c>eth0</c> (the TAP), from <c>ip -s -j link</c> in its namespace:
    /// <c>rx</c> frames the pump wrote that the kernel dropped, <c>tx</c> frames the instance sent that the TAP queue dropped
    /// before the pump read them. Null when the namespace or device is not there.
    /// </summary>
    public static (long Rx, long Tx)? KernelDrops(string eniNamespace)
    {
        var (code, output, _) = Shell.TryRun("ip", "-n", eniNamespace, "-s", "-j", "link", "show", "dev", "eth0");
        if (code != 0)
            return null;
        try
        {
            using var json = JsonDocument.Parse(output);
            var stats = json.RootElement[0].GetProperty("stats64");
            return (stats.GetProperty("rx").GetProperty("dropped").GetInt64(), stats.GetProperty("tx").GetProperty("dropped").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
