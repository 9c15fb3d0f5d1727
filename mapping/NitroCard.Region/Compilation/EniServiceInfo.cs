using System.Collections.Immutable;
using System.Net;

namespace NitroCard.Region;

/// <summary>
/// What the instance services (metadata, DNS) of a host's firmware need of one local ENI beyond its card entry: the
/// region file's instance fields, the subnet's zone, the VPC's CIDR and DNS attributes (README of
/// firmware-sim/NitroCard.InstanceServices, "What the region file says for them"). Built by <see cref="RegionCompiler"/>,
/// carried to the host in the mapping protocol's <c>Eni.services</c>.
/// </summary>
/// <param name="InstanceId">The instance id, given or derived.</param>
/// <param name="DeviceIndex">The attachment's device index (0: the primary interface).</param>
/// <param name="MetadataOptions">The instance's metadata options (EC2's defaults when the file has none).</param>
/// <param name="PublicIp">The public IPv4 address the Internet Gateway maps to the ENI; null when none.</param>
/// <param name="AvailabilityZone">The subnet's availability zone.</param>
/// <param name="VpcCidr">The VPC's IPv4 CIDR block.</param>
/// <param name="EnableDnsSupport">The VPC's enableDnsSupport.</param>
/// <param name="EnableDnsHostnames">The VPC's enableDnsHostnames.</param>
/// <param name="RegionName">The region's name.</param>
/// <param name="AccountId">The owning account.</param>
/// <param name="SecurityGroups">The ENI's security group ids, in the ENI's order (compared by value, like every other field).</param>
/// <param name="DnsUpstream">The region's <c>dnsUpstream</c>: where the resolver forwards names it does not own; null: REFUSED.</param>
/// <param name="FlowLogs">The flow logs that cover the ENI (on its VPC, its subnet or itself), in the VPC's file order.</param>
public sealed record EniServiceInfo(
    string InstanceId,
    int DeviceIndex,
    InstanceMetadataOptions MetadataOptions,
    IPAddress? PublicIp,
    string AvailabilityZone,
    IPNetwork VpcCidr,
    bool EnableDnsSupport,
    bool EnableDnsHostnames,
    string RegionName,
    string AccountId,
    ImmutableArray<string> SecurityGroups = default,
    IPEndPoint? DnsUpstream = null,
    ImmutableArray<FlowLog> FlowLogs = default)
{
    public ImmutableArray<string> SecurityGroups { get; init; } = SecurityGroups.IsDefault ? [] : SecurityGroups;

    public ImmutableArray<FlowLog> FlowLogs { get; init; } = FlowLogs.IsDefault ? [] : FlowLogs;

    // The compiler's equality would compare the array by reference; a push diffs ENIs by value (DeltaBuilder).
    public bool Equals(EniServiceInfo? other)
        => other is not null && InstanceId == other.InstanceId && DeviceIndex == other.DeviceIndex
        && MetadataOptions == other.MetadataOptions && Equals(PublicIp, other.PublicIp) && AvailabilityZone == other.AvailabilityZone
        && VpcCidr == other.VpcCidr && EnableDnsSupport == other.EnableDnsSupport && EnableDnsHostnames == other.EnableDnsHostnames
        && RegionName == other.RegionName && AccountId == other.AccountId
        && SecurityGroups.AsSpan().SequenceEqual(other.SecurityGroups.AsSpan()) && Equals(DnsUpstream, other.DnsUpstream)
        && FlowLogs.AsSpan().SequenceEqual(other.FlowLogs.AsSpan());

    public override int GetHashCode() => HashCode.Combine(InstanceId, DeviceIndex, PublicIp, VpcCidr, SecurityGroups.Length);
}
