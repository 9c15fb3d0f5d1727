using System.Globalization;

namespace NitroCard.Live;

/// <summary>
/// A process as the live state file records it: its pid and its start time (field 22 of <c>/proc/&lt;pid&gt;/stat</c>,
/// clock ticks since boot). A pid is reused once its process ended; the pair names one process for the machine's uptime.
/// </summary>
/// <param name="Pid">The process id.</param>
/// <param name="StartTime">Its start time in clock ticks since boot.</param>
internal sealed record ProcessStamp(int Pid, ulong StartTime)
{
    /// <summary>The stamp of the running process <paramref name="pid"/>; null when there is none.</summary>
    public static ProcessStamp? Of(int pid) => StartTimeOf(pid) is { } start ? new ProcessStamp(pid, start) : null;

    /// <summary>True when the process with this pid is running and is the one recorded (same start time).</summary>
    public bool IsRunning => StartTimeOf(Pid) == StartTime;

    /// <summary>The start time of process <paramref name="pid"/>, or null when no such process is running.</summary>
    public static ulong? StartTimeOf(int pid)
    {
        if (pid <= 0)
            return null;
        string stat;
        try
        {
            stat = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields are counted after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        const int StartTimeField = 22 - 3;
        return fields.Length > StartTimeField && ulong.TryParse(fields[StartTimeField], CultureInfo.InvariantCulture, out var start) ? start : null;
    }
}
