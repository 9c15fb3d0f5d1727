namespace NitroCard.Region;

/// <summary>The route targets a region file may name.</summary>
public static class RouteTargets
{
    /// <summary>The VPC itself (mapping lookup); only for the VPC's own CIDR, and implicit anyway.</summary>
    public const string Local = "local";

    /// <summary>The Internet Gateway (on the edge).</summary>
    public const string Igw = "igw";

    /// <summary>The virtual private gateway: VPN and Direct Connect (on the edge).</summary>
    public const string Vgw = "vgw";

    /// <summary>Drop (reason <c>blackhole</c>).</summary>
    public const string Blackhole = "blackhole";

    /// <summary>The id prefix of gateway endpoints.</summary>
    public const string EndpointPrefix = "vpce-";

    /// <summary>
    /// True for <c>local</c>, <c>igw</c>, <c>vgw</c>, <c>blackhole</c>, and for ids of the form
    /// <c>vpce-…</c> (gateway endpoint), <c>igw-…</c> and <c>vgw-…</c> (the gateways by their AWS-style id).
    /// </summary>
    public static bool IsValid(string? target)
    {
        if (string.IsNullOrEmpty(target))
            return false;
        if (target is Local or Igw or Vgw or Blackhole)
            return true;
        // A gateway or endpoint id is a resource name like any other id (lowercase, digits, hyphens).
        foreach (var prefix in (ReadOnlySpan<string>)[EndpointPrefix, "igw-", "vgw-"])
        {
            if (target.Length > prefix.Length && target.StartsWith(prefix, StringComparison.Ordinal))
                return ResourceName.IsValid(target);
        }
        return false;
    }

    /// <summary>True when the target is a gateway endpoint id.</summary>
    public static bool IsEndpoint(string target)
        => target.StartsWith(EndpointPrefix, StringComparison.Ordinal) && IsValid(target);
}
