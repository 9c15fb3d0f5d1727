namespace NitroCard.Card.Punt;

/// <summary>
/// The card's per-slot token buckets of the punt path, as hw/rtl/nitro_punt.sv computes them: time in units of
/// 2^RefillLog2 µs of the card time base, elapsed units (at most 65535) added to the tokens, capped at the burst;
/// a bucket is full after reset and after <see cref="SetLimit"/>. The model's copy of the RTL's arithmetic.
/// </summary>
public sealed class PuntBuckets
{
    private readonly ushort[] _tokens;
    private readonly uint[] _stamps;
    private readonly bool[] _fresh;
    private PuntLimit _limit = PuntLimit.Default;

    public PuntBuckets(int slots)
    {
        _tokens = new ushort[slots];
        _stamps = new uint[slots];
        _fresh = new bool[slots];
        Array.Fill(_fresh, true);
    }

    public PuntLimit Limit => _limit;

    public void SetLimit(PuntLimit limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        limit.Validate();
        _limit = limit;
        Array.Fill(_fresh, true);
    }

    /// <summary>Takes a token of <paramref name="slot"/> at time <paramref name="microseconds"/>; false when it has none.</summary>
    public bool TryTake(int slot, ulong microseconds)
    {
        var now = (uint)(microseconds >> _limit.RefillLog2);
        var burst = (uint)_limit.Burst;
        uint available;
        if (_fresh[slot])
        {
            available = burst;
        }
        else
        {
            var elapsed = Math.Min(now - _stamps[slot], 0xFFFFu);
            available = Math.Min(burst, _tokens[slot] + elapsed);
        }
        _fresh[slot] = false;
        _stamps[slot] = now;
        var taken = available != 0;
        _tokens[slot] = (ushort)(taken ? available - 1 : 0);
        return taken;
    }
}
