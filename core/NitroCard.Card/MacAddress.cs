using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NitroCard.Card;

/// <summary>A 48-bit Ethernet MAC address held as a big-endian number (byte 0 most significant).</summary>
public readonly record struct MacAddress(ulong Value) : ISpanFormattable
{
    /// <summary>ff:ff:ff:ff:ff:ff.</summary>
    public static MacAddress Broadcast { get; } = new(0xFFFF_FFFF_FFFFUL);

    /// <summary>Bytes 0..1 (the register pair's HI word).</summary>
    public uint High => (uint)(Value >> 32) & 0xFFFF;

    /// <summary>Bytes 2..5 (the register pair's LO word).</summary>
    public uint Low => (uint)Value;

    public static MacAddress FromWords(uint high, uint low) => new(((ulong)(high & 0xFFFF) << 32) | low);

    public static MacAddress Read(ReadOnlySpan<byte> bytes)
        => new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]));

    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)High);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[2..], Low);
    }

    /// <summary>Parses "02:00:0a:00:01:0a" (colons or dashes).</summary>
    public static MacAddress Parse(string text)
        => TryParse(text, out var mac) ? mac : throw new FormatException($"'{text}' is not a MAC address (expected six hex bytes such as 02:00:0a:00:01:0a)");

    public static bool TryParse([NotNullWhen(true)] string? text, out MacAddress mac)
    {
        mac = default;
        if (text is null || text.Length != 17)
            return false;
        ulong value = 0;
        for (var i = 0; i < 6; i++)
        {
            if (i > 0 && text[(i * 3) - 1] is not (':' or '-'))
                return false;
            if (!byte.TryParse(text.AsSpan(i * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                return false;
            value = (value << 8) | b;
        }
        mac = new MacAddress(value);
        return true;
    }

    public override string ToString() => ToString(null, null);

    public string ToString(string? format, IFormatProvider? formatProvider)
    {
        Span<char> chars = stackalloc char[17];
        TryFormat(chars, out var written, format, formatProvider);
        return new string(chars[..written]);
    }

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        charsWritten = 0;
        if (destination.Length < 17)
            return false;
        for (var i = 0; i < 6; i++)
        {
            var b = (byte)(Value >> (40 - (8 * i)));
            if (i > 0)
                destination[charsWritten++] = ':';
            b.TryFormat(destination[charsWritten..], out var n, "x2", CultureInfo.InvariantCulture);
            charsWritten += n;
        }
        return true;
    }
}
