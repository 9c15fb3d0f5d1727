namespace NitroCard.Region;

/// <summary>A Blackfoot edge on the substrate.</summary>
/// <param name="Name">Unique name (hosts and edges share one name space).</param>
/// <param name="UnderlayIp">The edge's substrate IPv4 address, unique across hosts and edges.</param>
public sealed record RegionEdge(string Name = "", string UnderlayIp = "");
