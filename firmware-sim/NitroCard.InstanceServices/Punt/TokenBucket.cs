namespace NitroCard.InstanceServices.Punt;

/// <summary>A token bucket on a <see cref="TimeProvider"/>: a rate of tokens a second, at most a burst of them saved.</summary>
internal sealed class TokenBucket
{
    private readonly TimeProvider time;
    private readonly double ratePerSecond;
    private readonly double burst;
    private double tokens;
    private long last;

    public TokenBucket(TimeProvider time, double ratePerSecond, double burst)
    {
        this.time = time;
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        tokens = burst;
        last = time.GetTimestamp();
    }

    public bool TryTake()
    {
        var now = time.GetTimestamp();
        tokens = Math.Min(burst, tokens + (time.GetElapsedTime(last, now).TotalSeconds * ratePerSecond));
        last = now;
        if (tokens < 1)
            return false;
        tokens -= 1;
        return true;
    }
}
