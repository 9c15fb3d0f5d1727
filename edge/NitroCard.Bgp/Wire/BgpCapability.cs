namespace NitroCard.Bgp.Wire;

/// <summary>A capability advertised in OPEN (RFC 5492 §4).</summary>
public abstract record BgpCapability
{
    /// <summary>Multiprotocol Extensions (RFC 4760 §8).</summary>
    public const byte MultiprotocolCode = 1;

    /// <summary>Route Refresh (RFC 2918 §2).</summary>
    public const byte RouteRefreshCode = 2;

    /// <summary>Support for 4-octet AS numbers (RFC 6793 §3).</summary>
    public const byte FourOctetAsCode = 65;

    /// <summary>The capability code.</summary>
    public abstract byte Code { get; }
}

/// <summary>Multiprotocol Extensions capability: one AFI/SAFI pair (RFC 4760 §8).</summary>
/// <param name="Afi">The address family identifier.</param>
/// <param name="Safi">The subsequent address family identifier.</param>
public sealed record MultiprotocolCapability(ushort Afi, byte Safi) : BgpCapability
{
    /// <summary>AFI for IPv4.</summary>
    public const ushort AfiIpv4 = 1;

    /// <summary>SAFI for unicast.</summary>
    public const byte SafiUnicast = 1;

    /// <summary>IPv4 unicast.</summary>
    public static readonly MultiprotocolCapability Ipv4Unicast = new(AfiIpv4, SafiUnicast);

    /// <inheritdoc/>
    public override byte Code => MultiprotocolCode;

    /// <summary>Whether this is IPv4 unicast.</summary>
    public bool IsIpv4Unicast => Afi == AfiIpv4 && Safi == SafiUnicast;
}

/// <summary>Route Refresh capability (RFC 2918 §2), no value.</summary>
public sealed record RouteRefreshCapability : BgpCapability
{
    /// <inheritdoc/>
    public override byte Code => RouteRefreshCode;
}

/// <summary>4-octet AS capability carrying the speaker's ASN (RFC 6793 §3).</summary>
/// <param name="Asn">The speaker's 4-octet ASN.</param>
public sealed record FourOctetAsCapability(uint Asn) : BgpCapability
{
    /// <inheritdoc/>
    public override byte Code => FourOctetAsCode;
}

/// <summary>A capability we do not interpret (kept, ignored: RFC 5492 §3).</summary>
/// <param name="CapabilityCode">The capability code.</param>
/// <param name="Value">The capability value.</param>
public sealed record UnknownCapability(byte CapabilityCode, ReadOnlyMemory<byte> Value) : BgpCapability
{
    /// <inheritdoc/>
    public override byte Code => CapabilityCode;
}
