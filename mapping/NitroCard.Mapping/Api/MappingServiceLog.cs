using Microsoft.Extensions.Logging;

namespace NitroCard.Mapping.Api;

internal static partial class MappingServiceLog
{
    [LoggerMessage(1, LogLevel.Information, "Region loaded from {Store}: version {Version}, {Vpcs} VPCs, {Enis} ENIs, {Hosts} hosts")]
    public static partial void Loaded(ILogger logger, string store, long version, int vpcs, int enis, int hosts);

    [LoggerMessage(2, LogLevel.Information, "{Action} committed version {Version} ({Enis} ENI changes, full: {Full})")]
    public static partial void Committed(ILogger logger, string action, long version, int enis, bool full);

    [LoggerMessage(3, LogLevel.Information, "{Action} refused: {Code}: {Message}")]
    public static partial void Refused(ILogger logger, string action, string code, string message);

    [LoggerMessage(4, LogLevel.Warning, "Alarm {Kind}/{Reason} on {Host}: {Message}")]
    public static partial void Alarm(ILogger logger, string kind, string reason, string host, string message);

    [LoggerMessage(5, LogLevel.Information, "Host {Host} subscribed (last version {LastVersion})")]
    public static partial void Subscribed(ILogger logger, string host, long lastVersion);

    [LoggerMessage(6, LogLevel.Information, "Host {Host} disconnected")]
    public static partial void Unsubscribed(ILogger logger, string host);

    [LoggerMessage(9, LogLevel.Warning, "Host {Host} disconnected for not reading: {Reason}")]
    public static partial void Stalled(ILogger logger, string host, string reason);

    [LoggerMessage(7, LogLevel.Information, "Another writer committed version {Version}: reloading the region")]
    public static partial void ExternalReload(ILogger logger, long version);

    [LoggerMessage(8, LogLevel.Warning, "{Count} alarms kept in memory only: {Reason}")]
    public static partial void AlarmsNotStored(ILogger logger, int count, string reason);
}
