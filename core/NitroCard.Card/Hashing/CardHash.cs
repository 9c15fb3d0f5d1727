using System.Buffers.Binary;
using System.Numerics;

namespace NitroCard.Card.Hashing;

/// <summary>
/// The card's hash functions, specified once in docs/card-semantics.md ("Hash functions") and
/// checked against the RTL through the shared vectors in hw/vectors/hash_vectors.txt.
/// </summary>
public static class CardHash
{
    private static readonly uint[] Crc32Table = BuildCrc32Table();

    /// <summary>Standard CRC-32C (Castagnoli): crc32c("123456789") = 0xE3069283.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFF_FFFFu;
        foreach (var b in data)
            crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }

    /// <summary>Standard IEEE CRC-32: crc32("123456789") = 0xCBF43926.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFF_FFFFu;
        foreach (var b in data)
            crc = Crc32Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    /// <summary>The 7-byte mapping key: VNI (3 bytes) then IPv4, big-endian.</summary>
    public static void WriteMappingKey(Span<byte> key, uint vni, uint ip)
    {
        key[0] = (byte)(vni >> 16);
        key[1] = (byte)(vni >> 8);
        key[2] = (byte)vni;
        BinaryPrimitives.WriteUInt32BigEndian(key[3..], ip);
    }

    /// <summary>The bucket of a mapping key in a way (0 or 1) of <paramref name="wayDepth"/> buckets (a power of two).</summary>
    public static int MappingBucket(int way, uint vni, uint ip, int wayDepth)
    {
        Span<byte> key = stackalloc byte[7];
        WriteMappingKey(key, vni, ip);
        var hash = way == 0 ? Crc32C(key) : Crc32(key);
        return (int)(hash & (uint)(wayDepth - 1));
    }

    /// <summary>
    /// The outer UDP source port for an inner IPv4 flow: 49152 + (crc32c(src, dst, proto, sport, dport) &amp; 0x3FFF).
    /// Pass zero ports for protocols other than TCP/UDP and for fragments.
    /// </summary>
    public static ushort FlowSourcePort(uint src, uint dst, byte protocol, ushort sourcePort, ushort destinationPort)
    {
        Span<byte> tuple = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(tuple, src);
        BinaryPrimitives.WriteUInt32BigEndian(tuple[4..], dst);
        tuple[8] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(tuple[9..], sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tuple[11..], destinationPort);
        return (ushort)(49152 + (Crc32C(tuple) & 0x3FFF));
    }

    /// <summary>
    /// The tracking bucket of a flow (docs/card-filtering.md, "Flow key"): crc32c of 13 bytes, big-endian —
    /// protocol, the lower and the higher of the two IPs, the lower and the higher of the two ports — mod
    /// <paramref name="buckets"/> (a power of two). Ordering the ends leaves out the slot and the direction, so the
    /// sender's and the receiver's entries of a frame between two ENIs of one card share a bucket (one read).
    /// </summary>
    public static int ConntrackBucket(byte protocol, uint localIp, uint remoteIp, ushort localPort, ushort remotePort, int buckets)
    {
        Span<byte> flow = stackalloc byte[13];
        flow[0] = protocol;
        BinaryPrimitives.WriteUInt32BigEndian(flow[1..], Math.Min(localIp, remoteIp));
        BinaryPrimitives.WriteUInt32BigEndian(flow[5..], Math.Max(localIp, remoteIp));
        BinaryPrimitives.WriteUInt16BigEndian(flow[9..], Math.Min(localPort, remotePort));
        BinaryPrimitives.WriteUInt16BigEndian(flow[11..], Math.Max(localPort, remotePort));
        return (int)(Crc32C(flow) & (uint)(buckets - 1));
    }

    private static uint[] BuildCrc32Table()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB8_8320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
