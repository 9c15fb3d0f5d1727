// Measures the Blackfoot edge's translation rate on one thread (packets per second per core):
//   dotnet run -c Release --project tools/NitroCard.Edge.Bench -- <region.json> [seconds-per-case]
// Cases: IGW NAT outbound (VXLAN in -> NAT'd frame out), IGW NAT inbound (frame in -> VXLAN out),
// ESP encrypt (VXLAN in -> ESP out) and ESP decrypt (ESP in -> VXLAN out), 64- and 1400-byte inner IPv4 packets;
// then IKE tunnel setups per second by suite and ESP through one SA by transform (IkeSetup.cs).
// The region must be the shape of tests/NitroCard.Edge.Tests/regions/edge-region.json (eni-a1 on host-a, vpn-1).
using System.Diagnostics;
using System.Globalization;
using NitroCard.Edge;
using NitroCard.Edge.Vpn;
using NitroCard.Packets;
using NitroCard.Region;

var region = RegionLoader.Load(args.Length > 0 ? args[0] : "tests/NitroCard.Edge.Tests/regions/edge-region.json");
var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2.0;
var eni = Ipv4Address.Parse("10.0.1.10");
var hostA = Ipv4Address.Parse("192.0.2.11");
var edgeIp = Ipv4Address.Parse(region.Edges[0].UnderlayIp);
var internet = Ipv4Address.Parse("203.0.113.7");
var customer = Ipv4Address.Parse("172.31.0.5");
var vpn = region.Vpcs[0].VpnConnections[0];

Console.WriteLine($"| case | inner IPv4 bytes | packets/s (1 core) | Mbit/s of inner packets |");
Console.WriteLine($"|---|---:|---:|---:|");
foreach (var size in new[] { 64, 1400 })
{
    var payload = new byte[size - 28];
    Measure("IGW NAT outbound (VXLAN → internet)", size, EdgePorts.Substrate, Vxlan(Frames.Udp(0x024e47570001UL, 0x02000a00010aUL, Ipv4Address.FromUInt32(eni), Ipv4Address.FromUInt32(internet), 40000, 53, payload)));
    Measure("IGW NAT inbound (internet → VXLAN)", size, EdgePorts.Internet, Frames.Udp(EdgePorts.EdgeMac, 0x020000000099UL, Ipv4Address.FromUInt32(internet), System.Net.IPAddress.Parse("198.51.100.10"), 53, 40000, payload));
    Measure("ESP encrypt (VXLAN → vpn, AES-128-GCM)", size, EdgePorts.Substrate, Vxlan(Frames.Udp(0x024e47570001UL, 0x02000a00010aUL, Ipv4Address.FromUInt32(eni), Ipv4Address.FromUInt32(customer), 40000, 53, payload)));
    MeasureDecrypt(size, payload);
}
NitroCard.Edge.Bench.IkeSetup.Run(seconds);

byte[] Vxlan(byte[] inner) => VxlanHeader.Encapsulate(inner, 0x024e00000001UL, 0x024ec000020bUL, hostA, edgeIp, 1001);

void Measure(string name, int size, string port, byte[] frame)
{
    using var edge = new BlackfootEdge(region);
    Run(name, size, edge, _ => (port, frame));
}

void MeasureDecrypt(int size, byte[] payload)
{
    // Pre-encrypt enough distinct sequence numbers; the anti-replay window rejects repeats.
    using var tx = EspSecurityAssociation.FromRegion(vpn.Inbound!);
    var inner = Ipv4Header.Build(new Ipv4Fields(customer, eni, Ipv4Header.ProtocolUdp), UdpHeader.Build(customer, eni, 53, 40000, payload));
    var frames = new byte[2_000_000][];
    var estimate = 0;
    using var edge = new BlackfootEdge(region);
    Run("ESP decrypt (vpn → VXLAN, AES-256-GCM)", size, edge, i =>
    {
        while (estimate <= i)
            frames[estimate++] = Frames.Ipv4(EdgePorts.EdgeMac, 0x020000000099UL, new Ipv4Fields(Ipv4Address.Parse(vpn.CustomerGatewayIp), Ipv4Address.Parse(vpn.EdgeIp!), 50), tx.Encrypt(inner)!);
        return ("vpn:" + vpn.Id, frames[i]);
    }, prepare: n => { while (estimate < n) frames[estimate++] = Frames.Ipv4(EdgePorts.EdgeMac, 0x020000000099UL, new Ipv4Fields(Ipv4Address.Parse(vpn.CustomerGatewayIp), Ipv4Address.Parse(vpn.EdgeIp!), 50), tx.Encrypt(inner)!); });
}

void Run(string name, int size, BlackfootEdge edge, Func<int, (string Port, byte[] Frame)> next, Action<int>? prepare = null)
{
    var output = new List<EdgeFrame>(4);
    // Warm up and calibrate on a short run.
    var n = 0;
    prepare?.Invoke(100_000);
    var calibrate = Stopwatch.StartNew();
    while (calibrate.Elapsed.TotalSeconds < 0.5 && n < 100_000)
    {
        var (p, f) = next(n++);
        output.Clear();
        edge.Receive(p, f, output);
    }
    var target = (int)Math.Min(1_900_000, n / calibrate.Elapsed.TotalSeconds * seconds);
    prepare?.Invoke(n + target);
    var sw = Stopwatch.StartNew();
    for (var i = 0; i < target; i++)
    {
        var (p, f) = next(n + i);
        output.Clear();
        edge.Receive(p, f, output);
        if (output.Count != 1)
            throw new InvalidOperationException($"{name}: expected one frame out, got {output.Count}");
    }
    var rate = target / sw.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {size} | {rate:N0} | {rate * size * 8 / 1e6:N0} |"));
}
