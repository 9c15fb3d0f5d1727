using System.Globalization;
using NitroCard.InstanceServices.Identity;

namespace NitroCard.InstanceServices.Imds;

/// <summary>
/// The instance metadata service (IMDSv2, and IMDSv1 where httpTokens is optional) behind 169.254.169.254:80.
/// <list type="bullet">
/// <item><c>PUT /latest/api/token</c> with <c>X-aws-ec2-metadata-token-ttl-seconds</c> 1..21600 answers a token bound to the
/// asking ENI (a missing or out-of-range TTL: 400; a PUT carrying <c>X-Forwarded-For</c>: 403, as EC2 refuses proxied token
/// requests). The answer's segments carry the hop limit as IP TTL.</item>
/// <item><c>GET</c> (or HEAD) with <c>X-aws-ec2-metadata-token</c>: an unknown, expired or foreign token is 401 whatever
/// httpTokens is; no token is 401 under required and IMDSv1 under optional.</item>
/// <item>Unknown paths 404; other methods 405.</item>
/// </list>
/// </summary>
public sealed class MetadataService
{
    private readonly MetadataTokens tokens;
    private readonly TimeProvider time;

    /// <summary>A service with one token store for all ENIs it answers: at most <paramref name="tokenCapacity"/> tokens, <paramref name="tokensPerEni"/> per ENI.</summary>
    public MetadataService(TimeProvider time, int tokenCapacity = 4096, int tokensPerEni = 128)
    {
        this.time = time;
        tokens = new MetadataTokens(time, tokenCapacity, tokensPerEni);
    }

    /// <summary>The TimeProvider answers are dated with.</summary>
    public TimeProvider Time => time;

    /// <summary>Tokens currently held.</summary>
    public int TokenCount => tokens.Count;

    internal HttpResponse Answer(HttpRequest request, InstanceIdentity identity)
    {
        const string TokenPath = "/latest/api/token";
        var path = request.Target;
        if (path == TokenPath)
        {
            if (request.Method != "PUT")
                return Error(405);
            if (request.Header("X-Forwarded-For") is not null)
                return Error(403);
            var ttlText = request.Header("X-aws-ec2-metadata-token-ttl-seconds");
            if (ttlText is null
                || !int.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out var ttl)
                || ttl is < MetadataTokens.MinTtlSeconds or > MetadataTokens.MaxTtlSeconds)
                return Error(400);
            var token = tokens.Issue(identity.EniId, ttl);
            return new HttpResponse(200, token)
            {
                Headers = [new("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", ttl.ToString(CultureInfo.InvariantCulture))],
                Ttl = identity.Metadata.HopLimitTtl,
            };
        }
        if (request.Method is not ("GET" or "HEAD"))
            return Error(405);
        var presented = request.Header("X-aws-ec2-metadata-token");
        if (presented is not null ? !tokens.Validate(presented, identity.EniId) : identity.Metadata.HttpTokens == HttpTokens.Required)
            return Error(401);
        var text = Lookup(identity, path);
        if (text is null)
            return Error(404);
        return new HttpResponse(200, text);
    }

    private static string? Lookup(InstanceIdentity identity, string path)
    {
        // "/" lists the versions, "/latest" its categories, "/latest/meta-data/..." the tree.
        switch (path)
        {
            case "/":
                return "latest";
            case "/latest" or "/latest/":
                return "meta-data/";
        }
        const string Prefix = "/latest/meta-data";
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
            return null;
        var rest = path[Prefix.Length..];
        if (rest.Length > 0 && rest[0] != '/')
            return null;
        return MetadataTree.Lookup(identity, rest.TrimStart('/'));
    }

    private static HttpResponse Error(int status)
    {
        var reason = new HttpResponse(status, "").Reason;
        return new HttpResponse(status,
            "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
            + "\t\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
            + $" <head>\n  <title>{status} - {reason}</title>\n </head>\n <body>\n  <h1>{status} - {reason}</h1>\n </body>\n</html>\n");
    }
}
