using System.Globalization;
using System.Net;
using NitroCard.Edge.Vpn;
using NitroCard.Packets;
using static NitroCard.Edge.Tests.EdgeRegion;

namespace NitroCard.Edge.Tests;

/// <summary>
/// VPN (ESP tunnel mode, AES-GCM). Both ways on the Verilated cards and on the model (VPC → customer
/// takes the cards' vgw route). Verification is external:
/// tshark decrypts the edge's ESP, and the edge accepts scapy's.
/// </summary>
public class VpnTests
{
    private const string OutboundKey = "000102030405060708090a0b0c0d0e0fa0a1a2a3";
    private const string InboundKey = "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2fb0b1b2b3";
    private const uint OutboundSpi = 4097;
    private const uint InboundSpi = 8193;
    private static readonly IPAddress CustomerHost = IPAddress.Parse("172.31.0.5");
    private static readonly uint CustomerGateway = Ipv4Address.Parse("203.0.113.9");
    private static readonly uint EdgeIp = Ipv4Address.Parse("198.51.100.250");

    /// <summary>What the customer gateway sends: the inbound SA's ESP around an ICMP echo request.</summary>
    private static byte[] FromCustomer(EspSecurityAssociation customer, ushort id)
    {
        var inner = Ipv4Header.Build(new Ipv4Fields(Ipv4Address.ToUInt32(CustomerHost), Ipv4Address.ToUInt32(EniA1), Ipv4Header.ProtocolIcmp), IcmpEcho.Build(id, 1, "over the tunnel"u8));
        return Frames.Ipv4(EdgePorts.EdgeMac, PeerMac, new Ipv4Fields(CustomerGateway, EdgeIp, 50), customer.Encrypt(inner)!);
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Esp_round_trip(string engine)
    {
        using var region = new EdgeRegion(engine);
        using var customerRx = new EspSecurityAssociation(OutboundSpi, Convert.FromHexString(OutboundKey));
        using var customerTx = new EspSecurityAssociation(InboundSpi, Convert.FromHexString(InboundKey));

        region.Send("eni-a1", Frames.IcmpEcho(GatewayMac, EniA1Mac, EniA1, CustomerHost, 0x77, 1, "hi"u8));
        var esp = Ip(region.Last("vpn:vpn-1"));
        Assert.Equal(50, Ipv4Header.Protocol(esp));
        Assert.Equal("198.51.100.250", Src(esp));
        Assert.Equal("203.0.113.9", Dst(esp));
        Assert.Equal(EspRejection.None, customerRx.Decrypt(esp[20..], out var inner, out var seq));
        Assert.Equal(1u, seq);
        Assert.Equal("10.0.1.10", Src(inner));   // no NAT across the VPN
        Assert.Equal("172.31.0.5", Dst(inner));
        AssertChecksums(inner);

        region.Send("vpn:vpn-1", FromCustomer(customerTx, 0x78));
        var delivered = Ip(region.Last("eni-a1"));
        Assert.Equal("172.31.0.5", Src(delivered));
        Assert.Equal(0x78, IcmpEcho.Identifier(delivered[20..]));
        Assert.Empty(region.Simulation.Alarms);
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Replayed_and_tampered_esp_are_rejected(string engine)
    {
        using var region = new EdgeRegion(engine);
        using var customerTx = new EspSecurityAssociation(InboundSpi, Convert.FromHexString(InboundKey));
        var first = FromCustomer(customerTx, 1);
        var second = FromCustomer(customerTx, 2);
        region.Send("vpn:vpn-1", second);        // out of order, inside the window: fine
        region.Send("vpn:vpn-1", first);
        region.Send("vpn:vpn-1", first);         // replay
        var tampered = FromCustomer(customerTx, 3);
        tampered[^20] ^= 0x01;                   // one ciphertext bit
        region.Send("vpn:vpn-1", tampered);
        Assert.Equal(2, region.On("eni-a1").Count);
        Assert.Equal(["esp-replay", "esp-auth-failed"], region.Simulation.Alarms.Select(a => a.Edge!.Reason));
        // The tampered packet did not move the window: its sequence number is still acceptable, authentic.
        region.Send("vpn:vpn-1", FromCustomer(customerTx, 4));
        Assert.Equal(3, region.On("eni-a1").Count);
    }

    [Fact]
    public void Replay_window_is_64_packets()
    {
        using var tx = new EspSecurityAssociation(InboundSpi, Convert.FromHexString(InboundKey));
        using var rx = new EspSecurityAssociation(InboundSpi, Convert.FromHexString(InboundKey));
        var packets = Enumerable.Range(0, 70).Select(_ => tx.Encrypt(new byte[20])!).ToList();
        Assert.Equal(EspRejection.None, rx.Decrypt(packets[69], out _, out _));   // seq 70
        Assert.Equal(EspRejection.None, rx.Decrypt(packets[6], out _, out _));    // seq 7: 63 behind, inside
        Assert.Equal(EspRejection.Replay, rx.Decrypt(packets[5], out _, out _));  // seq 6: 64 behind, outside
        Assert.Equal(EspRejection.Replay, rx.Decrypt(packets[6], out _, out _));
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Tshark_decrypts_and_decodes_the_edges_esp(string engine)
    {
        using var region = new EdgeRegion(engine);
        for (ushort i = 1; i <= 3; i++)
            region.Send("eni-a1", Frames.IcmpEcho(GatewayMac, EniA1Mac, EniA1, CustomerHost, 0x1234, i, "decode me"u8));
        var dir = Directory.CreateTempSubdirectory("edge-esp-");
        try
        {
            var pcap = Path.Combine(dir.FullName, "vpn.pcap");
            PcapWriter.WriteFile(pcap, region.On("vpn:vpn-1"));
            var sa = string.Create(CultureInfo.InvariantCulture,
                $"\"IPv4\",\"198.51.100.250\",\"203.0.113.9\",\"0x{OutboundSpi:x8}\",\"AES-GCM with 16 octet ICV [RFC4106]\",\"0x{OutboundKey}\",\"NULL\",\"\"");
            var (code, stdout, stderr) = Tools.Run("tshark", "-n", "-r", pcap, "-o", "esp.enable_encryption_decode:TRUE", "-o", "uat:esp_sa:" + sa,
                "-T", "fields", "-e", "esp.sequence", "-e", "ip.src", "-e", "ip.dst", "-e", "icmp.ident", "-e", "icmp.seq");
            Assert.True(code == 0, stderr);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, lines.Length);
            for (var i = 0; i < 3; i++)
            {
                var f = lines[i].Split('\t');
                Assert.Equal((i + 1).ToString(CultureInfo.InvariantCulture), f[0]);
                Assert.Equal("198.51.100.250,10.0.1.10", f[1]);      // outer, then decrypted inner
                Assert.Equal("203.0.113.9,172.31.0.5", f[2]);
                Assert.Equal("4660", f[3]);
                Assert.Equal((i + 1).ToString(CultureInfo.InvariantCulture), f[4]);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Edge_accepts_esp_produced_by_scapy(string engine)
    {
        var dir = Directory.CreateTempSubdirectory("edge-scapy-");
        try
        {
            var pcap = Path.Combine(dir.FullName, "scapy.pcap");
            var script = Path.Combine(AppContext.BaseDirectory, "scripts", "scapy_esp.py");
            var (code, _, stderr) = Tools.Run("/usr/bin/python3", script, "encrypt", InboundSpi.ToString(CultureInfo.InvariantCulture), InboundKey,
                "203.0.113.9", "198.51.100.250", "172.31.0.5", "10.0.1.10", "3", pcap);
            Assert.True(code == 0, stderr);
            using var region = new EdgeRegion(engine);
            foreach (var record in PcapReader.ReadFile(pcap))
                region.Send("vpn:vpn-1", record.Data);
            Assert.Empty(region.Simulation.Alarms);
            var delivered = region.On("eni-a1");
            Assert.Equal(3, delivered.Count);
            Assert.All(delivered, d => Assert.Equal(0x5ca9, IcmpEcho.Identifier(Ip(d.Data)[20..])));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("rtl")]
    [InlineData("model")]
    public void Scapy_decrypts_the_edges_esp(string engine)
    {
        using var region = new EdgeRegion(engine);
        region.Send("eni-a1", Frames.IcmpEcho(GatewayMac, EniA1Mac, EniA1, CustomerHost, 0x4242, 1, "odd length!"u8));
        var dir = Directory.CreateTempSubdirectory("edge-scapy-");
        try
        {
            var pcap = Path.Combine(dir.FullName, "edge.pcap");
            PcapWriter.WriteFile(pcap, region.On("vpn:vpn-1"));
            var (code, stdout, stderr) = Tools.Run("/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "scripts", "scapy_esp.py"),
                "decrypt", OutboundSpi.ToString(CultureInfo.InvariantCulture), OutboundKey, pcap);
            Assert.True(code == 0, stderr);
            Assert.Equal("10.0.1.10 172.31.0.5 1 16962", stdout.Trim());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
