using System.Globalization;
using NitroCard.Edge.Vpn;
using NitroCard.Ike.Crypto;
using NitroCard.Ike.Wire;
using NitroCard.Packets;

namespace NitroCard.Edge.Tests;

/// <summary>
/// ESP with AES-CBC and HMAC-SHA2 (RFC 3602, RFC 4868), the edge's transform for a tunnel whose phase 2 lists AES128 or
/// AES256: round trips, the ICV and the replay window, and agreement with two implementations nobody here wrote —
/// tshark decrypts and authenticates what the edge sends, the edge accepts what scapy sends.
/// </summary>
public class EspCbcTests
{
    private const uint Spi = 0x0C0C_0001;
    private const string AesKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    public static TheoryData<IntegrityId, int> Integrities() => new()
    {
        { IntegrityId.HmacSha256_128, 32 },
        { IntegrityId.HmacSha384_192, 48 },
        { IntegrityId.HmacSha512_256, 64 },
    };

    private static string IntegrityKey(int length) => Convert.ToHexString([.. Enumerable.Range(0x40, length).Select(i => (byte)i)]);

    private static EspSecurityAssociation Sa(IntegrityId integrity, int keyLength, int aesBits = 256, int window = EspSecurityAssociation.ReplayWindow)
        => EspSecurityAssociation.ForChild(new ChildSuite(EncryptionId.AesCbc, (ushort)aesBits, integrity), Spi,
            Convert.FromHexString(AesKey).AsSpan(0, aesBits / 8), Convert.FromHexString(IntegrityKey(keyLength)), window);

    private static byte[] Inner(ushort seq, int payload = 11) => Ipv4Header.Build(
        new Ipv4Fields(Ipv4Address.Parse("10.0.1.10"), Ipv4Address.Parse("192.168.50.5"), Ipv4Header.ProtocolIcmp),
        IcmpEcho.Build(0x4242, seq, new byte[payload]));

    [Theory]
    [MemberData(nameof(Integrities))]
    public void Packets_round_trip_with_block_padding_a_fresh_iv_and_a_truncated_hmac(IntegrityId integrity, int keyLength)
    {
        foreach (var bits in new[] { 128, 256 })
        {
            using var tx = Sa(integrity, keyLength, bits);
            using var rx = Sa(integrity, keyLength, bits);
            for (var payload = 0; payload < 40; payload++)
            {
                var inner = Inner((ushort)(payload + 1), payload);
                var esp = tx.Encrypt(inner)!;
                Assert.Equal(0, (esp.Length - 8 - 16 - (keyLength / 2)) % 16);
                Assert.Equal(EspRejection.None, rx.Decrypt(esp, out var back, out var seq));
                Assert.Equal(inner, back);
                Assert.Equal((uint)(payload + 1), seq);
            }
            var a = tx.Encrypt(Inner(1))!;
            var b = tx.Encrypt(Inner(1))!;
            Assert.NotEqual(a.AsSpan(8, 16).ToArray(), b.AsSpan(8, 16).ToArray()); // a new IV each packet
        }
    }

    [Theory]
    [MemberData(nameof(Integrities))]
    public void Any_flipped_bit_fails_the_icv_and_leaves_the_window_alone(IntegrityId integrity, int keyLength)
    {
        using var tx = Sa(integrity, keyLength);
        using var rx = Sa(integrity, keyLength);
        var esp = tx.Encrypt(Inner(1))!;
        foreach (var at in new[] { 5, 8, 30, esp.Length - 1 })
        {
            var bad = (byte[])esp.Clone();
            bad[at] ^= 0x80;
            Assert.Equal(EspRejection.AuthenticationFailed, rx.Decrypt(bad, out _, out _));
        }
        Assert.Equal(EspRejection.Malformed, rx.Decrypt(esp.AsSpan(0, esp.Length - 1), out _, out _));
        Assert.Equal(EspRejection.None, rx.Decrypt(esp, out _, out _));
        Assert.Equal(EspRejection.Replay, rx.Decrypt(esp, out _, out _));
    }

    [Fact]
    public void Key_lengths_are_checked()
    {
        var suite = new ChildSuite(EncryptionId.AesCbc, 256, IntegrityId.HmacSha256_128);
        Assert.Throws<ArgumentException>(() => EspSecurityAssociation.ForChild(suite, Spi, new byte[24], new byte[32]));
        Assert.Throws<ArgumentException>(() => EspSecurityAssociation.ForChild(suite, Spi, new byte[32], new byte[16]));
        Assert.Throws<ArgumentOutOfRangeException>(() => EspSecurityAssociation.ForChild(suite with { Integrity = IntegrityId.None }, Spi, new byte[32], []));
    }

    [Theory]
    [MemberData(nameof(Integrities))]
    public void Tshark_decrypts_and_authenticates_the_edges_cbc_esp(IntegrityId integrity, int keyLength)
    {
        using var tx = Sa(integrity, keyLength);
        var frames = Enumerable.Range(1, 3).Select(i => new PcapRecord(i * 1000L, Frames.Ipv4(0x0242_4645_4447, 0x0200_0000_0099,
            new Ipv4Fields(Ipv4Address.Parse("198.51.100.201"), Ipv4Address.Parse("203.0.113.9"), 50), tx.Encrypt(Inner((ushort)i))!))).ToList();
        var dir = Directory.CreateTempSubdirectory("edge-cbc-");
        try
        {
            var pcap = Path.Combine(dir.FullName, "cbc.pcap");
            PcapWriter.WriteFile(pcap, frames);
            var auth = integrity switch
            {
                IntegrityId.HmacSha256_128 => "HMAC-SHA-256-128 [RFC4868]",
                IntegrityId.HmacSha384_192 => "HMAC-SHA-384-192 [RFC4868]",
                _ => "HMAC-SHA-512-256 [RFC4868]",
            };
            var sa = string.Create(CultureInfo.InvariantCulture,
                $"\"IPv4\",\"198.51.100.201\",\"203.0.113.9\",\"0x{Spi:x8}\",\"AES-CBC [RFC3602]\",\"0x{AesKey}\",\"{auth}\",\"0x{IntegrityKey(keyLength)}\"");
            var (code, stdout, stderr) = Tools.Run("tshark", "-n", "-r", pcap, "-o", "esp.enable_encryption_decode:TRUE",
                "-o", "esp.enable_authentication_check:TRUE", "-o", "uat:esp_sa:" + sa,
                "-T", "fields", "-e", "esp.sequence", "-e", "ip.dst", "-e", "icmp.ident", "-e", "icmp.seq", "-e", "esp.icv_good");
            Assert.True(code == 0, stderr);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, lines.Length);
            for (var i = 0; i < 3; i++)
            {
                var seq = (i + 1).ToString(CultureInfo.InvariantCulture);
                Assert.Equal([seq, "203.0.113.9,192.168.50.5", "16962", seq, "1"], lines[i].Split('\t'));
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(IntegrityId.HmacSha256_128, 32, "SHA2-256-128")]
    [InlineData(IntegrityId.HmacSha512_256, 64, "SHA2-512-256")]
    public void The_edge_accepts_cbc_esp_produced_by_scapy(IntegrityId integrity, int keyLength, string scapyName)
    {
        var dir = Directory.CreateTempSubdirectory("edge-scapy-cbc-");
        try
        {
            var pcap = Path.Combine(dir.FullName, "scapy.pcap");
            var (code, _, stderr) = Tools.Run("/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "scripts", "scapy_esp.py"), "encrypt",
                Spi.ToString(CultureInfo.InvariantCulture), AesKey, "203.0.113.9", "198.51.100.201", "192.168.50.5", "10.0.1.10", "3", pcap,
                scapyName, IntegrityKey(keyLength));
            Assert.True(code == 0, stderr);
            using var rx = Sa(integrity, keyLength);
            var records = PcapReader.ReadFile(pcap);
            Assert.Equal(3, records.Count);
            foreach (var record in records)
            {
                var ip = record.Data.AsSpan(EthernetHeader.Length);
                Assert.Equal(50, Ipv4Header.Protocol(ip));
                Assert.Equal(EspRejection.None, rx.Decrypt(ip[20..], out var inner, out _));
                Assert.Equal(0x5ca9, IcmpEcho.Identifier(inner.AsSpan(20)));
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
