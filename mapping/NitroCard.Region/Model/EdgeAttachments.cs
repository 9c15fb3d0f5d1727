using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using NitroCard.Packets;

namespace NitroCard.Region;

/// <summary>A VPC's Internet Gateway (the file's <c>internetGateway</c>): 1:1 NAT of its ENIs' public IPs on the edge.</summary>
/// <param name="Id">Unique id (for example <c>igw-1</c>).</param>
public sealed record InternetGateway(string Id = "");

/// <summary>
/// A site-to-site VPN connection of a VPC's virtual private gateway (the file's <c>vpnConnections</c>), in one of two
/// shapes. As AWS ships it: two <see cref="Tunnels"/> keyed by IKEv2 with a pre-shared key each, routing by BGP
/// (<see cref="CustomerGatewayAsn"/>, <see cref="AmazonSideAsn"/>) or static (<see cref="StaticRoutesOnly"/> with
/// <see cref="CustomerCidrs"/>). Manually keyed (RFC 4301 §4.5, for pcap runs): <see cref="EdgeIp"/>,
/// <see cref="Outbound"/> and <see cref="Inbound"/>, static <see cref="CustomerCidrs"/>, no tunnels.
/// </summary>
/// <param name="Id">Unique id; the edge's port is <c>vpn:&lt;id&gt;</c>.</param>
/// <param name="CustomerGatewayIp">The customer gateway's public IPv4 (outer source of inbound ESP, outer destination of outbound).</param>
/// <param name="EdgeIp">Manual keys: the edge's public IPv4 for this connection (outer destination of inbound ESP).</param>
/// <param name="CustomerCidrs">The customer's networks behind the gateway (routes with target <c>vgw</c> send them to the
/// edge): manual keys and static routing; with BGP the customer's prefixes are learned instead.</param>
/// <param name="Outbound">Manual keys: the SA the edge encrypts with (edge → customer gateway).</param>
/// <param name="Inbound">Manual keys: the SA the edge decrypts with (customer gateway → edge).</param>
/// <param name="CustomerGatewayAsn">The customer gateway's BGP ASN (AWS's <c>BgpAsn</c>), 1..4294967294; required with BGP.</param>
/// <param name="AmazonSideAsn">The virtual private gateway's ASN; Amazon's default 64512.</param>
/// <param name="StaticRoutesOnly">True: no BGP, the tunnels carry <see cref="CustomerCidrs"/>; false (default): BGP in each tunnel.</param>
/// <param name="Tunnels">IKE-keyed: exactly two tunnels (AWS's <c>TunnelOptions</c>).</param>
public sealed record VpnConnection(
    string Id = "",
    string CustomerGatewayIp = "",
    string? EdgeIp = null,
    ImmutableArray<string> CustomerCidrs = default,
    EspSa? Outbound = null,
    EspSa? Inbound = null,
    long? CustomerGatewayAsn = null,
    long AmazonSideAsn = VpnConnection.DefaultAmazonSideAsn,
    bool StaticRoutesOnly = false,
    ImmutableArray<VpnTunnelOptions> Tunnels = default)
{
    /// <summary>Amazon's default ASN for a virtual private gateway.</summary>
    public const long DefaultAmazonSideAsn = 64512;

    public ImmutableArray<string> CustomerCidrs { get; init; } = CustomerCidrs.IsDefault ? [] : CustomerCidrs;

    public ImmutableArray<VpnTunnelOptions> Tunnels { get; init; } = Tunnels.IsDefault ? [] : Tunnels;

    /// <summary>True when the connection is keyed by IKE (it has tunnels), false for manual keys.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsIkeKeyed => !Tunnels.IsEmpty;

    /// <summary>True when the tunnels run BGP (IKE-keyed and not <see cref="StaticRoutesOnly"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool UsesBgp => IsIkeKeyed && !StaticRoutesOnly;

    /// <summary>
    /// BGP: the networks the customer's router announces (the file's <c>customerAnnouncedCidrs</c>) — in a live region,
    /// what the site's BIRD is configured with. Neither the edge nor the Mapping Service reads them: they learn the
    /// prefixes over BGP (<see cref="LearnedCidrs"/>). Absent: none, and the field is not written back.
    /// </summary>
    public ImmutableArray<string>? CustomerAnnouncedCidrs { get; init; }

    /// <summary>
    /// BGP: the customer prefixes the edge carries now (learned over a tunnel that is up), as the edge last reported
    /// them to the Mapping Service, which owns and stores them and pushes them as propagated routes to the route tables
    /// with <c>vgwRoutePropagation</c>. Never in a region file (state, not configuration): internal, so the file's strict
    /// reading refuses a <c>learnedCidrs</c> field as unknown instead of ignoring it.
    /// </summary>
    internal ImmutableArray<string> LearnedCidrs { get; init; } = [];

    /// <summary>
    /// The customer's side of a tunnel's child SA, as a customer gateway is configured (the live site's strongSwan, the
    /// simulation's initiator): the customer's networks; with BGP the networks its router announces and the tunnel's
    /// inside /30, since the BGP session runs between that /30's two hosts.
    /// </summary>
    public ImmutableArray<string> SiteTrafficSelectors(VpnTunnelOptions tunnel)
    {
        ArgumentNullException.ThrowIfNull(tunnel);
        return UsesBgp ? [.. CustomerAnnouncedCidrs ?? [], InsideNetwork(tunnel)] : CustomerCidrs;
    }

    /// <summary>The VPC's side of a tunnel's child SA, as a customer gateway is configured: the VPC's CIDR, with BGP the tunnel's inside /30 too.</summary>
    public ImmutableArray<string> VpcTrafficSelectors(VpnTunnelOptions tunnel, string vpcCidr)
    {
        ArgumentNullException.ThrowIfNull(tunnel);
        return UsesBgp ? [vpcCidr, InsideNetwork(tunnel)] : [vpcCidr];
    }

    private static string InsideNetwork(VpnTunnelOptions tunnel) => IPNetwork.Parse(tunnel.TunnelInsideCidr).ToString();
}

/// <summary>
/// One tunnel of an IKE-keyed VPN connection, with the names, allowed values and defaults of AWS's
/// <c>VpnTunnelOptionsSpecification</c> (CreateVpnConnection). Lists are what the edge offers and accepts, in order.
/// </summary>
/// <param name="OutsideIpAddress">The edge's public IPv4 of this tunnel (UDP 500/4500 and ESP end here); unique per edge.</param>
/// <param name="TunnelInsideCidr">A /30 in 169.254.0.0/16 (not one AWS reserves); the edge takes the first host address, the customer the second.</param>
/// <param name="PreSharedKey">8–64 characters: letters, digits, periods and underscores, not starting with 0.</param>
/// <param name="IkeVersions"><c>ikev1</c>, <c>ikev2</c>; this edge speaks IKEv2, so the list must hold it. Default <c>[ikev2]</c>.</param>
/// <param name="Phase1EncryptionAlgorithms">IKE SA ciphers: <c>AES128</c>, <c>AES256</c>, <c>AES128-GCM-16</c>, <c>AES256-GCM-16</c> (default all).</param>
/// <param name="Phase2EncryptionAlgorithms">Child SA ciphers, the same names (default all); the edge's ESP carries the GCM ones.</param>
/// <param name="Phase1IntegrityAlgorithms"><c>SHA2-256</c>, <c>SHA2-384</c>, <c>SHA2-512</c> (default all): PRF, and integrity with AES-CBC.</param>
/// <param name="Phase2IntegrityAlgorithms">The same names (default all); used with AES-CBC child SAs.</param>
/// <param name="Phase1DhGroupNumbers">2, 14–24 (default all).</param>
/// <param name="Phase2DhGroupNumbers">2, 14–24 (default all): the PFS group of child SA rekeys.</param>
/// <param name="Phase1LifetimeSeconds">IKE SA lifetime, 900..28800 (default 28800).</param>
/// <param name="Phase2LifetimeSeconds">Child SA lifetime, 900..3600, at most phase 1's (default 3600).</param>
/// <param name="RekeyMarginTimeSeconds">Rekey this long before the lifetime ends, 60..half of phase 2's lifetime (default 270).</param>
/// <param name="RekeyFuzzPercentage">Random extra margin, 0..100 % (default 100).</param>
/// <param name="ReplayWindowSize">ESP anti-replay window in packets, 64..2048 (default 1024).</param>
/// <param name="DpdTimeoutSeconds">Dead peer detection timeout, at least 30 (default 30).</param>
/// <param name="DpdTimeoutAction"><c>clear</c> (default: end the IKE session), <c>restart</c> (start a new one), <c>none</c>.</param>
/// <param name="StartupAction"><c>add</c> (default: the customer gateway initiates) or <c>start</c> (the edge initiates).</param>
public sealed record VpnTunnelOptions(
    string OutsideIpAddress = "",
    string TunnelInsideCidr = "",
    string PreSharedKey = "",
    ImmutableArray<string> IkeVersions = default,
    ImmutableArray<string> Phase1EncryptionAlgorithms = default,
    ImmutableArray<string> Phase2EncryptionAlgorithms = default,
    ImmutableArray<string> Phase1IntegrityAlgorithms = default,
    ImmutableArray<string> Phase2IntegrityAlgorithms = default,
    ImmutableArray<int> Phase1DhGroupNumbers = default,
    ImmutableArray<int> Phase2DhGroupNumbers = default,
    int Phase1LifetimeSeconds = 28800,
    int Phase2LifetimeSeconds = 3600,
    int RekeyMarginTimeSeconds = 270,
    int RekeyFuzzPercentage = 100,
    int ReplayWindowSize = 1024,
    int DpdTimeoutSeconds = 30,
    string DpdTimeoutAction = "clear",
    string StartupAction = "add")
{
    /// <summary>AWS's encryption algorithm names.</summary>
    public static ImmutableArray<string> EncryptionNames { get; } = ["AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"];

    /// <summary>AWS's integrity algorithm names this edge accepts.</summary>
    public static ImmutableArray<string> IntegrityNames { get; } = ["SHA2-256", "SHA2-384", "SHA2-512"];

    /// <summary>The Diffie-Hellman groups AWS accepts.</summary>
    public static ImmutableArray<int> DhGroups { get; } = [2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];

    /// <summary>
    /// <see cref="DhGroups"/> in the order an offer lists them, the edge's and the customer site's alike: ECP first, then
    /// the safe-prime MODP groups by size, RFC 5114's after the safe primes of the same size, group 2 last.
    /// </summary>
    public static ImmutableArray<int> DhGroupPreference { get; } = [19, 20, 21, 14, 15, 16, 17, 18, 24, 23, 22, 2];

    public ImmutableArray<string> IkeVersions { get; init; } = IkeVersions.IsDefault ? ["ikev2"] : IkeVersions;

    /// <summary>The edge's inside address: the first host of <see cref="TunnelInsideCidr"/> (a validated /30).</summary>
    [JsonIgnore]
    public IPAddress EdgeInsideAddress => InsideHost(1);

    /// <summary>The customer gateway's inside address: the second host of <see cref="TunnelInsideCidr"/>.</summary>
    [JsonIgnore]
    public IPAddress CustomerInsideAddress => InsideHost(2);

    private IPAddress InsideHost(uint offset) => Ipv4Address.FromUInt32(Ipv4Address.ToUInt32(IPNetwork.Parse(TunnelInsideCidr).BaseAddress) + offset);

    public ImmutableArray<string> Phase1EncryptionAlgorithms { get; init; } = Phase1EncryptionAlgorithms.IsDefault ? EncryptionNames : Phase1EncryptionAlgorithms;

    public ImmutableArray<string> Phase2EncryptionAlgorithms { get; init; } = Phase2EncryptionAlgorithms.IsDefault ? EncryptionNames : Phase2EncryptionAlgorithms;

    public ImmutableArray<string> Phase1IntegrityAlgorithms { get; init; } = Phase1IntegrityAlgorithms.IsDefault ? IntegrityNames : Phase1IntegrityAlgorithms;

    public ImmutableArray<string> Phase2IntegrityAlgorithms { get; init; } = Phase2IntegrityAlgorithms.IsDefault ? IntegrityNames : Phase2IntegrityAlgorithms;

    public ImmutableArray<int> Phase1DhGroupNumbers { get; init; } = Phase1DhGroupNumbers.IsDefault ? DhGroups : Phase1DhGroupNumbers;

    public ImmutableArray<int> Phase2DhGroupNumbers { get; init; } = Phase2DhGroupNumbers.IsDefault ? DhGroups : Phase2DhGroupNumbers;
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
