using System.CommandLine;
using NitroCard.Live;
using NitroCard.Packets;
using NitroCard.Region;
using NitroCard.Simulation;

namespace NitroCard.Cli;

/// <summary>
/// Runs the command tree and turns every failure into one stderr line (<c>nitroctl: …</c>) and a
/// non-zero exit code. System.CommandLine's own handler is off so that exceptions reach us;
/// <c>--verbose</c> adds the stack trace.
/// </summary>
internal static class CliRunner
{
    public const int Failure = 1;

    /// <summary>The global option that adds the stack trace to an error.</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "On an error, also print the exception's stack trace.",
        Recursive = true,
    };

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        root.Options.Add(Verbose);
        var parse = root.Parse(args);
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync(Describe(e)).ConfigureAwait(false);
            if (parse.GetValue(Verbose))
                await Console.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            return Failure;
        }
    }

    /// <summary>
    /// The error as the user sees it. Expected failures carry a message written for the user; anything
    /// else is a bug or an environment problem, so its type is named too. Input quoted in a message is
    /// escaped so that control characters never reach the terminal raw.
    /// </summary>
    internal static string Describe(Exception e)
    {
        var inner = e is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerException! : e;
        return inner switch
        {
            // A region file's problems: each one is already one escaped line.
            RegionException region when !region.Errors.IsDefaultOrEmpty => Prefix(region.Message),
            CliException { Lines.Count: > 0 } listed => Prefix(TerminalText.Escape(listed.Message))
                + string.Concat(listed.Lines.Select(l => Environment.NewLine + "  " + TerminalText.Escape(l))),
            CliException or LiveException or SimulationException or PcapFormatException or NitroCard.Card.NitroCardException or IOException or UnauthorizedAccessException
                or System.Security.Cryptography.CryptographicException => Prefix(TerminalText.Escape(inner.Message)),
            OperationCanceledException => "nitroctl: cancelled",
            _ => Prefix($"{inner.GetType().Name}: {TerminalText.Escape(inner.Message)}"),
        };
    }

    private static string Prefix(string message) => "nitroctl: " + message;
}

/// <summary>A user error the CLI reports as one line (bad argument, missing file, ...).</summary>
internal sealed class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>An error with a list under it (a refusal's problems), each printed on its own line.</summary>
    public CliException(string message, IReadOnlyList<string> lines)
        : base(message)
    {
        Lines = lines;
    }

    /// <summary>The lines printed under the message.</summary>
    public IReadOnlyList<string> Lines { get; } = [];
}
