using System.Text.Json;
using NitroCard.Card;

namespace NitroCard.Region;

/// <summary>Reads and validates region files: a region comes back whole and valid, or not at all.</summary>
public static class RegionLoader
{
    /// <summary>Loads and validates the region file at <paramref name="path"/>.</summary>
    /// <param name="path">The file; messages name it as given.</param>
    /// <param name="geometry">The cards' table sizes (per-host capacity checks); default <see cref="CardGeometry.Default"/>.</param>
    /// <exception cref="RegionException">The file cannot be read, is not JSON of the right shape, or is invalid; the message lists every problem.</exception>
    public static RegionTopology Load(string path, CardGeometry? geometry = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new RegionException(path, [new RegionError("", $"cannot read the file: {e.Message}")], e);
        }
        return LoadFromString(text, path, geometry);
    }

    /// <summary>Parses and validates region JSON; <paramref name="fileName"/> is what messages call it.</summary>
    /// <exception cref="RegionException">The text is not JSON of the right shape, or the region is invalid; the message lists every problem.</exception>
    public static RegionTopology LoadFromString(string text, string fileName, CardGeometry? geometry = null)
    {
        var region = Parse(text, fileName);
        var errors = RegionValidator.Validate(region, geometry);
        if (!errors.IsEmpty)
            throw new RegionException(fileName, errors);
        return region;
    }

    /// <summary>
    /// Parses region JSON without validating it, for a caller that validates the result itself (the Mapping Service
    /// checks an apply against the region it holds); <paramref name="fileName"/> is what messages call it.
    /// </summary>
    /// <exception cref="RegionException">The text is not JSON of the right shape.</exception>
    public static RegionTopology Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        RegionTopology? region;
        try
        {
            region = JsonSerializer.Deserialize(text, RegionJsonContext.Default.RegionTopology);
        }
        catch (JsonException e)
        {
            throw new RegionException(fileName, [FromJsonException(e)], e);
        }
        if (region is null)
            throw new RegionException(fileName, [new RegionError("", "the file must hold a JSON object, not null")]);
        return region with { SourceName = fileName };
    }

    /// <summary>Writes a region as indented camelCase JSON (the file format).</summary>
    public static string ToJson(RegionTopology region)
        => JsonSerializer.Serialize(region, RegionJsonContext.Default.RegionTopology);

    private static RegionError FromJsonException(JsonException e)
    {
        var path = e.Path switch
        {
            null or "$" => "",
            var p when p.StartsWith("$.", StringComparison.Ordinal) => p[2..],
            var p when p.StartsWith('$') => p[1..],
            var p => p,
        };
        int? line = e.LineNumber is { } l ? (int)l + 1 : null;
        int? column = e.BytePositionInLine is { } c ? (int)c + 1 : null;

        var message = e.Message;
        foreach (var marker in (ReadOnlySpan<string>)[" Path: ", " LineNumber: ", "Path: ", "LineNumber: "])
        {
            var at = message.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
                message = message[..at];
        }
        message = message.Trim();

        // The serializer's wording names .NET types; say what it means for the file. The path already names the field.
        if (message.StartsWith("The JSON value could not be converted to ", StringComparison.Ordinal))
            message = "expected " + ExpectedAt(path);
        else if (message.StartsWith("The JSON property '", StringComparison.Ordinal) && message.Contains("could not be mapped", StringComparison.Ordinal))
            message = "unknown field (misspelt? a region file has no such field here)";
        else if (message.StartsWith("Duplicate property '", StringComparison.Ordinal))
            message = "given twice (a field may appear once per object)";
        else if (e.InnerException is not null || line is not null)
            message = "invalid JSON: " + message;
        return new RegionError(path, message, line, column);
    }

    /// <summary>
    /// What the file format has at a path. Derived from the schema, not from the serializer's message,
    /// which names the enclosing type when the value feeds a constructor parameter.
    /// </summary>
    private static string ExpectedAt(string path)
    {
        if (path.Length == 0)
            return "a JSON object";
        if (path.EndsWith(']'))
        {
            var list = path[..path.LastIndexOf('[')];
            if (list.EndsWith("Algorithms", StringComparison.Ordinal) || list.EndsWith("ikeVersions", StringComparison.Ordinal))
                return "a string";
            if (list.EndsWith("DhGroupNumbers", StringComparison.Ordinal))
                return "a whole number";
            return list.EndsWith("securityGroups", StringComparison.Ordinal) && list.Contains(".enis[", StringComparison.Ordinal)
                ? "a string (a security group id)"
                : "a JSON object";
        }
        var leaf = path[(path.LastIndexOf('.') + 1)..];
        return leaf switch
        {
            "vni" => $"a whole number 1..{RegionDefaults.MaxVni}",
            "spi" or "sTag" or "cTag" or "customerGatewayAsn" or "amazonSideAsn" => "a whole number",
            "phase1LifetimeSeconds" or "phase2LifetimeSeconds" or "rekeyMarginTimeSeconds" or "rekeyFuzzPercentage"
                or "replayWindowSize" or "dpdTimeoutSeconds" => "a whole number",
            "staticRoutesOnly" => "true or false",
            "tunnels" or "ikeVersions" or "phase1EncryptionAlgorithms" or "phase2EncryptionAlgorithms" or "phase1IntegrityAlgorithms"
                or "phase2IntegrityAlgorithms" or "phase1DhGroupNumbers" or "phase2DhGroupNumbers" => "an array",
            "internetGateway" or "outbound" or "inbound" or "policy" => "a JSON object",
            "vpnConnections" or "directConnect" or "gatewayEndpoints" or "customerCidrs" or "prefixList" => "an array",
            "fromPort" or "toPort" => "a whole number",
            "sourceDestCheck" => "true or false",
            "protocol" => "a string or a number",
            "hosts" or "edges" or "vpcs" or "subnets" or "routeTables" or "routes" or "securityGroups" or "ingress" or "egress" or "enis" => "an array",
            _ => "a string",
        };
    }
}
