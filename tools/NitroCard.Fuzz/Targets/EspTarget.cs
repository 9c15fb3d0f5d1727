using System.Buffers.Binary;
using System.Security.Cryptography;
using NitroCard.Edge.Vpn;
using NitroCard.Ike;

namespace NitroCard.Fuzz.Targets;

/// <summary>
/// Inbound ESP as the edge's VPN port sees it: UDP 4500 payloads (<see cref="NatTraversal.Classify"/>) and
/// <see cref="EspSecurityAssociation.Decrypt"/> on one SA, packet after packet (the anti-replay window moves). A
/// fuzzer cannot forge an AES-GCM tag, so a packet can also be sealed here with the SA's own key: the input then
/// chooses the plaintext — inner packet, padding and trailer — and reaches the code behind the ICV.
/// </summary>
/// <remarks>
/// The input is a sequence of records: a flags byte (bit 0: sealed), a 16-bit length, then that many bytes: a UDP 4500
/// payload, or for a sealed record a 32-bit sequence number and the plaintext. Refusal: a status other than
/// <see cref="EspRejection.None"/> (<see cref="EspSecurityAssociation.Decrypt"/> documents no exception).
/// </remarks>
public static class EspTarget
{
    public const uint Spi = 0x0000_1001;

    /// <summary>The SA's AES-128 key and salt (a fixed test key).</summary>
    public static readonly byte[] KeyWithSalt = Convert.FromHexString("000102030405060708090a0b0c0d0e0f10111213");

    public static FuzzTarget Target { get; } = new(
        "esp",
        "ESP (RFC 4303, AES-GCM RFC 4106) in UDP 4500: NatTraversal.Classify, EspSecurityAssociation.Decrypt, replay window; refusal: EspRejection",
        Run,
        _ => false,
        [0, 0, 12, 0, 0, 0x10, 0x01, 0, 0, 0, 0, 1, 2, 3, 4])
    {
        Instrument = ["NitroCard.Edge.dll", "NitroCard.Ike.dll"],
    };

    private static Outcome Run(byte[] input)
    {
        using var sa = new EspSecurityAssociation(Spi, KeyWithSalt);
        var accepted = 0;
        var refused = 0;
        var at = 0;
        while (at + 3 <= input.Length)
        {
            var sealedRecord = (input[at] & 1) != 0;
            var length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(input.AsSpan(at + 1)), input.Length - at - 3);
            var body = input.AsSpan(at + 3, length);
            at += 3 + length;
            byte[] packet;
            if (sealedRecord)
            {
                if (body.Length < 4)
                    continue;
                packet = Seal(BinaryPrimitives.ReadUInt32BigEndian(body), body[4..]);
            }
            else
            {
                if (NatTraversal.Classify(body) != Udp4500Kind.Esp)
                {
                    refused++;
                    continue;
                }
                packet = body.ToArray();
            }
            var status = sa.Decrypt(packet, out var inner, out _);
            if (status == EspRejection.None && inner.Length + 2 > packet.Length)
                throw new InvalidOperationException($"an inner packet of {inner.Length} bytes out of an ESP packet of {packet.Length}");
            if (status == EspRejection.None)
                accepted++;
            else
                refused++;
        }
        return accepted > 0 && refused == 0 ? Outcome.Accepted : Outcome.Rejected;
    }

    /// <summary>An ESP packet of this SA with sequence number <paramref name="sequence"/> whose plaintext (inner packet, padding, pad length, next header) is <paramref name="plain"/>.</summary>
    public static byte[] Seal(uint sequence, ReadOnlySpan<byte> plain)
    {
        const int header = EspSecurityAssociation.HeaderLength, iv = EspSecurityAssociation.IvLength, icv = EspSecurityAssociation.IcvLength;
        var esp = new byte[header + iv + plain.Length + icv];
        BinaryPrimitives.WriteUInt32BigEndian(esp, Spi);
        BinaryPrimitives.WriteUInt32BigEndian(esp.AsSpan(4), sequence);
        BinaryPrimitives.WriteUInt64BigEndian(esp.AsSpan(header), sequence);
        Span<byte> nonce = stackalloc byte[12];
        KeyWithSalt.AsSpan(16).CopyTo(nonce);
        esp.AsSpan(header, iv).CopyTo(nonce[4..]);
        using var aes = new AesGcm(KeyWithSalt.AsSpan(0, 16), icv);
        aes.Encrypt(nonce, plain, esp.AsSpan(header + iv, plain.Length), esp.AsSpan(esp.Length - icv), esp.AsSpan(0, header));
        return esp;
    }
}
