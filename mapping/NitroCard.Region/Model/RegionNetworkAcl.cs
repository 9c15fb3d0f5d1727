using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace NitroCard.Region;

/// <summary>A network ACL of a VPC (the file's <c>networkAcls</c>): stateless, numbered rules, an implicit final deny.</summary>
/// <param name="Id">Unique ACL id.</param>
/// <param name="Subnets">Ids of the VPC's subnets the ACL is associated with (a subnet has at most one ACL; without one it has the VPC default, allow all).</param>
/// <param name="Ingress">Inbound rules.</param>
/// <param name="Egress">Outbound rules.</param>
public sealed record RegionNetworkAcl(
    string Id = "",
    ImmutableArray<string> Subnets = default,
    ImmutableArray<RegionAclRule> Ingress = default,
    ImmutableArray<RegionAclRule> Egress = default)
{
    public ImmutableArray<string> Subnets { get; init; } = Subnets.IsDefault ? [] : Subnets;

    public ImmutableArray<RegionAclRule> Ingress { get; init; } = Ingress.IsDefault ? [] : Ingress;

    public ImmutableArray<RegionAclRule> Egress { get; init; } = Egress.IsDefault ? [] : Egress;
}

/// <summary>One network ACL rule.</summary>
/// <param name="RuleNumber">1..32766, unique per ACL and direction; the lowest matching number decides.</param>
/// <param name="Protocol">As in security group rules: <c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>all</c> (or <c>-1</c>), or a number.</param>
/// <param name="FromPort">TCP/UDP: first port (required). ICMP: the type (-1 = any).</param>
/// <param name="ToPort">TCP/UDP: last port (required). ICMP: the code (-1 = any).</param>
/// <param name="Cidr">The remote IPv4 prefix (source for ingress, destination for egress).</param>
/// <param name="Action"><c>allow</c> or <c>deny</c>.</param>
public sealed record RegionAclRule(
    int RuleNumber = 0,
    [property: JsonConverter(typeof(StringOrNumberConverter))] string Protocol = "",
    int? FromPort = null,
    int? ToPort = null,
    string? Cidr = null,
    string Action = "");

/// <summary>An ENI's connection tracking timeouts in seconds (the file's <c>connectionTracking</c>); absent values take AWS's defaults.</summary>
/// <param name="TcpEstablishedTimeout">60..432000, default 432000.</param>
/// <param name="UdpStreamTimeout">60..180, default 180.</param>
/// <param name="UdpTimeout">30..60, default 30.</param>
public sealed record ConnectionTracking(int? TcpEstablishedTimeout = null, int? UdpStreamTimeout = null, int? UdpTimeout = null);
