using System.Text;

namespace NitroCard.InstanceServices.FlowLogs;

/// <summary>Where a flow log's records go.</summary>
public interface IFlowLogSink
{
    /// <summary>Delivers the records of closed intervals.</summary>
    void Write(IReadOnlyList<FlowLogEntry> entries);
}

/// <summary>
/// A flow log's log directory (<c>ROOT/FLOW-LOG-ID/</c>) with one file per ENI (<c>ENI-ID.log</c>), one record per line,
/// appended: the shape of a CloudWatch Logs group with a log stream per network interface.
/// </summary>
public sealed class FlowLogFiles : IFlowLogSink
{
    /// <summary>Files under <paramref name="root"/>/<paramref name="flowLogId"/>.</summary>
    public FlowLogFiles(string root, string flowLogId)
    {
        if (!IsSafeName(flowLogId))
            throw new ArgumentException($"flow log id '{flowLogId}' is not lowercase letters, digits and hyphens", nameof(flowLogId));
        Directory = Path.Combine(root, flowLogId);
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The flow log's directory.</summary>
    public string Directory { get; }

    /// <summary>Writes that failed (disk full, directory gone or read-only): their records are lost.</summary>
    public long WriteErrors { get; private set; }

    /// <summary>The file of <paramref name="interfaceId"/>.</summary>
    public string PathOf(string interfaceId) => Path.Combine(Directory, interfaceId + ".log");

    /// <inheritdoc />
    public void Write(IReadOnlyList<FlowLogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var group in entries.GroupBy(e => e.InterfaceId))
        {
            // Interface ids were checked by the definition; a name that could leave the directory is never a file.
            if (!IsSafeName(group.Key))
                continue;
            var text = new StringBuilder();
            foreach (var entry in group)
                text.Append(entry.Format()).Append('\n');
            try
            {
                File.AppendAllText(PathOf(group.Key), text.ToString());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A full or read-only disk loses these records, counted; the firmware goes on.
                WriteErrors++;
            }
        }
    }

    /// <summary>Lowercase letters, digits and hyphens, starting with a letter, at most 64 characters (the project's id rule).</summary>
    public static bool IsSafeName(string name)
        => name is { Length: > 0 and <= 64 } && char.IsAsciiLetterLower(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
