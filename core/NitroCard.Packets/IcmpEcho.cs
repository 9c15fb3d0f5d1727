using System.Buffers.Binary;

namespace NitroCard.Packets;

/// <summary>ICMP echo request/reply (RFC 792) accessors and builder; spans start at the ICMP header.</summary>
public static class IcmpEcho
{
    public const int HeaderLength = 8;
    public const byte TypeEchoReply = 0;
    public const byte TypeEchoRequest = 8;

    public static byte Type(ReadOnlySpan<byte> icmp) => icmp[0];

    public static byte Code(ReadOnlySpan<byte> icmp) => icmp[1];

    public static ushort Identifier(ReadOnlySpan<byte> icmp) => BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]);

    public static ushort SequenceNumber(ReadOnlySpan<byte> icmp) => BinaryPrimitives.ReadUInt16BigEndian(icmp[6..]);

    /// <summary>An echo request (or reply) message with a correct ICMP checksum.</summary>
    public static byte[] Build(ushort identifier, ushort sequence, ReadOnlySpan<byte> payload, bool reply = false)
    {
        var message = new byte[HeaderLength + payload.Length];
        message[0] = reply ? TypeEchoReply : TypeEchoRequest;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), sequence);
        payload.CopyTo(message.AsSpan(HeaderLength));
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), Ipv4Checksum.Compute(message));
        return message;
    }
}
