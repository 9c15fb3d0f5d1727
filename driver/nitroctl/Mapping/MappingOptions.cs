using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace NitroCard.Cli.Mapping;

/// <summary>The options every Mapping Service client command shares: <c>--endpoint</c> and <c>--ca-dir</c>, given before or after the command.</summary>
internal static class MappingOptions
{
    public static readonly Option<string?> Endpoint = new("--endpoint")
    {
        Description = "The Mapping Service, https://127.0.0.1:<port>; a replicated service: every replica, separated by commas (failed over in turn).",
        Recursive = true,
    };

    public static readonly Option<DirectoryInfo?> CaDir = new("--ca-dir")
    {
        Description = "The region CA directory (the operator identity and ca.crt are read from it; `mapping serve` creates it).",
        Recursive = true,
    };

    /// <summary>The replicas of <c>--endpoint</c> (one for a single service).</summary>
    public static IReadOnlyList<Uri> RequireEndpoints(ParseResult parse)
    {
        var text = parse.GetValue(Endpoint) ?? throw new CliException("--endpoint https://127.0.0.1:<port> is required");
        try
        {
            return NitroCard.Mapping.Grpc.MappingReplicas.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CliException($"--endpoint {e.Message}: expected https://127.0.0.1:<port> (several replicas: separated by commas)", e);
        }
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
