using System.Diagnostics;
using System.Globalization;

namespace NitroCard.Live;

/// <summary>
/// A helper of the region in a process of its own, as the region process sees it: an edge other than the first
/// (<c>nitroctl region edge --name NAME</c>, <see cref="LiveEdgeProcess"/>) or a Mapping Service replica on etcd
/// (<c>nitroctl mapping serve</c>). Each start is recorded in the state file (so <c>region down</c> stops it after a
/// crash), and the process is supervised like a service manager would: when it dies (a <c>kill -9</c>), it is started
/// again, with the same arguments, after its restart delay.
/// </summary>
internal sealed class SupervisedProcess : IAsyncDisposable
{
    private readonly string _program;
    private readonly IReadOnlyList<string> _arguments;
    private readonly string _readyPrefix;
    private readonly TimeSpan _restartDelay;
    private readonly string? _stderrPrefix;
    private readonly LiveState _state;
    private readonly TimeSpan _readyTimeout;
    private readonly CancellationTokenSource _stopping = new();
    private Process? _process;
    private Task _supervisor = Task.CompletedTask;

    /// <param name="program">nitroctl.</param>
    /// <param name="arguments">Its arguments (the same at every start).</param>
    /// <param name="name">What messages call it (<c>edge blackfoot-2</c>).</param>
    /// <param name="readyPrefix">How the line it prints on stdout once it is ready begins.</param>
    /// <param name="restartDelay">How long it stays dead before it is started again.</param>
    /// <param name="nameOnStderr">Prefix its stderr lines with <paramref name="name"/> (its messages do not name it).</param>
    /// <param name="state">The region's state file, which records each process started.</param>
    /// <param name="readyTimeout">How long a start may take to print its ready line.</param>
    public SupervisedProcess(string program, IReadOnlyList<string> arguments, string name, string readyPrefix, TimeSpan restartDelay, bool nameOnStderr, LiveState state, TimeSpan readyTimeout)
    {
        _program = program;
        _arguments = arguments;
        Name = name;
        _readyPrefix = readyPrefix;
        _restartDelay = restartDelay;
        _stderrPrefix = nameOnStderr ? $"nitroctl region: {name}: " : null;
        _state = state;
        _readyTimeout = readyTimeout;
    }

    public string Name { get; }

    /// <summary>Starts the process, waits until it is ready, then watches it.</summary>
    public async Task StartAsync()
    {
        _process = await LaunchAsync().ConfigureAwait(false);
        _supervisor = SuperviseAsync(_stopping.Token);
    }

    private async Task<Process> LaunchAsync()
    {
        var start = new ProcessStartInfo(_program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in _arguments)
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new LiveException($"cannot start {_program} for {Name}");
        _state.AddChild(process.Id);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            if (e.Data.StartsWith(_readyPrefix, StringComparison.Ordinal) && ready.TrySetResult())
                return;
            Console.Error.WriteLine($"nitroctl region: {Name}: {e.Data}");
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                Console.Error.WriteLine(_stderrPrefix + e.Data);
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
        throw new LiveException($"{Name}'s process ({_program} {string.Join(' ', _arguments)}) {why}");
    }

    /// <summary>When the process dies, starts it again after the restart delay (again after a failed start).</summary>
    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var process = _process!;
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"nitroctl region: {Name} (pid {process.Id}) exited with {process.ExitCode}; starting it again in {_restartDelay.TotalSeconds} s"));
                await Task.Delay(_restartDelay, cancellationToken).ConfigureAwait(false);
                try
                {
                    _process = await LaunchAsync().ConfigureAwait(false);
                    process.Dispose();
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"nitroctl region: {Name} started again (pid {_process.Id})"));
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

    /// <summary>SIGTERM (the helper closes what it holds), SIGKILL after 10 s.</summary>
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
