using System.Globalization;
using System.IO.Hashing;
using NitroCard.Card.Hashing;
using NitroCard.Packets;

namespace NitroCard.Card.Tests;

public class CardHashTests
{
    public static TheoryData<string, string, uint, uint> Vectors()
    {
        var data = new TheoryData<string, string, uint, uint>();
        foreach (var line in File.ReadLines(RepoPaths.File("hw/vectors/hash_vectors.txt")))
        {
            if (line.StartsWith('#') || line.Length == 0)
                continue;
            var f = line.Split(' ');
            data.Add(f[0], f[1], uint.Parse(f[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture), uint.Parse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }
        return data;
    }

    [Fact]
    public void Check_values_of_the_standard_crcs()
    {
        Assert.Equal(0xE306_9283u, Crc32C.HashToUInt32("123456789"u8));
        Assert.Equal(0xCBF4_3926u, Crc32.HashToUInt32("123456789"u8));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Driver_hashes_match_the_shared_vectors(string kind, string keyHex, uint crc32c, uint crc32)
    {
        var key = Convert.FromHexString(keyHex);
        Assert.Equal(kind == "map" ? 7 : 13, key.Length);
        Assert.Equal(crc32c, Crc32C.HashToUInt32(key));
        Assert.Equal(crc32, Crc32.HashToUInt32(key));
    }

    [Fact]
    public void Mapping_keys_are_vni_then_ip_big_endian_and_each_way_has_its_crc()
    {
        Span<byte> key = stackalloc byte[7];
        CardHash.WriteMappingKey(key, 0x0003E9, 0x0A00_010A);
        Assert.Equal("0003E90A00010A", Convert.ToHexString(key));
        Assert.Equal((int)(Crc32C.HashToUInt32(key) & 0x7FFF), CardHash.MappingBucket(0, 0x3E9, 0x0A00_010A, 1 << 15));
        Assert.Equal((int)(Crc32.HashToUInt32(key) & 0x7FFF), CardHash.MappingBucket(1, 0x3E9, 0x0A00_010A, 1 << 15));
    }

    [Fact]
    public void A_flow_and_its_reply_share_a_tracking_bucket()
    {
        const int buckets = 1 << 18;
        var forward = CardHash.ConntrackBucket(6, 0x0A00_010A, 0x0A00_0214, 40000, 443, buckets);
        var reply = CardHash.ConntrackBucket(6, 0x0A00_0214, 0x0A00_010A, 443, 40000, buckets);
        Assert.Equal(forward, reply);
        Assert.InRange(forward, 0, buckets - 1);
        // The key is protocol, low IP, high IP, low port, high port (docs/card-filtering.md, "Flow key").
        var flow = Convert.FromHexString("060A00010A0A00021401BB9C40");
        Assert.Equal((int)(Crc32C.HashToUInt32(flow) & (buckets - 1)), forward);
        Assert.NotEqual(forward, CardHash.ConntrackBucket(17, 0x0A00_010A, 0x0A00_0214, 40000, 443, buckets));
    }
}
