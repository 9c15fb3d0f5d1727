using System.Buffers.Binary;
using System.IO.Hashing;
using NitroCard.Packets;

namespace NitroCard.Card.Hashing;

/// <summary>
/// The card's hash functions, specified once in docs/card-semantics.md ("Hash functions") and
/// checked against the RTL through the shared vectors in hw/vectors/hash_vectors.txt. CRC-32C is
/// <see cref="Crc32C"/> (the flow source port is <see cref="FlowHash"/>), IEEE CRC-32 is System.IO.Hashing's.
/// </summary>
public static class CardHash
{
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
        var hash = way == 0 ? Crc32C.HashToUInt32(key) : Crc32.HashToUInt32(key);
        return (int)(hash & (uint)(wayDepth - 1));
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
        return (int)(Crc32C.HashToUInt32(flow) & (uint)(buckets - 1));
    }
}
