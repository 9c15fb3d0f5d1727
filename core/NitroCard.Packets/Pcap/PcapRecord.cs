namespace NitroCard.Packets;

/// <summary>One captured frame.</summary>
/// <param name="TimestampMicroseconds">Capture time in microseconds since the Unix epoch.</param>
/// <param name="Data">The frame bytes as captured (no FCS).</param>
public sealed record PcapRecord(long TimestampMicroseconds, byte[] Data)
{
    /// <summary>The capture time.</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.UnixEpoch.AddTicks(TimestampMicroseconds * TimeSpan.TicksPerMicrosecond);

    /// <summary>A record stamped with <paramref name="timestamp"/>.</summary>
    public static PcapRecord At(DateTimeOffset timestamp, byte[] data)
        => new((timestamp - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond, data);
}
