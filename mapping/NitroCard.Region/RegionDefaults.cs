using System.Security.Cryptography;
using System.Text;
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

    /// <summary>The region's name when the file has no <c>region</c>.</summary>
    public const string RegionName = "eu-west-1";

    /// <summary>The owning account when the file has no <c>accountId</c> (AWS's documentation example account).</summary>
    public const string AccountId = "123456789012";

    /// <summary>The availability zone of a subnet that names none: the region's first.</summary>
    public static string AvailabilityZoneOf(string regionName) => regionName + "a";

    /// <summary>
    /// The instance id of an ENI whose file gives none: <c>i-</c> and 17 hex digits of SHA-256 over the ENI id, so the
    /// same file always gives the same id.
    /// </summary>
    public static string InstanceIdOf(string eniId)
    {
        ArgumentNullException.ThrowIfNull(eniId);
        return "i-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(eniId)))[..17];
    }
}
