using System.Text.Json;
using System.Text.Json.Serialization;

namespace NitroCard.Region;

/// <summary>
/// Source-generated System.Text.Json metadata for region files: camelCase names, comments and trailing
/// commas allowed, unknown properties ignored (later issues extend the file).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RegionTopology))]
public sealed partial class RegionJsonContext : JsonSerializerContext;
