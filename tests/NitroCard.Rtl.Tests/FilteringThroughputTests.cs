using System.Net;
using NitroCard.Card.Filtering;
using NitroCard.Packets;
using Xunit.Abstractions;
using static NitroCard.Rtl.Tests.TestHost;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// Cycle counts with the filtering stages doing real work (docs/card-filtering.md): tracked security
/// groups, so every packet looks its flow up in the connection tracking table. Established flows run
/// at the bus bound max(ceil(in/64), ceil(out/64)) within 5% — TX-local frames included, whose two tracking
/// operations (egress at the sender, ingress at the receiver) share one bucket and are decided together.
/// The first packet of a flow scans the sender's rules: its cost by rule count is measured here and
/// recorded in hw/rtl/README.md and docs/BENCHMARKS.md.
/// </summary>
public class FilteringThroughputTests(ITestOutputHelper output)
{
    private const int Frames = 200;
    private const int Flows = 8;
    private static readonly IPNetwork Vpc = IPNetwork.Parse("10.0.0.0/16");

    private static int Beats(int bytes) => (bytes + 63) / 64;

    /// <summary>A host whose ENIs are tracked (not the untracked allow-all): rules in from the VPC, out to anywhere.</summary>
    private static TestHost TrackedHost(int egressRules = 1)
    {
        var host = new TestHost("rtl");
        // egressRules - 1 rules that never match (TCP port 1 to a documentation prefix), then allow all.
        var egress = Enumerable.Range(0, egressRules - 1).Select(_ => FilterRule.ForTcp(IPNetwork.Parse("192.0.2.0/24"), 1, 1))
            .Append(FilterRule.AllTraffic).ToList();
        foreach (var eni in Local)
            host.Card.SetSecurityRules(eni.Slot, new SecurityRules([FilterRule.All(Vpc)], egress));
        host.Card.SetTime(1_000_000);
        host.Card.Commit();
        return host;
    }

    private static byte[] TxFrame(TestEni to, int flow, int size)
        => Packets.Frames.Pad(Packets.Frames.Udp(to.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, to.Ip, (ushort)(1000 + flow), 9, new byte[Math.Max(0, size - 42)]), size);

    private static byte[] RxFrame(int flow, int size)
    {
        var inner = Packets.Frames.Pad(Packets.Frames.Udp(BlueA1.Mac.Value, BlueB1.Mac.Value, BlueB1.Ip, BlueA1.Ip, 9, (ushort)(1000 + flow), new byte[Math.Max(0, size - 42)]), size);
        return VxlanHeader.Encapsulate(inner, UnderlayMacA.Value, 1, Ipv4Address.ToUInt32(UnderlayB), Ipv4Address.ToUInt32(UnderlayA), BlueVni);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(1514)]
    [InlineData(9015)]
    public void Established_tx_encapsulation_runs_at_the_bus_bound(int size)
    {
        using var host = TrackedHost();
        Establish(host, f => host.Card.PushHost(BlueA1.Slot, TxFrame(BlueB1, f, 60)));
        for (var i = 0; i < Frames; i++)
            host.Card.PushHost(BlueA1.Slot, TxFrame(BlueB1, i % Flows, size));
        AssertCycles(host, Math.Max(Beats(size), Beats(size + 50)), $"TX encap {size} B");
    }

    [Theory]
    [InlineData(60)]
    [InlineData(128)]
    [InlineData(1514)]
    [InlineData(9015)]
    public void Established_rx_decapsulation_runs_at_the_bus_bound(int size)
    {
        using var host = TrackedHost();
        // Blue-a1's egress creates the flows; the RX traffic is their replies (blue-a1 has no rule for it).
        Establish(host, f => host.Card.PushHost(BlueA1.Slot, Packets.Frames.Udp(BlueB1.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, BlueB1.Ip, (ushort)(1000 + f), 9, new byte[18])));
        for (var i = 0; i < Frames; i++)
            host.Card.PushNetwork(RxFrame(i % Flows, size));
        AssertCycles(host, Math.Max(Beats(size + 50), Beats(size)), $"RX decap {size} B");
    }

    [Theory]
    [InlineData(60)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(128)]
    [InlineData(1514)]
    [InlineData(9015)]
    public void Established_tx_local_delivery_runs_at_the_bus_bound(int size)
    {
        using var host = TrackedHost();
        Establish(host, f => host.Card.PushHost(BlueA1.Slot, TxFrame(BlueA3, f, 60)));
        for (var i = 0; i < Frames; i++)
            host.Card.PushHost(BlueA1.Slot, TxFrame(BlueA3, i % Flows, size));
        // One-beat frames too: blue-a1's egress op and blue-a3's ingress op read one bucket in one cycle.
        AssertCycles(host, Beats(size), $"TX local {size} B");
    }

    [Fact]
    public void Established_tx_local_and_rx_decapsulation_at_once_share_the_tracking_stage_at_the_bus_bound()
    {
        // 64-byte TX-local frames (two ops each) and RX frames (one op) together: both reach the host port, one
        // frame a cycle between them, and the tracking stage takes one record a cycle for TX and RX together.
        using var host = TrackedHost();
        Establish(host, f => host.Card.PushHost(BlueA1.Slot, TxFrame(BlueA3, f, 60)));
        Establish(host, f => host.Card.PushHost(BlueA1.Slot, Packets.Frames.Udp(BlueB1.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, BlueB1.Ip, (ushort)(1000 + f), 9, new byte[18])));
        for (var i = 0; i < Frames / 2; i++)
        {
            host.Card.PushHost(BlueA1.Slot, TxFrame(BlueA3, i % Flows, 64));
            host.Card.PushNetwork(RxFrame(i % Flows, 64));
        }
        AssertCycles(host, 1, "TX local + RX decap, 64 B each");
    }

    [Theory]
    [InlineData(60)]
    [InlineData(1514)]
    public void Flow_records_on_cost_no_cycles_on_established_or_new_flows(int size)
    {
        // docs/card-flow-records.md: counting is part of the op's write-back; records of the ops themselves only
        // come from rejects and expired entries overwritten, so with every slot recording the bounds are unchanged.
        using var host = TrackedHost();
        var records = (NitroCard.Card.FlowRecords.IFlowRecordSource)host.Card;
        foreach (var eni in Local)
            records.SetFlowRecordInterval(eni.Slot, 1);
        Establish(host, f => host.Card.PushHost(BlueA1.Slot, TxFrame(BlueA3, f, 60)));
        for (var i = 0; i < Frames; i++)
            host.Card.PushHost(BlueA1.Slot, TxFrame(BlueA3, i % Flows, size));
        AssertCycles(host, Beats(size), $"TX local {size} B, flow records on");
        for (var i = 0; i < Frames; i++)
            host.Card.PushHost(BlueA1.Slot, TxFrame(BlueB1, 100 + i, 60));   // every frame a new flow
        var perFlow = Measure(host, "new flows, flow records on");
        Assert.True(perFlow <= 2 * 1.05, $"{perFlow:F2} cycles per new flow with flow records on");

        // The interval passes: one sweep pass records every flow, both ends of the TX-local ones.
        host.Card.SetTime(3_000_000);
        host.Rtl.Card.Step((ulong)host.Card.Geometry.Filtering!.ConntrackBuckets + 1024);
        var drained = records.DrainFlowRecords();
        var local = drained.Where(r => r.DestinationPort == 9 && r.Cause == NitroCard.Card.FlowRecords.FlowRecordCause.Interval).ToList();
        Assert.Equal(Flows * 2 + Frames, local.Count);
        Assert.Equal((ulong)((Frames + Flows) * 2 + Frames), local.Aggregate(0UL, (sum, r) => sum + r.Packets));
        Assert.Equal(0UL, records.FlowRecordOverflows);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(1514)]
    public void Untracked_flows_with_flow_records_on_run_at_the_bus_bound_and_are_recorded(int size)
    {
        // The test host's ENIs allow all both ways (untracked). With records on, each flow has a count-only entry
        // (docs/card-flow-records.md): an established one is refreshed in the op's write-back like a tracked one.
        using var host = new TestHost("rtl");
        host.Card.SetTime(1_000_000);
        var records = (NitroCard.Card.FlowRecords.IFlowRecordSource)host.Card;
        foreach (var eni in Local)
            records.SetFlowRecordInterval(eni.Slot, 1);
        var capacity = (ulong)host.Card.Geometry.Filtering!.ConntrackCapacity;
        Establish(host, f => host.Card.PushHost(BlueA1.Slot, TxFrame(BlueA3, f, 60)));
        Assert.Equal(capacity - (2 * Flows), host.Card.ReadCounters().ConntrackFree);   // sender's and receiver's entries
        for (var i = 0; i < Frames; i++)
            host.Card.PushHost(BlueA1.Slot, TxFrame(BlueA3, i % Flows, size));
        AssertCycles(host, Beats(size), $"untracked TX local {size} B, flow records on");

        host.Card.SetTime(3_000_000);
        host.Rtl.Card.Step((ulong)host.Card.Geometry.Filtering.ConntrackBuckets + 1024);
        var drained = records.DrainFlowRecords();
        Assert.Equal(Flows * 2, drained.Count(r => r.Cause == NitroCard.Card.FlowRecords.FlowRecordCause.Interval));
        var sender = drained.Where(r => r.Slot == BlueA1.Slot).ToList();
        var receiver = drained.Where(r => r.Slot == BlueA3.Slot).ToList();
        Assert.Equal((ulong)(Flows + Frames), sender.Aggregate(0UL, (sum, r) => sum + r.Packets));
        Assert.Equal((ulong)(Flows + Frames), receiver.Aggregate(0UL, (sum, r) => sum + r.Packets));
        var counters = host.Card.ReadCounters();
        Assert.Equal(counters.Enis[BlueA1.Slot].TxBytes, sender.Aggregate(0UL, (sum, r) => sum + r.Bytes));
        Assert.Equal(counters.Enis[BlueA3.Slot].RxBytes, receiver.Aggregate(0UL, (sum, r) => sum + r.Bytes));
        Assert.Equal(0UL, records.FlowRecordOverflows);
    }

    [Fact]
    public void Untracked_flows_with_flow_records_off_take_no_entry()
    {
        using var host = new TestHost("rtl");
        var capacity = (ulong)host.Card.Geometry.Filtering!.ConntrackCapacity;
        Establish(host, f => host.Card.PushHost(BlueA1.Slot, TxFrame(BlueA3, f, 60)));
        Assert.Equal(capacity, host.Card.ReadCounters().ConntrackFree);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(1000)]
    public void New_flows_cost_the_rule_scan(int rules)
    {
        using var host = TrackedHost(rules);
        for (var i = 0; i < Frames; i++)
            host.Card.PushHost(BlueA1.Slot, TxFrame(BlueB1, i, 60));   // every frame a new flow
        var perFlow = Measure(host, $"new flows, {rules} egress rules");
        // The matching rule is the last one: rules in the first row of 4 cost nothing beyond the bus
        // bound (2 cycles for a 60-byte encapsulation); more need a scan of 1 + rows cycles.
        var rows = (rules + 3) / 4;
        if (rules == 1)
            Assert.True(perFlow <= 2 * 1.05, $"{perFlow:F2} cycles per new flow with {rules} rule");
        else
            Assert.InRange(perFlow, rows, rows + 5);
        var counters = host.Card.ReadCounters();
        Assert.Equal((ulong)Frames, counters.Filters![BlueA1.Slot].SgAllowedOut);
        Assert.Equal((ulong)(host.Card.Geometry.Filtering!.ConntrackCapacity - Frames), counters.ConntrackFree);
    }

    [Fact]
    public void The_sweeper_frees_expired_entries_and_ct_free_counts_them()
    {
        using var host = TrackedHost();
        var capacity = (ulong)host.Card.Geometry.Filtering!.ConntrackCapacity;
        for (var i = 0; i < 50; i++)
            host.Card.PushHost(BlueA1.Slot, TxFrame(BlueB1, i, 60));
        host.Card.RunUntilIdle();
        Assert.Equal(50, host.Card.DrainNetwork().Count);
        Assert.Equal(capacity - 50, host.Card.ReadCounters().ConntrackFree);
        // Expired (UDP, 30 s): counted as used until the sweeper (one bucket a spare cycle) reaches them;
        // one pass over every bucket frees them all.
        host.Card.SetTime(1_000_000 + (31 * 1_000_000UL));
        Assert.True(host.Card.ReadCounters().ConntrackFree < capacity, "every expired entry freed within a few cycles");
        host.Rtl.Card.Step((ulong)host.Card.Geometry.Filtering.ConntrackBuckets + 16);
        Assert.Equal(capacity, host.Card.ReadCounters().ConntrackFree);
    }

    private static void Establish(TestHost host, Action<int> send)
    {
        for (var f = 0; f < Flows; f++)
            send(f);
        host.Card.RunUntilIdle();
        host.Card.DrainHost();
        host.Card.DrainNetwork();
    }

    private double Measure(TestHost host, string what)
    {
        host.Card.RunUntilIdle();
        var outputs = host.Card.DrainHost().Concat(host.Card.DrainNetwork()).OrderBy(f => f.Cycle).ToList();
        Assert.Equal(Frames, outputs.Count);
        var cyclesPerPacket = (double)(outputs[^1].Cycle - outputs[0].Cycle) / (Frames - 1);
        output.WriteLine($"{what}: {cyclesPerPacket:F3} cycles per packet");
        return cyclesPerPacket;
    }

    private void AssertCycles(TestHost host, int bound, string what)
    {
        var cyclesPerPacket = Measure(host, what);
        Assert.True(cyclesPerPacket <= bound * 1.05, $"{what}: {cyclesPerPacket:F3} cycles per packet, bound {bound}");
        var counters = host.Card.ReadCounters();
        Assert.Equal(0UL, counters.Drops.Aggregate(0UL, (a, b) => a + b));
    }
}
