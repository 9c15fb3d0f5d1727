using NitroCard.Region;

namespace NitroCard.Mapping.Grpc;

/// <summary>
/// Refusals of a parameter value that nitroctl parses into a number before sending and the service range-checks: both
/// say it in the same words, with the value as the operator wrote it.
/// </summary>
public static class ParameterText
{
    public static string InvalidVni(string text) => $"Value ({text}) for parameter vni is invalid: a VNI is 1..{RegionDefaults.MaxVni}";

    public static string NotANumber(string text, string parameter) => $"Value ({text}) for parameter {parameter} is invalid: not a number";

    public static string InvalidMaxItems(string text) => $"--max-items '{text}': expected a whole number of at least 1";
}
