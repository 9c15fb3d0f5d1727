namespace NitroCard.Mapping.Alarms;

/// <summary>
/// Rate limit of stored alarms per host and reason: at most <c>burst</c> in each window of <c>window</c>; every further
/// alarm of that host and reason in the window is counted on the last one stored (<see cref="AlarmRecord.Suppressed"/>)
/// instead of stored. A flood of bad frames so costs a few records per window, and the user still sees how many there were.
/// Not thread-safe: the service calls it under its lock.
/// </summary>
public sealed class AlarmLimiter
{
    private sealed class Bucket
    {
        public DateTimeOffset Start;
        public int Stored;
        public AlarmRecord? Last;
    }

    private readonly Dictionary<(string Host, string Reason), Bucket> _buckets = [];

    public AlarmLimiter(int burst, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        (Burst, Window) = (burst, window);
    }

    public int Burst { get; }

    public TimeSpan Window { get; }

    /// <summary>
    /// Decides one alarm at <paramref name="now"/>: <c>true</c> when it is to be stored (the caller numbers it and then
    /// calls <see cref="Stored"/>); <c>false</c> when suppressed, with <paramref name="updated"/> the last stored alarm of
    /// its host and reason carrying the new suppressed count (to store again in its place).
    /// </summary>
    public bool Admit(AlarmRecord alarm, DateTimeOffset now, out AlarmRecord? updated)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        updated = null;
        var key = (alarm.Host, alarm.Reason);
        if (!_buckets.TryGetValue(key, out var bucket) || now - bucket.Start >= Window || now < bucket.Start)
        {
            _buckets[key] = new Bucket { Start = now };
            return true;
        }
        if (bucket.Stored < Burst || bucket.Last is null)
            return true;
        bucket.Last = updated = bucket.Last with { Suppressed = (bucket.Last.Suppressed ?? 0) + 1 };
        return false;
    }

    /// <summary>Records that <paramref name="alarm"/> (admitted, now numbered) was stored.</summary>
    public void Stored(AlarmRecord alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        var bucket = _buckets[(alarm.Host, alarm.Reason)];
        bucket.Stored++;
        bucket.Last = alarm;
    }

    /// <summary>Forgets windows that ended before <paramref name="now"/> (they hold nothing a new alarm needs).</summary>
    public void Trim(DateTimeOffset now)
    {
        foreach (var key in _buckets.Where(b => now - b.Value.Start >= Window).Select(b => b.Key).ToList())
            _buckets.Remove(key);
    }
}
