using NitroCard.Packets;
using static NitroCard.Rtl.Tests.TestHost;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// The throughput target, by cycle count (deterministic, so asserted): for traffic that passes,
/// cycles per packet within 5% of the bus bound max(ceil(in/64), ceil(out/64)) in both
/// directions, from 60 bytes to the MTU. docs/BENCHMARKS.md records the full table.
/// </summary>
public class ThroughputTests
{
    private const int Frames = 200;

    private static int Beats(int bytes) => (bytes + 63) / 64;

    [Theory]
    [InlineData(60)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(128)]
    [InlineData(1514)]
    [InlineData(9015)]
    public void Tx_encapsulation_runs_at_the_bus_bound(int size)
    {
        using var host = new TestHost("rtl");
        for (var i = 0; i < Frames; i++)
            host.Card.PushHost(BlueA1.Slot, Packets.Frames.Pad(Packets.Frames.Udp(BlueB1.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, BlueB1.Ip, (ushort)i, 9, new byte[Math.Max(0, size - 42)]), size));
        AssertAtBusBound(host, size, size + 50);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(1514)]
    [InlineData(9015)]
    public void Rx_decapsulation_runs_at_the_bus_bound(int size)
    {
        using var host = new TestHost("rtl");
        for (var i = 0; i < Frames; i++)
        {
            var inner = Packets.Frames.Pad(Packets.Frames.Udp(BlueA1.Mac.Value, BlueB1.Mac.Value, BlueB1.Ip, BlueA1.Ip, (ushort)i, 9, new byte[Math.Max(0, size - 42)]), size);
            host.Card.PushNetwork(VxlanHeader.Encapsulate(inner, UnderlayMacA.Value, 1, Ipv4Address.ToUInt32(UnderlayB), Ipv4Address.ToUInt32(UnderlayA), BlueVni));
        }
        AssertAtBusBound(host, size + 50, size);
    }

    private static void AssertAtBusBound(TestHost host, int inBytes, int outBytes)
    {
        // Measure the steady state: from the first output to the last, so the fixed pipeline latency is excluded.
        host.Card.RunUntilIdle();
        var outputs = host.Card.DrainHost().Concat(host.Card.DrainNetwork()).OrderBy(f => f.Cycle).ToList();
        Assert.Equal(Frames, outputs.Count);
        var cyclesPerPacket = (double)(outputs[^1].Cycle - outputs[0].Cycle) / (Frames - 1);
        var bound = Math.Max(Beats(inBytes), Beats(outBytes));
        Assert.True(cyclesPerPacket <= bound * 1.05, $"{cyclesPerPacket:F3} cycles per packet, bus bound {bound} (in {inBytes} B, out {outBytes} B)");
        Assert.Equal(0UL, host.Card.ReadCounters().Drops.Aggregate(0UL, (a, b) => a + b));
    }
}
