using System.Globalization;
using System.Net;
using NitroCard.Card;
using NitroCard.Edge;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Simulation;

/// <summary>
/// The demo's story without namespaces: the same region and the same traffic as frames offered to
/// <see cref="RegionSimulation"/> (what <c>nitroctl simulate-region</c> runs: every host's card, the edge and the
/// substrate in this process). Both sides of each exchange are written out, since no Linux stack answers here; the
/// kernel VXLAN host is simulated as a card. Prints what each step caused to <paramref name="output"/> and writes the
/// captures into <paramref name="outDir"/> (<c>nitroctl demo</c> without root, or with <c>--simulated</c>).
/// </summary>
/// <param name="region">The demo region (its ENIs, VPN connection and Direct Connect VIF are the story's).</param>
/// <param name="engine">Every card's engine, as <see cref="CardEngines.Create"/> names it.</param>
/// <param name="outDir">Where the captures go.</param>
/// <param name="output">Where the story is told.</param>
public sealed class SimulatedDemo(RegionTopology region, string engine, string outDir, TextWriter output)
{
    private static readonly IPAddress BlueA1 = IPAddress.Parse("10.0.1.10");
    private static readonly IPAddress BlueB1 = IPAddress.Parse("10.0.2.20");
    private static readonly IPAddress BlueK1 = IPAddress.Parse("10.0.1.30");
    private static readonly IPAddress RedA1 = IPAddress.Parse("10.0.1.10");
    private static readonly IPAddress RedB1 = IPAddress.Parse("10.0.1.11");
    private static readonly IPAddress Internet = IPAddress.Parse("203.0.113.1");
    private static readonly IPAddress PublicA1 = IPAddress.Parse("198.51.100.10");
    private static readonly IPAddress S3 = IPAddress.Parse("198.51.100.129");
    private RegionSimulation? _sim;
    private long _time;
    private int _alarmsSeen;

    /// <summary>Runs the story once.</summary>
    public void Run()
    {
        using var sim = new RegionSimulation(region, () => CardEngines.Create(engine));
        _sim = sim;
        var gateway = (region.GatewayMac is null ? RegionDefaults.GatewayMac : MacAddress.Parse(region.GatewayMac)).Value;
        ulong Mac(string eni) => MacAddress.Parse(region.Vpcs.SelectMany(v => v.Enis).First(e => e.Id == eni).Mac).Value;
        var (vpnVpc, vpn) = region.Vpcs.SelectMany(v => v.VpnConnections.Select(c => (Vpc: v, Vpn: c))).First(x => x.Vpn.IsIkeKeyed);
        var vif = region.Vpcs.SelectMany(v => v.DirectConnect).First();
        using var customerGateway = new SimulatedVpnCustomerGateway(sim, vpn, vpnVpc.Cidr);
        var dxRouter = new DirectConnectCustomerRouter(vif.Connection);
        output.WriteLine($"NitroCard demo, simulated: the demo region in one process (nitroctl simulate-region's RegionSimulation), {engine} cards; host-k is simulated as a card.");
        output.WriteLine();

        Step("ping eni-blue-a1 -> eni-blue-b1 10.0.2.20, across hosts and subnets", "eni-blue-a1",
            Frames.IcmpEcho(gateway, Mac("eni-blue-a1"), BlueA1, BlueB1, 1, 1, "nitro"u8));
        Step("ping reply eni-blue-b1 -> eni-blue-a1", "eni-blue-b1",
            Frames.IcmpEcho(gateway, Mac("eni-blue-b1"), BlueB1, BlueA1, 1, 1, "nitro"u8, reply: true));
        Step("ping eni-blue-a1 -> eni-blue-k1 10.0.1.30 (host-k), same subnet", "eni-blue-a1",
            Frames.IcmpEcho(Mac("eni-blue-k1"), Mac("eni-blue-a1"), BlueA1, BlueK1, 2, 1));
        Step("ping eni-red-a1 -> eni-red-b1: the same addresses as blue, in the red VPC", "eni-red-a1",
            Frames.IcmpEcho(Mac("eni-red-b1"), Mac("eni-red-a1"), RedA1, RedB1, 3, 1));
        Step("isolation: eni-red-a1 -> 10.0.1.30, which exists only in blue", "eni-red-a1",
            Frames.IcmpEcho(Mac("eni-red-b1"), Mac("eni-red-a1"), RedA1, BlueK1, 4, 1));
        Step("HTTP between instances: eni-blue-k1 opens TCP to eni-blue-b1:80 (SYN)", "eni-blue-k1",
            Frames.Tcp(gateway, Mac("eni-blue-k1"), BlueK1, BlueB1, 40001, 80, 1000, 0, TcpControl.Syn));
        Step("... eni-blue-b1 answers (SYN-ACK)", "eni-blue-b1",
            Frames.Tcp(gateway, Mac("eni-blue-b1"), BlueB1, BlueK1, 80, 40001, 5000, 1001, TcpControl.Syn | TcpControl.Ack));
        Step("the internet 203.0.113.1 opens TCP to the public IP 198.51.100.10:80", EdgePorts.Internet,
            Frames.Tcp(EdgePorts.EdgeMac, EdgePorts.PeerMac, Internet, PublicA1, 50000, 80, 7000, 0, TcpControl.Syn));
        Step("... eni-blue-a1 answers; the edge translates its source back to 198.51.100.10", "eni-blue-a1",
            Frames.Tcp(gateway, Mac("eni-blue-a1"), BlueA1, Internet, 80, 50000, 9000, 7001, TcpControl.Syn | TcpControl.Ack));
        Step("S3 through the gateway endpoint: GET /allowed-bucket/hello.txt", "eni-blue-a1",
            Frames.Tcp(gateway, Mac("eni-blue-a1"), BlueA1, S3, 41000, 80, 1, 1, TcpControl.Psh | TcpControl.Ack, "GET /allowed-bucket/hello.txt HTTP/1.1\r\nHost: s3.amazonaws.com\r\n\r\n"u8));
        Step("S3, a bucket the endpoint policy denies: GET /other-bucket/hello.txt (the edge resets it)", "eni-blue-a1",
            Frames.Tcp(gateway, Mac("eni-blue-a1"), BlueA1, S3, 41001, 80, 1, 1, TcpControl.Psh | TcpControl.Ack, "GET /other-bucket/hello.txt HTTP/1.1\r\nHost: s3.amazonaws.com\r\n\r\n"u8));
        VpnSteps(vpn, customerGateway, gateway, Mac("eni-blue-a1"));
        Step("Direct Connect: the customer site 172.16.0.1 pings eni-blue-b1 (Q-in-Q 100/200)", EdgePorts.DirectConnectPrefix + vif.Connection,
            dxRouter.FromSite(vif, Frames.IcmpEcho(SiteLink.CustomerRouterMac, SiteLink.SiteMac, IPAddress.Parse("172.16.0.1"), BlueB1, 6, 1))!);
        Step("spoofing: eni-blue-a1 sends from 10.0.1.99, an address that is not its own", "eni-blue-a1",
            Frames.IcmpEcho(gateway, Mac("eni-blue-a1"), IPAddress.Parse("10.0.1.99"), BlueB1, 7, 1));
        Step("spoofing from outside: the internet sends to 198.51.100.77, a public IP of no ENI", EdgePorts.Internet,
            Frames.IcmpEcho(EdgePorts.EdgeMac, EdgePorts.PeerMac, Internet, IPAddress.Parse("198.51.100.77"), 8, 1));

        output.WriteLine();
        output.WriteLine("Summary");
        output.WriteLine("  per-card counters and drops:");
        foreach (var host in sim.Hosts)
        {
            var counters = sim.CardCounters(host);
            output.WriteLine($"    {host}:");
            foreach (var eni in sim.Plan(host).Enis)
            {
                var c = counters.Enis[eni.Slot];
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"      {eni.EniId,-12} tx {c.TxPackets,3} pkts {c.TxBytes,6} B   rx {c.RxPackets,3} pkts {c.RxBytes,6} B"));
            }
            var drops = Enum.GetValues<DropReason>().Where(r => counters[r] > 0).Select(r => $"{r.ToWireName()} {counters[r]}");
            output.WriteLine($"      dropped: {string.Join(", ", drops.DefaultIfEmpty("nothing"))}");
        }
        foreach (var edge in sim.Edges)
            output.WriteLine($"  edge {edge.Name}: {string.Join(", ", edge.Counters.All.Select(kv => $"{kv.Key} {kv.Value}"))}");
        output.WriteLine($"  alarms raised: {sim.Alarms.Count}");
        RegionSimulationOutput.Write(outDir, sim);
        output.WriteLine();
        output.WriteLine($"Captures (tshark -r <file>, or Wireshark): {outDir} (substrate.pcap, one pcap per port that received frames, alarms.jsonl, counters.json)");
    }

    /// <summary>
    /// The VPN connection's story: its customer gateway (no strongSwan here: the project's own IKEv2 initiator, set up as
    /// the live site's strongSwan is) negotiates both tunnels with the edge and prints the proposals, then the site and
    /// eni-blue-a1 exchange a ping through ESP in UDP.
    /// </summary>
    private void VpnSteps(VpnConnection vpn, SimulatedVpnCustomerGateway customerGateway, ulong gatewayMac, ulong blueA1Mac)
    {
        var up = false;
        Step($"VPN {vpn.Id}: the customer gateway {vpn.CustomerGatewayIp} negotiates both tunnels with IKEv2 (IKE_SA_INIT on UDP 500, then 4500)", () =>
        {
            up = customerGateway.Negotiate(() => _time += 10);
            for (var i = 0; i < vpn.Tunnels.Length; i++)
                output.WriteLine($"    tunnel{i + 1} {vpn.Tunnels[i].OutsideIpAddress}: {customerGateway.Proposals[i]}");
        });
        var site = IPAddress.Parse(FirstHost(vpn.CustomerCidrs[0]));
        var echo = Frames.IcmpEcho(SiteLink.CustomerRouterMac, SiteLink.SiteMac, site, BlueA1, 5, 1);
        if (!up || customerGateway.FromSite(SiteLink.Ipv4Packet(echo)) is not { } esp)
        {
            output.WriteLine("    the tunnels are down: the VPN steps are skipped");
            return;
        }
        Step($"VPN: the customer site {site} pings eni-blue-a1 (ESP in UDP 4500 through tunnel 1)", EdgePorts.VpnPrefix + vpn.Id, esp);
        Step("... eni-blue-a1 answers; the edge encrypts it into the tunnel", "eni-blue-a1",
            Frames.IcmpEcho(gatewayMac, blueA1Mac, BlueA1, site, 5, 1, reply: true));
        foreach (var packet in customerGateway.Receive())
            output.WriteLine($"    the customer gateway decrypts: {Describe(EthernetHeader.Build(SiteLink.SiteMac, SiteLink.CustomerRouterMac, EthernetHeader.TypeIpv4, packet))}");
    }

    /// <summary>The first host of a customer network: the site's own address, as in the live site.</summary>
    private static string FirstHost(string cidr) => Ipv4Address.FromUInt32(Ipv4Address.ToUInt32(IPNetwork.Parse(cidr).BaseAddress) + 1).ToString();

    private void Step(string title, string port, byte[] frame) => Step(title, () => _sim!.Send(port, _time, frame));

    /// <summary>Prints the title, runs <paramref name="send"/> at the next time step, then what every port received and the alarms raised.</summary>
    private void Step(string title, Action send)
    {
        var sim = _sim!;
        var before = sim.Ports.Concat(sim.Received.Keys).Distinct().ToDictionary(p => p, p => sim.ReceivedOn(p).Count, StringComparer.Ordinal);
        var substrate = sim.Substrate.Count;
        _time += 1000;
        output.WriteLine($"* {title}");
        send();
        output.WriteLine($"    substrate: {sim.Substrate.Count - substrate} VXLAN frame(s)");
        foreach (var (name, frames) in sim.Received.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            foreach (var record in frames.Skip(before.GetValueOrDefault(name)))
                output.WriteLine($"    {name} received: {Describe(record.Data)}");
        }
        foreach (var alarm in sim.Alarms.Skip(_alarmsSeen))
        {
            output.WriteLine(alarm.Card is { } c
                ? $"    {alarm.Node}: DROPPED {c.Reason.ToWireName()} - alarm: vni {c.Vni}, outer src {c.OuterSource}, inner {c.InnerSource} -> {c.InnerDestination}"
                : $"    {alarm.Node}: DROPPED {alarm.Edge!.Reason} - alarm: {alarm.Edge!.Describe()}");
        }
        _alarmsSeen = sim.Alarms.Count;
    }

    private static string Describe(byte[] frame)
    {
        var type = EthernetHeader.EtherType(frame);
        if (type != EthernetHeader.TypeIpv4)
            return string.Create(CultureInfo.InvariantCulture, $"ethertype 0x{type:x4} (Q-in-Q or ARP), {frame.Length} bytes");
        var ip = frame.AsSpan(EthernetHeader.Length);
        var protocol = Ipv4Header.Protocol(ip) switch { 1 => "ICMP", 6 => "TCP", 17 => "UDP", 50 => "ESP", var p => p.ToString(CultureInfo.InvariantCulture) };
        return $"IPv4 {Ipv4Address.FromUInt32(Ipv4Header.Source(ip))} -> {Ipv4Address.FromUInt32(Ipv4Header.Destination(ip))} {protocol}, {frame.Length} bytes";
    }
}
