using System.Net;

namespace NitroCard.InstanceServices.Dns;

/// <summary>One ENI as the resolver sees it.</summary>
/// <param name="EniId">The ENI's id.</param>
/// <param name="PrivateIp">Its private IPv4 address.</param>
/// <param name="PublicIp">Its public IPv4 address; null when none.</param>
public sealed record DnsEni(string EniId, IPAddress PrivateIp, IPAddress? PublicIp = null);

/// <summary>A VPC as the resolver sees it: its CIDR, DNS attributes and ENIs.</summary>
/// <param name="VpcId">The VPC's id.</param>
/// <param name="Cidr">Its IPv4 CIDR block.</param>
/// <param name="EnableDnsSupport">enableDnsSupport: off, the resolver does not answer this VPC's instances at all.</param>
/// <param name="EnableDnsHostnames">enableDnsHostnames: on, instances with a public IP have public DNS names.</param>
/// <param name="Enis">All ENIs of the VPC.</param>
public sealed record VpcDnsView(string VpcId, IPNetwork Cidr, bool EnableDnsSupport, bool EnableDnsHostnames, IReadOnlyList<DnsEni> Enis);

/// <summary>The region as the resolver needs it; the firmware fills it from its plan and the Mapping Service's pushes.</summary>
public interface IRegionDnsView
{
    /// <summary>The region's name (decides the EC2 zones).</summary>
    string Region { get; }

    /// <summary>The VPC <paramref name="vpcId"/>; null when unknown.</summary>
    VpcDnsView? Vpc(string vpcId);

    /// <summary>The ENI that has <paramref name="publicIp"/> and its VPC; null when none.</summary>
    (VpcDnsView Vpc, DnsEni Eni)? FindPublic(IPAddress publicIp);
}

/// <summary>A region view held in memory and replaced whole (the firmware's, and the tests').</summary>
public sealed class RegionDnsView(string region) : IRegionDnsView
{
    private volatile IReadOnlyDictionary<string, VpcDnsView> vpcs = new Dictionary<string, VpcDnsView>();

    /// <inheritdoc />
    public string Region { get; } = region;

    /// <summary>Replaces all VPCs.</summary>
    public void Update(IEnumerable<VpcDnsView> views) => vpcs = views.ToDictionary(v => v.VpcId, StringComparer.Ordinal);

    /// <inheritdoc />
    public VpcDnsView? Vpc(string vpcId) => vpcs.GetValueOrDefault(vpcId);

    /// <inheritdoc />
    public (VpcDnsView Vpc, DnsEni Eni)? FindPublic(IPAddress publicIp)
    {
        foreach (var vpc in vpcs.Values)
        {
            foreach (var eni in vpc.Enis)
            {
                if (publicIp.Equals(eni.PublicIp))
                    return (vpc, eni);
            }
        }
        return null;
    }
}
