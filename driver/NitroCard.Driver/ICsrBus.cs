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
}
