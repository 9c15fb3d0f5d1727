using System.Globalization;
using System.Text;
using NitroCard.Packets;

namespace NitroCard.InstanceServices.FlowLogs;

/// <summary>The log-status of a flow log record.</summary>
public enum FlowLogStatus
{
    /// <summary>Data is logging normally.</summary>
    Ok,

    /// <summary>No network traffic to or from the interface during the aggregation interval.</summary>
    NoData,

    /// <summary>Some records were skipped during the aggregation interval (capacity).</summary>
    SkipData,
}

/// <summary>
/// One VPC Flow Logs record in AWS's default (version 2) format:
/// <c>version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status</c>,
/// space-separated, <c>-</c> for a field without a value (NODATA and SKIPDATA records), start and end in Unix seconds.
/// </summary>
public sealed record FlowLogEntry(
    string AccountId,
    string InterfaceId,
    int EniSlot,
    DateTimeOffset Start,
    DateTimeOffset End,
    FlowLogStatus Status)
{
    /// <summary>The default format's field names, in order (AWS's S3 header line).</summary>
    public const string Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";

    public uint? SourceAddress { get; init; }

    public uint? DestinationAddress { get; init; }

    public ushort? SourcePort { get; init; }

    public ushort? DestinationPort { get; init; }

    public byte? Protocol { get; init; }

    public ulong? Packets { get; init; }

    public ulong? Bytes { get; init; }

    public FlowAction? Action { get; init; }

    /// <summary>The record's line (no newline).</summary>
    public string Format()
    {
        var sb = new StringBuilder(128);
        sb.Append('2').Append(' ').Append(AccountId).Append(' ').Append(InterfaceId).Append(' ');
        Field(sb, SourceAddress is { } s ? Ipv4Address.FromUInt32(s).ToString() : null);
        Field(sb, DestinationAddress is { } d ? Ipv4Address.FromUInt32(d).ToString() : null);
        Field(sb, Number(SourcePort));
        Field(sb, Number(DestinationPort));
        Field(sb, Number(Protocol));
        Field(sb, Number(Packets));
        Field(sb, Number(Bytes));
        Field(sb, Start.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        Field(sb, End.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        Field(sb, Action switch { FlowAction.Accept => "ACCEPT", FlowAction.Reject => "REJECT", _ => null });
        sb.Append(Status switch { FlowLogStatus.NoData => "NODATA", FlowLogStatus.SkipData => "SKIPDATA", _ => "OK" });
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Format();

    private static string? Number<T>(T? value) where T : struct, IFormattable
        => value?.ToString(null, CultureInfo.InvariantCulture);

    private static void Field(StringBuilder sb, string? value) => sb.Append(value ?? "-").Append(' ');
}
