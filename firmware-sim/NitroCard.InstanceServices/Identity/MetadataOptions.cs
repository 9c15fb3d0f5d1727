namespace NitroCard.InstanceServices.Identity;

/// <summary>Whether IMDSv2 session tokens are required (EC2's <c>httpTokens</c>).</summary>
public enum HttpTokens
{
    /// <summary>IMDSv1 and IMDSv2 both answer; a request that carries a token must carry a valid one.</summary>
    Optional,

    /// <summary>Only IMDSv2: a request without a valid token gets 401.</summary>
    Required,
}

/// <summary>EC2's instance metadata options (<c>ModifyInstanceMetadataOptions</c>).</summary>
/// <param name="HttpTokens">optional (IMDSv1 allowed) or required (IMDSv2 only).</param>
/// <param name="HttpPutResponseHopLimit">The IP TTL of the token response, 1..64 (default 1: one hop further, the answer expires).</param>
/// <param name="HttpEndpointEnabled">The metadata endpoint on (default) or off: off, a connection to it is refused (RST).</param>
public sealed record MetadataOptions(HttpTokens HttpTokens = HttpTokens.Optional, int HttpPutResponseHopLimit = 1, bool HttpEndpointEnabled = true)
{
    /// <summary>Lowest allowed hop limit.</summary>
    public const int MinHopLimit = 1;

    /// <summary>Highest allowed hop limit.</summary>
    public const int MaxHopLimit = 64;

    /// <summary>EC2's defaults for an instance launched without options.</summary>
    public static MetadataOptions Default { get; } = new();

    /// <summary>The hop limit as a TTL, clamped to 1..64 (a bad value from a plan never makes an unbounded answer).</summary>
    public byte HopLimitTtl => (byte)Math.Clamp(HttpPutResponseHopLimit, MinHopLimit, MaxHopLimit);
}
