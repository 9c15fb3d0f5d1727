using System.Buffers.Binary;
using System.Collections.Immutable;
using NitroCard.Ike.Crypto;

namespace NitroCard.Ike.Wire;

/// <summary>
/// An IKE message (RFC 7296 §3.1): the header and its payloads. A message that travelled inside an SK payload is
/// represented by its inner payloads with <see cref="Encrypted"/> set; <see cref="Encode(SkCipher)"/> puts them back in.
/// </summary>
public sealed record IkeMessage(ulong SpiI, ulong SpiR, ExchangeType Exchange, HeaderBits Flags, uint MessageId, ImmutableArray<Payload> Payloads)
{
    /// <summary>The fixed IKE header.</summary>
    public const int HeaderLength = 28;

    /// <summary>Generic payload header.</summary>
    public const int PayloadHeaderLength = 4;

    /// <summary>Largest datagram accepted (and the largest a UDP/IPv4 payload can be).</summary>
    public const int MaxLength = 65507;

    /// <summary>True when the payloads came out of (or go into) an SK payload.</summary>
    public bool Encrypted { get; init; }

    public bool IsResponse => (Flags & HeaderBits.Response) != 0;

    public bool FromOriginalInitiator => (Flags & HeaderBits.Initiator) != 0;

    /// <summary>The first payload of type <typeparamref name="T"/>, or null.</summary>
    public T? Get<T>() where T : Payload => Payloads.OfType<T>().FirstOrDefault();

    /// <summary>The first notify of <paramref name="type"/>, or null.</summary>
    public NotifyPayload? Notify(NotifyType type) => Payloads.OfType<NotifyPayload>().FirstOrDefault(n => n.NotifyType == type);

    /// <summary>The first error notify, or null.</summary>
    public NotifyPayload? FirstError => Payloads.OfType<NotifyPayload>().FirstOrDefault(n => n.IsError);

    /// <summary>The traffic selector payload TSi (true) or TSr (false), or null.</summary>
    public TrafficSelectorPayload? Ts(bool initiator) => Payloads.OfType<TrafficSelectorPayload>().FirstOrDefault(t => t.Initiator == initiator);

    /// <summary>The identification payload IDi (true) or IDr (false), or null.</summary>
    public IdPayload? Id(bool initiator) => Payloads.OfType<IdPayload>().FirstOrDefault(t => t.Initiator == initiator);

    /// <summary>The plaintext encoding (every payload at top level).</summary>
    public byte[] Encode()
    {
        var w = new ByteWriter();
        WriteHeader(w, Payloads.IsEmpty ? PayloadType.None : Payloads[0].Type);
        WriteChain(w, Payloads);
        w.PatchU32(24, (uint)w.Length);
        return w.ToArray();
    }

    /// <summary>The encoding with every payload inside one SK payload (§3.14) protected by <paramref name="cipher"/>.</summary>
    public byte[] Encode(SkCipher cipher)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        var inner = new ByteWriter();
        WriteChain(inner, Payloads);
        var plain = inner.ToArray();
        var skBodyLength = cipher.SealedLength(plain.Length);
        var total = HeaderLength + PayloadHeaderLength + skBodyLength;
        var w = new ByteWriter();
        WriteHeader(w, PayloadType.Encrypted);
        w.U8((byte)(Payloads.IsEmpty ? PayloadType.None : Payloads[0].Type));
        w.U8(0);
        w.U16(checked((ushort)(PayloadHeaderLength + skBodyLength)));
        w.Zero(skBodyLength);
        w.PatchU32(24, (uint)total);
        var message = w.ToArray();
        cipher.Seal(message, HeaderLength + PayloadHeaderLength, plain);
        return message;
    }

    private void WriteHeader(ByteWriter w, PayloadType first)
    {
        w.U64(SpiI);
        w.U64(SpiR);
        w.U8((byte)first);
        w.U8(0x20);
        w.U8((byte)Exchange);
        w.U8((byte)Flags);
        w.U32(MessageId);
        w.U32(0); // length, patched
    }

    private static void WriteChain(ByteWriter w, ImmutableArray<Payload> payloads)
    {
        for (var i = 0; i < payloads.Length; i++)
        {
            var body = PayloadCodec.EncodeBody(payloads[i]);
            w.U8((byte)(i + 1 < payloads.Length ? payloads[i + 1].Type : PayloadType.None));
            w.U8(payloads[i] is UnknownPayload { Critical: true } ? (byte)0x80 : (byte)0);
            w.U16(checked((ushort)(PayloadHeaderLength + body.Length)));
            w.Bytes(body);
        }
    }

    /// <summary>Reads only the header fields needed to route a datagram (SPIs, exchange, flags, message id).</summary>
    public static ParseStatus TryReadHeader(ReadOnlySpan<byte> datagram, out ulong spiI, out ulong spiR, out ExchangeType exchange, out HeaderBits flags, out uint messageId)
    {
        spiI = spiR = 0;
        exchange = 0;
        flags = 0;
        messageId = 0;
        if (datagram.Length < HeaderLength)
            return ParseStatus.Truncated;
        if (datagram[17] >> 4 != 2)
            return ParseStatus.UnsupportedVersion;
        var length = BinaryPrimitives.ReadUInt32BigEndian(datagram[24..]);
        if (length < HeaderLength || length > MaxLength)
            return ParseStatus.BadLength;
        if (length > datagram.Length)
            return ParseStatus.Truncated;
        if (length != datagram.Length)
            return ParseStatus.BadLength;
        spiI = BinaryPrimitives.ReadUInt64BigEndian(datagram);
        spiR = BinaryPrimitives.ReadUInt64BigEndian(datagram[8..]);
        exchange = (ExchangeType)datagram[18];
        flags = (HeaderBits)(datagram[19] & 0x38);
        messageId = BinaryPrimitives.ReadUInt32BigEndian(datagram[20..]);
        return ParseStatus.Ok;
    }

    /// <summary>
    /// Parses a whole datagram strictly: the header, then the payload chain, which must end exactly at the length the
    /// header gives. An SK payload must be the last one and stays encrypted (see <see cref="TryDecrypt"/>).
    /// </summary>
    public static ParseStatus TryParse(ReadOnlyMemory<byte> datagram, out IkeMessage? message)
    {
        message = null;
        var status = TryReadHeader(datagram.Span, out var spiI, out var spiR, out var exchange, out var flags, out var messageId);
        if (status != ParseStatus.Ok)
            return status;
        status = TryParseChain(datagram[HeaderLength..], (PayloadType)datagram.Span[16], allowEncrypted: true, out var payloads);
        if (status != ParseStatus.Ok)
            return status;
        message = new IkeMessage(spiI, spiR, exchange, flags, messageId, payloads);
        return ParseStatus.Ok;
    }

    /// <summary>
    /// Verifies and decrypts the SK payload of <paramref name="outer"/> (parsed from <paramref name="datagram"/>) and
    /// parses the inner chain. Payloads before the SK payload are not allowed (none of the exchanges here use them).
    /// </summary>
    public static ParseStatus TryDecrypt(ReadOnlyMemory<byte> datagram, IkeMessage outer, SkCipher cipher, out IkeMessage? message)
    {
        ArgumentNullException.ThrowIfNull(outer);
        ArgumentNullException.ThrowIfNull(cipher);
        message = null;
        if (outer.Payloads.Length != 1 || outer.Payloads[0] is not EncryptedPayload sk)
            return ParseStatus.NotEncrypted;
        var bodyOffset = datagram.Length - sk.Body.Length;
        if (!cipher.TryOpen(datagram.Span, bodyOffset, out var plain))
            return ParseStatus.AuthenticationFailed;
        var status = TryParseChain(plain, sk.FirstInner, allowEncrypted: false, out var payloads);
        if (status != ParseStatus.Ok)
            return status;
        message = outer with { Payloads = payloads, Encrypted = true };
        return ParseStatus.Ok;
    }

    private static ParseStatus TryParseChain(ReadOnlyMemory<byte> chain, PayloadType first, bool allowEncrypted, out ImmutableArray<Payload> payloads)
    {
        payloads = [];
        var list = ImmutableArray.CreateBuilder<Payload>();
        var next = first;
        var offset = 0;
        var span = chain.Span;
        while (next != PayloadType.None)
        {
            if (list.Count > 0 && list[^1] is EncryptedPayload)
                return ParseStatus.InvalidSyntax; // §3.14: SK is the last payload
            if (span.Length - offset < PayloadHeaderLength)
                return ParseStatus.Truncated;
            var type = next;
            next = (PayloadType)span[offset];
            var critical = (span[offset + 1] & 0x80) != 0;
            var length = BinaryPrimitives.ReadUInt16BigEndian(span[(offset + 2)..]);
            if (length < PayloadHeaderLength)
                return ParseStatus.BadLength;
            if (length > span.Length - offset)
                return ParseStatus.Truncated;
            var status = PayloadCodec.TryParseBody(type, critical, chain.Slice(offset + PayloadHeaderLength, length - PayloadHeaderLength), out var payload);
            if (status != ParseStatus.Ok)
                return status;
            if (payload is EncryptedPayload e)
            {
                if (!allowEncrypted)
                    return ParseStatus.InvalidSyntax;
                payload = e with { FirstInner = next };
                next = PayloadType.None;
                if (offset + length != span.Length)
                    return ParseStatus.BadLength;
            }
            list.Add(payload!);
            offset += length;
        }
        if (offset != span.Length)
            return ParseStatus.BadLength;
        payloads = list.ToImmutable();
        return ParseStatus.Ok;
    }
}
