using System.Text;

namespace NitroCard.InstanceServices.Imds;

/// <summary>An HTTP/1.x request as IMDS reads it (RFC 9112): request line, headers, a Content-Length body.</summary>
/// <param name="Method">The method, as sent (methods are case-sensitive).</param>
/// <param name="Target">The request target (origin form, query string cut off).</param>
/// <param name="Version">"HTTP/1.0" or "HTTP/1.1".</param>
/// <param name="Headers">Header fields, names case-insensitive; a repeated field keeps its first value.</param>
internal sealed record HttpRequest(string Method, string Target, string Version, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The longest request head IMDS accepts (a larger one is answered 400 and the connection closed).</summary>
    public const int MaxHeadLength = 8192;

    /// <summary>The largest body IMDS accepts (its requests have none).</summary>
    public const int MaxBodyLength = 4096;

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>Whether the connection stays open after the response (HTTP/1.1 without "Connection: close").</summary>
    public bool KeepAlive => Version == "HTTP/1.1"
        && !string.Equals(Header("Connection"), "close", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Parses one request from the start of <paramref name="buffer"/>: <see cref="HttpParse.Incomplete"/> until the head and
    /// body are all there, <see cref="HttpParse.Bad"/> for a request that can never be one.
    /// </summary>
    public static HttpParse TryParse(ReadOnlySpan<byte> buffer, out HttpRequest? request, out int consumed)
    {
        request = null;
        consumed = 0;
        var end = buffer.IndexOf("\r\n\r\n"u8);
        if (end < 0)
            return buffer.Length > MaxHeadLength ? HttpParse.Bad : HttpParse.Incomplete;
        if (end > MaxHeadLength)
            return HttpParse.Bad;
        var head = buffer[..end];
        foreach (var b in head)
        {
            // Header text is visible ASCII, SP, HTAB and the CRLFs (RFC 9110 5.5): anything else is not a request.
            if (b is (< 0x20 and not (byte)'\r' and not (byte)'\n' and not (byte)'\t') or >= 0x7F)
                return HttpParse.Bad;
        }
        var lines = Encoding.ASCII.GetString(head).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[0].Length == 0 || !requestLine[1].StartsWith('/')
            || requestLine[2] is not ("HTTP/1.1" or "HTTP/1.0"))
            return HttpParse.Bad;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || lines[i][..colon].Contains(' ', StringComparison.Ordinal))
                return HttpParse.Bad;
            headers.TryAdd(lines[i][..colon], lines[i][(colon + 1)..].Trim());
        }
        var bodyLength = 0;
        if (headers.TryGetValue("Content-Length", out var cl)
            && (!int.TryParse(cl, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bodyLength) || bodyLength > MaxBodyLength))
            return HttpParse.Bad;
        if (headers.ContainsKey("Transfer-Encoding"))
            return HttpParse.Bad;
        var total = end + 4 + bodyLength;
        if (buffer.Length < total)
            return HttpParse.Incomplete;
        var target = requestLine[1];
        var query = target.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
            target = target[..query];
        request = new HttpRequest(requestLine[0], target, requestLine[2], headers);
        consumed = total;
        return HttpParse.Complete;
    }
}

/// <summary>The outcome of <see cref="HttpRequest.TryParse"/>.</summary>
internal enum HttpParse
{
    Incomplete,
    Complete,
    Bad,
}

/// <summary>An IMDS answer.</summary>
/// <param name="Status">The status code.</param>
/// <param name="Body">The body text (UTF-8).</param>
public sealed record HttpResponse(int Status, string Body)
{
    /// <summary>Extra header fields (name, value), after the standard ones.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The IP TTL of the segments that carry this answer; null: the endpoint's default.</summary>
    public byte? Ttl { get; init; }

    /// <summary>The reason phrase of <see cref="Status"/>.</summary>
    public string Reason => Status switch
    {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    };

    /// <summary>
    /// The bytes on the wire: status line, headers (Content-Type, Content-Length, Server, Connection), body; for a HEAD
    /// request (<paramref name="headOnly"/>) the Content-Length of the body and no body (RFC 9110 9.3.2).
    /// </summary>
    public byte[] Encode(bool keepAlive, DateTimeOffset now, bool headOnly = false)
    {
        var body = Encoding.UTF8.GetBytes(Body);
        var sb = new StringBuilder();
        sb.Append("HTTP/1.1 ").Append(Status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(' ').Append(Reason).Append("\r\n");
        sb.Append("Content-Type: ").Append(Status == 200 ? "text/plain" : "text/html").Append("\r\n");
        sb.Append("Accept-Ranges: none\r\n");
        sb.Append("Date: ").Append(now.ToString("r", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("Server: EC2ws\r\n");
        foreach (var (name, value) in Headers)
            sb.Append(name).Append(": ").Append(value).Append("\r\n");
        sb.Append("Content-Length: ").Append(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("Connection: ").Append(keepAlive ? "keep-alive" : "close").Append("\r\n\r\n");
        var head = Encoding.ASCII.GetBytes(sb.ToString());
        return headOnly ? head : [.. head, .. body];
    }
}
