namespace NitroCard.Mapping.Storage;

/// <summary>
/// A store that cannot be used: held by another process, corrupt, read-only, or holding a region that does not
/// validate. The message names the store (its file or URL) and what is wrong. An <see cref="IOException"/>, so
/// the CLI prints it as its one error line.
/// </summary>
public sealed class RegionStoreException : IOException
{
    public RegionStoreException()
    {
    }

    public RegionStoreException(string message)
        : base(message)
    {
    }

    public RegionStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
