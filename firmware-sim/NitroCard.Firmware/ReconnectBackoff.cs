namespace NitroCard.Firmware;

/// <summary>
/// How long the agent waits before its next connection attempt: exponential backoff with equal jitter, so that
/// many agents that lost the service together do not come back in step. After n failures in a row the wait is
/// drawn from [c/2, c], c = min(initial × 2^n, max).
/// </summary>
public sealed class ReconnectBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly Random _random;
    private int _failures;

    public ReconnectBackoff(TimeSpan initial, TimeSpan max, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        ArgumentNullException.ThrowIfNull(random);
        (_initial, _max, _random) = (initial, max, random);
    }

    /// <summary>The longest wait.</summary>
    public TimeSpan Max => _max;

    /// <summary>The wait after one more failure.</summary>
    public TimeSpan Next()
    {
        var ceiling = Ceiling(_failures);
        if (ceiling < _max)
            _failures++;
        return ceiling / 2 + ceiling / 2 * _random.NextDouble();
    }

    /// <summary>A failure that retrying soon will not cure (a configuration error): wait as long as allowed.</summary>
    public TimeSpan AtMax()
    {
        while (Ceiling(_failures) < _max)
            _failures++;
        return Next();
    }

    /// <summary>The service answered: the next failure starts from the initial wait again.</summary>
    public void Reset() => _failures = 0;

    private TimeSpan Ceiling(int failures)
        => TimeSpan.FromTicks((long)Math.Min(_max.Ticks, _initial.Ticks * Math.Pow(2, failures)));
}
