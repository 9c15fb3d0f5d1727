using System.Net;
using NitroCard.Card;
using NitroCard.Model;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Simulation.Tests;

/// <summary>The whole-region simulation on the model engine (the edge's own behaviour is NitroCard.Edge.Tests).</summary>
public sealed class RegionSimulationTests : IDisposable
{
    private static readonly RegionTopology Region = RegionLoader.Load(Path.Combine(AppContext.BaseDirectory, "regions", "edge-region.json"));

    private readonly RegionSimulation _simulation = new(Region, () => new ModelCard(CardGeometry.Default));

    public void Dispose() => _simulation.Dispose();

    [Fact]
    public void Every_eni_and_every_edge_outside_port_is_a_port()
    {
        Assert.Contains("eni-a1", _simulation.Ports);
        Assert.Contains("eni-a2", _simulation.Ports);
        Assert.Contains("eni-b1", _simulation.Ports);
        Assert.Equal(["host-a", "host-b"], _simulation.Hosts.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_unknown_port_is_an_argument_error_naming_it_and_nothing_moves()
    {
        var e = Assert.Throws<ArgumentException>(() => _simulation.Send("eni-zz", 1, new byte[60]));
        Assert.Equal("port", e.ParamName);
        Assert.Contains("'eni-zz'", e.Message, StringComparison.Ordinal);
        Assert.Empty(_simulation.Substrate);
    }

    [Fact]
    public void A_frame_to_an_eni_on_another_host_crosses_the_substrate_once_and_is_delivered_there()
    {
        var a1 = MacOf("eni-a1");
        var a2 = MacOf("eni-a2");
        var echo = Frames.IcmpEcho(a2, a1, IPAddress.Parse("10.0.1.10"), IPAddress.Parse("10.0.1.20"), 7, 1, [1, 2, 3]);
        _simulation.Send("eni-a1", 1_000_000, echo);

        var outer = Assert.Single(_simulation.Substrate).Data;
        Assert.Equal(Ipv4Address.Parse("192.0.2.11"), Ipv4Header.Source(outer.AsSpan(EthernetHeader.Length)));
        Assert.Equal(Ipv4Address.Parse("192.0.2.12"), Ipv4Header.Destination(outer.AsSpan(EthernetHeader.Length)));
        var delivered = Assert.Single(_simulation.ReceivedOn("eni-a2")).Data;
        Assert.Equal(echo.AsSpan(EthernetHeader.Length).ToArray(), delivered.AsSpan(EthernetHeader.Length).ToArray());
        Assert.Empty(_simulation.ReceivedOn("eni-a1"));
        Assert.Equal(a1, EthernetHeader.Source(delivered));
        Assert.Equal(a2, EthernetHeader.Destination(delivered));
        Assert.Equal(1UL, _simulation.CardCounters("host-b").Enis.Aggregate(0UL, (sum, c) => sum + c.RxPackets));
    }

    [Fact]
    public void A_pcap_run_offers_every_record_in_timestamp_order_and_writes_what_each_port_received()
    {
        using var dir = new TempDir();
        var echo = Frames.IcmpEcho(MacOf("eni-a2"), MacOf("eni-a1"), IPAddress.Parse("10.0.1.10"), IPAddress.Parse("10.0.1.20"), 7, 1, [1, 2, 3]);
        PcapWriter.WriteFile(dir.File("a1-late.pcap"), [new PcapRecord(30, echo)]);
        PcapWriter.WriteFile(dir.File("a1-early.pcap"), [new PcapRecord(10, echo), new PcapRecord(20, echo)]);
        var outDir = Path.Combine(dir.Path, "out");
        using var inputs = new PcapInputs<string>();
        inputs.Add("eni-a1", dir.File("a1-late.pcap"));
        inputs.Add("eni-a1", dir.File("a1-early.pcap"));

        Assert.Equal(3, _simulation.Run(inputs, outDir));

        Assert.Equal([10L, 20, 30], PcapReader.ReadFile(Path.Combine(outDir, "eni-a2.pcap")).Select(r => r.TimestampMicroseconds));
        Assert.Equal(3, PcapReader.ReadFile(Path.Combine(outDir, "substrate.pcap")).Count);
        Assert.True(File.Exists(Path.Combine(outDir, "counters.json")));
    }

    [Fact]
    public void A_pcap_run_that_meets_a_bad_record_leaves_the_output_directory_as_it_was()
    {
        using var dir = new TempDir();
        var echo = Frames.IcmpEcho(MacOf("eni-a2"), MacOf("eni-a1"), IPAddress.Parse("10.0.1.10"), IPAddress.Parse("10.0.1.20"), 7, 1, [1, 2, 3]);
        PcapWriter.WriteFile(dir.File("a1.pcap"), [new PcapRecord(10, echo)]);
        File.AppendAllText(dir.File("a1.pcap"), "torn");   // record 2: 4 of 16 header bytes
        var outDir = Path.Combine(dir.Path, "out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "eni-a2.pcap"), "an earlier run");
        using var inputs = new PcapInputs<string>();
        inputs.Add("eni-a1", dir.File("a1.pcap"));

        var e = Assert.Throws<PcapFormatException>(() => _simulation.Run(inputs, outDir));

        Assert.StartsWith($"{dir.File("a1.pcap")}: record 2 at byte offset ", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated record header: 4 of 16 bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal("an earlier run", File.ReadAllText(Path.Combine(outDir, "eni-a2.pcap")));
        Assert.Equal([Path.Combine(outDir, "eni-a2.pcap")], Directory.GetFiles(outDir));
        Assert.Equal([dir.File("a1.pcap"), outDir], Directory.GetFileSystemEntries(dir.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_missing_pcap_is_a_simulation_error_naming_it()
    {
        using var dir = new TempDir();
        using var inputs = new PcapInputs<string>();
        var e = Assert.Throws<SimulationException>(() => inputs.Add("eni-a1", dir.File("absent.pcap")));
        Assert.Equal($"{dir.File("absent.pcap")}: no such pcap file", e.Message);
        Assert.Equal(0, inputs.Count);
    }

    private static ulong MacOf(string eniId) => MacAddress.Parse(Region.Vpcs.SelectMany(v => v.Enis).Single(e => e.Id == eniId).Mac).Value;
}
