using System.Text.Json.Serialization;

namespace NitroCard.Mapping.Alarms;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(AlarmRecord))]
[JsonSerializable(typeof(List<AlarmRecord>))]
public sealed partial class AlarmJsonContext : JsonSerializerContext;
