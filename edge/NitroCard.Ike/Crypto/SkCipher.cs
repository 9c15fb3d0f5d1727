using System.Buffers.Binary;
using System.Security.Cryptography;
using NitroCard.Ike.Wire;

namespace NitroCard.Ike.Crypto;

/// <summary>
/// Protection of the SK payload (RFC 7296 §3.14) in one direction: AES-GCM with a 16-byte ICV (RFC 5282) or AES-CBC
/// with a truncated HMAC-SHA2 (RFC 4868). The SK body is IV ‖ ciphertext(payloads ‖ padding ‖ pad length) ‖ ICV.
/// </summary>
public abstract class SkCipher : IDisposable
{
    /// <summary>The SK body length for <paramref name="plainLength"/> bytes of inner payloads.</summary>
    public abstract int SealedLength(int plainLength);

    /// <summary>
    /// Fills the SK body at <paramref name="bodyOffset"/> of <paramref name="message"/>, whose header and SK payload
    /// header already carry their final lengths (they are authenticated).
    /// </summary>
    public abstract void Seal(Span<byte> message, int bodyOffset, ReadOnlySpan<byte> plain);

    /// <summary>Checks the ICV and decrypts; <paramref name="plain"/> is the inner payload chain without padding.</summary>
    public abstract bool TryOpen(ReadOnlySpan<byte> message, int bodyOffset, out byte[] plain);

    /// <summary>A cipher for the negotiated algorithms; <paramref name="encryptionKey"/> includes the GCM salt.</summary>
    public static SkCipher Create(EncryptionId encryption, IntegrityId integrity, byte[] encryptionKey, byte[] integrityKey) => encryption switch
    {
        EncryptionId.AesGcm16 => new GcmSkCipher(encryptionKey),
        EncryptionId.AesCbc => new CbcHmacSkCipher(encryptionKey, integrity, integrityKey),
        _ => throw new ArgumentOutOfRangeException(nameof(encryption)),
    };

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Strips the Encrypted payload's padding and its Pad Length octet (RFC 7296 §3.14); false when the length overruns.</summary>
    protected static bool TryRemovePadding(byte[] decrypted, out byte[] plain)
    {
        plain = [];
        if (decrypted.Length == 0 || decrypted[^1] + 1 > decrypted.Length)
            return false;
        plain = decrypted[..^(decrypted[^1] + 1)];
        return true;
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>AES-GCM-16 for IKE (RFC 5282): key ‖ 4-byte salt, 8-byte explicit IV, nonce = salt ‖ IV, AAD = header through the SK payload header.</summary>
internal sealed class GcmSkCipher : SkCipher
{
    private const int IvLength = 8;
    private const int IcvLength = 16;
    private readonly AesGcm _aes;
    private readonly byte[] _salt;
    private ulong _counter;

    public GcmSkCipher(byte[] keyWithSalt)
    {
        if (keyWithSalt.Length is not (20 or 28 or 36))
            throw new ArgumentException("AES-GCM key material is a 16/24/32-byte key and a 4-byte salt", nameof(keyWithSalt));
        _aes = new AesGcm(keyWithSalt.AsSpan(0, keyWithSalt.Length - 4), IcvLength);
        _salt = keyWithSalt[^4..];
        // A random start for the explicit IV counter: never repeats under one key (RFC 5282 §3.1 only asks uniqueness).
        _counter = BinaryPrimitives.ReadUInt64BigEndian(RandomNumberGenerator.GetBytes(8)) >> 1;
    }

    public override int SealedLength(int plainLength) => IvLength + plainLength + 1 + IcvLength; // pad length 0

    public override void Seal(Span<byte> message, int bodyOffset, ReadOnlySpan<byte> plain)
    {
        var body = message[bodyOffset..];
        BinaryPrimitives.WriteUInt64BigEndian(body, ++_counter);
        var padded = body.Slice(IvLength, plain.Length + 1);
        plain.CopyTo(padded);
        padded[^1] = 0;
        Span<byte> nonce = stackalloc byte[12];
        _salt.CopyTo(nonce);
        body[..IvLength].CopyTo(nonce[4..]);
        _aes.Encrypt(nonce, padded, padded, body.Slice(IvLength + padded.Length, IcvLength), message[..bodyOffset]);
    }

    public override bool TryOpen(ReadOnlySpan<byte> message, int bodyOffset, out byte[] plain)
    {
        plain = [];
        var body = message[bodyOffset..];
        if (body.Length < IvLength + 1 + IcvLength)
            return false;
        Span<byte> nonce = stackalloc byte[12];
        _salt.CopyTo(nonce);
        body[..IvLength].CopyTo(nonce[4..]);
        var cipher = body[IvLength..^IcvLength];
        var decrypted = new byte[cipher.Length];
        try
        {
            _aes.Decrypt(nonce, cipher, body[^IcvLength..], decrypted, message[..bodyOffset]);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        return TryRemovePadding(decrypted, out plain);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _aes.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>AES-CBC with a random 16-byte IV and HMAC-SHA2 truncated to half its output (RFC 4868) over the whole message up to the ICV.</summary>
internal sealed class CbcHmacSkCipher : SkCipher
{
    private const int Block = 16;
    private readonly Aes _aes;
    private readonly IntegrityId _integrity;
    private readonly byte[] _integrityKey;
    private readonly int _icvLength;

    public CbcHmacSkCipher(byte[] key, IntegrityId integrity, byte[] integrityKey)
    {
        if (key.Length is not (16 or 24 or 32))
            throw new ArgumentException("AES-CBC keys are 16, 24 or 32 bytes", nameof(key));
        _aes = Aes.Create();
        _aes.Key = key;
        _integrity = integrity;
        _integrityKey = integrityKey;
        _icvLength = Integrity.IcvLength(integrity);
        if (integrityKey.Length != Integrity.KeyLength(integrity))
            throw new ArgumentException("integrity key length does not match the algorithm", nameof(integrityKey));
    }

    private static int Padded(int plainLength) => (plainLength + 1 + Block - 1) / Block * Block;

    public override int SealedLength(int plainLength) => Block + Padded(plainLength) + _icvLength;

    public override void Seal(Span<byte> message, int bodyOffset, ReadOnlySpan<byte> plain)
    {
        var body = message[bodyOffset..];
        var iv = body[..Block];
        RandomNumberGenerator.Fill(iv);
        var paddedLength = Padded(plain.Length);
        var padded = body.Slice(Block, paddedLength);
        plain.CopyTo(padded);
        padded[plain.Length..].Clear();
        padded[^1] = (byte)(paddedLength - plain.Length - 1);
        _aes.EncryptCbc(padded, iv, padded, PaddingMode.None);
        Integrity.Compute(_integrity, _integrityKey, message[..^_icvLength], message[^_icvLength..]);
    }

    public override bool TryOpen(ReadOnlySpan<byte> message, int bodyOffset, out byte[] plain)
    {
        plain = [];
        var body = message[bodyOffset..];
        if (body.Length < Block + Block + _icvLength || (body.Length - Block - _icvLength) % Block != 0)
            return false;
        Span<byte> icv = stackalloc byte[_icvLength];
        Integrity.Compute(_integrity, _integrityKey, message[..^_icvLength], icv);
        if (!CryptographicOperations.FixedTimeEquals(icv, message[^_icvLength..]))
            return false;
        var decrypted = _aes.DecryptCbc(body[Block..^_icvLength], body[..Block], PaddingMode.None);
        return TryRemovePadding(decrypted, out plain);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _aes.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>HMAC-SHA2 integrity transforms with their RFC 4868 truncations.</summary>
public static class Integrity
{
    public static bool IsSupported(ushort id) => id is (ushort)IntegrityId.HmacSha256_128 or (ushort)IntegrityId.HmacSha384_192 or (ushort)IntegrityId.HmacSha512_256;

    /// <summary>Key length: the hash output length (RFC 4868 §2.1.1).</summary>
    public static int KeyLength(IntegrityId id) => id switch
    {
        IntegrityId.None => 0,
        IntegrityId.HmacSha256_128 => 32,
        IntegrityId.HmacSha384_192 => 48,
        IntegrityId.HmacSha512_256 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(id)),
    };

    /// <summary>ICV length: half the hash output.</summary>
    public static int IcvLength(IntegrityId id) => KeyLength(id) / 2;

    /// <summary>The truncated HMAC of <paramref name="data"/> into <paramref name="icv"/>.</summary>
    public static void Compute(IntegrityId id, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> icv)
    {
        Span<byte> full = stackalloc byte[64];
        var n = id switch
        {
            IntegrityId.HmacSha256_128 => HMACSHA256.HashData(key, data, full),
            IntegrityId.HmacSha384_192 => HMACSHA384.HashData(key, data, full),
            IntegrityId.HmacSha512_256 => HMACSHA512.HashData(key, data, full),
            _ => throw new ArgumentOutOfRangeException(nameof(id)),
        };
        full[..(n / 2)].CopyTo(icv);
    }
}
