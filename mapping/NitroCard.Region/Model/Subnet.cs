namespace NitroCard.Region;

/// <summary>A subnet of a VPC.</summary>
/// <param name="Id">Unique subnet id.</param>
/// <param name="Cidr">The subnet's CIDR block: inside the VPC's, /28 or larger, overlapping no other subnet of the VPC.</param>
/// <param name="RouteTable">The id of the VPC route table the subnet is associated with; absent: only the implicit local route.</param>
public sealed record Subnet(string Id = "", string Cidr = "", string? RouteTable = null);
