using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using NitroCard.InstanceServices.FlowLogs;
using NitroCard.Packets;

namespace NitroCard.InstanceServices.Tests;

public sealed class FlowLogTests : IDisposable
{
    private const string Account = "123456789010";
    private const string Eni = "eni-1235b8ca123456789";
    private readonly string root = Path.Combine(Path.GetTempPath(), "nc-flowlogs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true);
    }

    private static DateTimeOffset At(long unixSeconds, int ms = 0) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).AddMilliseconds(ms);

    private static FlowRecord Record(string src, string dst, ushort sport, ushort dport, byte proto, ulong packets, ulong bytes, long first, long last,
        FlowAction action = FlowAction.Accept, int slot = 0)
        => new(slot, Ipv4Address.Parse(src), Ipv4Address.Parse(dst), sport, dport, proto, packets, bytes, At(first), At(last), action);

    private static FlowLogDefinition Definition(FlowLogFilter filter = FlowLogFilter.All, int seconds = 60)
        => new("fl-0a1b2c3d4e5f60001", Account, filter, TimeSpan.FromSeconds(seconds), new Dictionary<int, string> { [0] = Eni, [1] = "eni-11111111aaaaaaaaa" });

    // The examples of AWS's "Flow log record examples" page, default format.
    [Theory]
    [InlineData("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK")]
    [InlineData("2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK")]
    [InlineData("2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK")]
    [InlineData("2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK")]
    public void Records_format_as_awss_examples(string line)
    {
        var f = line.Split(' ');
        var entry = new FlowLogEntry(f[1], f[2], 0, At(long.Parse(f[10], System.Globalization.CultureInfo.InvariantCulture)), At(long.Parse(f[11], System.Globalization.CultureInfo.InvariantCulture)), FlowLogStatus.Ok)
        {
            SourceAddress = Ipv4Address.Parse(f[3]),
            DestinationAddress = Ipv4Address.Parse(f[4]),
            SourcePort = ushort.Parse(f[5], System.Globalization.CultureInfo.InvariantCulture),
            DestinationPort = ushort.Parse(f[6], System.Globalization.CultureInfo.InvariantCulture),
            Protocol = byte.Parse(f[7], System.Globalization.CultureInfo.InvariantCulture),
            Packets = ulong.Parse(f[8], System.Globalization.CultureInfo.InvariantCulture),
            Bytes = ulong.Parse(f[9], System.Globalization.CultureInfo.InvariantCulture),
            Action = f[12] == "ACCEPT" ? FlowAction.Accept : FlowAction.Reject,
        };
        Assert.Equal(line, entry.Format());
    }

    [Fact]
    public void Nodata_and_skipdata_format_as_awss_examples()
    {
        Assert.Equal("2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
            new FlowLogEntry(Account, Eni, 0, At(1431280876), At(1431280934), FlowLogStatus.NoData).Format());
        Assert.Equal("2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
            new FlowLogEntry(Account, "eni-11111111aaaaaaaaa", 1, At(1431280876), At(1431280934), FlowLogStatus.SkipData).Format());
    }

    [Fact]
    public void Card_records_aggregate_into_awss_example_line()
    {
        var time = new FakeTimeProvider(At(1418530070, 500));
        var service = new FlowLogService(Definition(), time);
        service.Add([
            Record("172.31.16.139", "172.31.16.21", 20641, 22, 6, 12, 2000, 1418530010, 1418530040),
            Record("172.31.16.139", "172.31.16.21", 20641, 22, 6, 8, 2249, 1418530041, 1418530070),
            Record("172.31.9.69", "172.31.9.12", 49761, 3389, 6, 20, 4249, 1418530010, 1418530070, FlowAction.Reject),
        ]);
        Assert.Empty(service.Tick());
        time.Advance(TimeSpan.FromSeconds(9.5)); // the interval [1418530020, 1418530080) ends
        var lines = service.Tick().Select(e => e.Format()).ToList();
        Assert.Equal(
        [
            "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
            "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
            // The log began at 1418530070.5: its first NODATA covers what it watched, not the whole interval.
            "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1418530070 1418530080 - NODATA",
        ], lines);
    }

    [Theory]
    [InlineData(FlowLogFilter.Accept, "ACCEPT")]
    [InlineData(FlowLogFilter.Reject, "REJECT")]
    public void Filter_keeps_one_action(FlowLogFilter filter, string kept)
    {
        var time = new FakeTimeProvider(At(1418530020));
        var service = new FlowLogService(Definition(filter), time);
        service.Add([
            Record("172.31.16.139", "172.31.16.21", 20641, 22, 6, 1, 60, 1418530021, 1418530021),
            Record("172.31.9.69", "172.31.9.12", 49761, 3389, 6, 1, 60, 1418530022, 1418530022, FlowAction.Reject),
        ]);
        time.Advance(TimeSpan.FromSeconds(60));
        var entries = service.Tick();
        var eni0 = Assert.Single(entries, e => e.EniSlot == 0);
        Assert.EndsWith(kept + " OK", eni0.Format(), StringComparison.Ordinal);
    }

    [Fact]
    public void Filtered_out_traffic_is_not_nodata()
    {
        var time = new FakeTimeProvider(At(1418530020));
        var service = new FlowLogService(Definition(FlowLogFilter.Accept), time);
        service.Add([Record("172.31.9.69", "172.31.9.12", 49761, 3389, 6, 1, 60, 1418530022, 1418530022, FlowAction.Reject)]);
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(service.Tick(), e => e.EniSlot == 0);
    }

    [Fact]
    public void Over_capacity_flows_are_skipdata()
    {
        var time = new FakeTimeProvider(At(1418530020));
        var service = new FlowLogService(Definition() with { MaxFlowsPerInterval = 2 }, time);
        for (ushort port = 1; port <= 4; port++)
            service.Add([Record("10.0.1.10", "10.0.2.20", port, 80, 6, 1, 60, 1418530021, 1418530021)]);
        time.Advance(TimeSpan.FromSeconds(60));
        var eni0 = service.Tick().Where(e => e.EniSlot == 0).Select(e => e.Format()).ToList();
        Assert.Equal(3, eni0.Count);
        Assert.Equal("2 123456789010 eni-1235b8ca123456789 - - - - - - - 1418530020 1418530080 - SKIPDATA", eni0[2]);
        Assert.Equal(2, service.Aggregator.Skipped);
    }

    [Fact]
    public void Idle_intervals_each_give_nodata_and_unknown_slots_are_counted()
    {
        var time = new FakeTimeProvider(At(1_800_000_000));
        var service = new FlowLogService(Definition(seconds: 10), time);
        service.Add([Record("10.0.1.10", "10.0.2.20", 1, 80, 6, 1, 60, 1_800_000_001, 1_800_000_001, slot: 7)]);
        time.Advance(TimeSpan.FromSeconds(30));
        var entries = service.Tick();
        Assert.Equal(6, entries.Count);
        Assert.All(entries, e => Assert.Equal(FlowLogStatus.NoData, e.Status));
        Assert.Equal(1, service.Aggregator.UnknownSlot);
    }

    [Fact]
    public void Bad_definitions_are_refused_with_every_problem()
    {
        var bad = new FlowLogDefinition("../etc", Account, FlowLogFilter.All, TimeSpan.FromMilliseconds(1500), new Dictionary<int, string> { [0] = "eni/../x" });
        Assert.Equal(3, bad.Validate().Count);
        Assert.Throws<ArgumentException>(() => new FlowLogAggregator(bad, TimeProvider.System));
        Assert.Throws<ArgumentException>(() => new FlowLogFiles(root, ".."));
    }

    [Fact]
    public void Log_directory_has_one_file_per_eni()
    {
        var time = new FakeTimeProvider(At(1418530020));
        var files = new FlowLogFiles(root, "fl-0a1b2c3d4e5f60001");
        var service = new FlowLogService(Definition(), time, files);
        service.Add([
            Record("172.31.16.139", "172.31.16.21", 20641, 22, 6, 20, 4249, 1418530021, 1418530070),
            Record("172.31.16.21", "172.31.16.139", 22, 20641, 6, 18, 3000, 1418530022, 1418530071, slot: 1),
        ]);
        time.Advance(TimeSpan.FromSeconds(60));
        service.Tick();
        time.Advance(TimeSpan.FromSeconds(60));
        service.Tick();
        Assert.Equal(
            ["eni-11111111aaaaaaaaa.log", "eni-1235b8ca123456789.log"],
            Directory.GetFiles(Path.Combine(root, "fl-0a1b2c3d4e5f60001")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(
            "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530021 1418530070 ACCEPT OK\n"
            + "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1418530080 1418530140 - NODATA\n",
            File.ReadAllText(files.PathOf(Eni)));
        Assert.Equal(
            "2 123456789010 eni-11111111aaaaaaaaa 172.31.16.21 172.31.16.139 22 20641 6 18 3000 1418530022 1418530071 ACCEPT OK\n"
            + "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1418530080 1418530140 - NODATA\n",
            File.ReadAllText(files.PathOf("eni-11111111aaaaaaaaa")));
    }

    [Fact]
    public void A_lost_log_directory_is_counted_not_thrown()
    {
        var time = new FakeTimeProvider(At(1418530020));
        var files = new FlowLogFiles(root, "fl-0a1b2c3d4e5f60001");
        Directory.Delete(files.Directory);
        File.WriteAllText(files.Directory, "not a directory");
        var service = new FlowLogService(Definition(), time, files);
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(2, service.Tick().Count);
        Assert.Equal(2, files.WriteErrors);
        File.Delete(files.Directory);
    }

    [Fact]
    public void Ipfix_message_parses_back()
    {
        var flows = new[]
        {
            new FlowLogEntry(Account, Eni, 3, At(1418530010, 250), At(1418530070, 750), FlowLogStatus.Ok)
            {
                SourceAddress = Ipv4Address.Parse("172.31.16.139"), DestinationAddress = Ipv4Address.Parse("172.31.16.21"),
                SourcePort = 20641, DestinationPort = 22, Protocol = 6, Packets = 20, Bytes = 4249, Action = FlowAction.Accept,
            },
            new FlowLogEntry(Account, Eni, 3, At(1418530010), At(1418530070), FlowLogStatus.Ok)
            {
                SourceAddress = Ipv4Address.Parse("172.31.9.69"), DestinationAddress = Ipv4Address.Parse("172.31.9.12"),
                SourcePort = 49761, DestinationPort = 3389, Protocol = 6, Packets = 20, Bytes = 4249, Action = FlowAction.Reject,
            },
        };
        var message = IpfixExporter.Encode(flows, 77, At(1418530080), 42);
        var read = new IpfixReader().Read(message);
        Assert.Equal((ushort)10, read.Version);
        Assert.Equal(77u, read.Sequence);
        Assert.Equal(42u, read.Domain);
        Assert.Equal(1418530080u, read.ExportTime);
        Assert.Equal(2, read.Records.Count);
        var r = read.Records[0];
        Assert.Equal(Ipv4Address.Parse("172.31.16.139"), (uint)r[8]);
        Assert.Equal(Ipv4Address.Parse("172.31.16.21"), (uint)r[12]);
        Assert.Equal(20641ul, r[7]);
        Assert.Equal(22ul, r[11]);
        Assert.Equal(6ul, r[4]);
        Assert.Equal(20ul, r[2]);
        Assert.Equal(4249ul, r[1]);
        Assert.Equal((ulong)At(1418530010, 250).ToUnixTimeMilliseconds(), r[152]);
        Assert.Equal((ulong)At(1418530070, 750).ToUnixTimeMilliseconds(), r[153]);
        Assert.Equal(64ul, r[89]);
        Assert.Equal(3ul, r[10]);
        Assert.Equal(129ul, read.Records[1][89]);
    }

    [Fact]
    public void Ipfix_exporter_sends_over_udp_with_running_sequence_numbers()
    {
        using var collector = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var time = new FakeTimeProvider(At(1418530020));
        using var exporter = new IpfixExporter((IPEndPoint)collector.Client.LocalEndPoint!, 7, time);
        var service = new FlowLogService(Definition(), time, exporter);
        for (ushort port = 1; port <= 30; port++)
            service.Add([Record("10.0.1.10", "10.0.2.20", port, 80, 6, 2, 120, 1418530021, 1418530022)]);
        time.Advance(TimeSpan.FromSeconds(60));
        service.Tick();
        var reader = new IpfixReader();
        var first = reader.Read(Receive(collector));
        var second = reader.Read(Receive(collector));
        Assert.Equal(0u, first.Sequence);
        Assert.Equal(24, first.Records.Count);
        Assert.Equal(24u, second.Sequence);
        Assert.Equal(6, second.Records.Count);
        Assert.Equal(Enumerable.Range(1, 30).Select(p => (ulong)p).Order(), first.Records.Concat(second.Records).Select(r => r[7]).Order());
        Assert.True(first.Length <= 1400);
        Assert.Equal(2, exporter.MessagesSent);
    }

    [Fact]
    public void A_collector_that_starts_late_gets_the_next_message_though_an_earlier_one_was_refused()
    {
        // A free loopback port with nothing on it: the first message draws an ICMP port unreachable, which a connected
        // UDP socket reports on its next send (and that send's datagram does not go out).
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
            port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        var time = new FakeTimeProvider(At(1418530020));
        using var exporter = new IpfixExporter(new IPEndPoint(IPAddress.Loopback, port), 7, time);
        var service = new FlowLogService(Definition(), time, exporter);
        service.Add([Record("10.0.1.10", "10.0.2.20", 1, 80, 6, 2, 120, 1418530021, 1418530022)]);
        time.Advance(TimeSpan.FromSeconds(60));
        service.Tick();
        Thread.Sleep(200); // the ICMP error reaches the socket

        using var collector = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        service.Add([Record("10.0.1.10", "10.0.2.20", 2, 80, 6, 2, 120, 1418530081, 1418530082)]);
        time.Advance(TimeSpan.FromSeconds(60));
        service.Tick();
        var message = new IpfixReader().Read(Receive(collector));
        Assert.Equal(2UL, Assert.Single(message.Records)[7]); // sourceTransportPort of the second record
        Assert.Equal(2, exporter.MessagesSent);
        Assert.Equal(0, exporter.SendErrors);
    }

    private static byte[] Receive(UdpClient client)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return client.ReceiveAsync(cts.Token).AsTask().GetAwaiter().GetResult().Buffer;
    }
}
