namespace NitroCard.Card;

/// <summary>
/// A card fault: the card or its native library failed (a missing or unloadable library, a native error status, a
/// card that stays busy or rejects a table command, a bus with no NitroCard on it), or the card cannot take a state it
/// was asked for (no filtering hardware, a mapping pointing at an empty slot; a full table is the subclass
/// <see cref="CardTableFullException"/>). A failed commit leaves the card exactly as it was unless the message says
/// the card itself failed mid-commit.
/// <para>A caller's mistake is not a card fault: a null argument, an out-of-range slot, index, VNI or route table
/// number, an address that is not IPv4 or not unicast, a rule that does not fit the table layout, or a mapping key
/// that is already mapped (or not mapped, for a removal) throws the BCL's <see cref="ArgumentException"/>
/// (<see cref="ArgumentNullException"/>, <see cref="ArgumentOutOfRangeException"/>), the same on every engine, and
/// stages nothing.</para>
/// </summary>
public class NitroCardException : Exception
{
    public NitroCardException()
    {
    }

    public NitroCardException(string message)
        : base(message)
    {
    }

    public NitroCardException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NitroCardException(string message, int nativeStatus)
        : base(message)
    {
        NativeStatus = nativeStatus;
    }

    /// <summary>The native library's status code when the failure came from it, else 0.</summary>
    public int NativeStatus { get; }
}
