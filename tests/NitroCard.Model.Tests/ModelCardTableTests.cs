using System.Net;
using NitroCard.Card;
using NitroCard.Card.Tables;
using NitroCard.Packets;
using static NitroCard.Model.Tests.TestBench;

namespace NitroCard.Model.Tests;

/// <summary>Staged table changes, validation, counters and the alarm mask and FIFO.</summary>
public class ModelCardTableTests
{
    private static MappingEntry Remote(string ip, string host = "192.0.2.20", uint vni = VpcA)
        => new(vni, Ip(ip), Ip(host), CardTopology.SampleMac(vni, Ip(ip)));

    [Fact]
    public void Staged_mapping_is_invisible_until_commit()
    {
        var bench = new TestBench();
        bench.Card.SetMapping(Remote("10.0.1.60"));
        Assert.Equal(1, bench.Card.StagedCount);
        bench.Tx(0, Udp(VpcA, "10.0.1.10", "10.0.1.60")).AssertDropped(DropReason.UnknownDestination);

        bench.Card.Commit();
        Assert.Equal(0, bench.Card.StagedCount);
        bench.Tx(0, Udp(VpcA, "10.0.1.10", "10.0.1.60"));
        Assert.Single(bench.Network);
    }

    [Fact]
    public void Staged_removal_and_eni_clear_are_invisible_until_commit()
    {
        var bench = new TestBench();
        bench.Card.RemoveMapping(new MappingKey(VpcA, Ipv4Address.ToUInt32(Ip("10.0.1.20"))));
        bench.Card.SetEni(0, null);
        bench.Tx(0, Udp(VpcA, "10.0.1.10", "10.0.1.20"));
        Assert.Single(bench.Network);

        bench.Card.Commit();
        bench.Tx(0, Udp(VpcA, "10.0.1.10", "10.0.1.20"));
        Assert.Empty(bench.Network);
        Assert.Equal(DropReason.SourceCheck, Assert.Single(bench.Alarms).Reason);
    }

    [Fact]
    public void Mapping_replacement_moves_an_address_to_another_host()
    {
        var bench = new TestBench();
        bench.Card.SetMapping(Remote("10.0.1.20", host: "192.0.2.30"));
        bench.Card.Commit();
        bench.Tx(0, Udp(VpcA, "10.0.1.10", "10.0.1.20"));
        Assert.Equal(Ip("192.0.2.30"), Ipv4Address.FromUInt32(Packets.Ipv4Header.Destination(Assert.Single(bench.Network).Data.AsSpan(14))));
        Assert.Equal(10, bench.Card.MappingCount);
    }

    [Fact]
    public void Removing_an_absent_mapping_throws_and_stages_nothing()
    {
        var bench = new TestBench();
        bench.Card.SetMapping(Remote("10.0.1.61"));
        var ex = Assert.Throws<ArgumentException>(() => bench.Card.RemoveMapping(new MappingKey(VpcA, Ipv4Address.ToUInt32(Ip("10.0.1.62")))));
        Assert.Contains("10.0.1.62", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, bench.Card.StagedCount);
        // Another VNI is another key.
        Assert.Throws<ArgumentException>(() => bench.Card.RemoveMapping(new MappingKey(VpcB, Ipv4Address.ToUInt32(Ip("10.0.1.11")))));
    }

    [Fact]
    public void Removing_a_mapping_staged_in_the_same_batch_is_allowed_and_twice_is_not()
    {
        var bench = new TestBench();
        var entry = Remote("10.0.1.63");
        bench.Card.SetMapping(entry);
        bench.Card.RemoveMapping(entry.Key);
        Assert.Throws<ArgumentException>(() => bench.Card.RemoveMapping(entry.Key));
        bench.Card.Commit();
        Assert.Equal(10, bench.Card.MappingCount); // the sample topology's 10, unchanged
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(64)]
    public void Eni_slot_out_of_range_throws(int slot)
    {
        var bench = new TestBench();
        var eni = bench.Topology.Enis[0].Entry;
        Assert.Throws<ArgumentOutOfRangeException>(() => bench.Card.SetEni(slot, eni));
        Assert.Equal(0, bench.Card.StagedCount);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(8)]
    public void Edge_index_out_of_range_throws(int index)
    {
        var bench = new TestBench();
        Assert.Throws<ArgumentOutOfRangeException>(() => bench.Card.SetEdge(index, new EdgeEntry(VpcA, Edge)));
        Assert.Equal(0, bench.Card.StagedCount);
    }

    [Fact]
    public void Invalid_entries_throw()
    {
        var bench = new TestBench();
        Assert.Throws<ArgumentOutOfRangeException>(() => bench.Card.SetMapping(Remote("10.0.1.64") with { Vni = 1 << 24 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => bench.Card.SetMapping(Remote("10.0.1.64") with { LocalSlot = 64 }));
        Assert.Throws<ArgumentException>(() => bench.Card.SetMapping(Remote("10.0.1.64") with { UnderlayIp = IPAddress.IPv6Loopback }));
        Assert.Throws<ArgumentOutOfRangeException>(() => bench.Card.SetEdge(0, new EdgeEntry(1 << 24, Edge)));
        Assert.Equal(0, bench.Card.StagedCount);
    }

    [Fact]
    public void Mapping_count_beyond_capacity_throws()
    {
        using var card = new ModelCard(new CardGeometry(4, 2, 2, 1, 9001, 64));
        for (var i = 0; i < 4; i++)
            card.SetMapping(Remote($"10.0.1.{100 + i}"));
        Assert.Throws<CardTableFullException>(() => card.SetMapping(Remote("10.0.1.104")));
        card.SetMapping(Remote("10.0.1.100", host: "192.0.2.30")); // replacement does not grow the table
        card.RemoveMapping(Remote("10.0.1.100").Key);
        card.SetMapping(Remote("10.0.1.104"));
        card.Commit();
        Assert.Equal(4, card.MappingCount);
    }

    [Fact]
    public void Discard_drops_staged_changes()
    {
        var bench = new TestBench();
        bench.Card.SetMapping(Remote("10.0.1.60"));
        bench.Card.DiscardStaged();
        bench.Card.Commit();
        bench.Tx(0, Udp(VpcA, "10.0.1.10", "10.0.1.60")).AssertDropped(DropReason.UnknownDestination);
    }

    [Fact]
    public void Smaller_ip_mtu_lowers_the_largest_frame()
    {
        var geometry = CardGeometry.Default with { IpMtu = 1500 };
        var card = new ModelCard(geometry);
        CardTopology.Sample().LoadInto(card);
        card.PushHost(0, UdpOfTotalLength(VpcA, "10.0.1.10", "10.0.1.20", 1500));
        card.PushHost(0, UdpOfTotalLength(VpcA, "10.0.1.10", "10.0.1.20", 1501));
        card.RunUntilIdle();
        Assert.Single(card.DrainNetwork());
        Assert.Equal(1UL, card.ReadCounters()[DropReason.MtuExceeded]);
        card.Dispose();
    }

    [Fact]
    public void Alarm_mask_gates_alarms_but_not_counters()
    {
        var mask = uint.MaxValue & ~(1u << (int)DropReason.SourceCheck);
        var bench = new TestBench(alarmMask: mask);
        bench.Card.PushHost(3, Udp(VpcA, "10.0.1.10", "10.0.1.20")); // source-check, masked
        bench.Card.PushHost(0, Udp(VpcA, "10.0.1.10", "10.0.9.9")); // unknown-destination, raised
        bench.Run();
        var alarm = Assert.Single(bench.Alarms);
        Assert.Equal(DropReason.UnknownDestination, alarm.Reason);
        Assert.Equal(1UL, bench.Counters[DropReason.SourceCheck]);
        Assert.Equal(1UL, bench.Counters[DropReason.UnknownDestination]);
    }

    [Fact]
    public void Zero_alarm_mask_raises_nothing()
    {
        var bench = new TestBench(alarmMask: 0);
        bench.Rx(Vxlan(VpcA, Udp(VpcA, "10.0.1.20", "10.0.1.10"), HostC));
        Assert.Empty(bench.Alarms);
        Assert.Equal(1UL, bench.Counters[DropReason.SpoofedSource]);
    }

    [Fact]
    public void Full_alarm_fifo_counts_overflow()
    {
        var bench = new TestBench(alarmDepth: 2);
        for (var i = 0; i < 5; i++)
            bench.Card.PushHost(3, Udp(VpcA, "10.0.1.10", "10.0.1.20"));
        bench.Run();
        Assert.Equal(2, bench.Alarms.Count);
        Assert.Equal(3UL, bench.Counters.AlarmOverflow);
        Assert.Equal(5UL, bench.Counters[DropReason.SourceCheck]);
        // Drained: room again.
        bench.Tx(3, Udp(VpcA, "10.0.1.10", "10.0.1.20"));
        Assert.Single(bench.Alarms);
    }

    [Fact]
    public void Default_alarm_fifo_holds_64()
    {
        var bench = new TestBench();
        for (var i = 0; i < 70; i++)
            bench.Card.PushHost(3, new byte[20]);
        bench.Run();
        Assert.Equal(64, bench.Alarms.Count);
        Assert.Equal(6UL, bench.Counters.AlarmOverflow);
    }

    [Fact]
    public void Counters_accumulate_and_clear()
    {
        var bench = new TestBench();
        bench.Card.PushHost(0, Udp(VpcA, "10.0.1.10", "10.0.1.20"));
        bench.Card.PushHost(0, Udp(VpcA, "10.0.1.10", "10.0.1.11", payload: 100));
        bench.Card.PushNetwork(Vxlan(VpcA, Udp(VpcA, "10.0.1.20", "10.0.1.10", payload: 30), HostB));
        bench.Run();
        var c = bench.Counters;
        Assert.Equal(64, c.Enis.Count);
        Assert.Equal(DropReasonNames.Count, c.Drops.Count);
        Assert.Equal(new EniCounters(2, 60 + 142, 1, 72), c.Enis[0]);
        Assert.Equal(new EniCounters(0, 0, 1, 142), c.Enis[1]);
        bench.Card.ClearCounters();
        Assert.Equal(default, bench.Counters.Enis[0]);
    }

    [Fact]
    public void Host_and_network_inputs_are_processed_round_robin()
    {
        var bench = new TestBench();
        bench.Card.PushHost(0, Udp(VpcA, "10.0.1.10", "10.0.1.11", payload: 20));
        bench.Card.PushHost(0, Udp(VpcA, "10.0.1.10", "10.0.1.11", payload: 21));
        bench.Card.PushNetwork(Vxlan(VpcA, Udp(VpcA, "10.0.1.20", "10.0.1.10", payload: 30), HostB));
        bench.Card.PushNetwork(Vxlan(VpcA, Udp(VpcA, "10.0.1.20", "10.0.1.10", payload: 31), HostB));
        bench.Run();
        Assert.Equal(new[] { (1, 62), (0, 72), (1, 63), (0, 73) }, bench.Host.Select(f => (f.Slot, f.Data.Length)));
    }

    [Fact]
    public void Pushed_frames_are_copied()
    {
        var bench = new TestBench();
        var frame = Udp(VpcA, "10.0.1.10", "10.0.1.11");
        bench.Card.PushHost(0, frame);
        frame[6] = 0xFF; // after the push: must not matter
        bench.Run();
        Assert.Single(bench.Host);
    }

    [Fact]
    public void Processing_directly_gives_the_same_result_as_the_queue()
    {
        var bench = new TestBench();
        var output = new byte[9100];
        var frame = Udp(VpcA, "10.0.1.10", "10.0.1.20");
        var verdict = bench.Card.ProcessHost(0, frame, output);
        Assert.Equal(Model.FrameDisposition.Network, verdict.Disposition);
        Assert.Equal(110, verdict.Length);
        bench.Tx(0, frame);
        Assert.Equal(output.AsSpan(0, 110).ToArray(), Assert.Single(bench.Network).Data);

        var drop = bench.Card.ProcessNetwork(new byte[10], output);
        Assert.True(drop.Dropped);
        Assert.Equal(DropReason.Malformed, drop.Reason);
    }

    [Fact]
    public void Settings_take_effect_immediately()
    {
        var bench = new TestBench();
        bench.Card.Configure(bench.Topology.Settings with { GatewayMac = MacAddress.Parse("02:00:00:00:00:99") });
        bench.Tx(0, Packets.Frames.ArpRequest(Mac(VpcA, "10.0.1.10"), Ip("10.0.1.10"), Ip("10.0.1.1")));
        Assert.Equal(0x0200_0000_0099UL, Packets.ArpPacket.SenderMac(Assert.Single(bench.Host).Data.AsSpan(14)));
    }
}
