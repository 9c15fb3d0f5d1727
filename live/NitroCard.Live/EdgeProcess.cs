using System.Diagnostics;
using System.Globalization;

namespace NitroCard.Live;

/// <summary>
/// An edge of the region other than the first, as the region process sees it: a child process
/// (<c>nitroctl region edge --name NAME</c>, <see cref="LiveEdgeProcess"/>) recorded in the state file (so <c>region down</c>
/// stops it after a crash), supervised like a service manager would: when it dies (a <c>kill -9</c>), it is started again
/// after <see cref="LiveEdgeProcess.RestartDelay"/> and rejoins the cards' edge set once it heartbeats.
/// </summary>
internal sealed class EdgeProcess : IAsyncDisposable
{
    private readonly string _program;
    private readonly LiveState _state;
    private readonly TimeSpan _readyTimeout;
    private readonly CancellationTokenSource _stopping = new();
    private Process? _process;
    private Task _supervisor = Task.CompletedTask;

    /// <param name="program">nitroctl (the program that runs <c>region edge</c>).</param>
    /// <param name="name">The edge's name in the region.</param>
    /// <param name="state">The region's state file, which records each process started.</param>
    /// <param name="readyTimeout">How long a start may take to print <see cref="LiveEdgeProcess.ReadyLine"/>.</param>
    public EdgeProcess(string program, string name, LiveState state, TimeSpan readyTimeout)
    {
        _program = program;
        Name = name;
        _state = state;
        _readyTimeout = readyTimeout;
    }

    public string Name { get; }

    /// <summary>Starts the edge's process, waits until it is ready, then watches it.</summary>
    public async Task StartAsync()
    {
        _process = await LaunchAsync().ConfigureAwait(false);
        _supervisor = SuperviseAsync(_stopping.Token);
    }

    private async Task<Process> LaunchAsync()
    {
        var start = new ProcessStartInfo(_program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "region", "edge", "--name", Name })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new LiveException($"cannot start {_program} for edge {Name}");
        _state.AddChild(process.Id);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == LiveEdgeProcess.ReadyLine)
                ready.TrySetResult();
            else if (e.Data is not null)
                Console.Error.WriteLine($"nitroctl region: edge {Name}: {e.Data}");
        };
        // The edge's own messages name it already.
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                Console.Error.WriteLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(_readyTimeout)).ConfigureAwait(false);
        if (first == ready.Task)
            return process;
        var why = first == exited
            ? string.Create(CultureInfo.InvariantCulture, $"exited with {process.ExitCode}")
            : $"was not ready after {_readyTimeout.TotalSeconds} s";
        await StopAsync(process).ConfigureAwait(false);
        throw new LiveException($"edge {Name}'s process ({_program} region edge) {why}");
    }

    /// <summary>When the edge's process dies, starts it again after <see cref="LiveEdgeProcess.RestartDelay"/> (again after a failed start).</summary>
    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var process = _process!;
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"nitroctl region: edge {Name} (pid {process.Id}) exited with {process.ExitCode}; starting it again in {LiveEdgeProcess.RestartDelay.TotalSeconds} s"));
                await Task.Delay(LiveEdgeProcess.RestartDelay, cancellationToken).ConfigureAwait(false);
                try
                {
                    _process = await LaunchAsync().ConfigureAwait(false);
                    process.Dispose();
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"nitroctl region: edge {Name} started again (pid {_process.Id})"));
                }
                catch (LiveException e)
                {
                    Console.Error.WriteLine($"nitroctl region: {e.Message}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the region is stopping
        }
    }

    /// <summary>SIGTERM (the edge closes its TAPs and control socket), SIGKILL after 10 s.</summary>
    private static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            Shell.TryRun("kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture));
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(patience.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _supervisor.ConfigureAwait(false);
        if (_process is not null)
            await StopAsync(_process).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
