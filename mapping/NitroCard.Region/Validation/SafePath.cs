namespace NitroCard.Region;

/// <summary>
/// Builds a path from a name that came from input (an ENI id, a host name) and refuses one that would leave its
/// folder: ids are validated where they enter, and this is the second wall wherever one becomes a file name.
/// </summary>
public static class SafePath
{
    /// <summary>
    /// <paramref name="folder"/>/<paramref name="fileName"/>, fully qualified; throws <see cref="UnsafePathException"/>
    /// when <paramref name="fileName"/> is rooted, has a directory separator or <c>..</c>, or resolves outside
    /// <paramref name="folder"/>.
    /// </summary>
    public static string Under(string folder, string fileName)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(fileName);
        var root = Path.GetFullPath(folder);
        if (fileName.Length == 0 || fileName is "." or ".." || Path.IsPathRooted(fileName)
            || fileName.IndexOfAny(['/', '\\', '\0']) >= 0)
            throw new UnsafePathException($"'{fileName}' is not a plain file name; refusing to write outside {root}");
        var full = Path.GetFullPath(Path.Combine(root, fileName));
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal))
            throw new UnsafePathException($"'{fileName}' resolves outside {root}");
        return full;
    }
}

