using System.Collections.Immutable;
using System.Net;

namespace NitroCard.InstanceServices.Identity;

/// <summary>
/// What the instance services know of one ENI and the instance it belongs to: the firmware fills it from its
/// card plan (the region's ENI, subnet, VPC and host) and replaces it when the Mapping Service pushes a change.
/// </summary>
/// <param name="EniId">The ENI's id (the flow logs' interface-id, the IMDS interface-id).</param>
/// <param name="InstanceId">The instance's id (IMDS instance-id).</param>
/// <param name="Mac">The ENI's MAC, a 48-bit big-endian number (byte 0 most significant), as <c>NitroCard.Packets</c> uses it.</param>
/// <param name="PrivateIp">The ENI's primary private IPv4 address.</param>
/// <param name="SubnetId">The subnet's id.</param>
/// <param name="SubnetCidr">The subnet's IPv4 CIDR block.</param>
/// <param name="VpcId">The VPC's id.</param>
/// <param name="VpcCidr">The VPC's IPv4 CIDR block (its base + 2 is the VPC's DNS resolver address).</param>
/// <param name="Region">The region's name, for example <c>us-east-1</c> (decides the EC2 hostname domains).</param>
/// <param name="AvailabilityZone">The host's availability zone, for example <c>us-east-1a</c>.</param>
/// <param name="AccountId">The owning account (IMDS owner-id, the flow logs' account-id).</param>
public sealed record InstanceIdentity(
    string EniId,
    string InstanceId,
    ulong Mac,
    IPAddress PrivateIp,
    string SubnetId,
    IPNetwork SubnetCidr,
    string VpcId,
    IPNetwork VpcCidr,
    string Region,
    string AvailabilityZone,
    string AccountId)
{
    /// <summary>The public IPv4 address mapped 1:1 to <see cref="PrivateIp"/> by the Internet Gateway; null when none.</summary>
    public IPAddress? PublicIp { get; init; }

    /// <summary>The ENI's device index on the instance (0 for the primary ENI).</summary>
    public int DeviceNumber { get; init; }

    /// <summary>Security group ids, in the ENI's order.</summary>
    public ImmutableArray<string> SecurityGroupIds { get; init; } = [];

    /// <summary>Security group names, in the order of <see cref="SecurityGroupIds"/> (IMDS security-groups); empty: the ids are shown.</summary>
    public ImmutableArray<string> SecurityGroupNames { get; init; } = [];

    /// <summary>The host the ENI is attached to (informational).</summary>
    public string Host { get; init; } = "";

    /// <summary>The VPC's enableDnsSupport attribute (default on, as in a VPC AWS creates).</summary>
    public bool EnableDnsSupport { get; init; } = true;

    /// <summary>The VPC's enableDnsHostnames attribute (default off for a non-default VPC).</summary>
    public bool EnableDnsHostnames { get; init; }

    /// <summary>The instance metadata options.</summary>
    public MetadataOptions Metadata { get; init; } = MetadataOptions.Default;

    /// <summary>The address of the VPC's DNS resolver: the VPC CIDR's base plus two.</summary>
    public IPAddress VpcResolver => Ec2Names.BasePlusTwo(VpcCidr);

    /// <summary>The private IP DNS name (<c>ip-10-0-1-10.ec2.internal</c> in us-east-1, <c>ip-10-0-1-10.REGION.compute.internal</c> elsewhere).</summary>
    public string PrivateDnsName => Ec2Names.PrivateName(PrivateIp, Region);

    /// <summary>The public DNS name: present only with a public IP and enableDnsHostnames (and enableDnsSupport) on.</summary>
    public string? PublicDnsName =>
        PublicIp is not null && EnableDnsHostnames && EnableDnsSupport ? Ec2Names.PublicName(PublicIp, Region) : null;
}
