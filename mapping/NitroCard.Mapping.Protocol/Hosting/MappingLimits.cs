namespace NitroCard.Mapping.Hosting;

/// <summary>The service's request limits: one number for Kestrel, gRPC and the client, so they cannot disagree.</summary>
public static class MappingLimits
{
    /// <summary>The largest request (and so the largest region file <c>apply</c> takes): 64 MiB.</summary>
    public const int MaxRequestBytes = 64 * 1024 * 1024;

    /// <summary>
    /// Kestrel's request-body limit: the gRPC message plus its 5-byte frame header and slack, so that a
    /// message over <see cref="MaxRequestBytes"/> is refused by gRPC with a message naming the limit, not
    /// cut off by Kestrel as "Exception was thrown by handler".
    /// </summary>
    public const long MaxRequestBodyBytes = MaxRequestBytes + 64 * 1024;

    /// <summary>How many problems a refusal lists; the rest are counted ("… and 925 more").</summary>
    public const int MaxListedProblems = 100;

    /// <summary>The limit as people read it.</summary>
    public static string Describe() => $"{MaxRequestBytes / (1024 * 1024)} MiB";
}
