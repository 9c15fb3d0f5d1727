using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace NitroCard.Region;

/// <summary>A VPC: an address plan isolated from every other VPC by its VNI.</summary>
/// <param name="Id">Unique VPC id (for example <c>vpc-0a1b2c3d4e5f60718</c>).</param>
/// <param name="Cidr">The VPC's IPv4 CIDR block. Two VPCs may overlap.</param>
/// <param name="Vni">The VXLAN network identifier, 1..16777215, unique in the region.</param>
/// <param name="Subnets">The subnets.</param>
/// <param name="RouteTables">The route tables subnets refer to.</param>
/// <param name="SecurityGroups">The security groups ENIs and rules refer to.</param>
/// <param name="Enis">The ENIs, in slot order per host.</param>
/// <param name="NetworkAcls">The network ACLs; a subnet in none has the VPC default ACL (allow all).</param>
/// <param name="InternetGateway">The VPC's Internet Gateway on the edge; absent: nothing reaches or leaves through the internet.</param>
/// <param name="VpnConnections">Site-to-site VPN connections of the VPC's virtual private gateway.</param>
/// <param name="DirectConnect">Direct Connect virtual interfaces to the VPC's virtual private gateway.</param>
/// <param name="GatewayEndpoints">Gateway endpoints (S3, DynamoDB).</param>
/// <param name="EnableDnsSupport">The VPC attribute <c>enableDnsSupport</c>: the Amazon DNS resolver answers the VPC's instances;
/// absent: on (<see cref="DnsSupport"/>).</param>
/// <param name="EnableDnsHostnames">The VPC attribute <c>enableDnsHostnames</c>: instances with a public IP get public DNS names;
/// absent: off, as for a VPC that is not a default VPC (<see cref="DnsHostnames"/>); needs DNS support.</param>
/// <param name="FlowLogs">Flow logs on the VPC, its subnets or its ENIs; absent: none.</param>
/// <remarks>The instance-service fields are absent (null) unless the file sets them, so a file without them writes back, and
/// describes, exactly as before they existed.</remarks>
public sealed record Vpc(
    string Id = "",
    string Cidr = "",
    uint Vni = 0,
    ImmutableArray<Subnet> Subnets = default,
    ImmutableArray<RouteTable> RouteTables = default,
    ImmutableArray<SecurityGroup> SecurityGroups = default,
    ImmutableArray<Eni> Enis = default,
    ImmutableArray<RegionNetworkAcl> NetworkAcls = default,
    InternetGateway? InternetGateway = null,
    ImmutableArray<VpnConnection> VpnConnections = default,
    ImmutableArray<DirectConnectVif> DirectConnect = default,
    ImmutableArray<GatewayEndpoint> GatewayEndpoints = default,
    bool? EnableDnsSupport = null,
    bool? EnableDnsHostnames = null,
    ImmutableArray<FlowLog>? FlowLogs = null)
{
    public ImmutableArray<Subnet> Subnets { get; init; } = Subnets.IsDefault ? [] : Subnets;

    public ImmutableArray<RouteTable> RouteTables { get; init; } = RouteTables.IsDefault ? [] : RouteTables;

    public ImmutableArray<SecurityGroup> SecurityGroups { get; init; } = SecurityGroups.IsDefault ? [] : SecurityGroups;

    public ImmutableArray<Eni> Enis { get; init; } = Enis.IsDefault ? [] : Enis;

    public ImmutableArray<RegionNetworkAcl> NetworkAcls { get; init; } = NetworkAcls.IsDefault ? [] : NetworkAcls;

    public ImmutableArray<VpnConnection> VpnConnections { get; init; } = VpnConnections.IsDefault ? [] : VpnConnections;

    public ImmutableArray<DirectConnectVif> DirectConnect { get; init; } = DirectConnect.IsDefault ? [] : DirectConnect;

    public ImmutableArray<GatewayEndpoint> GatewayEndpoints { get; init; } = GatewayEndpoints.IsDefault ? [] : GatewayEndpoints;

    /// <summary>enableDnsSupport with AWS's default applied.</summary>
    [JsonIgnore]
    public bool DnsSupport => EnableDnsSupport ?? true;

    /// <summary>enableDnsHostnames with AWS's default applied.</summary>
    [JsonIgnore]
    public bool DnsHostnames => EnableDnsHostnames ?? false;

    /// <summary>The flow logs (empty when the file has none).</summary>
    [JsonIgnore]
    public ImmutableArray<FlowLog> FlowLogList => FlowLogs is { IsDefault: false } list ? list : [];
}
