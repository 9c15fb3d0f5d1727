using System.CommandLine;
using NitroCard.Driver;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Cli;

/// <summary>Runs the command tree and turns expected failures into one stderr line and an exit code.</summary>
internal static class CliRunner
{
    public const int Failure = 1;

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        try
        {
            return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is CliException or RegionException or PcapFormatException or NitroCardException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"nitroctl: {e.Message}").ConfigureAwait(false);
            return Failure;
        }
    }
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
}
