namespace NitroCard.Region;

/// <summary>One problem in a region file.</summary>
/// <param name="Path">The field, as a JSON path without the leading <c>$.</c> (for example <c>vpcs[0].enis[1].ip</c>); empty for the whole document.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Line">The 1-based line, for JSON syntax and type errors.</param>
/// <param name="Column">The 1-based column (in bytes), for JSON syntax and type errors.</param>
public sealed record RegionError(string Path, string Message, int? Line = null, int? Column = null)
{
    /// <summary>The problem as one line naming the file: <c>region.json: vpcs[0].vni: …</c>. Control characters quoted from the input are escaped.</summary>
    public string Format(string fileName)
    {
        fileName = TerminalText.Escape(fileName);
        var location = Line is { } line
            ? Column is { } column ? $"{fileName}:{line}:{column}: " : $"{fileName}:{line}: "
            : $"{fileName}: ";
        return location + ToString();
    }

    /// <summary>The problem as one line without the file: <c>vpcs[0].vni: …</c> (escaped like <see cref="Format"/>).</summary>
    public override string ToString() => Path.Length == 0 ? TerminalText.Escape(Message) : $"{TerminalText.Escape(Path)}: {TerminalText.Escape(Message)}";
}
