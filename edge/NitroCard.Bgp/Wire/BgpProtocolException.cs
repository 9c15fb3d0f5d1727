namespace NitroCard.Bgp.Wire;

/// <summary>A message that cannot be accepted; carries the <see cref="BgpError"/> to answer with.</summary>
public sealed class BgpProtocolException : Exception
{
    /// <summary>Creates the exception for an error.</summary>
    public BgpProtocolException(BgpError error)
        : base(error.ToString()) => Error = error;

    /// <summary>Creates an exception with a message only (an unspecific Cease).</summary>
    public BgpProtocolException()
        : this(new BgpError(BgpErrorCode.Cease, 0, ReadOnlyMemory<byte>.Empty, "unspecified"))
    {
    }

    /// <summary>Creates an exception with a message only (an unspecific Cease).</summary>
    public BgpProtocolException(string message)
        : this(new BgpError(BgpErrorCode.Cease, 0, ReadOnlyMemory<byte>.Empty, message))
    {
    }

    /// <summary>Creates an exception with a message only (an unspecific Cease).</summary>
    public BgpProtocolException(string message, Exception innerException)
        : base(message, innerException) => Error = new BgpError(BgpErrorCode.Cease, 0, ReadOnlyMemory<byte>.Empty, message);

    /// <summary>The error and the NOTIFICATION it calls for.</summary>
    public BgpError Error { get; }
}
