using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;

namespace NitroCard.Ike.Wire;

/// <summary>Encodes and strictly parses payload bodies (everything after the 4-byte generic payload header).</summary>
public static class PayloadCodec
{
    /// <summary>Attribute type Key Length (RFC 7296 §3.3.5), always TV format.</summary>
    private const ushort KeyLengthAttribute = 14;

    private const int MaxProposals = 64;
    private const int MaxTransforms = 64;

    /// <summary>The body of <paramref name="payload"/> (without the generic header).</summary>
    public static byte[] EncodeBody(Payload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var w = new ByteWriter();
        switch (payload)
        {
            case SaPayload sa:
                for (var p = 0; p < sa.Proposals.Length; p++)
                    WriteProposal(w, sa.Proposals[p], last: p == sa.Proposals.Length - 1);
                break;
            case KePayload ke:
                w.U16(ke.Group);
                w.U16(0);
                w.Bytes(ke.Data.Span);
                break;
            case NoncePayload n:
                w.Bytes(n.Data.Span);
                break;
            case IdPayload id:
                w.U8((byte)id.IdType);
                w.Zero(3);
                w.Bytes(id.Data.Span);
                break;
            case AuthPayload auth:
                w.U8((byte)auth.Method);
                w.Zero(3);
                w.Bytes(auth.Data.Span);
                break;
            case NotifyPayload n:
                w.U8((byte)n.Protocol);
                w.U8(checked((byte)n.Spi.Length));
                w.U16((ushort)n.NotifyType);
                w.Bytes(n.Spi.Span);
                w.Bytes(n.Data.Span);
                break;
            case DeletePayload d:
                w.U8((byte)d.Protocol);
                w.U8(d.Protocol == ProtocolId.Ike ? (byte)0 : (byte)4);
                w.U16(checked((ushort)d.Spis.Length));
                foreach (var spi in d.Spis)
                    w.U32(spi);
                break;
            case VendorIdPayload v:
                w.Bytes(v.Data.Span);
                break;
            case TrafficSelectorPayload ts:
                w.U8(checked((byte)ts.Selectors.Length));
                w.Zero(3);
                foreach (var s in ts.Selectors)
                {
                    var start = s.Start.GetAddressBytes();
                    var end = s.End.GetAddressBytes();
                    w.U8((byte)s.SelectorType);
                    w.U8(s.IpProtocol);
                    w.U16((ushort)(8 + start.Length + end.Length));
                    w.U16(s.StartPort);
                    w.U16(s.EndPort);
                    w.Bytes(start);
                    w.Bytes(end);
                }
                break;
            case UnknownPayload u:
                w.Bytes(u.Body.Span);
                break;
            case EncryptedPayload e:
                w.Bytes(e.Body.Span);
                break;
            default:
                throw new ArgumentException($"no encoder for {payload.GetType().Name}", nameof(payload));
        }
        return w.ToArray();
    }

    private static void WriteProposal(ByteWriter w, Proposal p, bool last)
    {
        var start = w.Length;
        w.U8(last ? (byte)0 : (byte)2);
        w.U8(0);
        w.U16(0); // length, patched below
        w.U8(p.Number);
        w.U8((byte)p.Protocol);
        w.U8(checked((byte)p.Spi.Length));
        w.U8(checked((byte)p.Transforms.Length));
        w.Bytes(p.Spi.Span);
        for (var t = 0; t < p.Transforms.Length; t++)
        {
            var tr = p.Transforms[t];
            w.U8(t == p.Transforms.Length - 1 ? (byte)0 : (byte)3);
            w.U8(0);
            w.U16(tr.KeyLength is null ? (ushort)8 : (ushort)12);
            w.U8((byte)tr.Type);
            w.U8(0);
            w.U16(tr.Id);
            if (tr.KeyLength is { } bits)
            {
                w.U16(0x8000 | KeyLengthAttribute);
                w.U16(bits);
            }
        }
        w.PatchU16(start + 2, checked((ushort)(w.Length - start)));
    }

    /// <summary>Parses the body of a payload of <paramref name="type"/>. Unknown types come back as <see cref="UnknownPayload"/>.</summary>
    public static ParseStatus TryParseBody(PayloadType type, bool critical, ReadOnlyMemory<byte> body, out Payload? payload)
    {
        payload = null;
        var b = body.Span;
        switch (type)
        {
            case PayloadType.SecurityAssociation:
                return TryParseSa(body, out payload);
            case PayloadType.KeyExchange:
                if (b.Length < 4)
                    return ParseStatus.Truncated;
                payload = new KePayload(BinaryPrimitives.ReadUInt16BigEndian(b), body[4..]);
                return ParseStatus.Ok;
            case PayloadType.Nonce:
                // RFC 7296 §3.9: 16 to 256 octets.
                if (b.Length is < 16 or > 256)
                    return ParseStatus.InvalidSyntax;
                payload = new NoncePayload(body);
                return ParseStatus.Ok;
            case PayloadType.IdInitiator or PayloadType.IdResponder:
                if (b.Length < 5)
                    return ParseStatus.Truncated;
                payload = new IdPayload(type == PayloadType.IdInitiator, (IdType)b[0], body[4..]);
                return ParseStatus.Ok;
            case PayloadType.Authentication:
                if (b.Length < 5)
                    return ParseStatus.Truncated;
                payload = new AuthPayload((AuthMethod)b[0], body[4..]);
                return ParseStatus.Ok;
            case PayloadType.Notify:
            {
                if (b.Length < 4)
                    return ParseStatus.Truncated;
                var spiSize = b[1];
                if (b.Length < 4 + spiSize)
                    return ParseStatus.BadLength;
                payload = new NotifyPayload((ProtocolId)b[0], body.Slice(4, spiSize), (NotifyType)BinaryPrimitives.ReadUInt16BigEndian(b[2..]), body[(4 + spiSize)..]);
                return ParseStatus.Ok;
            }
            case PayloadType.Delete:
            {
                if (b.Length < 4)
                    return ParseStatus.Truncated;
                var protocol = (ProtocolId)b[0];
                var spiSize = b[1];
                var count = BinaryPrimitives.ReadUInt16BigEndian(b[2..]);
                var expectedSize = protocol == ProtocolId.Ike ? 0 : 4;
                if (protocol is not (ProtocolId.Ike or ProtocolId.Esp or ProtocolId.Ah) || spiSize != expectedSize)
                    return ParseStatus.InvalidSyntax;
                if (b.Length != 4 + (spiSize * count))
                    return ParseStatus.BadLength;
                if (protocol == ProtocolId.Ike && count != 0)
                    return ParseStatus.InvalidSyntax;
                var spis = ImmutableArray.CreateBuilder<uint>(count);
                for (var i = 0; i < count; i++)
                    spis.Add(BinaryPrimitives.ReadUInt32BigEndian(b[(4 + (4 * i))..]));
                payload = new DeletePayload(protocol, spis.MoveToImmutable());
                return ParseStatus.Ok;
            }
            case PayloadType.VendorId:
                payload = new VendorIdPayload(body);
                return ParseStatus.Ok;
            case PayloadType.TrafficSelectorInitiator or PayloadType.TrafficSelectorResponder:
                return TryParseTs(type == PayloadType.TrafficSelectorInitiator, b, out payload);
            case PayloadType.Encrypted:
                if (b.Length == 0)
                    return ParseStatus.Truncated;
                payload = new EncryptedPayload(PayloadType.None, body); // first inner type set by the chain parser
                return ParseStatus.Ok;
            case PayloadType.Certificate or PayloadType.CertificateRequest or PayloadType.Configuration or PayloadType.Eap
                or PayloadType.EncryptedFragment:
                payload = new UnknownPayload(type, critical, body); // known, but not used by PSK site-to-site
                return ParseStatus.Ok;
            default:
                if (critical)
                    return ParseStatus.UnsupportedCriticalPayload;
                payload = new UnknownPayload(type, critical, body);
                return ParseStatus.Ok;
        }
    }

    private static ParseStatus TryParseSa(ReadOnlyMemory<byte> body, out Payload? payload)
    {
        payload = null;
        var b = body.Span;
        var proposals = ImmutableArray.CreateBuilder<Proposal>();
        var offset = 0;
        var last = false;
        while (!last)
        {
            if (proposals.Count == MaxProposals)
                return ParseStatus.InvalidSyntax;
            if (b.Length - offset < 8)
                return ParseStatus.Truncated;
            var p = b[offset..];
            var more = p[0];
            if (more is not (0 or 2) || p[1] != 0)
                return ParseStatus.InvalidSyntax;
            last = more == 0;
            var length = BinaryPrimitives.ReadUInt16BigEndian(p[2..]);
            if (length < 8 || length > p.Length)
                return ParseStatus.BadLength;
            var number = p[4];
            // §3.3.1: proposals are numbered from 1, each next one the same (AND) or one more. A responder's single
            // accepted proposal keeps the number it had in the request, so the first number is any non-zero one.
            var previous = proposals.Count == 0 ? 0 : proposals[^1].Number;
            if (proposals.Count == 0 ? number == 0 : number != previous && number != previous + 1)
                return ParseStatus.InvalidSyntax;
            var protocol = (ProtocolId)p[5];
            var spiSize = p[6];
            var transformCount = p[7];
            if (protocol is not (ProtocolId.Ike or ProtocolId.Esp or ProtocolId.Ah))
                return ParseStatus.InvalidSyntax;
            if (8 + spiSize > length)
                return ParseStatus.BadLength;
            var spi = body.Slice(offset + 8, spiSize);
            var status = TryParseTransforms(p[(8 + spiSize)..length], transformCount, out var transforms);
            if (status != ParseStatus.Ok)
                return status;
            proposals.Add(new Proposal(number, protocol, spi, transforms));
            offset += length;
        }
        if (offset != b.Length)
            return ParseStatus.BadLength;
        payload = new SaPayload(proposals.ToImmutable());
        return ParseStatus.Ok;
    }

    private static ParseStatus TryParseTransforms(ReadOnlySpan<byte> b, int count, out ImmutableArray<Transform> transforms)
    {
        transforms = [];
        if (count is 0 or > MaxTransforms)
            return ParseStatus.InvalidSyntax;
        var list = ImmutableArray.CreateBuilder<Transform>(count);
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            if (b.Length - offset < 8)
                return ParseStatus.Truncated;
            var t = b[offset..];
            var more = t[0];
            if (more != (i == count - 1 ? 0 : 3) || t[1] != 0 || t[5] != 0)
                return ParseStatus.InvalidSyntax;
            var length = BinaryPrimitives.ReadUInt16BigEndian(t[2..]);
            if (length < 8 || length > t.Length)
                return ParseStatus.BadLength;
            var type = (TransformType)t[4];
            var id = BinaryPrimitives.ReadUInt16BigEndian(t[6..]);
            ushort? keyLength = null;
            var unknown = false;
            var attributes = t[8..length];
            while (attributes.Length > 0)
            {
                if (attributes.Length < 4)
                    return ParseStatus.Truncated;
                var format = BinaryPrimitives.ReadUInt16BigEndian(attributes);
                var value = BinaryPrimitives.ReadUInt16BigEndian(attributes[2..]);
                if ((format & 0x8000) != 0)
                {
                    if ((format & 0x7FFF) == KeyLengthAttribute)
                    {
                        if (keyLength is not null)
                            return ParseStatus.InvalidSyntax;
                        keyLength = value;
                    }
                    else
                    {
                        unknown = true;
                    }
                    attributes = attributes[4..];
                }
                else
                {
                    if (attributes.Length < 4 + value)
                        return ParseStatus.BadLength;
                    unknown = true;
                    attributes = attributes[(4 + value)..];
                }
            }
            list.Add(new Transform(type, id, keyLength) { HasUnknownAttribute = unknown });
            offset += length;
        }
        if (offset != b.Length)
            return ParseStatus.BadLength;
        transforms = list.MoveToImmutable();
        return ParseStatus.Ok;
    }

    private static ParseStatus TryParseTs(bool initiator, ReadOnlySpan<byte> b, out Payload? payload)
    {
        payload = null;
        if (b.Length < 4)
            return ParseStatus.Truncated;
        var count = b[0];
        if (count == 0)
            return ParseStatus.InvalidSyntax;
        var list = ImmutableArray.CreateBuilder<TrafficSelector>(count);
        var offset = 4;
        for (var i = 0; i < count; i++)
        {
            if (b.Length - offset < 8)
                return ParseStatus.Truncated;
            var s = b[offset..];
            var type = (TrafficSelectorType)s[0];
            var length = BinaryPrimitives.ReadUInt16BigEndian(s[2..]);
            var addressLength = type switch
            {
                TrafficSelectorType.Ipv4AddressRange => 4,
                TrafficSelectorType.Ipv6AddressRange => 16,
                _ => -1,
            };
            if (addressLength < 0)
                return ParseStatus.InvalidSyntax;
            if (length != 8 + (2 * addressLength))
                return ParseStatus.BadLength;
            if (length > s.Length)
                return ParseStatus.Truncated;
            var selector = new TrafficSelector(
                new IPAddress(s.Slice(8, addressLength)), new IPAddress(s.Slice(8 + addressLength, addressLength)),
                s[1], BinaryPrimitives.ReadUInt16BigEndian(s[4..]), BinaryPrimitives.ReadUInt16BigEndian(s[6..]));
            if (!selector.IsWellFormed)
                return ParseStatus.InvalidSyntax;
            list.Add(selector);
            offset += length;
        }
        if (offset != b.Length)
            return ParseStatus.BadLength;
        payload = new TrafficSelectorPayload(initiator, list.MoveToImmutable());
        return ParseStatus.Ok;
    }
}

/// <summary>A growable big-endian writer.</summary>
internal sealed class ByteWriter
{
    private byte[] _buffer = new byte[256];

    public int Length { get; private set; }

    private Span<byte> Take(int n)
    {
        if (Length + n > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + n));
        var span = _buffer.AsSpan(Length, n);
        Length += n;
        return span;
    }

    public void U8(byte v) => Take(1)[0] = v;

    public void U16(ushort v) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), v);

    public void U16(int v) => U16((ushort)v);

    public void U32(uint v) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), v);

    public void U64(ulong v) => BinaryPrimitives.WriteUInt64BigEndian(Take(8), v);

    public void Zero(int n) => Take(n).Clear();

    public void Bytes(ReadOnlySpan<byte> data) => data.CopyTo(Take(data.Length));

    public void PatchU16(int at, ushort v) => BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(at), v);

    public void PatchU32(int at, uint v) => BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(at), v);

    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();
}
