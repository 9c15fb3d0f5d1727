using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using NitroCard.Card;
using NitroCard.Model;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Simulation.Tests;

/// <summary>
/// <c>nitroctl simulate</c>'s run in process, on the model (no root, no Verilated card): the contract's files from pcaps,
/// inputs refused with the file, the record and the field named, and <c>--out</c> untouched by a run that fails.
/// </summary>
public class CardSimulationTests
{
    private const ulong GatewayMac = 0x02_4e_47_57_00_01;
    private const ulong EniA1Mac = 0x02_00_0a_00_01_0a;

    private static HostCardPlan HostA(CardGeometry geometry) => RegionCompiler.ForHost(RegionLoader.Load(RepoPaths.File("docs/examples/region.json")), "host-a", geometry);

    /// <summary>eni-a1 (10.0.1.10) pings eni-a2 (10.0.2.20, host-b): each one leaves for the network.</summary>
    private static PcapRecord Ping(long timestamp, string source = "10.0.1.10")
        => new(timestamp, Frames.IcmpEcho(GatewayMac, EniA1Mac, IPAddress.Parse(source), IPAddress.Parse("10.0.2.20"), 1, (ushort)timestamp));

    private static SimulationInput EniA1(HostCardPlan plan, string file) => new("eni-a1", plan.Enis.Single(e => e.EniId == "eni-a1").Slot, file);

    [Fact]
    public void A_run_writes_the_contracts_files_and_its_result_counts_what_they_hold()
    {
        using var dir = new TempDir();
        var plan = HostA(CardGeometry.Default);
        PcapWriter.WriteFile(dir.File("a1.pcap"), [Ping(10), Ping(20), Ping(20), Ping(30, source: "10.0.1.99")]);
        var outDir = Path.Combine(dir.Path, "out");
        using var card = new ModelCard(CardGeometry.Default);

        var result = CardSimulation.Run(card, plan, [EniA1(plan, dir.File("a1.pcap"))], outDir);

        Assert.Equal((4, 3, 0, 1), (result.FramesIn, result.Network, result.Host, result.Alarms));
        Assert.Null(result.Cycles);
        var network = PcapReader.ReadFile(Path.Combine(outDir, "network.pcap"));
        Assert.Equal([10L, 20, 20], network.Select(r => r.TimestampMicroseconds));
        Assert.Equal(["alarms.jsonl", "counters.json", "eni-a1.pcap", "eni-b1.pcap", "network.pcap"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(PcapReader.ReadFile(Path.Combine(outDir, "eni-a1.pcap")));
        var alarm = JsonDocument.Parse(Assert.Single(File.ReadAllLines(Path.Combine(outDir, "alarms.jsonl")))).RootElement;
        Assert.Equal("source-check", alarm.GetProperty("reason").GetString());
        Assert.Equal("eni-a1", alarm.GetProperty("eni").GetString());
        Assert.Equal("10.0.1.99", alarm.GetProperty("innerSrc").GetString());
        var counters = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "counters.json"))).RootElement;
        Assert.Equal(3, counters.GetProperty("enis").GetProperty("eni-a1").GetProperty("txPackets").GetInt32());
        Assert.Equal(1, counters.GetProperty("drops").GetProperty("source-check").GetInt32());
        Assert.False(counters.TryGetProperty("cycles", out _));   // the model has no clock
        Assert.Equal([dir.File("a1.pcap"), outDir], Directory.GetFileSystemEntries(dir.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_missing_input_is_a_simulation_error_naming_the_file_before_anything_is_written()
    {
        using var dir = new TempDir();
        var plan = HostA(CardGeometry.Default);
        using var card = new ModelCard(CardGeometry.Default);

        var e = Assert.Throws<SimulationException>(() => CardSimulation.Run(card, plan, [EniA1(plan, dir.File("absent.pcap"))], Path.Combine(dir.Path, "out")));

        Assert.Equal($"{dir.File("absent.pcap")}: no such pcap file", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_bad_record_part_way_names_the_file_the_record_and_the_field_and_leaves_out_as_it_was()
    {
        using var dir = new TempDir();
        var plan = HostA(CardGeometry.Default);
        var input = dir.File("a1.pcap");
        PcapWriter.WriteFile(input, [Ping(10), Ping(20)]);
        // Record 3: incl_len 100 above orig_len 60 (the writer's pcaps are little-endian, microsecond).
        var header = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(0), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 30);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), 100);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), 60);
        using (var stream = new FileStream(input, FileMode.Append))
        {
            stream.Write(header);
            stream.Write(new byte[100]);
        }
        var outDir = Path.Combine(dir.Path, "out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "network.pcap"), "an earlier run");
        using var card = new ModelCard(CardGeometry.Default);

        var e = Assert.Throws<PcapFormatException>(() => CardSimulation.Run(card, plan, [EniA1(plan, input)], outDir));

        Assert.StartsWith($"{input}: record 3 at byte offset ", e.Message, StringComparison.Ordinal);
        Assert.Contains("incl_len (captured length) 100 is larger than orig_len (original length) 60", e.Message, StringComparison.Ordinal);
        Assert.Equal(["network.pcap"], Directory.GetFiles(outDir).Select(Path.GetFileName));
        Assert.Equal("an earlier run", File.ReadAllText(Path.Combine(outDir, "network.pcap")));
        Assert.Equal([input, outDir], Directory.GetFileSystemEntries(dir.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_card_without_filtering_hardware_is_reported_and_the_run_goes_on()
    {
        using var dir = new TempDir();
        var geometry = CardGeometry.Default with { Filtering = null };
        var plan = HostA(geometry);
        PcapWriter.WriteFile(dir.File("a1.pcap"), [Ping(10)]);
        using var card = new ModelCard(geometry);
        var warnings = new List<string>();

        var result = CardSimulation.Run(card, plan, [EniA1(plan, dir.File("a1.pcap"))], Path.Combine(dir.Path, "out"), warning: warnings.Add);

        Assert.Equal("model: this card has no filtering hardware: route tables, network ACLs and security groups are not enforced", Assert.Single(warnings));
        Assert.Equal(1, result.Network);
    }

    [Fact]
    public void A_waveform_of_the_model_is_an_argument_error_and_nothing_is_written()
    {
        using var dir = new TempDir();
        var plan = HostA(CardGeometry.Default);
        using var card = new ModelCard(CardGeometry.Default);

        var e = Assert.Throws<ArgumentException>(() => CardSimulation.Run(card, plan, [], Path.Combine(dir.Path, "out"), tracePath: dir.File("run.fst")));

        Assert.Equal("tracePath", e.ParamName);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public void Engines_are_made_by_name_and_an_unknown_name_is_refused()
    {
        using (var model = CardEngines.Create("model"))
            Assert.Equal(("model", CardGeometry.Default), (model.Name, model.Geometry));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CardEngines.Create("fpga"));
        Assert.Contains("'fpga'", e.Message, StringComparison.Ordinal);
        Assert.Equal(["rtl", "model"], CardEngines.Names);
    }
}
