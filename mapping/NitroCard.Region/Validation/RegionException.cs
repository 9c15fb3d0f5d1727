using System.Collections.Immutable;

namespace NitroCard.Region;

/// <summary>A region file that cannot be used; the message lists every problem, one a line, each naming the file and the field.</summary>
public sealed class RegionException : Exception
{
    public RegionException()
        : this("the region is invalid")
    {
    }

    public RegionException(string message)
        : base(message)
    {
        FileName = "";
    }

    public RegionException(string message, Exception innerException)
        : base(message, innerException)
    {
        FileName = "";
    }

    /// <summary>Creates the exception for a file's problems (at least one).</summary>
    public RegionException(string fileName, IEnumerable<RegionError> errors, Exception? innerException = null)
        : this(fileName, [.. errors], innerException)
    {
    }

    private RegionException(string fileName, ImmutableArray<RegionError> errors, Exception? innerException)
        : base(FormatMessage(fileName, errors), innerException)
    {
        FileName = fileName;
        Errors = errors;
    }

    /// <summary>The file the problems are in (as the user named it).</summary>
    public string FileName { get; }

    /// <summary>Every problem found.</summary>
    public ImmutableArray<RegionError> Errors { get; } = [];

    private static string FormatMessage(string fileName, ImmutableArray<RegionError> errors)
    {
        if (errors.IsDefaultOrEmpty)
            return $"{TerminalText.Escape(fileName)}: the region is invalid";
        if (errors.Length == 1)
            return errors[0].Format(fileName);
        return $"{TerminalText.Escape(fileName)}: {errors.Length} problems{Environment.NewLine}"
            + string.Join(Environment.NewLine, errors.Select(e => e.Format(fileName)));
    }
}
