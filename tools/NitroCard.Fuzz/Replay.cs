using System.Diagnostics;

namespace NitroCard.Fuzz;

/// <summary>Runs corpus files through a target in process.</summary>
public static class Replay
{
    /// <summary>Longer than this for one input is a hang (afl-fuzz's own limit in a campaign is build.ps1's -t).</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(10);

    /// <summary>Every file under <paramref name="path"/> (or the file itself); 0 when none crashed or hung, else 1.</summary>
    public static int Run(FuzzTarget target, string path, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(output);
        var files = File.Exists(path) ? [path] : Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        int accepted = 0, rejected = 0, failed = 0;
        foreach (var file in files)
        {
            var (outcome, error, elapsed) = RunOne(target, File.ReadAllBytes(file));
            if (error is not null)
            {
                failed++;
                output.WriteLine($"CRASH {file}: {error}");
            }
            else if (outcome == Outcome.Accepted)
            {
                accepted++;
            }
            else
            {
                rejected++;
            }
            if (elapsed > TimeSpan.FromSeconds(1))
                output.WriteLine($"slow  {file}: {elapsed.TotalMilliseconds:F0} ms");
        }
        output.WriteLine($"{target.Name}: {files.Length} inputs, {accepted} accepted, {rejected} rejected, {failed} crashed");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>One input: its outcome, or the crash (an undocumented exception, or a hang) as text.</summary>
    public static (Outcome Outcome, string? Error, TimeSpan Elapsed) RunOne(FuzzTarget target, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(target);
        var watch = Stopwatch.StartNew();
        var run = Task.Factory.StartNew(() => target.Run(input), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (Task.WhenAny(run, Task.Delay(HangLimit)).GetAwaiter().GetResult() != run)
            return (Outcome.Rejected, $"hang: no result after {HangLimit.TotalSeconds:F0} s", watch.Elapsed);
        return run.IsFaulted
            ? (Outcome.Rejected, run.Exception!.InnerException!.ToString(), watch.Elapsed)
            : (run.Result, null, watch.Elapsed);
    }
}
