using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NitroCard.Card;
using NitroCard.Card.FlowRecords;
using NitroCard.Simulation;

namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 14, VPC Flow Logs on a real machine: <c>ping</c>, <c>curl</c> and <c>iperf3</c> between instances, then the records
/// the firmware wrote from the card's flow records, read back with <c>nitroctl describe-flow-logs</c>: their packets and
/// bytes are what the cards' ENI counters counted for the same flows; a flow the security group denies is logged as
/// REJECT; and Debian's <c>nfcapd</c> receives the same records as IPFIX (read with <c>nfdump -o json</c>).
/// Region: tests/NitroCard.Live.Tests/regions/flow-logs.json: host-a eni-fl1 10.0.1.10, eni-fl3 10.0.1.30 (sg-client: all in from the VPC, all out: tracked);
/// host-b eni-fl2 10.0.1.20, eni-fl4 10.0.1.40 (sg-server: ICMP, TCP 80 and 5201 in); eni-fl5 10.0.1.50 on host-a and eni-fl6 10.0.1.60
/// on host-b (sg-open: all traffic both ways from/to 0.0.0.0/0, so their TCP/UDP flows are untracked and counted in count-only
/// entries, docs/card-flow-records.md); flow log fl-live on the VPC (ALL, 2 s, IPFIX to 127.0.0.1:42739), fl-live-reject on eni-fl4 (REJECT, 2 s).
/// </summary>
public abstract class FlowLogsLiveTests(SharedRegion shared)
{
    private const int IpfixPort = 42739;

    /// <summary>Ethernet header bytes per frame: the ENI counters count frames, flow records IP total lengths.</summary>
    private const int EthernetHeader = 14;

    [SkippableFact]
    public void Ping_curl_and_iperf3_are_logged_with_the_packets_and_bytes_the_eni_counters_counted()
    {
        shared.Require();
        Skip.IfNot(Host.HasTool("iperf3"), "iperf3 is not installed (Debian package iperf3)");
        using var http = InstanceHttpServer.Start("eni-fl2", "10.0.1.20", new string('x', 20_000) + "\n");
        using var iperf = Host.StartIn("eni-fl2", "iperf3", "-s", "-1", "-B", "10.0.1.20");
        // Warm-up from a port the measured flows do not use: both neighbour entries made permanent, so no ARP crosses the
        // ENIs while they are measured (the counters count ARP frames, flow records only IP).
        Assert.Equal(0, Host.In("eni-fl1", "curl", "-sS", "-m", "10", "--local-port", "39999", "-o", "/dev/null", "http://10.0.1.20/hello.txt").Code);
        Pin("eni-fl1", "10.0.1.20");
        Pin("eni-fl2", "10.0.1.10");
        var before = (Client: Counters("host-a", "eni-fl1"), Server: Counters("host-b", "eni-fl2"));

        var ping = Host.Ping("eni-fl1", "10.0.1.20", count: 5);
        Assert.True(ping.Code == 0, ping.Output);
        var curl = Host.In("eni-fl1", "curl", "-sS", "-m", "10", "-o", "/dev/null", "http://10.0.1.20/hello.txt");
        Assert.True(curl.Code == 0, curl.Output);
        var client = Host.Run(TimeSpan.FromSeconds(60), "ip", "netns", "exec", "eni-fl1", "iperf3", "-c", "10.0.1.20", "-n", "2M", "-J");
        Assert.True(client.Code == 0, client.Output);
        Assert.True(iperf.Process.WaitForExit(10_000), "iperf3 -s -1 did not end after its test");
        Thread.Sleep(1000); // the last ACKs and FINs
        var after = (Client: Counters("host-a", "eni-fl1"), Server: Counters("host-b", "eni-fl2"));

        // Every flow between the two but the warm-up's; the cards' interval records (2 s) and the logs' 2 s intervals
        // have delivered them all once no record arrives for a while.
        var measured = WaitForQuietRecords("fl-live", r => !(r.SourcePort == 39999 || r.DestinationPort == 39999) && Between(r, "10.0.1.10", "10.0.1.20"));
        var client1 = measured.Where(r => r.Eni == "eni-fl1").ToList();
        var server2 = measured.Where(r => r.Eni == "eni-fl2").ToList();
        Assert.Contains(client1, r => r.Protocol == 1);
        Assert.Contains(client1, r => r.Protocol == 6 && r.DestinationPort == 80);
        Assert.Contains(client1, r => r.Protocol == 6 && r.DestinationPort == 5201);
        Assert.All(measured, r => Assert.Equal("ACCEPT", r.Action));
        AssertMatches(before.Client, after.Client, client1, "10.0.1.10", "eni-fl1 (host-a)");
        AssertMatches(before.Server, after.Server, server2, "10.0.1.20", "eni-fl2 (host-b)");
    }

    [SkippableFact]
    public void Untracked_flows_of_an_allow_all_group_are_logged_with_the_packets_and_bytes_the_eni_counters_counted()
    {
        shared.Require();
        using var http = InstanceHttpServer.Start("eni-fl6", "10.0.1.60", new string('y', 30_000) + "\n");
        Assert.Equal(0, Host.In("eni-fl5", "curl", "-sS", "-m", "10", "--local-port", "39999", "-o", "/dev/null", "http://10.0.1.60/hello.txt").Code);
        Pin("eni-fl5", "10.0.1.60");
        Pin("eni-fl6", "10.0.1.50");
        Thread.Sleep(1000); // the warm-up's last ACKs and FINs through the cards before the counters are read
        var before = (Client: Counters("host-a", "eni-fl5"), Server: Counters("host-b", "eni-fl6"));

        var ping = Host.Ping("eni-fl5", "10.0.1.60", count: 3);   // ICMP: tracked even here
        Assert.True(ping.Code == 0, ping.Output);
        foreach (var port in new[] { "39001", "39002" })             // TCP: untracked, count-only entries
        {
            var curl = Host.In("eni-fl5", "curl", "-sS", "-m", "10", "--local-port", port, "-o", "/dev/null", "http://10.0.1.60/hello.txt");
            Assert.True(curl.Code == 0, curl.Output);
        }
        Thread.Sleep(1000); // the last ACKs and FINs
        var after = (Client: Counters("host-a", "eni-fl5"), Server: Counters("host-b", "eni-fl6"));

        var measured = WaitForQuietRecords("fl-live", r => !(r.SourcePort == 39999 || r.DestinationPort == 39999) && Between(r, "10.0.1.50", "10.0.1.60"));
        var client5 = measured.Where(r => r.Eni == "eni-fl5").ToList();
        var server6 = measured.Where(r => r.Eni == "eni-fl6").ToList();
        Assert.Contains(client5, r => r.Protocol == 6 && r.SourcePort == 39001 && r.DestinationPort == 80);
        Assert.Contains(server6, r => r.Protocol == 6 && r.SourcePort == 80 && r.DestinationPort == 39002);
        Assert.Contains(client5, r => r.Protocol == 1);
        Assert.All(measured, r => Assert.Equal("ACCEPT", r.Action));
        AssertMatches(before.Client, after.Client, client5, "10.0.1.50", "eni-fl5 (host-a)");
        AssertMatches(before.Server, after.Server, server6, "10.0.1.60", "eni-fl6 (host-b)");
    }

    [SkippableFact]
    public void A_flow_the_security_group_denies_is_logged_as_reject_and_reaches_nfcapd_as_ipfix()
    {
        shared.Require();
        Skip.IfNot(File.Exists("/usr/bin/nfcapd") && File.Exists("/usr/bin/nfdump"), "nfdump is not installed (Debian package nfdump)");
        var collected = Directory.CreateTempSubdirectory("nitrocard-nfcapd-");
        try
        {
            using (var nfcapd = Process.Start(new ProcessStartInfo("/usr/bin/nfcapd", ["-w", collected.FullName, "-b", "127.0.0.1", "-p", IpfixPort.ToString(CultureInfo.InvariantCulture), "-t", "60"]) { RedirectStandardOutput = true, RedirectStandardError = true })!)
            {
                try
                {
                    Thread.Sleep(1500); // nfcapd binds its socket
                    // eni-fl3 -> eni-fl4 TCP 8080: sg-server has no rule for it, host-b's card drops the SYNs (curl times out).
                    Assert.NotEqual(0, Host.In("eni-fl3", "curl", "-sS", "-m", "3", "http://10.0.1.40:8080/").Code);
                    var ping = Host.Ping("eni-fl3", "10.0.1.40", count: 4);
                    Assert.True(ping.Code == 0, ping.Output);
                    var records = WaitForQuietRecords("fl-live", r => Between(r, "10.0.1.30", "10.0.1.40"));
                    // Every SYN eni-fl3 sent (accepted by its egress group) was rejected at eni-fl4 (records of one flow may
                    // fall in several intervals).
                    var rejected = records.Where(r => r.Eni == "eni-fl4" && r.DestinationPort == 8080).ToList();
                    var sent = records.Where(r => r.Eni == "eni-fl3" && r.DestinationPort == 8080).ToList();
                    Assert.NotEmpty(rejected);
                    Assert.All(rejected, r => Assert.Equal("REJECT", r.Action));
                    Assert.All(sent, r => Assert.Equal("ACCEPT", r.Action));
                    Assert.Equal(sent.Sum(r => (long)r.Packets), rejected.Sum(r => (long)r.Packets));
                    // The eni-fl4 log for REJECT only has the denied flow and none of the accepted pings.
                    var rejectLog = Describe("--flow-log", "fl-live-reject", "--eni", "eni-fl4").Select(Parse).ToList();
                    Assert.Contains(rejectLog, r => r.DestinationPort == 8080 && r.Action == "REJECT");
                    Assert.DoesNotContain(rejectLog, r => r.Action == "ACCEPT");
                    Assert.Equal(Describe("--flow-log", "fl-live", "--eni", "eni-fl4", "--action", "REJECT").Select(Parse).Where(r => Between(r, "10.0.1.30", "10.0.1.40")).ToList(),
                        records.Where(r => r.Eni == "eni-fl4" && r.Action == "REJECT").ToList());

                    // nfcapd writes its file when it stops (SIGTERM); then nfdump reads the same records.
                    Assert.Equal(0, Host.Run("kill", "-TERM", nfcapd.Id.ToString(CultureInfo.InvariantCulture)).Code);
                    Assert.True(nfcapd.WaitForExit(10_000), "nfcapd did not stop on SIGTERM");
                    var dump = Host.Run("/usr/bin/nfdump", "-R", collected.FullName, "-o", "json");
                    Assert.True(dump.Code == 0, dump.Output);
                    var flows = JsonDocument.Parse(dump.Output[dump.Output.IndexOf('[', StringComparison.Ordinal)..(dump.Output.LastIndexOf(']') + 1)]).RootElement.EnumerateArray()
                        .Select(f => (Source: f.GetProperty("src4_addr").GetString(), Destination: f.GetProperty("dst4_addr").GetString(),
                            // nfdump prints ICMP's type and code instead of ports; the exporter sent port 0.
                            DestinationPort: f.TryGetProperty("dst_port", out var port) ? port.GetInt32() : 0, Protocol: f.GetProperty("proto").GetInt32(),
                            Packets: f.GetProperty("in_packets").GetUInt64(), Bytes: f.GetProperty("in_bytes").GetUInt64()))
                        .ToList();
                    // Both logs export: fl-live's records of the pair are what its files say (the REJECT-only log has no collector).
                    var expected = records.Select(r => (r.Source, r.Destination, r.DestinationPort, r.Protocol, r.Packets, r.Bytes)).Order().ToList();
                    Assert.Equal(expected, flows.Where(f => (f.Source, f.Destination) is ("10.0.1.30", "10.0.1.40") or ("10.0.1.40", "10.0.1.30"))
                        .Select(f => ((string)f.Source!, (string)f.Destination!, f.DestinationPort, f.Protocol, f.Packets, f.Bytes)).Order().ToList());
                }
                finally
                {
                    if (!nfcapd.HasExited)
                        nfcapd.Kill();
                }
            }
        }
        finally
        {
            collected.Delete(recursive: true);
        }
    }

    private static bool Between(FlowLine r, string a, string b) => (r.Source == a && r.Destination == b) || (r.Source == b && r.Destination == a);

    /// <summary>The ENI's sent (tx) and received (rx) deltas equal its records' sums: packets, and bytes plus an Ethernet header each.</summary>
    private static void AssertMatches(EniCount before, EniCount after, List<FlowLine> records, string address, string what)
    {
        var sent = records.Where(r => r.Source == address).ToList();
        var received = records.Where(r => r.Destination == address).ToList();
        var sentPackets = sent.Sum(r => (long)r.Packets);
        var receivedPackets = received.Sum(r => (long)r.Packets);
        Assert.True(sentPackets > 0 && receivedPackets > 0, $"{what}: no records of its traffic");
        var counted = (Sent: (after.TxPackets - before.TxPackets, after.TxBytes - before.TxBytes), Received: (after.RxPackets - before.RxPackets, after.RxBytes - before.RxBytes));
        var logged = (Sent: (sentPackets, sent.Sum(r => (long)r.Bytes) + (EthernetHeader * sentPackets)),
            Received: (receivedPackets, received.Sum(r => (long)r.Bytes) + (EthernetHeader * receivedPackets)));
        Assert.True(counted == logged, $"{what}: counters (packets, bytes) sent/received {counted}, its records {logged}:\n{string.Join("\n", records)}");
    }

    /// <summary>Makes the instance's neighbour entry for <paramref name="ip"/> permanent (as resolved now).</summary>
    private static void Pin(string eni, string ip)
    {
        var entry = Host.In(eni, "ip", "neigh", "show", ip, "dev", "eth0").Output;
        var mac = Regex.Match(entry, "lladdr ([0-9a-f:]{17})");
        Assert.True(mac.Success, $"{eni} has no neighbour entry for {ip}: {entry}");
        Assert.Equal(0, Host.In(eni, "ip", "neigh", "replace", ip, "lladdr", mac.Groups[1].Value, "dev", "eth0", "nud", "permanent").Code);
    }

    private static EniCount Counters(string host, string eni)
    {
        var text = LiveRegionProcess.Card(host, "counters").Output;
        var slot = LiveRegionProcess.EniSlotOf(text, eni);
        long Read(string name) => LiveRegionProcess.CounterOf(text, $"eni_{slot}_{name}") ?? throw new InvalidOperationException($"{host}'s counters have no eni_{slot}_{name}: {text}");
        return new EniCount(Read("tx_cnt"), Read("tx_bytes"), Read("rx_cnt"), Read("rx_bytes"));
    }

    /// <summary>The records of <paramref name="flowLog"/> that match, once two reads 4 s apart (two intervals) agree and some matched.</summary>
    private static List<FlowLine> WaitForQuietRecords(string flowLog, Func<FlowLine, bool> match)
    {
        var deadline = Stopwatch.StartNew();
        List<FlowLine> last = [];
        // Quiet for longer than a record can lag its packets: the interval (2 s) plus a pass of the RTL card's sweeper,
        // which a card host clocks at one pass per interval (RtlCardEngine.DrainFlowRecords), plus the 1 s drain.
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var now = Describe("--flow-log", flowLog).Select(Parse).Where(r => r.Status == "OK" && match(r)).ToList();
            if (now.Count > 0 && now.SequenceEqual(last))
                return now;
            last = now;
            Thread.Sleep(6000);
        }
        Assert.Fail($"the records of {flowLog} did not settle in 60 s: {last.Count} records");
        return last;
    }

    /// <summary><c>nitroctl describe-flow-logs ARGS</c>: its records, the header line left out.</summary>
    private static string[] Describe(params string[] args)
    {
        var (code, output) = Host.Run(LiveRegionProcess.Nitroctl, ["describe-flow-logs", .. args]);
        Assert.True(code == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("version account-id interface-id", lines[0], StringComparison.Ordinal);
        return lines[1..];
    }

    private static FlowLine Parse(string line)
    {
        var f = line.Split(' ');
        Assert.True(f.Length == 14 && f[0] == "2", $"not a version-2 record: {line}");
        int Number(string s) => s == "-" ? 0 : int.Parse(s, CultureInfo.InvariantCulture);
        ulong Count(string s) => s == "-" ? 0 : ulong.Parse(s, CultureInfo.InvariantCulture);
        return new FlowLine(f[2], f[3], f[4], Number(f[5]), Number(f[6]), Number(f[7]), Count(f[8]), Count(f[9]), f[12], f[13]);
    }

    private sealed record FlowLine(string Eni, string Source, string Destination, int SourcePort, int DestinationPort, int Protocol, ulong Packets, ulong Bytes, string Action, string Status);

    private readonly record struct EniCount(long TxPackets, long TxBytes, long RxPackets, long RxBytes);
}

/// <summary>Why a live flow-log region cannot run: the card of <c>engine</c> keeps no flow records (yet).</summary>
internal static class FlowRecordsMissing
{
    public static string? Reason(string engine)
    {
        try
        {
            using var card = CardEngines.Create(engine);
            return card is IFlowRecordSource ? null : $"the {engine} card keeps no flow records (no IFlowRecordSource: the card side, branch flowcard, is not merged)";
        }
        catch (Exception e) when (e is NitroCardException or DllNotFoundException)
        {
            return $"the {engine} card cannot be created: {e.Message}";
        }
    }
}

/// <summary>flow-logs.json on model-engine cards.</summary>
public sealed class ModelFlowLogsRegion() : SharedRegion("flow-logs.json", "model", () => FlowRecordsMissing.Reason("model"));

/// <summary>flow-logs.json on Verilated cards.</summary>
public sealed class RtlFlowLogsRegion() : SharedRegion("flow-logs.json", "rtl", () => FlowRecordsMissing.Reason("rtl") ?? RtlRouting.Missing());

public sealed class ModelFlowLogsLiveTests(ModelFlowLogsRegion region) : FlowLogsLiveTests(region), IClassFixture<ModelFlowLogsRegion>;

public sealed class RtlFlowLogsLiveTests(RtlFlowLogsRegion region) : FlowLogsLiveTests(region), IClassFixture<RtlFlowLogsRegion>;
