using System.Text.Json;
using System.Text.Json.Serialization;

namespace NitroCard.Region;

/// <summary>
/// Source-generated System.Text.Json metadata for region files: camelCase names, comments and trailing
/// commas allowed. Strict where a mistake would pass silently: an unknown (say misspelt) field and a
/// field given twice are errors, so what the file says is what the region does.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(RegionTopology))]
public sealed partial class RegionJsonContext : JsonSerializerContext;
