using System.Buffers.Binary;
using System.Net;

namespace NitroCard.Bgp.Wire;

/// <summary>
/// Encodes and strictly decodes BGP messages (RFC 4271 §4). Every malformed input becomes a
/// <see cref="BgpProtocolException"/> carrying the NOTIFICATION §6 prescribes; errors that RFC 7606 lets a
/// session survive (treat-as-withdraw, attribute-discard) are listed on the decoded <see cref="UpdateMessage"/>.
/// </summary>
public static class BgpCodec
{
    /// <summary>The fixed header: 16-octet marker, 2-octet length, 1-octet type (§4.1).</summary>
    public const int HeaderLength = 19;

    /// <summary>The largest message (§4.1).</summary>
    public const int MaxMessageLength = 4096;

    /// <summary>The only version we speak (§4.2).</summary>
    public const byte Version = 4;

    private const int MinOpenLength = 29;
    private const int MinUpdateLength = 23;
    private const int MinNotificationLength = 21;
    private const int RouteRefreshLength = 23;
    private const byte CapabilitiesParameter = 2;

    /// <summary>
    /// How many octets the message starting with this header has: the Length field when it is in range, else just the
    /// header (whose decoding then reports the bad length). A stream reader reads this many octets and calls
    /// <see cref="Decode"/>.
    /// </summary>
    public static int FrameLength(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderLength)
        {
            throw new ArgumentException("a BGP header is 19 octets", nameof(header));
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(header[16..]);
        return length is >= HeaderLength and <= MaxMessageLength ? length : HeaderLength;
    }

    /// <summary>Decodes one whole message (header included).</summary>
    /// <param name="message">The message octets.</param>
    /// <param name="fourOctetAs">Whether both sides announced the 4-octet AS capability (AS_PATH carries 4-octet ASNs).</param>
    /// <exception cref="BgpProtocolException">The message is malformed; the exception carries the NOTIFICATION to send.</exception>
    public static BgpMessage Decode(ReadOnlySpan<byte> message, bool fourOctetAs = true)
    {
        if (message.Length < HeaderLength)
        {
            throw Error(BgpErrorCode.MessageHeader, HeaderErrorSubcode.BadMessageLength, [], $"message of {message.Length} octets is shorter than the header");
        }

        if (message[..16].ContainsAnyExcept((byte)0xFF))
        {
            throw Error(BgpErrorCode.MessageHeader, HeaderErrorSubcode.ConnectionNotSynchronized, [], "marker is not all ones");
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(message[16..]);
        byte[] lengthField = message.Slice(16, 2).ToArray();
        if (length is < HeaderLength or > MaxMessageLength || length != message.Length)
        {
            throw Error(BgpErrorCode.MessageHeader, HeaderErrorSubcode.BadMessageLength, lengthField, $"length {length} out of range");
        }

        byte type = message[18];
        var body = message[HeaderLength..];
        switch ((BgpMessageType)type)
        {
            case BgpMessageType.Open:
                RequireLength(length >= MinOpenLength, lengthField, "OPEN");
                return DecodeOpen(body);
            case BgpMessageType.Update:
                RequireLength(length >= MinUpdateLength, lengthField, "UPDATE");
                return DecodeUpdate(body, fourOctetAs);
            case BgpMessageType.Notification:
                RequireLength(length >= MinNotificationLength, lengthField, "NOTIFICATION");
                return new NotificationMessage((BgpErrorCode)body[0], body[1], body[2..].ToArray());
            case BgpMessageType.Keepalive:
                RequireLength(length == HeaderLength, lengthField, "KEEPALIVE");
                return KeepaliveMessage.Instance;
            case BgpMessageType.RouteRefresh:
                if (length != RouteRefreshLength)
                {
                    // RFC 7313 §5: the ROUTE-REFRESH's own error code, the whole message as data.
                    throw Error(BgpErrorCode.RouteRefreshMessage, RouteRefreshErrorSubcode.InvalidMessageLength, message.ToArray(), $"ROUTE-REFRESH of {length} octets");
                }

                return new RouteRefreshMessage(BinaryPrimitives.ReadUInt16BigEndian(body), body[2], body[3]);
            default:
                throw Error(BgpErrorCode.MessageHeader, HeaderErrorSubcode.BadMessageType, [type], $"unknown message type {type}");
        }
    }

    /// <summary>Encodes a message, header included.</summary>
    /// <param name="message">The message.</param>
    /// <param name="fourOctetAs">Whether the session negotiated 4-octet ASNs (RFC 6793): if not, AS_PATH is sent with
    /// 2-octet ASNs, AS_TRANS in place of larger ones, and AS4_PATH beside it.</param>
    /// <exception cref="ArgumentException">The message does not fit in 4096 octets or a field is out of range.</exception>
    public static byte[] Encode(BgpMessage message, bool fourOctetAs = true)
    {
        ArgumentNullException.ThrowIfNull(message);
        var w = new Writer();
        for (int i = 0; i < 16; i++)
        {
            w.U8(0xFF);
        }

        w.U16(0);
        w.U8((byte)message.Type);
        switch (message)
        {
            case OpenMessage open:
                EncodeOpen(w, open);
                break;
            case UpdateMessage update:
                EncodeUpdate(w, update, fourOctetAs);
                break;
            case NotificationMessage notification:
                w.U8((byte)notification.Code);
                w.U8(notification.Subcode);
                w.Bytes(notification.Data.Span);
                break;
            case KeepaliveMessage:
                break;
            case RouteRefreshMessage refresh:
                w.U16(refresh.Afi);
                w.U8(refresh.Subtype);
                w.U8(refresh.Safi);
                break;
            default:
                throw new ArgumentException($"cannot encode {message.GetType().Name}", nameof(message));
        }

        if (w.Length > MaxMessageLength)
        {
            throw new ArgumentException($"{message.Type} of {w.Length} octets exceeds {MaxMessageLength}", nameof(message));
        }

        w.PatchU16(16, (ushort)w.Length);
        return w.ToArray();
    }

    /// <summary>How many octets a prefix takes in NLRI or withdrawn routes (§4.3).</summary>
    public static int PrefixSize(IPNetwork prefix) => 1 + ((prefix.PrefixLength + 7) / 8);

    private static void RequireLength(bool ok, byte[] lengthField, string what)
    {
        if (!ok)
        {
            throw Error(BgpErrorCode.MessageHeader, HeaderErrorSubcode.BadMessageLength, lengthField, $"bad length for {what}");
        }
    }

    private static BgpProtocolException Error(BgpErrorCode code, byte subcode, byte[] data, string reason) =>
        new(new BgpError(code, subcode, data, reason));

    // ---- OPEN (§4.2, §6.2; RFC 5492) ----
    private static OpenMessage DecodeOpen(ReadOnlySpan<byte> body)
    {
        byte version = body[0];
        if (version != Version)
        {
            throw Error(BgpErrorCode.OpenMessage, OpenErrorSubcode.UnsupportedVersionNumber, [0, Version], $"version {version}");
        }

        ushort myAs = BinaryPrimitives.ReadUInt16BigEndian(body[1..]);
        ushort holdTime = BinaryPrimitives.ReadUInt16BigEndian(body[3..]);
        var identifier = new IPAddress(body.Slice(5, 4));
        int optLength = body[9];
        if (10 + optLength != body.Length)
        {
            throw Error(BgpErrorCode.OpenMessage, OpenErrorSubcode.Unspecific, [], $"optional parameters length {optLength} does not match the message");
        }

        var capabilities = new List<BgpCapability>();
        var opt = body[10..];
        while (opt.Length > 0)
        {
            if (opt.Length < 2 || opt[1] + 2 > opt.Length)
            {
                throw Error(BgpErrorCode.OpenMessage, OpenErrorSubcode.Unspecific, [], "optional parameter overruns the parameters");
            }

            byte paramType = opt[0];
            var value = opt.Slice(2, opt[1]);
            if (paramType != CapabilitiesParameter)
            {
                throw Error(BgpErrorCode.OpenMessage, OpenErrorSubcode.UnsupportedOptionalParameter, [], $"optional parameter type {paramType}");
            }

            DecodeCapabilities(value, capabilities);
            opt = opt[(2 + opt[1])..];
        }

        var open = new OpenMessage(version, myAs, holdTime, identifier, capabilities);
        if (myAs == 0 || open.Asn == 0)
        {
            throw Error(BgpErrorCode.OpenMessage, OpenErrorSubcode.BadPeerAs, [], "AS 0 (RFC 7607)");
        }

        if (holdTime is 1 or 2)
        {
            throw Error(BgpErrorCode.OpenMessage, OpenErrorSubcode.UnacceptableHoldTime, [], $"hold time {holdTime}");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(body[5..]) == 0)
        {
            throw Error(BgpErrorCode.OpenMessage, OpenErrorSubcode.BadBgpIdentifier, [], "BGP Identifier 0.0.0.0 (RFC 6286 §2.1)");
        }

        return open;
    }

    private static void DecodeCapabilities(ReadOnlySpan<byte> value, List<BgpCapability> into)
    {
        while (value.Length > 0)
        {
            if (value.Length < 2 || value[1] + 2 > value.Length)
            {
                throw Error(BgpErrorCode.OpenMessage, OpenErrorSubcode.Unspecific, [], "capability overruns its parameter");
            }

            byte code = value[0];
            var cap = value.Slice(2, value[1]);
            into.Add(code switch
            {
                BgpCapability.MultiprotocolCode when cap.Length == 4 => new MultiprotocolCapability(BinaryPrimitives.ReadUInt16BigEndian(cap), cap[3]),
                BgpCapability.RouteRefreshCode when cap.Length == 0 => new RouteRefreshCapability(),
                BgpCapability.FourOctetAsCode when cap.Length == 4 => new FourOctetAsCapability(BinaryPrimitives.ReadUInt32BigEndian(cap)),
                BgpCapability.MultiprotocolCode or BgpCapability.RouteRefreshCode or BgpCapability.FourOctetAsCode =>
                    throw Error(BgpErrorCode.OpenMessage, OpenErrorSubcode.Unspecific, [], $"capability {code} of length {cap.Length}"),
                _ => new UnknownCapability(code, cap.ToArray()),
            });
            value = value[(2 + value[1])..];
        }
    }

    private static void EncodeOpen(Writer w, OpenMessage open)
    {
        w.U8(open.Version);
        w.U16(open.MyAutonomousSystem);
        w.U16(open.HoldTime);
        w.Bytes(Ipv4Bytes(open.BgpIdentifier));
        var caps = new Writer();
        foreach (var cap in open.Capabilities)
        {
            caps.U8(cap.Code);
            switch (cap)
            {
                case MultiprotocolCapability mp:
                    caps.U8(4);
                    caps.U16(mp.Afi);
                    caps.U8(0);
                    caps.U8(mp.Safi);
                    break;
                case RouteRefreshCapability:
                    caps.U8(0);
                    break;
                case FourOctetAsCapability four:
                    caps.U8(4);
                    caps.U32(four.Asn);
                    break;
                case UnknownCapability unknown:
                    caps.U8(checked((byte)unknown.Value.Length));
                    caps.Bytes(unknown.Value.Span);
                    break;
                default:
                    throw new ArgumentException($"cannot encode capability {cap.GetType().Name}", nameof(open));
            }
        }

        if (caps.Length == 0)
        {
            w.U8(0);
            return;
        }

        if (caps.Length > 253)
        {
            throw new ArgumentException("capabilities exceed one optional parameter", nameof(open));
        }

        w.U8((byte)(caps.Length + 2));
        w.U8(CapabilitiesParameter);
        w.U8((byte)caps.Length);
        w.Bytes(caps.ToArray());
    }

    // ---- UPDATE (§4.3, §6.3; RFC 7606; RFC 6793) ----
    private static UpdateMessage DecodeUpdate(ReadOnlySpan<byte> body, bool fourOctetAs)
    {
        int withdrawnLength = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (2 + withdrawnLength + 2 > body.Length)
        {
            throw Error(BgpErrorCode.UpdateMessage, UpdateErrorSubcode.MalformedAttributeList, [], $"withdrawn routes length {withdrawnLength} overruns the message");
        }

        var withdrawn = DecodePrefixes(body.Slice(2, withdrawnLength), "withdrawn routes");
        int attributesLength = BinaryPrimitives.ReadUInt16BigEndian(body[(2 + withdrawnLength)..]);
        int attributesStart = 4 + withdrawnLength;
        if (attributesStart + attributesLength > body.Length)
        {
            throw Error(BgpErrorCode.UpdateMessage, UpdateErrorSubcode.MalformedAttributeList, [], $"total path attribute length {attributesLength} overruns the message");
        }

        var nlri = DecodePrefixes(body[(attributesStart + attributesLength)..], "NLRI");
        if (attributesLength == 0)
        {
            var missing = nlri.Count == 0
                ? []
                : new List<BgpError> { new(BgpErrorCode.UpdateMessage, UpdateErrorSubcode.MissingWellKnownAttribute, new[] { AttributeType.Origin }, "ORIGIN missing", BgpErrorAction.TreatAsWithdraw) };
            return new UpdateMessage(withdrawn, null, nlri) { Errors = missing };
        }

        var errors = new List<BgpError>();
        var attributes = AttributeDecoder.Decode(body.Slice(attributesStart, attributesLength), fourOctetAs, nlri.Count > 0, errors);
        return new UpdateMessage(withdrawn, attributes, nlri) { Errors = errors };
    }

    internal static List<IPNetwork> DecodePrefixes(ReadOnlySpan<byte> field, string what)
    {
        var prefixes = new List<IPNetwork>();
        Span<byte> address = stackalloc byte[4];
        while (field.Length > 0)
        {
            int bits = field[0];
            int octets = (bits + 7) / 8;
            if (bits > 32 || 1 + octets > field.Length)
            {
                throw Error(BgpErrorCode.UpdateMessage, UpdateErrorSubcode.InvalidNetworkField, [], $"{what}: prefix length {bits} with {field.Length - 1} octets left");
            }

            address.Clear();
            field.Slice(1, octets).CopyTo(address);
            uint value = BinaryPrimitives.ReadUInt32BigEndian(address);
            uint mask = bits == 0 ? 0 : uint.MaxValue << (32 - bits);
            BinaryPrimitives.WriteUInt32BigEndian(address, value & mask); // trailing bits are irrelevant (§4.3)
            prefixes.Add(new IPNetwork(new IPAddress(address), bits));
            field = field[(1 + octets)..];
        }

        return prefixes;
    }

    private static void EncodeUpdate(Writer w, UpdateMessage update, bool fourOctetAs)
    {
        int withdrawnAt = w.Length;
        w.U16(0);
        foreach (var prefix in update.Withdrawn)
        {
            WritePrefix(w, prefix);
        }

        w.PatchU16(withdrawnAt, (ushort)(w.Length - withdrawnAt - 2));
        int attributesAt = w.Length;
        w.U16(0);
        if (update.Attributes is { } attributes)
        {
            AttributeEncoder.Encode(w, attributes, fourOctetAs);
        }

        w.PatchU16(attributesAt, (ushort)(w.Length - attributesAt - 2));
        foreach (var prefix in update.Nlri)
        {
            WritePrefix(w, prefix);
        }
    }

    private static void WritePrefix(Writer w, IPNetwork prefix)
    {
        if (prefix.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{prefix} is not IPv4", nameof(prefix));
        }

        w.U8((byte)prefix.PrefixLength);
        w.Bytes(prefix.BaseAddress.GetAddressBytes().AsSpan(0, (prefix.PrefixLength + 7) / 8));
    }

    internal static byte[] Ipv4Bytes(IPAddress address)
    {
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{address} is not IPv4", nameof(address));
        }

        return address.GetAddressBytes();
    }
}
