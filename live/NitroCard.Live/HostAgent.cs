using Microsoft.Extensions.Logging;
using NitroCard.Card;
using NitroCard.Firmware;
using NitroCard.Mapping.Grpc;

namespace NitroCard.Live;

/// <summary>
/// A live host's firmware agent: subscribes to the region's Mapping Service with the host's mTLS identity (issued by the
/// region CA), failing over between its replicas when there are several, applies every pushed delta (to the card, or only to the mirror for a kernel VXLAN host) and then lets the
/// host follow the new state (<c>programmed</c>: TAPs for a card host, FDB and neighbours for a kernel host).
/// </summary>
internal sealed class HostAgent : IAsyncDisposable
{
    private readonly MappingReplicas _replicas;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _host;
    private Task? _running;

    public HostAgent(string host, IReadOnlyList<Uri> endpoints, string identityDirectory, ICardAccess? card, CardGeometry geometry, Action<CardProgrammer> programmed, ILogger? logger = null)
    {
        _host = host;
        _replicas = MappingReplicas.ForHost(endpoints, identityDirectory);
        Agent = new FirmwareAgent(host, _replicas, card, geometry, logger);
        Agent.Applied += _ =>
        {
            try
            {
                programmed(Agent.Programmer);
                _first.TrySetResult();
            }
            catch (Exception e) when (e is LiveException or IOException or InvalidOperationException or KeyNotFoundException)
            {
                Console.Error.WriteLine($"nitroctl region: {host}: cannot follow version {Agent.Version}: {e.Message}");
                _first.TrySetException(e);
            }
        };
    }

    public FirmwareAgent Agent { get; }

    /// <summary>Starts the agent and waits for its first applied push.</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        _running = Task.Run(() => Agent.RunAsync(_stop.Token));
        var first = await Task.WhenAny(_first.Task, _running, Task.Delay(timeout)).ConfigureAwait(false);
        if (first == _running)
        {
            await _running.ConfigureAwait(false); // the service refused the host: AgentRefusedException
            throw new LiveException($"{_host}: the firmware agent stopped before its card was programmed");
        }
        if (first != _first.Task)
            throw new TimeoutException($"{_host}: no state from the Mapping Service after {timeout.TotalSeconds} s");
        await _first.Task.ConfigureAwait(false);
    }

    /// <summary>Stops the agent, waiting for it at most 5 s; how it ended does not matter any more.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_running is not null)
            await Task.WhenAny(_running, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        _replicas.Dispose();
        _stop.Dispose();
    }
}
