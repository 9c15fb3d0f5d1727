using System.Buffers.Binary;

namespace NitroCard.InstanceServices.Ntp;

/// <summary>
/// A minimal SNTP server (RFC 4330 section 5, RFC 5905 packet format) for 169.254.169.123:123, the Amazon Time Sync
/// Service: a client (mode 3) request of at least 48 bytes gets a 48-byte server (mode 4) answer, stratum 3, reference id
/// 169.254.169.123, originate = the client's transmit time, receive = transmit = now from the TimeProvider.
/// </summary>
public sealed class SntpServer(TimeProvider time)
{
    /// <summary>The NTP header length.</summary>
    public const int PacketLength = 48;

    /// <summary>The stratum the service reports.</summary>
    public const byte Stratum = 3;

    private static readonly DateTimeOffset Era0 = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The answer to <paramref name="request"/>; null when it is not an SNTP client request (counted a drop by the caller).</summary>
    public byte[]? Answer(ReadOnlySpan<byte> request)
    {
        if (request.Length < PacketLength)
            return null;
        var version = (request[0] >> 3) & 0x7;
        var mode = request[0] & 0x7;
        if (mode != 3 || version is < 1 or > 4)
            return null;
        var now = time.GetUtcNow();
        var answer = new byte[PacketLength];
        answer[0] = (byte)((0 << 6) | (version << 3) | 4); // LI 0 (no warning), VN as asked, mode 4 (server)
        answer[1] = Stratum;
        answer[2] = request[2]; // poll, copied
        answer[3] = unchecked((byte)-20); // precision: about a microsecond
        BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(4), 0x0000_0010); // root delay 1/4096 s
        BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(8), 0x0000_0010); // root dispersion
        BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(12), 0xA9FE_A97B); // reference id: 169.254.169.123
        var stamp = ToNtp(now);
        BinaryPrimitives.WriteUInt64BigEndian(answer.AsSpan(16), stamp); // reference time
        request.Slice(40, 8).CopyTo(answer.AsSpan(24)); // originate = the client's transmit
        BinaryPrimitives.WriteUInt64BigEndian(answer.AsSpan(32), stamp); // receive
        BinaryPrimitives.WriteUInt64BigEndian(answer.AsSpan(40), stamp); // transmit
        return answer;
    }

    /// <summary>A time as a 64-bit NTP timestamp (seconds since 1900 in the high word, the fraction in the low).</summary>
    public static ulong ToNtp(DateTimeOffset time)
    {
        var ticks = (time - Era0).Ticks;
        var seconds = (ulong)(ticks / TimeSpan.TicksPerSecond);
        var fraction = (ulong)(ticks % TimeSpan.TicksPerSecond) * (1UL << 32) / (ulong)TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }

    /// <summary>A 64-bit NTP timestamp as a time (era 0).</summary>
    public static DateTimeOffset FromNtp(ulong stamp)
        => Era0.AddTicks((long)(stamp >> 32) * TimeSpan.TicksPerSecond + (long)((stamp & 0xFFFF_FFFF) * TimeSpan.TicksPerSecond >> 32));
}
