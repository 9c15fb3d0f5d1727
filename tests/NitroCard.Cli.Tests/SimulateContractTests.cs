using System.Net;
using System.Text.Json;
using NitroCard.Packets;

namespace NitroCard.Cli.Tests;

/// <summary>
/// The <c>nitroctl simulate</c> and <c>nitroctl tables</c> contract (issue "The card, end to end"),
/// run as a process on docs/examples/region.json.
/// </summary>
public class SimulateContractTests
{
    private const ulong MacA1 = 0x02_00_0a_00_01_0a;   // eni-a1 10.0.1.10, vni 1001, host-a
    private const ulong MacA2 = 0x02_00_0a_00_02_14;   // eni-a2 10.0.2.20, vni 1001, host-b
    private const ulong MacB1 = 0x02_00_0b_00_01_0a;   // eni-b1 10.0.1.10, vni 1002, host-a
    private const ulong GatewayMac = 0x02_4e_47_57_00_01;
    private static readonly IPAddress IpA1 = IPAddress.Parse("10.0.1.10");
    private static readonly IPAddress IpA2 = IPAddress.Parse("10.0.2.20");

    private static string Region => RepoPaths.File("docs/examples/region.json");

    /// <summary>Writes the inputs of a small story and returns the simulate arguments for them.</summary>
    private static string[] Story(TempDir dir, string engine)
    {
        PcapWriter.WriteFile(dir.File("a1.pcap"),
        [
            new PcapRecord(1_000, Frames.ArpRequest(MacA1, IpA1, IPAddress.Parse("10.0.1.1"))),
            new PcapRecord(2_000, Frames.IcmpEcho(GatewayMac, MacA1, IpA1, IpA2, 1, 1, "hello"u8)),
            new PcapRecord(3_000, Frames.IcmpEcho(GatewayMac, MacA1, IPAddress.Parse("10.0.1.99"), IpA2, 1, 2)),
        ]);
        PcapWriter.WriteFile(dir.File("b1.pcap"),
        [
            new PcapRecord(2_000, Frames.IcmpEcho(0x02_00_0b_00_01_14, MacB1, IpA1, IPAddress.Parse("10.0.1.20"), 2, 1)),
        ]);
        var reply = Frames.IcmpEcho(MacA1, MacA2, IpA2, IpA1, 1, 1, "hello"u8, reply: true);
        var rogue = Frames.IcmpEcho(MacA1, MacA2, IpA2, IpA1, 1, 1);
        PcapWriter.WriteFile(dir.File("net.pcap"),
        [
            new PcapRecord(2_500, VxlanHeader.Encapsulate(reply, 0x02_4e_c0_00_02_0b, 0x02_4e_c0_00_02_0c, 0xC000_020C, 0xC000_020B, 1001)),
            new PcapRecord(4_000, VxlanHeader.Encapsulate(rogue, 0x02_4e_c0_00_02_0b, 0x02_66_66_66_66_66, 0xC000_0242, 0xC000_020B, 1001)),
        ]);
        return ["simulate", "--topology", Region, "--host", "host-a", "--engine", engine,
            "--from-eni", $"eni-a1={dir.File("a1.pcap")}", "--from-eni", $"eni-b1={dir.File("b1.pcap")}",
            "--from-network", dir.File("net.pcap"), "--out", dir.File("out")];
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Simulate_writes_every_output_of_the_contract(string engine)
    {
        using var dir = new TempDir();
        var (code, stdout, stderr) = NitroctlProcess.Run(Story(dir, engine));
        Assert.True(code == 0, stderr);
        Assert.Contains(engine, stdout, StringComparison.Ordinal);
        var outDir = dir.File("out");

        var network = PcapReader.ReadFile(Path.Combine(outDir, "network.pcap"));
        Assert.Equal(2, network.Count);
        Assert.Equal(1001u, VxlanHeader.Vni(network[0].Data.AsSpan(42)));
        Assert.Equal(1002u, VxlanHeader.Vni(network[1].Data.AsSpan(42)));
        Assert.Equal(2_000, network[0].TimestampMicroseconds);

        var a1 = PcapReader.ReadFile(Path.Combine(outDir, "eni-a1.pcap"));
        Assert.Equal(2, a1.Count);
        Assert.Equal(Frames.ArpReply(GatewayMac, IPAddress.Parse("10.0.1.1"), MacA1, IpA1), a1[0].Data);
        Assert.Equal(Frames.IcmpEcho(MacA1, MacA2, IpA2, IpA1, 1, 1, "hello"u8, reply: true), a1[1].Data);
        Assert.Empty(PcapReader.ReadFile(Path.Combine(outDir, "eni-b1.pcap")));

        var alarms = File.ReadAllLines(Path.Combine(outDir, "alarms.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["source-check", "spoofed-source"], alarms.Select(a => a.GetProperty("reason").GetString()));
        var spoof = alarms[1];
        Assert.Equal("eni-a1", spoof.GetProperty("eni").GetString());
        Assert.Equal(1001, spoof.GetProperty("vni").GetInt32());
        Assert.Equal("192.0.2.66", spoof.GetProperty("outerSrc").GetString());
        Assert.Equal("10.0.2.20", spoof.GetProperty("innerSrc").GetString());
        Assert.Equal("10.0.1.10", spoof.GetProperty("innerDst").GetString());
        Assert.True(spoof.TryGetProperty("cycle", out _));

        using var counters = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "counters.json")));
        var root = counters.RootElement;
        Assert.Equal(engine == "rtl", root.TryGetProperty("cycles", out var cycles) && cycles.GetUInt64() > 0);
        Assert.Equal(1, root.GetProperty("drops").GetProperty("source-check").GetInt32());
        Assert.Equal(1, root.GetProperty("drops").GetProperty("spoofed-source").GetInt32());
        Assert.Equal(0, root.GetProperty("drops").GetProperty("malformed").GetInt32());
        var eniA1 = root.GetProperty("enis").GetProperty("eni-a1");
        Assert.Equal(2, eniA1.GetProperty("txPackets").GetInt32());
        Assert.Equal(2, eniA1.GetProperty("rxPackets").GetInt32());
        Assert.Equal(a1.Sum(r => r.Data.Length), eniA1.GetProperty("rxBytes").GetInt32());
    }

    [Fact]
    public void The_rtl_and_the_model_write_the_same_frames_and_alarms()
    {
        using var rtl = new TempDir();
        using var model = new TempDir();
        Assert.Equal(0, NitroctlProcess.Run(Story(rtl, "rtl")).ExitCode);
        Assert.Equal(0, NitroctlProcess.Run(Story(model, "model")).ExitCode);
        foreach (var file in new[] { "network.pcap", "eni-a1.pcap", "eni-b1.pcap" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(rtl.File("out"), file)), File.ReadAllBytes(Path.Combine(model.File("out"), file)));
        Assert.Equal(AlarmsWithoutCycles(model.File("out")), AlarmsWithoutCycles(rtl.File("out")));
    }

    /// <summary>Counters without the clock: what both engines must agree on.</summary>
    private static string CountersWithoutCycles(string outDir)
    {
        var counters = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "counters.json")))!.AsObject();
        counters.Remove("cycles");
        return counters.ToJsonString();
    }

    private static IEnumerable<string> AlarmsWithoutCycles(string outDir) => File.ReadAllLines(Path.Combine(outDir, "alarms.jsonl")).Select(l =>
    {
        var o = System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject();
        o.Remove("cycle");
        return o.ToJsonString();
    });

    [Fact]
    public void A_zero_length_record_is_counted_malformed_by_both_engines()
    {
        var outs = new Dictionary<string, string>();
        using var dir = new TempDir();
        PcapWriter.WriteFile(dir.File("a1.pcap"),
        [
            new PcapRecord(1_000, []),
            new PcapRecord(2_000, Frames.IcmpEcho(GatewayMac, MacA1, IpA1, IpA2, 1, 1, "hello"u8)),
            new PcapRecord(2_000, []),
        ]);
        PcapWriter.WriteFile(dir.File("net.pcap"), [new PcapRecord(1_500, [])]);
        foreach (var engine in new[] { "rtl", "model" })
        {
            var (code, _, stderr) = NitroctlProcess.Run("simulate", "--topology", Region, "--host", "host-a", "--engine", engine,
                "--from-eni", $"eni-a1={dir.File("a1.pcap")}", "--from-network", dir.File("net.pcap"), "--out", dir.File(engine));
            Assert.True(code == 0, stderr);
            using var counters = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File(engine), "counters.json")));
            Assert.Equal(3, counters.RootElement.GetProperty("drops").GetProperty("malformed").GetInt32());
            Assert.Single(PcapReader.ReadFile(Path.Combine(dir.File(engine), "network.pcap")));
            outs[engine] = dir.File(engine);
        }
        Assert.Equal(CountersWithoutCycles(outs["model"]), CountersWithoutCycles(outs["rtl"]));
        Assert.Equal(AlarmsWithoutCycles(outs["model"]), AlarmsWithoutCycles(outs["rtl"]));
    }

    [Fact]
    public void Tshark_decodes_the_substrate_frames_as_vxlan_with_valid_ip_checksums()
    {
        using var dir = new TempDir();
        Assert.Equal(0, NitroctlProcess.Run(Story(dir, "rtl")).ExitCode);
        var (code, stdout, stderr) = NitroctlProcess.RunTool("tshark",
            ["-r", Path.Combine(dir.File("out"), "network.pcap"), "-o", "ip.check_checksum:TRUE", "-T", "fields", "-E", "separator=,", "-e", "udp.dstport", "-e", "vxlan.vni", "-e", "ip.checksum.status", "-e", "_ws.expert"]);
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["4789,1001,1,1,", "4789,1002,1,1,"], lines);
    }

    [Fact]
    public void Trace_writes_a_waveform_and_needs_the_rtl_engine()
    {
        using var dir = new TempDir();
        var args = Story(dir, "rtl").Append("--trace").Append(dir.File("run.fst")).ToArray();
        Assert.Equal(0, NitroctlProcess.Run(args).ExitCode);
        Assert.True(new FileInfo(dir.File("run.fst")).Length > 1000);

        var modelArgs = Story(dir, "model").Append("--trace").Append(dir.File("model.fst")).ToArray();
        var (code, _, stderr) = NitroctlProcess.Run(modelArgs);
        Assert.NotEqual(0, code);
        Assert.Contains("--trace needs --engine rtl", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_topology_names_the_file_and_field_and_writes_nothing()
    {
        using var dir = new TempDir();
        var args = Story(dir, "model");
        var bad = File.ReadAllText(Region).Replace("\"ip\": \"10.0.2.20\"", "\"ip\": \"10.0.9.20\"", StringComparison.Ordinal);
        File.WriteAllText(dir.File("region.json"), bad);
        args[Array.IndexOf(args, Region)] = dir.File("region.json");
        var (code, _, stderr) = NitroctlProcess.Run(args);
        Assert.NotEqual(0, code);
        Assert.Contains("region.json", stderr, StringComparison.Ordinal);
        Assert.Contains("vpcs[0].enis[1].ip", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void A_corrupt_pcap_names_the_file_and_writes_nothing()
    {
        using var dir = new TempDir();
        var args = Story(dir, "model");
        var bytes = File.ReadAllBytes(dir.File("net.pcap"));
        File.WriteAllBytes(dir.File("net.pcap"), bytes[..(bytes.Length - 5)]);
        var (code, _, stderr) = NitroctlProcess.Run(args);
        Assert.NotEqual(0, code);
        Assert.Contains("net.pcap", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    /// <summary>A copy of <paramref name="pcap"/> whose third record claims one byte more than the file's snaplen.</summary>
    private static void BreakThirdRecord(string pcap)
    {
        var bytes = File.ReadAllBytes(pcap);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), 1500);
        var offset = 24;
        for (var i = 0; i < 2; i++)
            offset += 16 + (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset + 8), 1501);
        File.WriteAllBytes(pcap, bytes);
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void A_bad_record_part_way_names_file_record_and_field_and_changes_nothing_in_out(string engine)
    {
        using var dir = new TempDir();
        var args = Story(dir, engine);
        Directory.CreateDirectory(dir.File("out"));
        File.WriteAllText(dir.File("out/network.pcap"), "an earlier run");
        BreakThirdRecord(dir.File("a1.pcap"));
        var (code, _, stderr) = NitroctlProcess.Run(args);
        Assert.NotEqual(0, code);
        Assert.Contains($"{dir.File("a1.pcap")}: record 3 at byte offset", stderr, StringComparison.Ordinal);
        Assert.Contains("incl_len (captured length) 1501 exceeds the file's snaplen (snapshot length) 1500", stderr, StringComparison.Ordinal);
        Assert.Equal(["network.pcap"], Directory.GetFiles(dir.File("out")).Select(Path.GetFileName));
        Assert.Equal("an earlier run", File.ReadAllText(dir.File("out/network.pcap")));
        Assert.Equal([dir.File("out")], Directory.GetDirectories(dir.Path));   // no staging directory left
    }

    [Fact]
    public void Out_of_order_timestamps_in_one_input_are_an_error_naming_the_record()
    {
        using var dir = new TempDir();
        var args = Story(dir, "model");
        PcapWriter.WriteFile(dir.File("b1.pcap"), [new PcapRecord(2_000, []), new PcapRecord(1_000, [])]);
        var (code, _, stderr) = NitroctlProcess.Run(args);
        Assert.NotEqual(0, code);
        Assert.Contains($"{dir.File("b1.pcap")}: record 2: timestamp 1000 µs is earlier than record 1's 2000 µs", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void An_eni_of_another_host_is_refused_by_name()
    {
        using var dir = new TempDir();
        var args = Story(dir, "model");
        args[Array.IndexOf(args, $"eni-b1={dir.File("b1.pcap")}")] = $"eni-a2={dir.File("b1.pcap")}";
        var (code, _, stderr) = NitroctlProcess.Run(args);
        Assert.NotEqual(0, code);
        Assert.Contains("--from-eni eni-a2: not an ENI on host host-a", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void Tables_prints_exactly_the_hosts_vpcs()
    {
        var (code, stdout, stderr) = NitroctlProcess.Run("tables", "--topology", Region, "--host", "host-b");
        Assert.True(code == 0, stderr);
        Assert.Contains("eni-a2", stdout, StringComparison.Ordinal);
        Assert.Contains("eni-b2", stdout, StringComparison.Ordinal);
        Assert.Contains("192.0.2.12", stdout, StringComparison.Ordinal);
        var (badCode, _, badErr) = NitroctlProcess.Run("tables", "--topology", Region, "--host", "host-z");
        Assert.NotEqual(0, badCode);
        Assert.Contains("host-z", badErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_tells_the_story_through_the_region_simulation()
    {
        using var dir = new TempDir();
        var (code, stdout, stderr) = NitroctlProcess.Run("demo", "--simulated", "--engine", "model", "--out", dir.Path);
        Assert.True(code == 0, stderr);
        Assert.Contains("engine: model (asked for)", stdout, StringComparison.Ordinal);
        Assert.Contains("eni-red-b1 received: IPv4 10.0.1.10 -> 10.0.1.11 ICMP", stdout, StringComparison.Ordinal);
        Assert.Contains("internet received: IPv4 198.51.100.10 -> 203.0.113.1 TCP", stdout, StringComparison.Ordinal);
        Assert.Contains("services received: IPv4 10.0.1.10 -> 198.51.100.129 TCP", stdout, StringComparison.Ordinal);
        // The VPN step: the customer gateway negotiates vpn-1's tunnels with IKEv2 (no strongSwan in a simulation), then
        // the site's ping reaches eni-blue-a1 through ESP in UDP and the answer comes back the same way.
        Assert.Contains("    tunnel1 198.51.100.250: IKEv2 AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256, ESP-in-UDP AES_GCM_16_256\n", stdout, StringComparison.Ordinal);
        Assert.Contains("    tunnel2 198.51.100.251: IKEv2 AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256, ESP-in-UDP AES_GCM_16_256\n", stdout, StringComparison.Ordinal);
        Assert.Contains("eni-blue-a1 received: IPv4 172.31.0.1 -> 10.0.1.10 ICMP", stdout, StringComparison.Ordinal);
        Assert.Contains("the customer gateway decrypts: IPv4 10.0.1.10 -> 172.31.0.1 ICMP", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(dir.File("vpn:vpn-1.pcap")), "no capture of the VPN port");
        Assert.Contains("host-a: DROPPED source-check", stdout, StringComparison.Ordinal);
        Assert.Contains("blackfoot-1: DROPPED unknown-public-ip", stdout, StringComparison.Ordinal);
        Assert.Contains("alarms raised: 3", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(dir.File("substrate.pcap")));
        Assert.True(File.Exists(dir.File("services.pcap")));
    }
}
