namespace NitroCard.Driver.Registers;

/// <summary>A field of a table entry: its staging word (TBL_DATA0..7), lowest bit and width.</summary>
public readonly record struct TableField(int Word, int Lsb, int Width)
{
    private uint Mask => Width == 32 ? uint.MaxValue : (1u << Width) - 1;

    /// <summary>Writes <paramref name="value"/> into the staging words; throws when it does not fit.</summary>
    public void Write(Span<uint> words, ulong value)
    {
        if (value > Mask)
            throw new ArgumentOutOfRangeException(nameof(value), value, $"does not fit a {Width}-bit field");
        words[Word] = (words[Word] & ~(Mask << Lsb)) | ((uint)value << Lsb);
    }

    public uint Read(ReadOnlySpan<uint> words) => (words[Word] >> Lsb) & Mask;
}
