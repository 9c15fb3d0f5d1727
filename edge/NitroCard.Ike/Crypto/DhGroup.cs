using System.Numerics;
using System.Security.Cryptography;

namespace NitroCard.Ike.Crypto;

/// <summary>
/// One ephemeral Diffie-Hellman key pair of an IKE group: ECP groups 19/20/21 (RFC 5903, public value x‖y) through
/// the BCL's ECDiffieHellman, MODP groups 2 and 14–18 (RFC 2409, RFC 3526) and 22–24 (RFC 5114, prime-order
/// subgroups) with BigInteger.ModPow.
/// </summary>
public abstract class DhGroup : IDisposable
{
    /// <summary>The groups implemented here, strongest first (the order the default proposals use).</summary>
    public static IReadOnlyList<ushort> Supported { get; } = [21, 20, 19, 18, 17, 16, 15, 24, 14, 23, 22, 2];

    protected DhGroup(ushort id) => Id = id;

    /// <summary>The IANA Transform Type 4 number.</summary>
    public ushort Id { get; }

    /// <summary>Length of a KE payload's data for this group.</summary>
    public abstract int PublicLength { get; }

    /// <summary>Our public value as carried in KE.</summary>
    public abstract byte[] PublicValue { get; }

    public static bool IsSupported(ushort id) => Supported.Contains(id);

    /// <summary>A fresh key pair for group <paramref name="id"/>.</summary>
    public static DhGroup Create(ushort id) => id switch
    {
        19 or 20 or 21 => new EcpGroup(id, null),
        2 or 14 or 15 or 16 or 17 or 18 or 22 or 23 or 24 => new ModpGroup(id, null),
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "unsupported Diffie-Hellman group"),
    };

    /// <summary>g^ir from the peer's public value, or null when the value is malformed or not in the group (never throws).</summary>
    public abstract byte[]? TryComputeShared(ReadOnlySpan<byte> peerPublic);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>ECP groups (RFC 5903): 19 = P-256, 20 = P-384, 21 = P-521; KE data is x ‖ y, the shared secret is x.</summary>
internal sealed class EcpGroup : DhGroup
{
    private readonly ECDiffieHellman _key;
    private readonly ECCurve _curve;

    /// <summary>A key pair; <paramref name="privateKey"/> fixes the private scalar (test vectors only).</summary>
    public EcpGroup(ushort id, byte[]? privateKey) : base(id)
    {
        (_curve, CoordinateLength) = id switch
        {
            19 => (ECCurve.NamedCurves.nistP256, 32),
            20 => (ECCurve.NamedCurves.nistP384, 48),
            21 => (ECCurve.NamedCurves.nistP521, 66),
            _ => throw new ArgumentOutOfRangeException(nameof(id)),
        };
        if (privateKey is null)
        {
            _key = ECDiffieHellman.Create(_curve);
        }
        else
        {
            _key = ECDiffieHellman.Create();
            _key.ImportParameters(new ECParameters { Curve = _curve, D = privateKey });
        }
        var q = _key.ExportParameters(false).Q;
        PublicValue = [.. Pad(q.X!), .. Pad(q.Y!)];
    }

    public int CoordinateLength { get; }

    public override int PublicLength => 2 * CoordinateLength;

    public override byte[] PublicValue { get; }

    private byte[] Pad(byte[] v) => v.Length == CoordinateLength ? v : [.. new byte[CoordinateLength - v.Length], .. v];

    public override byte[]? TryComputeShared(ReadOnlySpan<byte> peerPublic)
    {
        if (peerPublic.Length != PublicLength)
            return null;
        try
        {
            using var peer = ECDiffieHellman.Create(new ECParameters
            {
                Curve = _curve,
                Q = new ECPoint { X = peerPublic[..CoordinateLength].ToArray(), Y = peerPublic[CoordinateLength..].ToArray() },
            });
            return Pad(_key.DeriveRawSecretAgreement(peer.PublicKey));
        }
        catch (CryptographicException)
        {
            return null; // not a point on the curve
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _key.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// MODP groups. 2 (RFC 2409 §6.2, 1024 bits) and 14–18 (RFC 3526, 2048–8192 bits) are safe primes with generator 2,
/// computed from their definition p = 2^n − 2^(n−64) − 1 + 2^64·(⌊2^(n−130)·π⌋ + k), so no constant is typed by hand;
/// tests check the published first and last words. 22–24 (RFC 5114 §2.1–2.3) are not safe primes: their generator
/// spans a subgroup of prime order q, so a peer's value must also satisfy y^q ≡ 1 (RFC 6989 §2.2), else a value in a
/// small subgroup would leak bits of our exponent. Their constants are the RFC's; tests check that p and q are prime,
/// q divides p − 1 and g has order q, which a mistyped digit would break.
/// </summary>
internal sealed class ModpGroup : DhGroup
{
    private static readonly Dictionary<ushort, ModpParameters> s_parameters = [];
    private static readonly Lock s_lock = new();

    private readonly BigInteger _private;

    public ModpGroup(ushort id, byte[]? privateExponent) : base(id)
    {
        Parameters = ParametersOf(id);
        PublicLength = (int)((Prime.GetBitLength() + 7) / 8);
        // Safe primes: a 512-bit exponent, at least twice the strength of the largest group here (RFC 3526 §8).
        // RFC 5114 groups: an exponent in [1, q − 1] (§2), which is all the subgroup holds.
        BigInteger x;
        if (Parameters.Order is { } q)
        {
            x = privateExponent is null ? RandomBelow(q) : new BigInteger(privateExponent, isUnsigned: true, isBigEndian: true) % q;
        }
        else
        {
            x = new BigInteger(privateExponent ?? RandomNumberGenerator.GetBytes(64), isUnsigned: true, isBigEndian: true);
        }
        _private = x;
        PublicValue = ToFixed(BigInteger.ModPow(Parameters.Generator, _private, Prime));
    }

    public ModpParameters Parameters { get; }

    public BigInteger Prime => Parameters.Prime;

    public override int PublicLength { get; }

    public override byte[] PublicValue { get; }

    private byte[] ToFixed(BigInteger v)
    {
        var bytes = v.ToByteArray(isUnsigned: true, isBigEndian: true);
        return bytes.Length == PublicLength ? bytes : [.. new byte[PublicLength - bytes.Length], .. bytes];
    }

    public override byte[]? TryComputeShared(ReadOnlySpan<byte> peerPublic)
    {
        if (peerPublic.Length != PublicLength)
            return null;
        var y = new BigInteger(peerPublic, isUnsigned: true, isBigEndian: true);
        if (y <= 1 || y >= Prime - 1)
            return null; // RFC 6989 §2.1: reject 0, 1, p-1 and out-of-range values
        if (Parameters.Order is { } q && !BigInteger.ModPow(y, q, Prime).IsOne)
            return null; // RFC 6989 §2.2: not in the prime-order subgroup
        return ToFixed(BigInteger.ModPow(y, _private, Prime));
    }

    /// <summary>A uniform value in [1, q − 1].</summary>
    private static BigInteger RandomBelow(BigInteger q)
    {
        var bytes = new byte[(q.GetBitLength() + 7) / 8];
        var excess = (int)((bytes.Length * 8) - q.GetBitLength());
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            bytes[0] &= (byte)(0xFF >> excess);
            var x = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
            if (x > 0 && x < q)
                return x;
        }
    }

    /// <summary>The group's prime (cached after the first computation).</summary>
    public static BigInteger PrimeOf(ushort id) => ParametersOf(id).Prime;

    /// <summary>The group's prime, generator and, for RFC 5114 groups, subgroup order (cached).</summary>
    public static ModpParameters ParametersOf(ushort id)
    {
        lock (s_lock)
        {
            if (s_parameters.TryGetValue(id, out var cached))
                return cached;
            var parameters = id switch
            {
                2 => SafePrime(1024, 129093),
                14 => SafePrime(2048, 124476),
                15 => SafePrime(3072, 1690314),
                16 => SafePrime(4096, 240904),
                17 => SafePrime(6144, 929484),
                18 => SafePrime(8192, 4743158),
                22 => Rfc5114.Modp1024S160,
                23 => Rfc5114.Modp2048S224,
                24 => Rfc5114.Modp2048S256,
                _ => throw new ArgumentOutOfRangeException(nameof(id)),
            };
            s_parameters[id] = parameters;
            return parameters;
        }
    }

    private static ModpParameters SafePrime(int bits, int k)
        => new(BigInteger.Pow(2, bits) - BigInteger.Pow(2, bits - 64) - 1 + (BigInteger.Pow(2, 64) * (PiScaled(bits - 130) + k)), 2, null);
    /// <summary>⌊π·2^bits⌋ by Machin's formula π = 16·atan(1/5) − 4·atan(1/239), with 64 guard bits.</summary>
    private static BigInteger PiScaled(int bits)
    {
        var precision = bits + 64;
        var pi = (16 * ArctanInverse(5, precision)) - (4 * ArctanInverse(239, precision));
        return pi >> 64;
    }

    private static BigInteger ArctanInverse(int x, int precision)
    {
        var total = BigInteger.Zero;
        var term = (BigInteger.One << precision) / x;
        var x2 = x * x;
        for (var n = 1; !term.IsZero; n += 2)
        {
            total += (n / 2 % 2 == 0 ? term : -term) / n;
            term /= x2;
        }
        return total;
    }
}

/// <summary>A MODP group: p, g and, when g spans a prime-order subgroup rather than half the group, its order q.</summary>
internal sealed record ModpParameters(BigInteger Prime, BigInteger Generator, BigInteger? Order);
