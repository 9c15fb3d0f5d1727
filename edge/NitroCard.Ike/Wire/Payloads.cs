using System.Collections.Immutable;
using System.Net;

namespace NitroCard.Ike.Wire;

/// <summary>One payload of an IKE message (RFC 7296 §3.2). Bodies are encoded by <see cref="PayloadCodec"/>.</summary>
public abstract record Payload
{
    /// <summary>The payload type that announces this payload in the chain.</summary>
    public abstract PayloadType Type { get; }
}

/// <summary>A transform (RFC 7296 §3.3.2); <paramref name="KeyLength"/> is the Key Length attribute (§3.3.5) in bits.</summary>
public sealed record Transform(TransformType Type, ushort Id, ushort? KeyLength = null)
{
    /// <summary>True when the transform carried an attribute other than Key Length: it must not be selected.</summary>
    public bool HasUnknownAttribute { get; init; }

    public override string ToString() => KeyLength is { } k ? $"{Type}:{Id}/{k}" : $"{Type}:{Id}";
}

/// <summary>A proposal substructure (RFC 7296 §3.3.1).</summary>
public sealed record Proposal(byte Number, ProtocolId Protocol, ReadOnlyMemory<byte> Spi, ImmutableArray<Transform> Transforms);

/// <summary>SA payload (§3.3).</summary>
public sealed record SaPayload(ImmutableArray<Proposal> Proposals) : Payload
{
    public override PayloadType Type => PayloadType.SecurityAssociation;
}

/// <summary>Key Exchange payload (§3.4).</summary>
public sealed record KePayload(ushort Group, ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.KeyExchange;
}

/// <summary>Nonce payload Ni/Nr (§3.9).</summary>
public sealed record NoncePayload(ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.Nonce;
}

/// <summary>Identification payload IDi or IDr (§3.5).</summary>
public sealed record IdPayload(bool Initiator, IdType IdType, ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => Initiator ? PayloadType.IdInitiator : PayloadType.IdResponder;

    /// <summary>An ID_IPV4_ADDR or ID_IPV6_ADDR identity.</summary>
    public static IdPayload FromAddress(bool initiator, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new(initiator, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? IdType.Ipv4Address : IdType.Ipv6Address, address.GetAddressBytes());
    }

    /// <summary>An ID_FQDN identity.</summary>
    public static IdPayload FromFqdn(bool initiator, string fqdn) => new(initiator, IdType.Fqdn, System.Text.Encoding.ASCII.GetBytes(fqdn));

    /// <summary>Same identity (type and data), whatever the direction.</summary>
    public bool SameIdentity(IdPayload other) => other is not null && IdType == other.IdType && Data.Span.SequenceEqual(other.Data.Span);
}

/// <summary>Authentication payload (§3.8).</summary>
public sealed record AuthPayload(AuthMethod Method, ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.Authentication;
}

/// <summary>Notify payload (§3.10).</summary>
public sealed record NotifyPayload(ProtocolId Protocol, ReadOnlyMemory<byte> Spi, NotifyType NotifyType, ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.Notify;

    /// <summary>True for error types (below 16384).</summary>
    public bool IsError => (ushort)NotifyType < 16384;

    /// <summary>A notify about the IKE SA itself (no SPI).</summary>
    public static NotifyPayload Of(NotifyType type, ReadOnlyMemory<byte> data = default) => new(ProtocolId.None, ReadOnlyMemory<byte>.Empty, type, data);
}

/// <summary>Delete payload (§3.11): no SPIs for the IKE SA, 4-byte SPIs for ESP/AH.</summary>
public sealed record DeletePayload(ProtocolId Protocol, ImmutableArray<uint> Spis) : Payload
{
    public override PayloadType Type => PayloadType.Delete;
}

/// <summary>Vendor ID payload (§3.12).</summary>
public sealed record VendorIdPayload(ReadOnlyMemory<byte> Data) : Payload
{
    public override PayloadType Type => PayloadType.VendorId;
}

/// <summary>Traffic selector payload TSi or TSr (§3.13).</summary>
public sealed record TrafficSelectorPayload(bool Initiator, ImmutableArray<TrafficSelector> Selectors) : Payload
{
    public override PayloadType Type => Initiator ? PayloadType.TrafficSelectorInitiator : PayloadType.TrafficSelectorResponder;
}

/// <summary>A payload this library does not interpret (not critical, or it would not have parsed).</summary>
public sealed record UnknownPayload(PayloadType RawType, bool Critical, ReadOnlyMemory<byte> Body) : Payload
{
    public override PayloadType Type => RawType;
}

/// <summary>The SK payload before decryption (§3.14): the first inner payload type and the raw body (IV, ciphertext, ICV).</summary>
public sealed record EncryptedPayload(PayloadType FirstInner, ReadOnlyMemory<byte> Body) : Payload
{
    public override PayloadType Type => PayloadType.Encrypted;
}
