using System.Net;
using NitroCard.Card;
using NitroCard.Driver.Simulation;
using NitroCard.Model;
using NitroCard.Packets;
using NitroCard.Region;
using NitroCard.Simulation;

namespace NitroCard.Edge.Tests;

/// <summary>The test region (regions/edge-region.json) run on one engine, and frame helpers.</summary>
internal sealed class EdgeRegion : IDisposable
{
    public const ulong GatewayMac = 0x024e_4757_0001UL;
    public const ulong EniA1Mac = 0x02000a00010aUL;
    public const ulong EniA2Mac = 0x02000a000114UL;
    public const ulong EniB1Mac = 0x02000b00010aUL;
    public const ulong PeerMac = 0x02_0000_0000_99UL;

    public static readonly IPAddress EniA1 = IPAddress.Parse("10.0.1.10");
    public static readonly IPAddress PublicA1 = IPAddress.Parse("198.51.100.10");
    public static readonly IPAddress PublicA3 = IPAddress.Parse("198.51.100.30");
    public static readonly IPAddress InternetHost = IPAddress.Parse("203.0.113.7");

    private long _time = 1_000_000;

    public EdgeRegion(string engine)
    {
        Topology = Load();
        Simulation = new RegionSimulation(Topology, () => engine == "rtl" ? new RtlCardEngine() : new ModelCard(CardGeometry.Default));
    }

    public RegionTopology Topology { get; }

    public RegionSimulation Simulation { get; }

    public BlackfootEdge Edge => Simulation.Edge!;

    public static RegionTopology Load() => RegionLoader.Load(Path.Combine(AppContext.BaseDirectory, "regions", "edge-region.json"));

    public void Send(string port, byte[] frame) => Simulation.Send(port, _time += 1000, frame);

    public IReadOnlyList<PcapRecord> On(string port) => Simulation.ReceivedOn(port);

    public byte[] Last(string port) => Assert.Single(On(port).TakeLast(1)).Data;

    public void Dispose() => Simulation.Dispose();

    /// <summary>The IPv4 packet of an Ethernet frame (after <paramref name="offset"/> bytes of link header).</summary>
    public static ReadOnlySpan<byte> Ip(byte[] frame, int offset = EthernetHeader.Length) => frame.AsSpan(offset);

    /// <summary>Asserts the IPv4 header checksum and the transport checksum (TCP, UDP, ICMP) of a packet.</summary>
    public static void AssertChecksums(ReadOnlySpan<byte> ip)
    {
        Assert.True(Ipv4Header.ChecksumValid(ip), "IPv4 header checksum");
        var l4 = ip[20..Ipv4Header.TotalLength(ip)];
        switch (Ipv4Header.Protocol(ip))
        {
            case Ipv4Header.ProtocolTcp:
            case Ipv4Header.ProtocolUdp:
                Assert.True(Ipv4Checksum.VerifyTransport(Ipv4Header.Source(ip), Ipv4Header.Destination(ip), Ipv4Header.Protocol(ip), l4), "transport checksum");
                break;
            case Ipv4Header.ProtocolIcmp:
                Assert.True(Ipv4Checksum.Verify(l4), "ICMP checksum");
                break;
        }
    }

    public static string Src(ReadOnlySpan<byte> ip) => Ipv4Address.FromUInt32(Ipv4Header.Source(ip)).ToString();

    public static string Dst(ReadOnlySpan<byte> ip) => Ipv4Address.FromUInt32(Ipv4Header.Destination(ip)).ToString();
}

/// <summary>Runs the external tools the ESP tests check against.</summary>
internal static class Tools
{
    public static (int ExitCode, string Stdout, string Stderr) Run(string file, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}
