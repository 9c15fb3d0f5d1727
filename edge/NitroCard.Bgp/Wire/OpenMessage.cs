using System.Net;

namespace NitroCard.Bgp.Wire;

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
