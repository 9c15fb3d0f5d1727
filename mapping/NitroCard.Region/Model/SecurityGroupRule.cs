using System.Text.Json.Serialization;

namespace NitroCard.Region;

/// <summary>One allow rule of a security group: exactly one of <see cref="Cidr"/> and <see cref="SourceGroup"/>.</summary>
/// <param name="Protocol"><c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>all</c> (or <c>-1</c>), or an IP protocol number 0..255 (a JSON string or number), kept as written.</param>
/// <param name="FromPort">TCP/UDP: first port (0..65535, required). ICMP: the type (-1..255, -1 = any; absent = any).</param>
/// <param name="ToPort">TCP/UDP: last port (0..65535, required, ≥ <paramref name="FromPort"/>). ICMP: the code (-1..255, -1 = any; absent = any).</param>
/// <param name="Cidr">The peer IPv4 prefix (source for ingress, destination for egress).</param>
/// <param name="SourceGroup">The peer security group id (of the same VPC): every ENI in that group.</param>
public sealed record SecurityGroupRule(
    [property: JsonConverter(typeof(StringOrNumberConverter))] string Protocol = "",
    int? FromPort = null,
    int? ToPort = null,
    string? Cidr = null,
    string? SourceGroup = null);
