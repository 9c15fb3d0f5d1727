
namespace NitroCard.Packets.Tests;

public class ChecksumTests
{
    // The textbook IPv4 header (Wikipedia, "Internet checksum"): checksum 0xB861.
    private static readonly byte[] KnownHeader = Convert.FromHexString("45000073000040004011B861C0A80001C0A800C7");

    [Fact]
    public void Known_ipv4_header_vector()
    {
        var header = Convert.FromHexString("4500007300004000401100" + "00C0A80001C0A800C7");
        Assert.Equal(0xB861, Ipv4Checksum.ComputeHeader(header));
        Assert.Equal(0xB861, Ipv4Checksum.Compute(header));
        Assert.False(Ipv4Checksum.VerifyHeader(header));
        Assert.True(Ipv4Checksum.VerifyHeader(KnownHeader));
        Assert.Equal(0xB861, Ipv4Checksum.ComputeHeader(KnownHeader)); // the field itself is skipped
    }

    [Fact]
    public void Second_known_ipv4_header_vector()
    {
        // 172.16.10.99 -> 172.16.10.12, TCP, id 0x1c46, DF: checksum 0xB1E6.
        var header = Convert.FromHexString("4500003C1C4640004006B1E6AC100A63AC100A0C");
        Assert.True(Ipv4Checksum.VerifyHeader(header));
        Assert.Equal(0xB1E6, Ipv4Checksum.ComputeHeader(header));
    }

    [Fact]
    public void Rfc1071_example_sum()
    {
        // RFC 1071 section 3: words 0001 f203 f4f5 f6f7 sum to ddf2 (one's complement), checksum 220d.
        var data = Convert.FromHexString("0001F203F4F5F6F7");
        Assert.Equal(0xDDF2, Ipv4Checksum.Fold(Ipv4Checksum.Add(0, data)));
        Assert.Equal(0x220D, Ipv4Checksum.Compute(data));
    }

    [Fact]
    public void Odd_length_is_padded_with_a_zero_byte()
    {
        Assert.Equal(Ipv4Checksum.Compute([0x12, 0x34, 0x56, 0x00]), Ipv4Checksum.Compute([0x12, 0x34, 0x56]));
    }

    [Fact]
    public void Update_header_writes_a_verifying_checksum()
    {
        var header = Convert.FromHexString("4500003C1C464000400600" + "00AC100A63AC100A0C");
        Ipv4Checksum.UpdateHeader(header);
        Assert.Equal(0xB1, header[10]);
        Assert.Equal(0xE6, header[11]);
    }

    [Fact]
    public void Header_builder_produces_the_known_vector()
    {
        var fields = new Ipv4Fields(Ipv4Address.Parse("192.168.0.1"), Ipv4Address.Parse("192.168.0.199"), Ipv4Header.ProtocolUdp) { Ttl = 64, DontFragment = true };
        var header = new byte[20];
        Ipv4Header.Write(header, fields, 0x73);
        Assert.Equal(KnownHeader, header);
    }

    [Fact]
    public void Transport_checksums_verify_and_detect_corruption()
    {
        var src = Ipv4Address.Parse("10.0.1.10");
        var dst = Ipv4Address.Parse("10.0.1.20");
        var udp = UdpHeader.Build(src, dst, 1234, 53, [1, 2, 3, 4, 5]);
        Assert.True(Ipv4Checksum.VerifyTransport(src, dst, Ipv4Header.ProtocolUdp, udp));
        var tcp = TcpHeader.Build(src, dst, 40000, 80, 0x01020304, 0, TcpControl.Syn, []);
        Assert.True(Ipv4Checksum.VerifyTransport(src, dst, Ipv4Header.ProtocolTcp, tcp));
        tcp[4] ^= 1;
        Assert.False(Ipv4Checksum.VerifyTransport(src, dst, Ipv4Header.ProtocolTcp, tcp));
        Assert.False(Ipv4Checksum.VerifyTransport(src, dst + 1, Ipv4Header.ProtocolUdp, udp));
    }

    [Fact]
    public void Known_udp_checksum_vector()
    {
        // 192.168.0.1:1024 -> 192.168.0.199:53, payload "abc": checked independently with tshark.
        var udp = UdpHeader.Build(Ipv4Address.Parse("192.168.0.1"), Ipv4Address.Parse("192.168.0.199"), 1024, 53, "abc"u8);
        Assert.Equal(Convert.FromHexString(KnownUdpHex), udp);
    }

    [Fact]
    public void Known_tcp_syn_checksum_vector()
    {
        var tcp = TcpHeader.Build(Ipv4Address.Parse("10.0.0.1"), Ipv4Address.Parse("10.0.0.2"), 12345, 80, 1000, 0, TcpControl.Syn, [], window: 29200);
        Assert.Equal(Convert.FromHexString(KnownTcpHex), tcp);
    }

    // Computed by an independent implementation and confirmed "[correct]" by tshark.
    private const string KnownUdpHex = "04000035000BB527616263";
    private const string KnownTcpHex = "30390050000003E80000000050027210F55E0000";
}
