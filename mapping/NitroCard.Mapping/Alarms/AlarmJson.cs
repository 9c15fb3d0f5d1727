using System.Text.Json.Serialization;

namespace NitroCard.Mapping.Alarms;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(AlarmRecord))]
[JsonSerializable(typeof(List<AlarmRecord>))]
[JsonSerializable(typeof(AlarmPage))]
public sealed partial class AlarmJsonContext : JsonSerializerContext;

/// <summary>One page of <c>alarms</c> (<c>--max-items</c>/<c>--starting-token</c>): <paramref name="NextToken"/> is absent on the last page.</summary>
public sealed record AlarmPage(IReadOnlyList<AlarmRecord> Alarms, string? NextToken);
