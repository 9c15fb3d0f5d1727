using System.Net;
using NitroCard.Card;
using NitroCard.Card.Tables;
using NitroCard.Driver;
using NitroCard.Driver.Simulation;
using NitroCard.Packets;
using static NitroCard.Rtl.Tests.TestHost;

namespace NitroCard.Rtl.Tests;

/// <summary>Clock-level behaviour only the RTL has: backpressure, updates under traffic, throughput.</summary>
public class CardStreamTests
{
    private static List<(bool FromNetwork, int Slot, byte[] Frame)> MixedTraffic(int count, int seed)
    {
        var random = new Random(seed);
        var frames = new List<(bool, int, byte[])>();
        for (var i = 0; i < count; i++)
        {
            var size = random.Next(3) switch { 0 => 60, 1 => random.Next(60, 300), _ => random.Next(60, 9015) };
            var payload = new byte[size - 42];
            random.NextBytes(payload);
            switch (random.Next(4))
            {
                case 0:
                    frames.Add((false, BlueA1.Slot, Frames.Udp(BlueB1.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, BlueB1.Ip, (ushort)i, 9, payload)));
                    break;
                case 1:
                    frames.Add((false, BlueA1.Slot, Frames.Udp(BlueA3.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, BlueA3.Ip, (ushort)i, 9, payload)));
                    break;
                case 2:
                    var inner = Frames.Udp(RedA1.Mac.Value, RedB1.Mac.Value, RedB1.Ip, RedA1.Ip, (ushort)i, 9, payload);
                    frames.Add((true, -1, VxlanHeader.Encapsulate(inner, UnderlayMacA.Value, 1, Ipv4Address.ToUInt32(UnderlayB), Ipv4Address.ToUInt32(UnderlayA), RedVni)));
                    break;
                default:
                    frames.Add((false, RedA1.Slot, Frames.Udp(GatewayMac.Value, RedA1.Mac.Value, RedA1.Ip, IPAddress.Parse("10.0.9.9"), (ushort)i, 9, payload)));
                    break;
            }
        }
        return frames;
    }

    private static (List<CardFrame> Host, List<CardFrame> Network, CardCounters Counters) RunTraffic(int readyPercent, int validPercent, ulong seed)
    {
        using var host = new TestHost("rtl");
        var card = host.Rtl.Card;
        card.SetOutputReadiness(CardPort.HostOut, readyPercent, seed);
        card.SetOutputReadiness(CardPort.NetworkOut, readyPercent, seed + 1);
        card.SetInputValidity(CardPort.HostIn, validPercent, seed + 2);
        card.SetInputValidity(CardPort.NetworkIn, validPercent, seed + 3);
        foreach (var (fromNetwork, slot, frame) in MixedTraffic(300, 42))
        {
            if (fromNetwork)
                host.Card.PushNetwork(frame);
            else
                host.Card.PushHost(slot, frame);
        }
        host.Card.RunUntilIdle();
        return ([.. host.Card.DrainHost()], [.. host.Card.DrainNetwork()], host.Card.ReadCounters());
    }

    [Theory]
    [InlineData(50, 100, 1ul)]
    [InlineData(30, 70, 2ul)]
    [InlineData(90, 40, 3ul)]
    public void Random_backpressure_loses_reorders_and_duplicates_nothing(int readyPercent, int validPercent, ulong seed)
    {
        var reference = RunTraffic(100, 100, 0);
        var stressed = RunTraffic(readyPercent, validPercent, seed);
        Assert.True(reference.Host.Count > 100 && reference.Network.Count > 50, $"traffic mix too thin: {reference.Host.Count} host, {reference.Network.Count} network");
        // Host out merges two directions at frame boundaries in timing order; each slot's own
        // sequence (one source direction per slot in this mix) must be exactly the reference.
        foreach (var slot in reference.Host.Select(f => f.Slot).Distinct())
            Assert.Equal(reference.Host.Where(f => f.Slot == slot).Select(f => Convert.ToHexString(f.Data)), stressed.Host.Where(f => f.Slot == slot).Select(f => Convert.ToHexString(f.Data)));
        Assert.Equal(reference.Host.Count, stressed.Host.Count);
        Assert.Equal(reference.Network.Select(f => Convert.ToHexString(f.Data)), stressed.Network.Select(f => Convert.ToHexString(f.Data)));
        Assert.Equal(reference.Counters.Drops, stressed.Counters.Drops);
        Assert.Equal(reference.Counters.Enis, stressed.Counters.Enis);
    }

    // The traffic's outputs taken one call per frame (TryPull* until false) or in batches (Drain*): every output
    // frame with its slot and cycle, and the cycles run.
    private static (List<CardFrame> Host, List<CardFrame> Network, ulong Cycles) RunTrafficThrough(bool batches)
    {
        using var host = new TestHost("rtl");
        var card = host.Rtl.Card;
        card.SetOutputReadiness(CardPort.HostOut, 50, 7);
        card.SetOutputReadiness(CardPort.NetworkOut, 60, 8);
        var traffic = MixedTraffic(2000, 43);
        foreach (var (fromNetwork, slot, frame) in traffic)
        {
            if (fromNetwork)
                card.PushNetwork(frame);
            else
                card.PushHost(slot, frame);
        }
        var cycles = card.RunUntilIdle(RtlCardEngine.MaxCyclesPerRun);
        var hostFrames = new List<CardFrame>();
        var networkFrames = new List<CardFrame>();
        if (batches)
        {
            card.DrainHost(hostFrames);
            card.DrainNetwork(networkFrames);
        }
        else
        {
            while (card.TryPullHost(out var frame))
                hostFrames.Add(frame);
            while (card.TryPullNetwork(out var frame))
                networkFrames.Add(frame);
        }
        return (hostFrames, networkFrames, cycles);
    }

    [Fact]
    public void Batched_drains_give_exactly_what_one_call_per_frame_gives()
    {
        static IEnumerable<string> Described(List<CardFrame> frames) => frames.Select(f => $"{f.Slot} {f.Cycle} {Convert.ToHexString(f.Data)}");
        var single = RunTrafficThrough(batches: false);
        var batched = RunTrafficThrough(batches: true);
        // More than the library's 1 MB storage chunks, so frames and collected beats cross chunk boundaries.
        Assert.True(single.Host.Sum(f => f.Data.Length) > 1 << 20, $"traffic too thin: {single.Host.Sum(f => f.Data.Length)} bytes to hosts");
        Assert.True(single.Network.Count > 50, $"traffic too thin: {single.Network.Count} network frames");
        Assert.Equal(single.Cycles, batched.Cycles);
        Assert.Equal(Described(single.Host), Described(batched.Host));
        Assert.Equal(Described(single.Network), Described(batched.Network));
    }

    [Fact]
    public void A_mapping_moved_under_traffic_switches_over_at_one_packet_boundary()
    {
        using var host = new TestHost("rtl");
        const int count = 400;
        for (var i = 0; i < count; i++)
            host.Card.PushHost(BlueA1.Slot, Frames.Udp(BlueB1.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, BlueB1.Ip, (ushort)i, 9, new byte[100]));
        host.Rtl.Card.Step(300);
        host.Card.SetMapping(BlueB1.Mapping(UnderlayC));
        host.Card.Commit();
        host.Card.RunUntilIdle();
        var destinations = host.Card.DrainNetwork().Select(f => Ipv4Header.Destination(f.Data.AsSpan(14))).ToList();
        Assert.Equal(count, destinations.Count);
        var b = Ipv4Address.ToUInt32(UnderlayB);
        var c = Ipv4Address.ToUInt32(UnderlayC);
        var switchAt = destinations.IndexOf(c);
        Assert.InRange(switchAt, 1, count - 1);
        Assert.All(destinations.Take(switchAt), d => Assert.Equal(b, d));
        Assert.All(destinations.Skip(switchAt), d => Assert.Equal(c, d));
    }

    [Fact]
    public void A_cuckoo_heavy_batch_under_traffic_never_loses_an_existing_mapping()
    {
        using var host = new TestHost("rtl");
        // Fill a good part of the table with other VPCs' mappings while blue traffic flows.
        for (var i = 0; i < 200; i++)
            host.Card.PushHost(BlueA1.Slot, Frames.Udp(BlueB1.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, BlueB1.Ip, (ushort)i, 9, new byte[200]));
        host.Rtl.Card.Step(100);
        for (var i = 0; i < 3000; i++)
            host.Card.SetMapping(new MappingEntry(2000 + ((uint)i % 7), Ipv4Address.FromUInt32(0x0A00_0000u + (uint)i), UnderlayC, new MacAddress(0x02_00_00_00_00_00UL + (uint)i)));
        host.Card.Commit();
        host.Card.RunUntilIdle();
        Assert.Equal(200, host.Card.DrainNetwork().Count);
        Assert.Equal(0UL, host.Card.ReadCounters()[DropReason.UnknownDestination]);
    }

    /// <summary>
    /// A commit raises the freeze while headers are still in the lookups; they finish under the tables they started
    /// with. Every commit start time within a burst, both ways of staging: no packet of the untouched mapping is lost.
    /// (Before the fix, the table engine took the TX lookup's mapping port from the moment it froze, not from the
    /// moment the pipelines were quiet, so a header in flight read the wrong bucket and was dropped.)
    /// </summary>
    [Theory]
    [InlineData(TableWriteMode.Checked)]
    [InlineData(TableWriteMode.Posted)]
    public void A_commit_at_any_moment_of_a_burst_loses_no_packet_of_an_untouched_mapping(TableWriteMode mode)
    {
        const int Rounds = 16;
        const int FramesPerRound = 600;
        using var host = new TestHost("rtl", mode);
        var next = 0u;
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < FramesPerRound; i++)
                host.Card.PushHost(BlueA1.Slot, Frames.Udp(BlueB1.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, BlueB1.Ip, (ushort)i, 9, new byte[18]));
            host.Rtl.Card.Step((ulong)round);
            for (var i = 0; i < 30; i++, next++)
                host.Card.SetMapping(new MappingEntry(2000 + (next % 7), Ipv4Address.FromUInt32(0x0A00_0000u + next), UnderlayC, new MacAddress(0x02_00_00_00_00_00UL + next)));
            host.Card.Commit();
            host.Card.RunUntilIdle();
            var sent = host.Card.DrainNetwork();
            Assert.True(sent.Count == FramesPerRound,
                $"round {round} (commit after {round} cycles): {sent.Count} of {FramesPerRound} frames sent, unknown-destination {host.Card.ReadCounters()[DropReason.UnknownDestination]}");
        }
        Assert.Equal(0UL, host.Card.ReadCounters()[DropReason.UnknownDestination]);
    }

    [Fact]
    public void A_full_alarm_fifo_counts_overflow_instead()
    {
        using var host = new TestHost("rtl");
        for (var i = 0; i < 70; i++)
            host.Card.PushHost(9, Frames.Pad([], 60));
        host.Card.RunUntilIdle();
        Assert.Equal(64, host.Card.DrainAlarms().Count);
        var counters = host.Card.ReadCounters();
        Assert.Equal(6UL, counters.AlarmOverflow);
        Assert.Equal(70UL, counters[DropReason.SourceCheck]);
    }

    [Fact]
    public void Waveform_trace_of_a_run_is_written()
    {
        using var host = new TestHost("rtl");
        var path = Path.Combine(Path.GetTempPath(), $"nitrocard-{Guid.NewGuid():N}.fst");
        try
        {
            if (!VerilatedCard.TracingLibraryLoaded)
            {
                // The default library has no tracing (NITROCARD_TRACE=1 loads libnitrocard-trace.so): it says so.
                var refused = Assert.Throws<NitroCardException>(() => host.Rtl.Card.StartTrace(path));
                Assert.Contains("libnitrocard-trace.so", refused.Message, StringComparison.Ordinal);
                return;
            }

            host.Rtl.Card.StartTrace(path);
            host.SendFromEni(BlueA1, Frames.ArpRequest(BlueA1.Mac.Value, BlueA1.Ip, IPAddress.Parse("10.0.1.1")));
            host.Rtl.Card.StopTrace();
            Assert.True(new FileInfo(path).Length > 1000);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
