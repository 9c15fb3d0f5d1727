namespace NitroCard.Bgp.Wire;

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
