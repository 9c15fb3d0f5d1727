using System.Buffers.Binary;
using NitroCard.Ike;
using NitroCard.Ike.Crypto;
using NitroCard.Ike.Wire;

namespace NitroCard.Fuzz.Targets;

/// <summary>
/// IKEv2 messages as the edge's IKE ports receive them. The first input byte chooses the path: even, the rest is a UDP
/// payload (on port 4500 when bit 1 is set: the non-ESP marker is stripped first) given to
/// <see cref="IkeMessage.TryParse"/>, and a message that parses is encoded again; odd, the rest is the plaintext payload
/// chain of an SK payload (its first byte the first inner payload type), sealed here with a fixed AES-GCM key so that
/// <see cref="IkeMessage.TryDecrypt"/> reaches the inner chain a fuzzer could not forge. Refusal: a
/// <see cref="ParseStatus"/> other than Ok.
/// </summary>
public static class IkeTarget
{
    /// <summary>AES-256-GCM key and salt of the SK payloads (a fixed test key).</summary>
    private static readonly byte[] SkKey = [.. Enumerable.Range(0, 36).Select(i => (byte)i)];

    public static FuzzTarget Target { get; } = new(
        "ike",
        "IKEv2 (RFC 7296) datagrams on UDP 500/4500: NatTraversal.StripMarker, IkeMessage.TryParse, TryDecrypt (inner chain), Encode; refusal: ParseStatus",
        Run,
        _ => false,
        [0, .. new byte[16], 33, 0x10, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 28])
    {
        Instrument = ["NitroCard.Ike.dll"],
    };

    private static Outcome Run(byte[] input)
    {
        if (input.Length == 0)
            return Outcome.Rejected;
        if ((input[0] & 1) == 0)
        {
            ReadOnlyMemory<byte> datagram = input.AsMemory(1);
            if ((input[0] & 2) != 0)
            {
                datagram = NatTraversal.StripMarker(datagram);
                if (datagram.IsEmpty)
                    return Outcome.Rejected;
            }
            if (IkeMessage.TryParse(datagram, out var message) != ParseStatus.Ok)
                return Outcome.Rejected;
            if (!message!.Payloads.Any(p => p is EncryptedPayload))
                message.Encode();
            return Outcome.Accepted;
        }
        if (input.Length < 2)
            return Outcome.Rejected;
        using var cipher = SkCipher.Create(EncryptionId.AesGcm16, IntegrityId.None, SkKey, []);
        var sealedMessage = Seal(cipher, (PayloadType)input[1], input.AsSpan(2));
        if (IkeMessage.TryParse(sealedMessage, out var outer) != ParseStatus.Ok)
            return Outcome.Rejected;
        if (IkeMessage.TryDecrypt(sealedMessage, outer!, cipher, out var inner) != ParseStatus.Ok)
            return Outcome.Rejected;
        inner!.Encode(cipher);
        return Outcome.Accepted;
    }

    /// <summary>An IKE_AUTH request whose one SK payload holds <paramref name="chain"/> (first inner type <paramref name="first"/>).</summary>
    private static byte[] Seal(SkCipher cipher, PayloadType first, ReadOnlySpan<byte> chain)
    {
        var chainLength = Math.Min(chain.Length, IkeMessage.MaxLength - 200);
        chain = chain[..chainLength];
        var body = cipher.SealedLength(chain.Length);
        var message = new byte[IkeMessage.HeaderLength + IkeMessage.PayloadHeaderLength + body];
        BinaryPrimitives.WriteUInt64BigEndian(message, 0x0102030405060708);
        BinaryPrimitives.WriteUInt64BigEndian(message.AsSpan(8), 0x1112131415161718);
        message[16] = (byte)PayloadType.Encrypted;
        message[17] = 0x20;
        message[18] = (byte)ExchangeType.IkeAuth;
        message[19] = (byte)HeaderBits.Initiator;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(24), (uint)message.Length);
        message[IkeMessage.HeaderLength] = (byte)first;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(IkeMessage.HeaderLength + 2), (ushort)(IkeMessage.PayloadHeaderLength + body));
        cipher.Seal(message, IkeMessage.HeaderLength + IkeMessage.PayloadHeaderLength, chain);
        return message;
    }
}
