using NitroCard.Card;
using NitroCard.Live.Control;
using NitroCard.Region;

namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 16: frames lost at an instance's TAP or in the pump under a flood show in <c>nitroctl card counters</c>, per ENI
/// (c50aacc counted them nowhere). Without root: the counters and their formatting.
/// </summary>
public sealed class PumpDropsTests
{
    [Fact]
    public void Pump_and_tap_drops_are_printed_per_eni_next_to_the_card_counters()
    {
        var region = RegionLoader.Load(RepoPaths.File("docs/examples/region.json"));
        var plan = RegionCompiler.ForHost(region, "host-a");
        var drops = new PumpDrops(plan.Geometry.EniSlots);
        var slot = plan.Enis[0].Slot;
        for (var i = 0; i < 3; i++)
            drops.QueueOverflow(slot);
        drops.TapWriteFailed(slot);
        drops.TapWriteFailed(-1);
        var counters = new CardCounters(new ulong[DropReasonNames.Count], new EniCounters[plan.Geometry.EniSlots], 0);
        var kernel = new Dictionary<int, (long Rx, long Tx)?> { [slot] = (5, 7) };

        var text = ControlText.Counters(ControlReplies.Counters(plan, counters, drops, kernel));

        Assert.Contains($"     eni_{slot}_pump_queue_overflow: 3\n", text, StringComparison.Ordinal);
        Assert.Contains($"     eni_{slot}_tap_write_failed: 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"     eni_{slot}_tap_tx_dropped: 7\n", text, StringComparison.Ordinal);
        Assert.Contains($"     eni_{slot}_tap_rx_dropped: 5\n", text, StringComparison.Ordinal);
        Assert.Contains("     network_tap_write_failed: 1\n", text, StringComparison.Ordinal);
        Assert.Contains("     network_pump_queue_overflow: 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_kernel_drops_of_a_missing_namespace_are_unknown_not_zero()
        => Assert.Null(PumpDrops.KernelDrops("nitrocard-test-no-such-namespace"));
}
