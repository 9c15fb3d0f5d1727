using System.Collections.Immutable;
using System.Text.Json;

namespace NitroCard.Region;

/// <summary>A VPC's Internet Gateway (the file's <c>internetGateway</c>): 1:1 NAT of its ENIs' public IPs on the edge.</summary>
/// <param name="Id">Unique id (for example <c>igw-1</c>).</param>
public sealed record InternetGateway(string Id = "");

/// <summary>A site-to-site VPN connection of a VPC's virtual private gateway (the file's <c>vpnConnections</c>).</summary>
/// <param name="Id">Unique id; the edge's port is <c>vpn:&lt;id&gt;</c>.</param>
/// <param name="CustomerGatewayIp">The customer gateway's public IPv4 (outer source of inbound ESP, outer destination of outbound).</param>
/// <param name="EdgeIp">The edge's public IPv4 for this connection (outer destination of inbound ESP).</param>
/// <param name="CustomerCidrs">The customer's networks behind the gateway (routes with target <c>vgw</c> send them to the edge).</param>
/// <param name="Outbound">The SA the edge encrypts with (edge → customer gateway).</param>
/// <param name="Inbound">The SA the edge decrypts with (customer gateway → edge).</param>
public sealed record VpnConnection(
    string Id = "",
    string CustomerGatewayIp = "",
    string EdgeIp = "",
    ImmutableArray<string> CustomerCidrs = default,
    EspSa? Outbound = null,
    EspSa? Inbound = null)
{
    public ImmutableArray<string> CustomerCidrs { get; init; } = CustomerCidrs.IsDefault ? [] : CustomerCidrs;
}

/// <summary>An ESP security association with AES-GCM (RFC 4106, 16-byte ICV).</summary>
/// <param name="Spi">The security parameter index, 256..4294967295 (1..255 are reserved by RFC 4303).</param>
/// <param name="AesGcmKeyWithSalt">40 hex digits (AES-128 key then the 4-byte salt) or 72 (AES-256 key then salt).</param>
public sealed record EspSa(long Spi = 0, string AesGcmKeyWithSalt = "");

/// <summary>A Direct Connect private virtual interface to the VPC's virtual private gateway (the file's <c>directConnect</c>).</summary>
/// <param name="Id">Unique id of the virtual interface.</param>
/// <param name="Connection">The physical connection; the edge's port is <c>dx:&lt;connection&gt;</c>.</param>
/// <param name="STag">The 802.1ad service tag on the connection, 1..4094.</param>
/// <param name="CTag">The 802.1Q customer tag of the virtual interface, 1..4094; (connection, sTag, cTag) is unique.</param>
/// <param name="CustomerCidrs">The customer's networks reached through the interface.</param>
public sealed record DirectConnectVif(
    string Id = "",
    string Connection = "",
    int STag = 0,
    int CTag = 0,
    ImmutableArray<string> CustomerCidrs = default)
{
    public ImmutableArray<string> CustomerCidrs { get; init; } = CustomerCidrs.IsDefault ? [] : CustomerCidrs;
}

/// <summary>A gateway endpoint (S3 or DynamoDB) of a VPC (the file's <c>gatewayEndpoints</c>).</summary>
/// <param name="Id">Unique id <c>vpce-…</c> (also the route target of its prefix-list routes).</param>
/// <param name="Service"><c>s3</c> or <c>dynamodb</c>.</param>
/// <param name="PrefixList">The service's public prefixes: each associated route table gets a prefix-list route to the endpoint for each.</param>
/// <param name="RouteTables">Ids of the VPC's route tables the endpoint is associated with.</param>
/// <param name="Policy">The endpoint policy (IAM-style JSON: <c>Statement</c> of Effect, Principal, Action, Resource); absent: allow all.</param>
public sealed record GatewayEndpoint(
    string Id = "",
    string Service = "",
    ImmutableArray<string> PrefixList = default,
    ImmutableArray<string> RouteTables = default,
    JsonElement? Policy = null)
{
    public ImmutableArray<string> PrefixList { get; init; } = PrefixList.IsDefault ? [] : PrefixList;

    public ImmutableArray<string> RouteTables { get; init; } = RouteTables.IsDefault ? [] : RouteTables;
}
