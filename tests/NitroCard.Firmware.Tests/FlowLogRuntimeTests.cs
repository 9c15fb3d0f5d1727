using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using NitroCard.Card;
using NitroCard.Card.FlowRecords;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;
using NitroCard.InstanceServices.FlowLogs;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.State;
using NitroCard.Model;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Firmware.Tests;

/// <summary>
/// Issue 14: the firmware runs the flow logs that cover its card's ENIs from the Mapping Service's push, sets the card's
/// per-slot record intervals, and turns the card's records into log files and IPFIX. The card is
/// <see cref="ScriptedFlowCard"/>, a model card whose record FIFO the test scripts (the model's own records are the card
/// side's, tested in NitroCard.Model.Tests; end to end in NitroCard.Live.Tests' FlowLogsLiveTests). docs/examples/region.json, host-a: eni-a1 (subnet-a, VPC A), eni-b1 (VPC B).
/// </summary>
public sealed class FlowLogRuntimeTests : IDisposable
{
    private static readonly RegionTopology Example = RegionLoader.Load(Regions.ExamplePath);
    private static readonly DateTimeOffset CardEpoch = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private readonly string _root = Directory.CreateTempSubdirectory("flow-logs-").FullName;

    /// <summary>VPC A with three logs: the VPC's (ALL, 20 s), subnet-a's (REJECT, 10 s), eni-a2's (ACCEPT, 60 s, on host-b).</summary>
    private static RegionTopology WithFlowLogs(string? ipfixCollector = null)
    {
        var vpc = Example.Vpcs[0];
        return Example with
        {
            Vpcs = Example.Vpcs.SetItem(0, vpc with
            {
                FlowLogs =
                [
                    new FlowLog("fl-vpc", vpc.Id, "ALL", 20, ipfixCollector),
                    new FlowLog("fl-subnet", "subnet-a", "REJECT", 10),
                    new FlowLog("fl-eni", "eni-a2", "ACCEPT", 60),
                ],
            }),
        };
    }

    private static HostDelta Pushed(RegionTopology region)
        => DeltaCodec.FromMessage(DeltaCodec.ToMessage(DeltaBuilder.Snapshot(RegionState.From(region, 1), "host-a", 0)));

    [Fact]
    public void The_push_carries_the_flow_logs_that_cover_each_eni()
    {
        var enis = Pushed(WithFlowLogs("203.0.113.7:4739")).SetEnis.ToDictionary(e => e.Id);
        Assert.Equal(["fl-vpc", "fl-subnet"], enis["eni-a1"].Services!.FlowLogs.Select(f => f.Id));
        Assert.Equal(new FlowLog("fl-vpc", Example.Vpcs[0].Id, "ALL", 20, "203.0.113.7:4739"), enis["eni-a1"].Services!.FlowLogs[0]);
        Assert.Empty(enis["eni-b1"].Services!.FlowLogs);
        // A changed flow log is a changed ENI: the push diffs ENIs by value.
        Assert.NotEqual(Pushed(WithFlowLogs()).SetEnis.Single(e => e.Id == "eni-a1"), enis["eni-a1"]);
    }

    [Fact]
    public async Task The_card_records_each_covered_slot_at_the_shortest_interval_of_its_logs()
    {
        var card = new ScriptedFlowCard(); // the card thread disposes it
        using var thread = new CardThread(() => card);
        var programmer = Program(card, WithFlowLogs());
        using var runtime = new FlowLogRuntime(thread, _root, Wall, 1);
        await runtime.FollowAsync(programmer);

        var a1 = programmer.Slots["eni-a1"];
        Assert.Equal(new Dictionary<int, uint> { [a1] = 10 }, runtime.CardIntervals);
        Assert.Equal(new Dictionary<int, uint> { [a1] = 10 }, card.Intervals);
        Assert.Equal(["fl-subnet", "fl-vpc"], runtime.Services.Keys.Order(StringComparer.Ordinal));

        // The subnet's log goes: the VPC's 20 s is the slot's interval. Then no log at all: the slot records nothing.
        var vpc = WithFlowLogs().Vpcs[0];
        programmer.Apply(card, Pushed(Example with { Vpcs = Example.Vpcs.SetItem(0, vpc with { FlowLogs = [vpc.FlowLogList[0]] }) }));
        await runtime.FollowAsync(programmer);
        Assert.Equal(20u, card.Intervals[a1]);
        Assert.Equal(["fl-vpc"], runtime.Services.Keys);
        programmer.Apply(card, Pushed(Example));
        await runtime.FollowAsync(programmer);
        Assert.Equal(0u, card.Intervals[a1]);
        Assert.Empty(runtime.CardIntervals);
        Assert.Empty(runtime.Services);
    }

    [Fact]
    public async Task The_cards_records_become_version_2_lines_in_one_file_per_eni_with_wall_times()
    {
        var time = new FakeTimeProvider(CardEpoch.AddSeconds(100));
        var card = new ScriptedFlowCard(); // the card thread disposes it
        using var thread = new CardThread(() => card);
        var programmer = Program(card, WithFlowLogs());
        using var runtime = new FlowLogRuntime(thread, _root, Wall, 1, time);
        await runtime.FollowAsync(programmer);
        var a1 = programmer.Slots["eni-a1"];
        var b1 = programmer.Slots["eni-b1"];
        var ip = Ipv4Address.Parse("10.0.1.10");
        var peer = Ipv4Address.Parse("10.0.2.20");
        // Card time 101.5 s .. 103.25 s is 12:01:41.5 .. 12:01:43.25 on the wall; two records of one flow add up; the card
        // counts frames (5 packets, 1370 bytes), the log IP packets (1370 - 5 x 14 = 1300).
        card.Script(
            new CardFlowRecord(a1, ip, peer, 40000, 80, 6, 3, 222, 101_500_000, 102_000_000, false, FlowRecordCause.Interval),
            new CardFlowRecord(a1, ip, peer, 40000, 80, 6, 2, 1148, 102_500_000, 103_250_000, false, FlowRecordCause.Expired),
            new CardFlowRecord(a1, peer, ip, 0, 0, 1, 1, 98, 102_000_000, 102_000_000, true, FlowRecordCause.Rejected),
            new CardFlowRecord(b1, ip, peer, 1, 2, 17, 1, 60, 102_000_000, 102_000_000, false, FlowRecordCause.Expired));
        await runtime.DrainAsync();
        Assert.Equal(4, runtime.Records);
        Assert.False(File.Exists(Path.Combine(_root, "fl-vpc", "eni-a1.log")), "no interval has closed yet");

        time.Advance(TimeSpan.FromSeconds(20)); // 12:02:00: both logs' intervals (20 s and 10 s) have closed
        await runtime.DrainAsync();
        var account = programmer.Enis["eni-a1"].Services!.AccountId;
        var start = CardEpoch.AddSeconds(101).ToUnixTimeSeconds();
        Assert.Equal(
            [
                $"2 {account} eni-a1 10.0.1.10 10.0.2.20 40000 80 6 5 1300 {start} {start + 2} ACCEPT OK",
                $"2 {account} eni-a1 10.0.2.20 10.0.1.10 0 0 1 1 84 {start + 1} {start + 1} REJECT OK",
            ],
            Lines("fl-vpc", "eni-a1").Order(StringComparer.Ordinal));
        // The subnet's log keeps the rejected record only, and NODATA for its 10 s interval without traffic.
        var subnet = Lines("fl-subnet", "eni-a1");
        Assert.Contains($"2 {account} eni-a1 10.0.2.20 10.0.1.10 0 0 1 1 84 {start + 1} {start + 1} REJECT OK", subnet);
        Assert.DoesNotContain(subnet, l => l.Contains("ACCEPT", StringComparison.Ordinal));
        Assert.Contains(subnet, l => l.EndsWith("- - - - - - - " + CardEpoch.AddSeconds(110).ToUnixTimeSeconds() + " " + CardEpoch.AddSeconds(120).ToUnixTimeSeconds() + " - NODATA", StringComparison.Ordinal));
        // eni-b1 is in no log: its record is no file's.
        Assert.Equal(["eni-a1.log"], Directory.GetFiles(Path.Combine(_root, "fl-vpc"), "*.log").Select(Path.GetFileName));
        Assert.Equal("fl-vpc", System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_root, "fl-vpc", FlowLogRuntime.DescriptionFile))).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_log_that_changes_or_goes_publishes_its_open_interval_closed_at_the_push()
    {
        var time = new FakeTimeProvider(CardEpoch.AddSeconds(100));
        var card = new ScriptedFlowCard(); // the card thread disposes it
        using var thread = new CardThread(() => card);
        var programmer = Program(card, WithFlowLogs());
        using var runtime = new FlowLogRuntime(thread, _root, Wall, 1, time);
        await runtime.FollowAsync(programmer);
        var a1 = programmer.Slots["eni-a1"];
        var ip = Ipv4Address.Parse("10.0.1.10");
        var peer = Ipv4Address.Parse("10.0.2.20");
        var account = programmer.Enis["eni-a1"].Services!.AccountId;
        var start = CardEpoch.AddSeconds(101).ToUnixTimeSeconds();

        // 12:01:44: fl-vpc (ALL, 20 s) has an open interval 12:01:40 .. 12:02:00 holding one drained record, and the card
        // holds another, not yet drained. fl-vpc becomes ACCEPT at 60 s: both records go out in fl-vpc's file now, not at
        // 12:02:00 and not never.
        card.Script(new CardFlowRecord(a1, ip, peer, 40000, 80, 6, 3, 222, 101_500_000, 102_000_000, false, FlowRecordCause.Interval));
        await runtime.DrainAsync();
        time.Advance(TimeSpan.FromSeconds(4));
        card.Script(new CardFlowRecord(a1, ip, peer, 40000, 80, 6, 2, 1148, 103_000_000, 104_000_000, false, FlowRecordCause.Expired));
        var vpc = WithFlowLogs().Vpcs[0];
        var changed = vpc with { FlowLogs = [vpc.FlowLogList[0] with { TrafficType = "ACCEPT", MaxAggregationInterval = 60 }, .. vpc.FlowLogList.Skip(1)] };
        programmer.Apply(card, Pushed(Example with { Vpcs = Example.Vpcs.SetItem(0, changed) }));
        await runtime.FollowAsync(programmer);
        Assert.Equal([$"2 {account} eni-a1 10.0.1.10 10.0.2.20 40000 80 6 5 1300 {start} {start + 3} ACCEPT OK"], Lines("fl-vpc", "eni-a1"));

        // The changed log goes on from the push with an open interval of its own (it watched from 12:01:44, not from its
        // 60 s interval's start); removing every log publishes it too: NODATA from 12:01:44 to the push at 12:01:49.
        time.Advance(TimeSpan.FromSeconds(5));
        programmer.Apply(card, Pushed(Example));
        await runtime.FollowAsync(programmer);
        Assert.Empty(runtime.Services);
        var lines = Lines("fl-vpc", "eni-a1");
        Assert.Equal(2, lines.Length);
        Assert.EndsWith($"- - - - - - - {CardEpoch.AddSeconds(104).ToUnixTimeSeconds()} {CardEpoch.AddSeconds(109).ToUnixTimeSeconds()} - NODATA", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_with_an_ipfix_collector_exports_its_records_there()
    {
        using var collector = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)collector.Client.LocalEndPoint!).Port;
        var time = new FakeTimeProvider(CardEpoch.AddSeconds(100));
        var card = new ScriptedFlowCard(); // the card thread disposes it
        using var thread = new CardThread(() => card);
        var programmer = Program(card, WithFlowLogs($"127.0.0.1:{port}"));
        using var runtime = new FlowLogRuntime(thread, _root, Wall, 0x0a00_0001, time);
        await runtime.FollowAsync(programmer);
        var a1 = programmer.Slots["eni-a1"];
        card.Script(new CardFlowRecord(a1, Ipv4Address.Parse("10.0.1.10"), Ipv4Address.Parse("10.0.2.20"), 40000, 443, 6, 7, 4340, 101_000_000, 102_000_000, false, FlowRecordCause.Expired));
        await runtime.DrainAsync();
        time.Advance(TimeSpan.FromSeconds(20));
        await runtime.DrainAsync();

        var message = (await collector.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(10))).Buffer;
        Assert.Equal(10, BinaryPrimitives.ReadUInt16BigEndian(message));
        Assert.Equal(0x0a00_0001u, BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(12)));
        // The data set follows the template set: one record, its packets and bytes at their template offsets.
        var data = 16 + 8 + (4 * IpfixExporter.Fields.Count);
        Assert.Equal(IpfixExporter.TemplateId, BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(data)));
        Assert.Equal(7ul, BinaryPrimitives.ReadUInt64BigEndian(message.AsSpan(data + 4 + 13)));
        Assert.Equal(4340ul - (7 * 14), BinaryPrimitives.ReadUInt64BigEndian(message.AsSpan(data + 4 + 21)));
    }

    [Fact]
    public async Task A_card_without_flow_records_runs_no_flow_logs()
    {
        var card = new RecordlessCard(); // the card thread disposes it
        using var thread = new CardThread(() => card);
        var programmer = new CardProgrammer(card.Geometry);
        programmer.Apply(card, Pushed(WithFlowLogs()));
        using var runtime = new FlowLogRuntime(thread, _root, Wall, 1);
        await runtime.FollowAsync(programmer);
        await runtime.DrainAsync();
        Assert.Empty(runtime.Services);
        Assert.Empty(Directory.GetDirectories(_root));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static DateTimeOffset Wall(ulong micros) => CardEpoch + TimeSpan.FromMicroseconds((long)micros);

    private static CardProgrammer Program(ScriptedFlowCard card, RegionTopology region)
    {
        var programmer = new CardProgrammer(card.Geometry);
        programmer.Apply(card, Pushed(region));
        return programmer;
    }

    private string[] Lines(string flowLog, string eni) => File.ReadAllLines(Path.Combine(_root, flowLog, eni + ".log"));

    /// <summary>A model card whose flow record FIFO the test fills (<see cref="Script"/>); it remembers the per-slot intervals.</summary>
    private sealed class ScriptedFlowCard : RecordlessCard, IFlowRecordSource
    {
        private readonly List<CardFlowRecord> _records = [];

        public Dictionary<int, uint> Intervals { get; } = [];

        public ulong FlowRecordOverflows => 0;

        public void Script(params CardFlowRecord[] records)
        {
            lock (_records)
                _records.AddRange(records);
        }

        public void SetFlowRecordInterval(int slot, uint seconds) => Intervals[slot] = seconds;

        public IReadOnlyList<CardFlowRecord> DrainFlowRecords()
        {
            lock (_records)
            {
                IReadOnlyList<CardFlowRecord> drained = [.. _records];
                _records.Clear();
                return drained;
            }
        }
    }

    /// <summary>The model card behind <see cref="ICardEngine"/> alone: a card that keeps no flow records.</summary>
    private class RecordlessCard : ICardEngine
    {
        private readonly ModelCard _card = new();

        public string Name => "recordless";

        public CardGeometry Geometry => _card.Geometry;

        public void Configure(CardSettings settings) => _card.Configure(settings);

        public void SetEni(int slot, EniEntry? entry) => _card.SetEni(slot, entry);

        public void SetMapping(MappingEntry entry) => _card.SetMapping(entry);

        public void RemoveMapping(MappingKey key) => _card.RemoveMapping(key);

        public void SetEdge(int index, EdgeEntry? entry) => _card.SetEdge(index, entry);

        public void SetRouteTables(IReadOnlyList<RouteTableSpec?> tables) => _card.SetRouteTables(tables);

        public void SetNetworkAcl(int index, NetworkAcl? acl) => _card.SetNetworkAcl(index, acl);

        public void SetSecurityRules(int slot, SecurityRules? rules) => _card.SetSecurityRules(slot, rules);

        public void SetConntrackTimeouts(int slot, ConntrackTimeouts timeouts) => _card.SetConntrackTimeouts(slot, timeouts);

        public void Commit() => _card.Commit();

        public void SetTime(ulong microseconds) => _card.SetTime(microseconds);

        public void SetEdgeSet(IReadOnlyList<System.Net.IPAddress> edges) => _card.SetEdgeSet(edges);

        public void PushHost(int slot, ReadOnlySpan<byte> frame) => _card.PushHost(slot, frame);

        public void PushNetwork(ReadOnlySpan<byte> frame) => _card.PushNetwork(frame);

        public ulong? RunUntilIdle() => _card.RunUntilIdle();

        public IReadOnlyList<CardFrame> DrainHost() => _card.DrainHost();

        public IReadOnlyList<CardFrame> DrainNetwork() => _card.DrainNetwork();

        public CardCounters ReadCounters() => _card.ReadCounters();

        public IReadOnlyList<CardAlarm> DrainAlarms() => _card.DrainAlarms();

        public void Dispose() => _card.Dispose();
    }
}
