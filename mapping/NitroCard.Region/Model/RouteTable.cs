using System.Collections.Immutable;

namespace NitroCard.Region;

/// <summary>A route table; the local route for the VPC CIDR is implicit.</summary>
/// <param name="Id">Unique route table id.</param>
/// <param name="Routes">The static routes.</param>
public sealed record RouteTable(string Id = "", ImmutableArray<Route> Routes = default)
{
    public ImmutableArray<Route> Routes { get; init; } = Routes.IsDefault ? [] : Routes;
}
