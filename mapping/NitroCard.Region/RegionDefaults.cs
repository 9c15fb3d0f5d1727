using NitroCard.Card;

namespace NitroCard.Region;

/// <summary>Values a region file may leave out.</summary>
public static class RegionDefaults
{
    /// <summary>The substrate router's MAC when the region file has no <c>substrateRouterMac</c>.</summary>
    public static MacAddress SubstrateRouterMac { get; } = new(0x024e_0000_0001UL);

    /// <summary>The VPC router's MAC when the region file has no <c>gatewayMac</c>.</summary>
    public static MacAddress GatewayMac { get; } = new(0x024e_4757_0001UL);

    /// <summary>The most security groups one ENI may have (AWS's limit).</summary>
    public const int MaxSecurityGroupsPerEni = 5;

    /// <summary>The smallest VPC or subnet AWS allows (/28), so the five reserved addresses leave room.</summary>
    public const int MaxSubnetPrefixLength = 28;

    /// <summary>The largest VPC or subnet AWS allows (/16).</summary>
    public const int MinPrefixLength = 16;

    /// <summary>The largest VNI (24 bits).</summary>
    public const uint MaxVni = 0xFF_FFFF;

    /// <summary>A host's underlay MAC when the region file gives none: 02:4e then the four underlay IPv4 bytes.</summary>
    public static MacAddress DerivedUnderlayMac(uint underlayIp) => new(0x024e_0000_0000UL | underlayIp);
}
