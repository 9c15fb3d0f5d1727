using System.Security.Cryptography;
using NitroCard.Ike.Wire;

namespace NitroCard.Ike.Crypto;

/// <summary>The negotiated PRF (HMAC-SHA2, RFC 4868 §2) and prf+ (RFC 7296 §2.13).</summary>
public sealed class Prf
{
    public Prf(PrfId id)
    {
        Id = id;
        OutputLength = id switch
        {
            PrfId.HmacSha256 => 32,
            PrfId.HmacSha384 => 48,
            PrfId.HmacSha512 => 64,
            _ => throw new ArgumentOutOfRangeException(nameof(id), id, "unsupported PRF"),
        };
    }

    public PrfId Id { get; }

    /// <summary>Output length, also the preferred key length (SK_d, SK_pi, SK_pr; RFC 7296 §2.13).</summary>
    public int OutputLength { get; }

    /// <summary>True for the PRFs implemented here.</summary>
    public static bool IsSupported(ushort id) => id is (ushort)PrfId.HmacSha256 or (ushort)PrfId.HmacSha384 or (ushort)PrfId.HmacSha512;

    /// <summary>prf(key, data).</summary>
    public byte[] Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => Id switch
    {
        PrfId.HmacSha256 => HMACSHA256.HashData(key, data),
        PrfId.HmacSha384 => HMACSHA384.HashData(key, data),
        _ => HMACSHA512.HashData(key, data),
    };

    /// <summary>
    /// prf+(K, S) = T1 | T2 | ... with T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), truncated to
    /// <paramref name="length"/> bytes; at most 255 blocks (§2.13).
    /// </summary>
    public byte[] PrfPlus(ReadOnlySpan<byte> key, ReadOnlySpan<byte> seed, int length)
    {
        if (length < 0 || length > 255 * OutputLength)
            throw new ArgumentOutOfRangeException(nameof(length), length, "prf+ yields at most 255 blocks");
        var output = new byte[length];
        var input = new byte[OutputLength + seed.Length + 1];
        byte[] previous = [];
        var written = 0;
        for (var n = 1; written < length; n++)
        {
            previous.CopyTo(input, 0);
            seed.CopyTo(input.AsSpan(previous.Length));
            input[previous.Length + seed.Length] = (byte)n;
            previous = Compute(key, input.AsSpan(0, previous.Length + seed.Length + 1));
            var take = Math.Min(previous.Length, length - written);
            previous.AsSpan(0, take).CopyTo(output.AsSpan(written));
            written += take;
        }
        return output;
    }
}
