using System.Text;
using System.Text.Json;

namespace NitroCard.Edge.Endpoints;

/// <summary>
/// What a flow's first data segment asks of a service: the IAM action (null when it cannot be told, as for TLS)
/// and the resource ARN's parts (null when the request names none the edge can read).
/// </summary>
/// <param name="Action">For example <c>s3:GetObject</c>, <c>dynamodb:GetItem</c>; null when unknown.</param>
/// <param name="Resource">The ARN's six parts (<c>arn</c>, partition, service, region, account, resource); a null part is unknown; null when no resource was found.</param>
/// <param name="Name">The bucket or table, for messages.</param>
public sealed record ServiceRequest(string? Action, string?[]? Resource, string? Name)
{
    /// <summary>Reads an S3 request: HTTP (Host and path, virtual-hosted or path style) or a TLS ClientHello's SNI.</summary>
    public static ServiceRequest ParseS3(ReadOnlySpan<byte> data)
    {
        if (TlsSni(data) is { } sni)
        {
            var (bucket, _) = S3Bucket(sni, "/");
            return new ServiceRequest(null, bucket is null ? null : ["arn", "aws", "s3", "", "", bucket], bucket);
        }
        if (Http(data) is not { } http)
            return new ServiceRequest(null, null, null);
        var (b, key) = S3Bucket(http.Host ?? "", http.Path);
        if (b is null)
            return new ServiceRequest(null, null, null);
        var hasKey = key.Length > 0;
        var action = http.Method switch
        {
            "GET" or "HEAD" => hasKey ? "s3:GetObject" : "s3:ListBucket",
            "PUT" or "POST" => hasKey ? "s3:PutObject" : "s3:CreateBucket",
            "DELETE" => hasKey ? "s3:DeleteObject" : "s3:DeleteBucket",
            _ => null,
        };
        return new ServiceRequest(action, ["arn", "aws", "s3", "", "", hasKey ? $"{b}/{key}" : b], b);
    }

    /// <summary>Reads a DynamoDB request over HTTP: the operation from <c>X-Amz-Target</c>, the table from the JSON body's <c>TableName</c>.</summary>
    public static ServiceRequest ParseDynamoDb(ReadOnlySpan<byte> data)
    {
        if (Http(data) is not { } http)
            return new ServiceRequest(null, null, null);
        string? action = null;
        if (http.Target is { } target && target.LastIndexOf('.') is var dot and > 0)
            action = "dynamodb:" + target[(dot + 1)..];
        string? table = null;
        try
        {
            using var body = JsonDocument.Parse(http.Body);
            if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("TableName", out var name) && name.ValueKind == JsonValueKind.String)
                table = name.GetString();
        }
        catch (JsonException)
        {
            // a body that does not parse names no table
        }
        string? region = null;
        if (http.Host is { } host && host.StartsWith("dynamodb.", StringComparison.Ordinal) && host.Split('.') is { Length: >= 4 } parts)
            region = parts[1];
        return new ServiceRequest(action, table is null ? null : ["arn", "aws", "dynamodb", region, null, "table/" + table], table);
    }

    private sealed record HttpRequest(string Method, string Path, string? Host, string? Target, string Body);

    private static HttpRequest? Http(ReadOnlySpan<byte> data)
    {
        var text = Encoding.ASCII.GetString(data);
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = headerEnd < 0 ? text : text[..headerEnd];
        var lines = head.Split("\r\n");
        var request = lines[0].Split(' ');
        if (request.Length != 3 || !request[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || request[0].Length == 0 || !request[0].All(char.IsAsciiLetterUpper))
            return null;
        string? host = null, target = null;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
                continue;
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
                host = value.ToLowerInvariant().Split(':')[0];
            else if (name.Equals("X-Amz-Target", StringComparison.OrdinalIgnoreCase))
                target = value;
        }
        var path = request[1];
        if (Uri.TryCreate(path, UriKind.Absolute, out var absolute))
        {
            host ??= absolute.Host;
            path = absolute.AbsolutePath;
        }
        var query = path.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
            path = path[..query];
        return new HttpRequest(request[0], Uri.UnescapeDataString(path), host, target, headerEnd < 0 ? "" : text[(headerEnd + 4)..]);
    }

    /// <summary>The bucket and key: virtual-hosted style (<c>bucket.s3[.region].amazonaws.com</c>), else path style (<c>s3[.region].amazonaws.com/bucket/key</c>).</summary>
    private static (string? Bucket, string Key) S3Bucket(string host, string path)
    {
        var trimmed = path.TrimStart('/');
        var s3 = host.IndexOf(".s3.", StringComparison.Ordinal) is var i and > 0 ? i : host.IndexOf(".s3-", StringComparison.Ordinal);
        if (s3 > 0)
            return (host[..s3], trimmed);
        if (host.StartsWith("s3.", StringComparison.Ordinal) || host.StartsWith("s3-", StringComparison.Ordinal) || host.Length == 0)
        {
            var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
            var bucket = slash < 0 ? trimmed : trimmed[..slash];
            return (bucket.Length == 0 ? null : bucket, slash < 0 ? "" : trimmed[(slash + 1)..]);
        }
        return (host, trimmed); // a bucket named like its own domain (CNAME)
    }

    /// <summary>The server name of a TLS ClientHello in one record, or null.</summary>
    internal static string? TlsSni(ReadOnlySpan<byte> d)
    {
        try
        {
            if (d.Length < 5 + 4 + 38 || d[0] != 0x16 || d[1] != 3 || d[5] != 1)
                return null;
            var p = 5 + 4 + 2 + 32; // record header, handshake header, version, random
            p += 1 + d[p]; // session id
            p += 2 + ((d[p] << 8) | d[p + 1]); // cipher suites
            p += 1 + d[p]; // compression methods
            var end = p + 2 + ((d[p] << 8) | d[p + 1]);
            p += 2;
            while (p + 4 <= end && p + 4 <= d.Length)
            {
                var type = (d[p] << 8) | d[p + 1];
                var length = (d[p + 2] << 8) | d[p + 3];
                p += 4;
                if (type == 0)
                {
                    // server_name_list: length(2), then entries of type(1) length(2) name
                    var q = p + 2;
                    if (d[q] == 0)
                    {
                        var nameLength = (d[q + 1] << 8) | d[q + 2];
                        return Encoding.ASCII.GetString(d.Slice(q + 3, nameLength)).ToLowerInvariant();
                    }
                    return null;
                }
                p += length;
            }
        }
        catch (ArgumentOutOfRangeException)
        {
        }
        catch (IndexOutOfRangeException)
        {
        }
        return null;
    }
}
