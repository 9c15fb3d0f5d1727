namespace NitroCard.Driver;

/// <summary>
/// The card's 32-bit control/status register bus. The Verilated card implements it over
/// P/Invoke; tests implement it with a fake so driver logic runs without the native library.
/// Addresses are byte addresses from <see cref="Registers.RegisterMap"/>.
/// </summary>
public interface ICsrBus
{
    /// <summary>Reads one register (one bus cycle on the card).</summary>
    uint Read(uint address);

    /// <summary>Writes one register (one bus cycle on the card).</summary>
    void Write(uint address, uint value);

    /// <summary>Reads consecutive registers starting at <paramref name="address"/>, 4 bytes apart.</summary>
    void ReadBurst(uint address, Span<uint> values);

    /// <summary>Writes consecutive registers starting at <paramref name="address"/>, 4 bytes apart.</summary>
    void WriteBurst(uint address, ReadOnlySpan<uint> values);

    /// <summary>
    /// Writes <paramref name="values"/>[i] to <paramref name="addresses"/>[i] in order (one bus cycle each, the
    /// addresses need not be consecutive): posted writes a driver queues and hands to the bus at once.
    /// </summary>
    void WriteSequence(ReadOnlySpan<uint> addresses, ReadOnlySpan<uint> values)
    {
        if (addresses.Length != values.Length)
            throw new ArgumentException($"{addresses.Length} addresses for {values.Length} values", nameof(values));
        for (var i = 0; i < addresses.Length; i++)
            Write(addresses[i], values[i]);
    }

    /// <summary>
    /// Reads <paramref name="address"/> (one bus cycle a read) until <c>(value &amp; mask) == expected</c>, at most
    /// <paramref name="maxReads"/> times. Returns whether it matched; <paramref name="value"/> is the last value read.
    /// </summary>
    bool Poll(uint address, uint mask, uint expected, int maxReads, out uint value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReads, 1);
        value = 0;
        for (var i = 0; i < maxReads; i++)
        {
            value = Read(address);
            if ((value & mask) == expected)
                return true;
        }
        return false;
    }
}
