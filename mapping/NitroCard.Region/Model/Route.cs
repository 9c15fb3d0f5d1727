namespace NitroCard.Region;

/// <summary>One static route.</summary>
/// <param name="Destination">The destination IPv4 prefix.</param>
/// <param name="Target">
/// <c>local</c>, <c>igw</c>, <c>vgw</c>, <c>blackhole</c>, or a target id such as a gateway endpoint
/// (<c>vpce-…</c>), kept as written; see <see cref="RouteTargets"/>.
/// </param>
public sealed record Route(string Destination = "", string Target = "");
