using System.Collections.Immutable;

namespace NitroCard.Region;

/// <summary>A route table; the local route for the VPC CIDR is implicit.</summary>
/// <param name="Id">Unique route table id.</param>
/// <param name="Routes">The static routes.</param>
/// <param name="VgwRoutePropagation">
/// Route propagation from the VPC's virtual private gateway (AWS's <c>EnableVgwRoutePropagation</c>): every
/// customer CIDR of the VPC's VPN connections (static ones, and for BGP the prefixes the edge learned, which the Mapping
/// Service holds) and Direct Connect interfaces becomes a propagated route to the edge,
/// which loses to a static or prefix-list route for the same prefix.
/// </param>
public sealed record RouteTable(string Id = "", ImmutableArray<Route> Routes = default, bool VgwRoutePropagation = false)
{
    public ImmutableArray<Route> Routes { get; init; } = Routes.IsDefault ? [] : Routes;
}
