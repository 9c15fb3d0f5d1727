namespace NitroCard.Card.Punt;

/// <summary>
/// The per-ENI token bucket of the punt path (PUNT_LIMIT): a slot earns one token every 2^<paramref name="RefillLog2"/>
/// microseconds of the card time base and holds at most <paramref name="Burst"/>; a punt-bound frame without a token
/// is dropped (<see cref="DropReason.PuntRateLimit"/>).
/// </summary>
/// <param name="Burst">Tokens a bucket holds at most, 0..65535 (0 drops every punt-bound frame).</param>
/// <param name="RefillLog2">One token every 2^RefillLog2 microseconds, 0..31.</param>
public sealed record PuntLimit(int Burst, int RefillLog2)
{
    /// <summary>The reset value: 1024 tokens, one every 1024 µs (about 977 frames a second, near AWS's 1024 packets a second per ENI).</summary>
    public static PuntLimit Default { get; } = new(1024, 10);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a field does not fit its register field.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Burst, nameof(Burst));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Burst, ushort.MaxValue, nameof(Burst));
        ArgumentOutOfRangeException.ThrowIfNegative(RefillLog2, nameof(RefillLog2));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(RefillLog2, 31, nameof(RefillLog2));
    }
}
