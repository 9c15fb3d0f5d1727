using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace NitroCard.Ike.Crypto;

/// <summary>The seven IKE SA keys (RFC 7296 §2.14).</summary>
public sealed record IkeSaKeys(byte[] SkD, byte[] SkAi, byte[] SkAr, byte[] SkEi, byte[] SkEr, byte[] SkPi, byte[] SkPr);

/// <summary>Key derivation and authentication computations of RFC 7296.</summary>
public static class KeyDerivation
{
    private static readonly byte[] s_keyPad = Encoding.ASCII.GetBytes("Key Pad for IKEv2");

    /// <summary>SKEYSEED = prf(Ni | Nr, g^ir) (§2.14).</summary>
    public static byte[] Skeyseed(Prf prf, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, ReadOnlySpan<byte> sharedSecret)
    {
        ArgumentNullException.ThrowIfNull(prf);
        return prf.Compute([.. ni, .. nr], sharedSecret);
    }

    /// <summary>SKEYSEED of a rekeyed IKE SA = prf(SK_d (old), g^ir (new) | Ni | Nr) (§2.18), with the old SA's PRF.</summary>
    public static byte[] RekeySkeyseed(Prf oldPrf, ReadOnlySpan<byte> oldSkD, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr)
    {
        ArgumentNullException.ThrowIfNull(oldPrf);
        return oldPrf.Compute(oldSkD, [.. sharedSecret, .. ni, .. nr]);
    }

    /// <summary>{SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) (§2.14).</summary>
    public static IkeSaKeys DeriveIkeKeys(IkeSuite suite, ReadOnlySpan<byte> skeyseed, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, ulong spiI, ulong spiR)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var prf = new Prf(suite.Prf);
        Span<byte> spis = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(spis, spiI);
        BinaryPrimitives.WriteUInt64BigEndian(spis[8..], spiR);
        var p = prf.OutputLength;
        var a = suite.IntegrityKeyLength;
        var e = suite.EncryptionKeyLength;
        var all = prf.PrfPlus(skeyseed, [.. ni, .. nr, .. spis], p + a + a + e + e + p + p);
        var at = 0;
        byte[] Next(int n)
        {
            var r = all.AsSpan(at, n).ToArray();
            at += n;
            return r;
        }
        return new IkeSaKeys(Next(p), Next(a), Next(a), Next(e), Next(e), Next(p), Next(p));
    }

    /// <summary>
    /// KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) (§2.17), split as initiator→responder encryption, integrity, then
    /// responder→initiator encryption, integrity (initiator = of the exchange that created the child SA).
    /// </summary>
    public static (byte[] EncrIr, byte[] IntegIr, byte[] EncrRi, byte[] IntegRi) DeriveChildKeys(
        Prf prf, ReadOnlySpan<byte> skD, ChildSuite suite, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr)
    {
        ArgumentNullException.ThrowIfNull(prf);
        ArgumentNullException.ThrowIfNull(suite);
        var e = suite.EncryptionKeyLength;
        var a = suite.IntegrityKeyLength;
        var keymat = prf.PrfPlus(skD, [.. sharedSecret, .. ni, .. nr], (2 * e) + (2 * a));
        return (keymat[..e], keymat[e..(e + a)], keymat[(e + a)..(e + a + e)], keymat[(e + a + e)..]);
    }

    /// <summary>
    /// AUTH for a shared key (§2.15): prf(prf(Shared Secret, "Key Pad for IKEv2"), RealMessage | peer's nonce |
    /// prf(SK_p, RestOfIDPayload)), where RestOfIDPayload is the ID payload body (type, reserved, data).
    /// </summary>
    public static byte[] PskAuth(Prf prf, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> realMessage, ReadOnlySpan<byte> peerNonce, ReadOnlySpan<byte> skP, ReadOnlySpan<byte> idBody)
    {
        ArgumentNullException.ThrowIfNull(prf);
        var macedId = prf.Compute(skP, idBody);
        var key = prf.Compute(psk, s_keyPad);
        return prf.Compute(key, [.. realMessage, .. peerNonce, .. macedId]);
    }

    /// <summary>NAT_DETECTION_*_IP data: SHA-1(SPIi | SPIr | IP | port) (§2.23).</summary>
    public static byte[] NatDetectionHash(ulong spiI, ulong spiR, IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var address = endpoint.Address.GetAddressBytes();
        var data = new byte[16 + address.Length + 2];
        BinaryPrimitives.WriteUInt64BigEndian(data, spiI);
        BinaryPrimitives.WriteUInt64BigEndian(data.AsSpan(8), spiR);
        address.CopyTo(data, 16);
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(16 + address.Length), (ushort)endpoint.Port);
#pragma warning disable CA5350 // SHA-1 is what RFC 7296 §2.23 specifies for NAT detection; it is not a security property here
        return SHA1.HashData(data);
#pragma warning restore CA5350
    }
}
