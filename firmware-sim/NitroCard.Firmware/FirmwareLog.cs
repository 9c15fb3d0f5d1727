using Microsoft.Extensions.Logging;

namespace NitroCard.Firmware;

internal static partial class FirmwareLog
{
    [LoggerMessage(101, LogLevel.Information, "{Host}: connected to {Endpoint}, resuming from version {Version}")]
    public static partial void Connected(ILogger logger, string host, Uri endpoint, long version);

    [LoggerMessage(102, LogLevel.Information, "{Host}: applied version {Version} ({Kind}, {Entries} entries)")]
    public static partial void Applied(ILogger logger, string host, long version, string kind, int entries);

    [LoggerMessage(103, LogLevel.Warning, "{Host}: the Mapping Service is unreachable ({Reason}); the card keeps forwarding on version {Version}")]
    public static partial void Disconnected(ILogger logger, string host, string reason, long version);

    [LoggerMessage(104, LogLevel.Error, "{Host}: refused by the Mapping Service: {Reason}")]
    public static partial void Refused(ILogger logger, string host, string reason);
}
