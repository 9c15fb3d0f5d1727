using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace NitroCard.Region;

/// <summary>
/// A region file (the <c>--topology</c> of nitroctl): the physical hosts and edges of the substrate and
/// the VPCs that live on them. Instances come from <see cref="RegionLoader"/>, which returns only regions
/// <see cref="RegionValidator"/> found no problem in. Properties of the file this version does not know are ignored.
/// </summary>
/// <remarks>
/// Named <c>RegionTopology</c> rather than <c>Region</c>: a type named like its namespace
/// (<c>NitroCard.Region.Region</c>) cannot be referenced by its simple name from a sibling namespace
/// such as <c>NitroCard.Cli</c>.
/// The model types are positional records whose parameters carry the defaults: the System.Text.Json source
/// generator passes every init-only property through the object initializer and so loses property
/// initializers of members missing from the file (dotnet/runtime#84484), but honours constructor defaults.
/// </remarks>
/// <param name="Hosts">The physical hosts, each with one Nitro card.</param>
/// <param name="Edges">The Blackfoot edges: route entries name the first one, and with more than one the cards spread edge routes
/// over the healthy ones by flow hash (docs/card-edges.md).</param>
/// <param name="Vpcs">The VPCs.</param>
/// <param name="SubstrateRouterMac">The substrate router's MAC (outer destination of every encapsulated frame); default <see cref="RegionDefaults.SubstrateRouterMac"/>.</param>
/// <param name="GatewayMac">The VPC router's MAC as instances see it; default <see cref="RegionDefaults.GatewayMac"/>.</param>
/// <param name="RegionName">The region's name, <c>region</c> in the file (for example <c>eu-west-1</c>): the EC2 DNS zones and
/// the metadata's placement; default <see cref="RegionDefaults.RegionName"/>.</param>
/// <param name="AccountId">The owning AWS account, 12 digits (metadata <c>owner-id</c>, the flow logs' account-id); default
/// <see cref="RegionDefaults.AccountId"/>.</param>
/// <param name="DnsUpstream">Where the Amazon DNS resolver sends names it does not own: <c>address</c> or <c>address:port</c>;
/// absent: such names get REFUSED.</param>
public sealed record RegionTopology(
    ImmutableArray<RegionHost> Hosts = default,
    ImmutableArray<RegionEdge> Edges = default,
    ImmutableArray<Vpc> Vpcs = default,
    string? SubstrateRouterMac = null,
    string? GatewayMac = null,
    [property: JsonPropertyName("region")] string? RegionName = null,
    string? AccountId = null,
    string? DnsUpstream = null)
{
    public ImmutableArray<RegionHost> Hosts { get; init; } = Hosts.IsDefault ? [] : Hosts;

    public ImmutableArray<RegionEdge> Edges { get; init; } = Edges.IsDefault ? [] : Edges;

    public ImmutableArray<Vpc> Vpcs { get; init; } = Vpcs.IsDefault ? [] : Vpcs;

    /// <summary>The region's name with the default applied.</summary>
    [JsonIgnore]
    public string EffectiveRegionName => RegionName ?? RegionDefaults.RegionName;

    /// <summary>The owning account with the default applied.</summary>
    [JsonIgnore]
    public string EffectiveAccountId => AccountId ?? RegionDefaults.AccountId;

    /// <summary>
    /// The edges the Mapping Service found dead (missed heartbeats, docs/card-edges.md): service state, never in a file;
    /// they leave the cards' edge set (<see cref="RegionCompiler.EdgeSetOf"/>).
    /// </summary>
    [JsonIgnore]
    public ImmutableArray<string> UnhealthyEdges { get; init; } = [];

    /// <summary>Where the region came from (the file name the loader was given), for messages; not part of the file.</summary>
    [JsonIgnore]
    public string SourceName { get; init; } = "region";
}
