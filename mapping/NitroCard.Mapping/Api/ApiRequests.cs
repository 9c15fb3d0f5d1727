using System.Collections.Immutable;
using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.Distribution;
using NitroCard.Region;

namespace NitroCard.Mapping.Api;

// The operations' parameters and results (EC2's action names). Ids, names, addresses and CIDR blocks are the text the
// operator wrote: the service validates them and names the parameter in its refusal. Null or blank is absent; a
// required parameter that is absent is refused (MissingParameter).

public sealed record CreateHostRequest(string? Name, string? UnderlayIp, string? UnderlayMac = null, string? Dataplane = null);

/// <summary><c>create-vpc</c>; without a VNI, the lowest free one.</summary>
public sealed record CreateVpcRequest(string? CidrBlock, uint? Vni = null, string? VpcId = null);

public sealed record CreateSubnetRequest(string? VpcId, string? CidrBlock, string? SubnetId = null, string? RouteTableId = null);

/// <summary><c>create-network-interface</c>; without an address, the subnet's first free one; without a MAC or an id, generated ones.</summary>
public sealed record CreateNetworkInterfaceRequest(
    string? SubnetId,
    string? Host,
    string? PrivateIpAddress = null,
    string? MacAddress = null,
    string? NetworkInterfaceId = null,
    ImmutableArray<string> Groups = default,
    bool SourceDestCheck = true)
{
    public ImmutableArray<string> Groups { get; init; } = Groups.IsDefault ? [] : Groups;
}

public sealed record MoveNetworkInterfaceRequest(string? NetworkInterfaceId, string? ToHost);

public sealed record DeleteNetworkInterfaceRequest(string? NetworkInterfaceId);

public sealed record CreateSecurityGroupRequest(string? VpcId, string? GroupId = null);

/// <summary><c>authorize-security-group-ingress</c>: <see cref="Port"/> is one port, the from and to port when those are absent.</summary>
public sealed record AuthorizeSecurityGroupIngressRequest(
    string? GroupId,
    string? Protocol,
    int? Port = null,
    int? FromPort = null,
    int? ToPort = null,
    string? Cidr = null,
    string? SourceGroup = null);

public sealed record AssociateAddressRequest(string? NetworkInterfaceId, string? PublicIp);

/// <summary>The describe filters: an absent one matches everything.</summary>
public sealed record DescribeFilter(string? VpcId = null, string? Host = null, string? NetworkInterfaceId = null, string? SubnetId = null);

/// <summary>AWS CLI paging; both absent: every alarm.</summary>
/// <param name="MaxItems">At least 1.</param>
/// <param name="StartingToken">The <see cref="AlarmPage.NextToken"/> of the previous page.</param>
public sealed record DescribeAlarmsRequest(int? MaxItems = null, string? StartingToken = null);

/// <summary>What <c>apply</c> converged to: the region's size and how many store records changed.</summary>
public sealed record ApplyResult(int Vpcs, int Enis, int Hosts, int Writes);

/// <summary>A resource with the id of the VPC it belongs to.</summary>
public sealed record InVpc<T>(string VpcId, T Resource);

/// <summary>A rule added to a security group.</summary>
public sealed record AuthorizedRule(string GroupId, SecurityGroupRule Rule);

/// <summary>A host as the service sees it.</summary>
/// <param name="Host">The host as created.</param>
/// <param name="Connected">Whether its agent is subscribed now.</param>
/// <param name="AckedVersion">The last version its agent acknowledged.</param>
/// <param name="RegionVersion">The region's version.</param>
/// <param name="Vpcs">The VPCs it has ENIs in, sorted.</param>
/// <param name="Enis">How many ENIs it has.</param>
/// <param name="Counters">What its agent last reported; null: nothing yet.</param>
public sealed record HostStatus(RegionHost Host, bool Connected, long AckedVersion, long RegionVersion, ImmutableArray<string> Vpcs, int Enis, HostCounters? Counters);
