using System.Buffers.Binary;
using System.Security.Cryptography;
using NitroCard.Ike.Crypto;
using NitroCard.Ike.Wire;
using NitroCard.Region;

namespace NitroCard.Edge.Vpn;

/// <summary>Why an inbound ESP packet was refused.</summary>
public enum EspRejection
{
    /// <summary>Accepted.</summary>
    None = 0,

    /// <summary>Too short, or a trailer that does not parse.</summary>
    Malformed,

    /// <summary>The SPI is not this SA's.</summary>
    UnknownSpi,

    /// <summary>Sequence number 0, already seen, or left of the anti-replay window.</summary>
    Replay,

    /// <summary>The ICV does not verify (tampered, or another key).</summary>
    AuthenticationFailed,

    /// <summary>The next header is not IPv4 (4): tunnel mode carries whole IPv4 packets only here.</summary>
    NotIpv4,
}

/// <summary>
/// One direction of an IPsec SA: ESP (RFC 4303) in tunnel mode, no extended sequence numbers, with one of two transforms:
/// <list type="bullet">
/// <item>AES-GCM with a 16-byte ICV (RFC 4106), the manual keys' and the default. The key material is the AES key
/// followed by the 4-byte salt; the nonce is salt ‖ the 8-byte explicit IV; the AAD is SPI ‖ sequence number. Outbound,
/// the explicit IV is the sequence number as a 64-bit counter (RFC 4106 §3.1 permits any never-repeating value).</item>
/// <item>AES-CBC (RFC 3602) with HMAC-SHA2-256-128, -384-192 or -512-256 (RFC 4868), for a tunnel whose phase 2 lists
/// AES128 or AES256: a random 16-byte IV per packet (CBC needs an unpredictable one), the payload padded to the block
/// size, the ICV the truncated HMAC of SPI ‖ sequence number ‖ IV ‖ ciphertext, checked in constant time before
/// anything is decrypted.</item>
/// </list>
/// Inbound, an anti-replay window (RFC 4303 §3.4.3; 64 packets for manual keys, the tunnel's <c>replayWindowSize</c>
/// for IKE-keyed SAs) is checked before and updated only after the ICV verifies.
/// Not thread-safe: one SA is used by one thread at a time.
/// </summary>
public sealed class EspSecurityAssociation : IDisposable
{
    /// <summary>SPI + sequence number.</summary>
    public const int HeaderLength = 8;

    /// <summary>The explicit IV of AES-GCM.</summary>
    public const int IvLength = 8;

    /// <summary>The ICV of AES-GCM (its tag).</summary>
    public const int IcvLength = 16;

    /// <summary>The IV of AES-CBC, one block.</summary>
    private const int CbcIvLength = 16;

    /// <summary>The anti-replay window of manually keyed SAs.</summary>
    public const int ReplayWindow = 64;

    /// <summary>The largest anti-replay window (AWS's <c>replayWindowSize</c> maximum).</summary>
    public const int MaxReplayWindow = 2048;

    /// <summary>Next header value for IPv4-in-ESP (tunnel mode).</summary>
    public const byte NextHeaderIpv4 = 4;

    private readonly AesGcm? _gcm;
    private readonly byte[] _salt = [];
    private readonly Aes? _cbc;
    private readonly IncrementalHash? _hmac; // keyed once: the HMAC's key schedule is not redone per packet
    private readonly int _ivLength;
    private readonly int _icvLength;
    private readonly int _block; // what payload, padding, pad length and next header fill to a multiple of
    private uint _lastSent;
    private uint _top;
    private readonly ulong[] _seen; // bit (seq mod window): seq, within the window left of _top, has been received
    private readonly int _window;

    /// <param name="spi">The SPI.</param>
    /// <param name="keyWithSalt">AES-128/256 key then the 4-byte salt.</param>
    /// <param name="replayWindow">Inbound anti-replay window in packets, 64..2048, a multiple of 64.</param>
    public EspSecurityAssociation(uint spi, ReadOnlySpan<byte> keyWithSalt, int replayWindow = ReplayWindow)
    {
        if (keyWithSalt.Length is not (20 or 36))
            throw new ArgumentException("AES-GCM key material is a 16- or 32-byte key followed by a 4-byte salt", nameof(keyWithSalt));
        (Spi, _window, _seen) = (spi, replayWindow, NewWindow(replayWindow));
        _gcm = new AesGcm(keyWithSalt[..^4], IcvLength);
        _salt = keyWithSalt[^4..].ToArray();
        (_ivLength, _icvLength, _block) = (IvLength, IcvLength, 4);
    }

    private EspSecurityAssociation(uint spi, ReadOnlySpan<byte> aesKey, IntegrityId integrity, ReadOnlySpan<byte> integrityKey, int replayWindow)
    {
        if (aesKey.Length is not (16 or 32))
            throw new ArgumentException("an AES-CBC key is 16 or 32 bytes", nameof(aesKey));
        var icv = integrity switch
        {
            IntegrityId.HmacSha256_128 => 16,
            IntegrityId.HmacSha384_192 => 24,
            IntegrityId.HmacSha512_256 => 32,
            _ => throw new ArgumentOutOfRangeException(nameof(integrity), integrity, "ESP with AES-CBC takes HMAC-SHA2-256-128, -384-192 or -512-256"),
        };
        if (integrityKey.Length != icv * 2)
            throw new ArgumentException($"{integrity} takes a {icv * 2}-byte key", nameof(integrityKey));
        (Spi, _window, _seen) = (spi, replayWindow, NewWindow(replayWindow));
        _cbc = Aes.Create();
        _cbc.Key = aesKey.ToArray();
        _hmac = IncrementalHash.CreateHMAC(integrity switch
        {
            IntegrityId.HmacSha256_128 => HashAlgorithmName.SHA256,
            IntegrityId.HmacSha384_192 => HashAlgorithmName.SHA384,
            _ => HashAlgorithmName.SHA512,
        }, integrityKey);
        (_ivLength, _icvLength, _block) = (CbcIvLength, icv, 16);
    }

    /// <summary>The SA of a negotiated child SA's one direction: AES-GCM (key material with salt) or AES-CBC with its HMAC key.</summary>
    public static EspSecurityAssociation ForChild(ChildSuite suite, uint spi, ReadOnlySpan<byte> encryptionKey, ReadOnlySpan<byte> integrityKey, int replayWindow = ReplayWindow)
    {
        ArgumentNullException.ThrowIfNull(suite);
        return suite.Encryption switch
        {
            EncryptionId.AesGcm16 => new EspSecurityAssociation(spi, encryptionKey, replayWindow),
            EncryptionId.AesCbc => new EspSecurityAssociation(spi, encryptionKey, suite.Integrity, integrityKey, replayWindow),
            _ => throw new ArgumentOutOfRangeException(nameof(suite), suite, "ESP here is AES-GCM or AES-CBC"),
        };
    }

    /// <summary>The bitmap of an anti-replay window of <paramref name="replayWindow"/> packets (a multiple of 64 in 64..2048).</summary>
    private static ulong[] NewWindow(int replayWindow)
        => replayWindow is < ReplayWindow or > MaxReplayWindow || replayWindow % 64 != 0
            ? throw new ArgumentOutOfRangeException(nameof(replayWindow), replayWindow, "a multiple of 64 in 64..2048")
            : new ulong[replayWindow / 64];

    /// <summary>The security parameter index.</summary>
    public uint Spi { get; }

    /// <summary>The anti-replay window in packets.</summary>
    public int Window => _window;

    /// <summary>Packets sent (outbound use) — the same as <see cref="LastSent"/>.</summary>
    public uint Packets => _lastSent;

    /// <summary>The last sequence number sent (outbound use).</summary>
    public uint LastSent => _lastSent;

    /// <summary>The SA of a region file's <c>outbound</c> or <c>inbound</c>.</summary>
    public static EspSecurityAssociation FromRegion(EspSa sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        return new EspSecurityAssociation((uint)sa.Spi, Convert.FromHexString(sa.AesGcmKeyWithSalt));
    }

    /// <summary>The ESP packet (header, IV, ciphertext, ICV) carrying <paramref name="innerPacket"/>, or null when the sequence numbers are exhausted.</summary>
    public byte[]? Encrypt(ReadOnlySpan<byte> innerPacket, byte nextHeader = NextHeaderIpv4)
    {
        if (_lastSent == uint.MaxValue)
            return null; // RFC 4303 §3.3.3: the SA must be rekeyed, never wrap
        var seq = ++_lastSent;
        var padLength = (_block - ((innerPacket.Length + 2) % _block)) % _block;
        var plainLength = innerPacket.Length + padLength + 2;
        var esp = new byte[HeaderLength + _ivLength + plainLength + _icvLength];
        BinaryPrimitives.WriteUInt32BigEndian(esp, Spi);
        BinaryPrimitives.WriteUInt32BigEndian(esp.AsSpan(4), seq);
        var iv = esp.AsSpan(HeaderLength, _ivLength);
        var plain = esp.AsSpan(HeaderLength + _ivLength, plainLength);
        innerPacket.CopyTo(plain);
        for (var i = 0; i < padLength; i++)
            plain[innerPacket.Length + i] = (byte)(i + 1); // RFC 4303 §2.4: 1, 2, 3, ...
        plain[^2] = (byte)padLength;
        plain[^1] = nextHeader;
        var icv = esp.AsSpan(esp.Length - _icvLength);
        if (_gcm is not null)
        {
            BinaryPrimitives.WriteUInt64BigEndian(iv, seq);
            Span<byte> nonce = stackalloc byte[12];
            _salt.CopyTo(nonce);
            iv.CopyTo(nonce[4..]);
            _gcm.Encrypt(nonce, plain, plain, icv, esp.AsSpan(0, HeaderLength));
        }
        else
        {
            RandomNumberGenerator.Fill(iv);
            _cbc!.EncryptCbc(plain, iv, plain, PaddingMode.None);
            Authenticate(esp.AsSpan(0, esp.Length - _icvLength), icv);
        }
        return esp;
    }

    /// <summary>The truncated HMAC of <paramref name="data"/> (RFC 4868 §2.3).</summary>
    private void Authenticate(ReadOnlySpan<byte> data, Span<byte> icv)
    {
        Span<byte> mac = stackalloc byte[64];
        _hmac!.AppendData(data);
        var length = _hmac.GetHashAndReset(mac);
        mac[..(length / 2)].CopyTo(icv);
    }

    /// <summary>
    /// Checks and decrypts the ESP packet <paramref name="esp"/> (from the SPI on). On success <paramref name="inner"/>
    /// is the inner packet (the trailer removed) and the replay window has moved.
    /// </summary>
    public EspRejection Decrypt(ReadOnlySpan<byte> esp, out byte[] inner, out uint sequence)
    {
        inner = [];
        sequence = 0;
        if (esp.Length < HeaderLength + _ivLength + 2 + _icvLength || (_cbc is not null && (esp.Length - HeaderLength - _ivLength - _icvLength) % _block != 0))
            return EspRejection.Malformed;
        if (BinaryPrimitives.ReadUInt32BigEndian(esp) != Spi)
            return EspRejection.UnknownSpi;
        sequence = BinaryPrimitives.ReadUInt32BigEndian(esp[4..]);
        if (!ReplayCheck(sequence))
            return EspRejection.Replay;
        var iv = esp.Slice(HeaderLength, _ivLength);
        var cipher = esp[(HeaderLength + _ivLength)..^_icvLength];
        var plain = new byte[cipher.Length];
        if (_gcm is not null)
        {
            Span<byte> nonce = stackalloc byte[12];
            _salt.CopyTo(nonce);
            iv.CopyTo(nonce[4..]);
            try
            {
                _gcm.Decrypt(nonce, cipher, esp[^_icvLength..], plain, esp[..HeaderLength]);
            }
            catch (AuthenticationTagMismatchException)
            {
                return EspRejection.AuthenticationFailed;
            }
        }
        else
        {
            Span<byte> icv = stackalloc byte[_icvLength];
            Authenticate(esp[..^_icvLength], icv);
            if (!CryptographicOperations.FixedTimeEquals(icv, esp[^_icvLength..]))
                return EspRejection.AuthenticationFailed;
            _cbc!.DecryptCbc(cipher, iv, plain, PaddingMode.None);
        }
        ReplayUpdate(sequence);
        var padLength = plain[^2];
        if (padLength + 2 > plain.Length)
            return EspRejection.Malformed;
        for (var i = 0; i < padLength; i++)
        {
            if (plain[plain.Length - 2 - padLength + i] != i + 1)
                return EspRejection.Malformed;
        }
        if (plain[^1] != NextHeaderIpv4)
            return EspRejection.NotIpv4;
        inner = plain[..^(padLength + 2)];
        return EspRejection.None;
    }

    /// <summary>True when <paramref name="seq"/> may be new: not 0, not left of the window, not already received.</summary>
    private bool ReplayCheck(uint seq)
    {
        if (seq == 0)
            return false;
        if (seq > _top)
            return true;
        return _top - seq < (uint)_window && !Seen(seq);
    }

    private void ReplayUpdate(uint seq)
    {
        if (seq > _top)
        {
            // Slide: the slots of the sequence numbers now entering the window are cleared (RFC 6479's ring).
            if (seq - _top >= (uint)_window)
                Array.Clear(_seen);
            else
            {
                for (var s = _top + 1; s != seq; s++)
                    Mark(s, false);
            }
            _top = seq;
        }
        Mark(seq, true);
    }

    private bool Seen(uint seq)
    {
        var slot = (int)(seq % (uint)_window);
        return (_seen[slot >> 6] & (1UL << (slot & 63))) != 0;
    }

    private void Mark(uint seq, bool value)
    {
        var slot = (int)(seq % (uint)_window);
        if (value)
            _seen[slot >> 6] |= 1UL << (slot & 63);
        else
            _seen[slot >> 6] &= ~(1UL << (slot & 63));
    }

    public void Dispose()
    {
        _gcm?.Dispose();
        _cbc?.Dispose();
        _hmac?.Dispose();
    }
}
