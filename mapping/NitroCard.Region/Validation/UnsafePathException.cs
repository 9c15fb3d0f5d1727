namespace NitroCard.Region;

/// <summary>A file name from input that would leave its folder (an I/O refusal: nothing was written).</summary>
public sealed class UnsafePathException : IOException
{
    public UnsafePathException()
    {
    }

    public UnsafePathException(string message)
        : base(message)
    {
    }

    public UnsafePathException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
