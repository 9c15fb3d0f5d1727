using System.Text.Json.Serialization;

namespace NitroCard.Live;

/// <summary>The live state file's content (<see cref="LiveState"/>): what a <c>region up</c> run created.</summary>
/// <param name="Region">The <c>region up</c> process.</param>
/// <param name="Children">Helper processes it started (the services namespace's HTTP server).</param>
/// <param name="Namespaces">Network namespaces, recorded before each is created.</param>
/// <param name="Links">Links in the root namespace (TAPs, veths), recorded before each is created.</param>
internal sealed record LiveStateRecord(ProcessStamp Region, IReadOnlyList<ProcessStamp> Children, IReadOnlyList<string> Namespaces, IReadOnlyList<string> Links);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(LiveStateRecord))]
internal sealed partial class LiveStateJsonContext : JsonSerializerContext;
