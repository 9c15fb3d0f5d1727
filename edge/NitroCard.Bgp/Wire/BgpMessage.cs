using System.Net;

namespace NitroCard.Bgp.Wire;

/// <summary>A decoded BGP message (RFC 4271 §4).</summary>
public abstract record BgpMessage
{
    /// <summary>The header's Type.</summary>
    public abstract BgpMessageType Type { get; }
}

/// <summary>OPEN (RFC 4271 §4.2) with its capabilities (RFC 5492).</summary>
/// <param name="Version">The protocol version (4).</param>
/// <param name="MyAutonomousSystem">The 2-octet My AS field (AS_TRANS when the real ASN does not fit, RFC 6793 §4.2.3).</param>
/// <param name="HoldTime">The proposed hold time in seconds (0, or 3 and more).</param>
/// <param name="BgpIdentifier">The sender's BGP Identifier.</param>
/// <param name="Capabilities">The capabilities from the Capabilities optional parameters.</param>
public sealed record OpenMessage(byte Version, ushort MyAutonomousSystem, ushort HoldTime, IPAddress BgpIdentifier, IReadOnlyList<BgpCapability> Capabilities) : BgpMessage
{
    /// <summary>AS_TRANS, the 2-octet stand-in for a 4-octet ASN (RFC 6793 §9).</summary>
    public const ushort AsTrans = 23456;

    /// <inheritdoc/>
    public override BgpMessageType Type => BgpMessageType.Open;

    /// <summary>The sender's ASN: the 4-octet AS capability's value when present, else My AS.</summary>
    public uint Asn => Capabilities.OfType<FourOctetAsCapability>().FirstOrDefault()?.Asn ?? MyAutonomousSystem;

    /// <summary>Whether the sender can take 4-octet AS numbers (RFC 6793).</summary>
    public bool SupportsFourOctetAs => Capabilities.OfType<FourOctetAsCapability>().Any();

    /// <summary>Whether the sender takes ROUTE-REFRESH (RFC 2918 §2).</summary>
    public bool SupportsRouteRefresh => Capabilities.OfType<RouteRefreshCapability>().Any();

    /// <summary>
    /// Whether the sender carries IPv4 unicast: it says so with a multiprotocol capability, or it sends none
    /// (RFC 4760 §8: a speaker without the capability does IPv4 unicast only).
    /// </summary>
    public bool SupportsIpv4Unicast
    {
        get
        {
            var mp = Capabilities.OfType<MultiprotocolCapability>().ToList();
            return mp.Count == 0 || mp.Any(c => c.IsIpv4Unicast);
        }
    }

    /// <summary>An OPEN as our speaker sends it: IPv4 unicast, 4-octet AS and route refresh capabilities.</summary>
    public static OpenMessage Create(uint asn, ushort holdTime, IPAddress bgpIdentifier) =>
        new(4, asn > ushort.MaxValue ? AsTrans : (ushort)asn, holdTime, bgpIdentifier,
            [MultiprotocolCapability.Ipv4Unicast, new RouteRefreshCapability(), new FourOctetAsCapability(asn)]);
}

/// <summary>KEEPALIVE (RFC 4271 §4.4): the header only.</summary>
public sealed record KeepaliveMessage : BgpMessage
{
    /// <summary>The one KEEPALIVE.</summary>
    public static readonly KeepaliveMessage Instance = new();

    /// <inheritdoc/>
    public override BgpMessageType Type => BgpMessageType.Keepalive;
}

/// <summary>NOTIFICATION (RFC 4271 §4.5).</summary>
/// <param name="Code">The error code.</param>
/// <param name="Subcode">The error subcode.</param>
/// <param name="Data">The diagnostic data.</param>
public sealed record NotificationMessage(BgpErrorCode Code, byte Subcode, ReadOnlyMemory<byte> Data) : BgpMessage
{
    /// <summary>A NOTIFICATION without data.</summary>
    public NotificationMessage(BgpErrorCode code, byte subcode)
        : this(code, subcode, ReadOnlyMemory<byte>.Empty)
    {
    }

    /// <inheritdoc/>
    public override BgpMessageType Type => BgpMessageType.Notification;

    /// <inheritdoc/>
    public override string ToString() => $"NOTIFICATION {Code}/{Subcode} data {Convert.ToHexString(Data.Span)}";
}

/// <summary>ROUTE-REFRESH (RFC 2918 §3; the reserved octet is the message subtype in RFC 7313).</summary>
/// <param name="Afi">The address family.</param>
/// <param name="Subtype">The reserved octet (0 for a normal refresh).</param>
/// <param name="Safi">The subsequent address family.</param>
public sealed record RouteRefreshMessage(ushort Afi, byte Subtype, byte Safi) : BgpMessage
{
    /// <summary>A refresh request for IPv4 unicast.</summary>
    public static readonly RouteRefreshMessage Ipv4Unicast = new(MultiprotocolCapability.AfiIpv4, 0, MultiprotocolCapability.SafiUnicast);

    /// <inheritdoc/>
    public override BgpMessageType Type => BgpMessageType.RouteRefresh;
}

/// <summary>UPDATE (RFC 4271 §4.3) for IPv4 unicast.</summary>
/// <param name="Withdrawn">The withdrawn routes.</param>
/// <param name="Attributes">The path attributes (null when the UPDATE only withdraws).</param>
/// <param name="Nlri">The announced prefixes.</param>
public sealed record UpdateMessage(IReadOnlyList<IPNetwork> Withdrawn, PathAttributes? Attributes, IReadOnlyList<IPNetwork> Nlri) : BgpMessage
{
    /// <inheritdoc/>
    public override BgpMessageType Type => BgpMessageType.Update;

    /// <summary>
    /// Errors found in the attributes whose RFC 7606 action is treat-as-withdraw or attribute-discard (in the order found);
    /// a receiver that follows RFC 4271 alone answers the first with its NOTIFICATION instead.
    /// </summary>
    public IReadOnlyList<BgpError> Errors { get; init; } = [];

    /// <summary>Whether RFC 7606 says to treat the announced prefixes as withdrawn.</summary>
    public bool TreatAsWithdraw => Errors.Any(e => e.Action == BgpErrorAction.TreatAsWithdraw);

    /// <summary>Whether this is the End-of-RIB marker for IPv4 unicast (an empty UPDATE, RFC 4724 §2).</summary>
    public bool IsEndOfRib => Withdrawn.Count == 0 && Nlri.Count == 0 && Attributes is null;
}
