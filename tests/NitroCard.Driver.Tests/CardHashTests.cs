using System.Globalization;
using System.IO.Hashing;
using NitroCard.Card.Hashing;
using NitroCard.Packets;

namespace NitroCard.Driver.Tests;

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
    public void Mapping_buckets_and_flow_ports_follow_the_spec()
    {
        Span<byte> key = stackalloc byte[7];
        CardHash.WriteMappingKey(key, 0x0003E9, 0x0A00_010A);
        Assert.Equal("0003E90A00010A", Convert.ToHexString(key));
        Assert.Equal((int)(Crc32.HashToUInt32(key) & 0x7FFF), CardHash.MappingBucket(1, 0x3E9, 0x0A00_010A, 1 << 15));
        var port = FlowHash.SourcePort(new FlowTuple(1, 2, 6, 3, 4));
        Assert.InRange(port, 49152, 65535);
    }
}
