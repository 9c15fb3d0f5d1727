namespace NitroCard.Region;

/// <summary>A physical host: one Nitro card on the substrate.</summary>
/// <param name="Name">Unique name (hosts and edges share one name space).</param>
/// <param name="UnderlayIp">The card's substrate IPv4 address, unique across hosts and edges.</param>
/// <param name="UnderlayMac">The card's substrate MAC; when absent, 02:4e followed by the four underlay IPv4 bytes.</param>
/// <param name="Dataplane">Which data plane runs the host (for example <c>rtl</c> or <c>model</c>); free text, for the simulators.</param>
public sealed record RegionHost(string Name = "", string UnderlayIp = "", string? UnderlayMac = null, string? Dataplane = null);
