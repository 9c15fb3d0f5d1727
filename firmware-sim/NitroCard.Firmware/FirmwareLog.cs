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

    [LoggerMessage(105, LogLevel.Error, "{Host}: could not apply version {Failed} to the card (at version {Version}): {Reason}; resyncing in full after {Delay}")]
    public static partial void ApplyFailed(ILogger logger, string host, long failed, long version, string reason, TimeSpan delay, Exception exception);

    [LoggerMessage(106, LogLevel.Error, "{Host}: the TLS handshake with {Endpoint} failed ({Reason}): the service's certificate is not from the region CA in the host identity's ca.crt, or the endpoint is not the region's Mapping Service. This is a configuration error, not an outage; retrying every {Delay} (not logged again until the error changes)")]
    public static partial void ConfigurationError(ILogger logger, string host, Uri endpoint, string reason, TimeSpan delay);

    [LoggerMessage(107, LogLevel.Debug, "{Host}: next connection attempt in {Delay}")]
    public static partial void Retrying(ILogger logger, string host, TimeSpan delay);

    [LoggerMessage(108, LogLevel.Error, "instance services: a frame punted from slot {Slot} failed")]
    public static partial void ServicesFailed(ILogger logger, int slot, Exception exception);

    [LoggerMessage(109, LogLevel.Error, "flow logs: draining the card's records failed")]
    public static partial void FlowLogsFailed(ILogger logger, Exception exception);
}
