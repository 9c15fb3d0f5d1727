namespace NitroCard.Region;

/// <summary>A subnet of a VPC.</summary>
/// <param name="Id">Unique subnet id.</param>
/// <param name="Cidr">The subnet's CIDR block: inside the VPC's, /28 or larger, overlapping no other subnet of the VPC.</param>
/// <param name="RouteTable">The id of the VPC route table the subnet is associated with; absent: only the implicit local route.</param>
/// <param name="AvailabilityZone">The subnet's availability zone, the region's name and a letter (for example <c>eu-west-1b</c>);
/// absent: the region's first zone (<c>…a</c>).</param>
public sealed record Subnet(string Id = "", string Cidr = "", string? RouteTable = null, string? AvailabilityZone = null);
