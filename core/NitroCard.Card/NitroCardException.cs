namespace NitroCard.Card;

/// <summary>
/// The one exception type the driver throws for card and native-library failures, and for
/// table requests the card cannot take (the card is left exactly as it was).
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
