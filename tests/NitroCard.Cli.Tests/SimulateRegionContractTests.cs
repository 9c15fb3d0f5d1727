using System.Text.Json;
using NitroCard.Packets;

namespace NitroCard.Cli.Tests;

/// <summary>The <c>nitroctl simulate-region</c> contract (issue 5): ports, output files, node names, bad input.</summary>
public class SimulateRegionContractTests
{
    private static string Region => RepoPaths.File("tests/NitroCard.Edge.Tests/regions/edge-region.json");

    [Fact]
    public void Internet_round_trip_writes_every_port_that_received_frames_model_engine()
    {
        using var dir = new TempDir();
        // eni-a1 pings the internet at t=1s; the internet answers its public IP at t=2s; a stray frame to an unknown public IP.
        PcapWriter.WriteFile(dir.File("a1.pcap"), [new PcapRecord(1_000_000, Frames.IcmpEcho(0x024e47570001UL, 0x02000a00010aUL,
            System.Net.IPAddress.Parse("10.0.1.10"), System.Net.IPAddress.Parse("203.0.113.7"), 9, 1))]);
        PcapWriter.WriteFile(dir.File("inet.pcap"), [
            new PcapRecord(2_000_000, Frames.IcmpEcho(0x024246454447UL, 0x020000000099UL,
                System.Net.IPAddress.Parse("203.0.113.7"), System.Net.IPAddress.Parse("198.51.100.10"), 9, 1, reply: true)),
            new PcapRecord(3_000_000, Frames.IcmpEcho(0x020000000001UL, 0x020000000099UL,
                System.Net.IPAddress.Parse("203.0.113.7"), System.Net.IPAddress.Parse("198.51.100.99"), 9, 1)),
        ]);
        var output = dir.File("out");
        var (code, _, stderr) = NitroctlProcess.Run("simulate-region", "--topology", Region, "--engine", "model",
            "--from", "eni-a1=" + dir.File("a1.pcap"), "--from", "internet=" + dir.File("inet.pcap"), "--out", output);
        Assert.True(code == 0, stderr);
        var files = Directory.GetFiles(output).Select(f => Path.GetFileName(f)).Order().ToArray();
        Assert.Equal(new[] { "alarms.jsonl", "counters.json", "eni-a1.pcap", "internet.pcap", "substrate.pcap" }, files);
        Assert.Single(PcapReader.ReadFile(Path.Combine(output, "internet.pcap")));
        Assert.Single(PcapReader.ReadFile(Path.Combine(output, "eni-a1.pcap")));
        Assert.Equal(2, PcapReader.ReadFile(Path.Combine(output, "substrate.pcap")).Count);
        var alarm = JsonDocument.Parse(Assert.Single(File.ReadAllLines(Path.Combine(output, "alarms.jsonl")))).RootElement;
        Assert.Equal("blackfoot-1", alarm.GetProperty("node").GetString());
        Assert.Equal("unknown-public-ip", alarm.GetProperty("reason").GetString());
        using var counters = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "counters.json")));
        Assert.Equal(1, counters.RootElement.GetProperty("blackfoot-1").GetProperty("nat.outbound").GetInt64());
        Assert.Equal(1, counters.RootElement.GetProperty("host-a").GetProperty("enis").GetProperty("eni-a1").GetProperty("rxPackets").GetInt64());
    }

    [Fact]
    public void A_bad_record_part_way_changes_nothing_in_out()
    {
        using var dir = new TempDir();
        var ping = Frames.IcmpEcho(0x024e47570001UL, 0x02000a00010aUL, System.Net.IPAddress.Parse("10.0.1.10"), System.Net.IPAddress.Parse("203.0.113.7"), 9, 1);
        PcapWriter.WriteFile(dir.File("a1.pcap"), [new PcapRecord(1_000_000, ping), new PcapRecord(2_000_000, ping)]);
        var bytes = File.ReadAllBytes(dir.File("a1.pcap"));
        File.WriteAllBytes(dir.File("a1.pcap"), bytes[..^5]);   // the second record is cut short
        var output = dir.File("out");
        var (code, _, stderr) = NitroctlProcess.Run("simulate-region", "--topology", Region, "--engine", "model",
            "--from", "eni-a1=" + dir.File("a1.pcap"), "--out", output);
        Assert.Equal(1, code);
        Assert.Contains($"{dir.File("a1.pcap")}: record 2 at byte offset", stderr, StringComparison.Ordinal);
        Assert.Contains("truncated record data", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.GetDirectories(dir.Path));   // no staging directory left
    }

    [Fact]
    public void Unknown_port_is_an_error_naming_it_and_nothing_is_written()
    {
        using var dir = new TempDir();
        PcapWriter.WriteFile(dir.File("x.pcap"), []);
        var output = dir.File("out");
        var (code, _, stderr) = NitroctlProcess.Run("simulate-region", "--topology", Region, "--engine", "model", "--from", "vpn:nope=" + dir.File("x.pcap"), "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("--from vpn:nope", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Bad_edge_key_in_the_region_names_file_and_field()
    {
        using var dir = new TempDir();
        var text = File.ReadAllText(Region).Replace("\"sTag\": 100, \"cTag\": 200", "\"sTag\": 5000, \"cTag\": 200", StringComparison.Ordinal);
        File.WriteAllText(dir.File("bad.json"), text);
        var output = dir.File("out");
        var (code, _, stderr) = NitroctlProcess.Run("simulate-region", "--topology", dir.File("bad.json"), "--engine", "model", "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("bad.json", stderr, StringComparison.Ordinal);
        Assert.Contains("vpcs[0].directConnect[0].sTag", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }
}
