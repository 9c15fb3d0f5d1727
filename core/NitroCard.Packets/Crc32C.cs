using System.Numerics;

namespace NitroCard.Packets;

/// <summary>
/// CRC-32C (Castagnoli), the repository's one implementation: the card's flow hash, conntrack buckets and mapping
/// way 0 (docs/card-semantics.md, "Hash functions"). <see cref="BitOperations.Crc32C(uint, byte)"/> uses the CPU's
/// CRC32 instruction where there is one (System.IO.Hashing has CRC-32 and CRC-64 only). Byte at a time: the keys are
/// 7 and 13 bytes.
/// </summary>
public static class Crc32C
{
    /// <summary>Standard CRC-32C of <paramref name="data"/>: crc32c("123456789") = 0xE3069283.</summary>
    public static uint HashToUInt32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFF_FFFFu;
        foreach (var b in data)
            crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
