using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace NitroCard.Packets;

/// <summary>Conversions between <see cref="IPAddress"/> and the 32-bit numbers (first octet most significant) the header accessors use.</summary>
public static class Ipv4Address
{
    public static uint ToUInt32(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"'{address}' is not an IPv4 address", nameof(address));
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    public static IPAddress FromUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    /// <summary>The network mask of a prefix length (0..32) as a number.</summary>
    public static uint Mask(int prefixLength) => prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);

    /// <summary>Parses dotted-quad text such as "10.0.1.10".</summary>
    public static uint Parse(string text) => ToUInt32(IPAddress.Parse(text));
}
