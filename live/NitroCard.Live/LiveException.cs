namespace NitroCard.Live;

/// <summary>
/// A live region could not be brought up, inspected or torn down (no root, a namespace that exists already, a
/// command that failed, a state file that is not one): the message is written for the user, one line.
/// </summary>
public sealed class LiveException : Exception
{
    public LiveException()
    {
    }

    public LiveException(string message)
        : base(message)
    {
    }

    public LiveException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
