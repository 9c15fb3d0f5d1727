namespace NitroCard.Card;

/// <summary>
/// The card cannot hold what was asked for: the mapping table has no free bucket, the route intervals do not fit a
/// route bank, the security group rule array or a network ACL has no room. Nothing was staged or committed; a smaller
/// request (or removing entries first) may fit.
/// </summary>
public sealed class CardTableFullException : NitroCardException
{
    public CardTableFullException()
    {
    }

    public CardTableFullException(string message)
        : base(message)
    {
    }

    public CardTableFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
