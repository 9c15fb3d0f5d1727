using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace NitroCard.Cli.Mapping;

/// <summary>The options every Mapping Service client command shares: <c>--endpoint</c> and <c>--ca-dir</c>, given before or after the command.</summary>
internal static class MappingOptions
{
    public static readonly Option<string?> Endpoint = new("--endpoint")
    {
        Description = "The Mapping Service, https://127.0.0.1:<port>.",
        Recursive = true,
    };

    public static readonly Option<DirectoryInfo?> CaDir = new("--ca-dir")
    {
        Description = "The region CA directory (the operator identity and ca.crt are read from it; `mapping serve` creates it).",
        Recursive = true,
    };

    public static Uri RequireEndpoint(ParseResult parse)
    {
        var text = parse.GetValue(Endpoint) ?? throw new CliException("--endpoint https://127.0.0.1:<port> is required");
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
            ? uri
            : throw new CliException($"--endpoint '{text}': expected https://127.0.0.1:<port>");
    }

    public static string RequireCaDir(ParseResult parse)
        => parse.GetValue(CaDir)?.FullName ?? throw new CliException("--ca-dir <dir> is required");

    /// <summary>Logs go to stderr, results to stdout.</summary>
    public static ILoggerFactory StderrLogging()
        => LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Information)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            })
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
}
