using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NitroCard.Card;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Packets;

namespace NitroCard.Firmware;

/// <summary>The service refused the host (identity or VPC); retrying will not help.</summary>
public sealed class AgentRefusedException : Exception
{
    public AgentRefusedException()
    {
    }

    public AgentRefusedException(string message)
        : base(message)
    {
    }

    public AgentRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Why the agent waits before reconnecting.</summary>
public enum AgentRetryKind
{
    /// <summary>The service is unreachable or ended the stream (an outage).</summary>
    Disconnected,

    /// <summary>A version could not be applied to the card; the next subscription resyncs in full.</summary>
    ApplyFailed,

    /// <summary>The TLS handshake failed (the service's certificate rejected): waits the longest, reported once.</summary>
    ConfigurationError,
}

/// <summary>One reconnect wait of the agent.</summary>
public sealed record AgentRetry(TimeSpan Delay, string Reason, AgentRetryKind Kind);

/// <summary>
/// The firmware agent of one host: subscribes to the Mapping Service with the host's identity, applies
/// each delta to the card (<see cref="CardProgrammer"/>), acknowledges it, drains the card's alarm FIFO
/// and reports alarms and counters. When the service is unreachable the card keeps forwarding on its
/// last state; on reconnect the agent resumes from its last acknowledged version (or the service sends
/// a full snapshot, applied as a difference). Reconnects back off exponentially with jitter
/// (<see cref="ReconnectBackoff"/>). A version the card cannot take never ends the agent: it is logged, reported to
/// the service as an <c>apply-failed</c> alarm, and answered with a full resync after the backoff.
/// </summary>
public sealed class FirmwareAgent
{
    private readonly string _host;
    private readonly Func<RegionMapping.RegionMappingClient> _client;
    private readonly ICardAccess? _card;
    private readonly CardProgrammer _programmer;
    private readonly ILogger _logger;
    private readonly Func<Uri> _endpoint;
    private long _version;
    private ApplyFailure? _failure;

    public FirmwareAgent(string host, Uri endpoint, Func<RegionMapping.RegionMappingClient> client, ICardAccess? card, CardGeometry geometry, ILogger? logger = null)
    {
        _host = host;
        _endpoint = () => endpoint;
        _client = client;
        _card = card;
        _programmer = new CardProgrammer(geometry);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// An agent that knows every replica of the service: each connection attempt goes to the next replica in turn, so a
    /// dead or cut-off replica costs one backoff wait before the next one is tried.
    /// </summary>
    public FirmwareAgent(string host, MappingReplicas replicas, ICardAccess? card, CardGeometry geometry, ILogger? logger = null)
        : this(host, (replicas ?? throw new ArgumentNullException(nameof(replicas))).Current, replicas.Next, card, geometry, logger)
    {
        _endpoint = () => replicas.Current;
    }

    /// <summary>The last version applied and acknowledged.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The mirror of the card's tables.</summary>
    public CardProgrammer Programmer => _programmer;

    /// <summary>Raised after a delta is applied to the card (before its acknowledgement is sent).</summary>
    public event Action<HostDelta>? Applied;

    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The first wait before reconnecting; it doubles (with jitter) with every failure in a row.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait before reconnecting (also the wait after a configuration error).</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock of the reconnect waits and the report timer.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The source of the reconnect jitter.</summary>
    public Random Jitter { get; init; } = Random.Shared;

    /// <summary>Raised before each reconnect wait: how long, and why.</summary>
    public event Action<AgentRetry>? Retrying;

    /// <summary>Set when the current subscription is up.</summary>
    public bool Connected { get; private set; }

    /// <summary>Runs until cancelled; throws <see cref="AgentRefusedException"/> when the service refuses the host.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new ReconnectBackoff(ReconnectDelay, MaxReconnectDelay < ReconnectDelay ? ReconnectDelay : MaxReconnectDelay, Jitter);
        string? configurationError = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            AgentRetry retry;
            try
            {
                await RunOnceAsync(backoff, cancellationToken).ConfigureAwait(false);
                retry = new AgentRetry(backoff.Next(), "the service ended the subscription", AgentRetryKind.Disconnected);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated)
            {
                FirmwareLog.Refused(_logger, _host, e.Status.Detail);
                throw new AgentRefusedException(e.Status.Detail, e);
            }
            catch (ApplyFailedException e) when (!cancellationToken.IsCancellationRequested)
            {
                retry = new AgentRetry(backoff.Next(), e.Message, AgentRetryKind.ApplyFailed);
                FirmwareLog.ApplyFailed(_logger, _host, (long)e.Failure.Version, (long)e.Failure.OnVersion, e.Failure.Message, retry.Delay, e.InnerException!);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && HandshakeFailure(e) is { } handshake)
            {
                // Retrying soon will not cure it: wait the longest, say so once.
                retry = new AgentRetry(backoff.AtMax(), handshake, AgentRetryKind.ConfigurationError);
                if (configurationError != handshake)
                    FirmwareLog.ConfigurationError(_logger, _host, _endpoint(), handshake, backoff.Max);
                configurationError = handshake;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is RpcException or IOException or System.Net.Http.HttpRequestException or InvalidOperationException or InvalidDataException)
            {
                retry = new AgentRetry(backoff.Next(), e is RpcException r ? r.Status.Detail : e.Message, AgentRetryKind.Disconnected);
                FirmwareLog.Disconnected(_logger, _host, retry.Reason, Version);
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException)
            {
                return;
            }
            finally
            {
                Connected = false;
            }
            if (retry.Kind != AgentRetryKind.ConfigurationError)
                configurationError = null;
            FirmwareLog.Retrying(_logger, _host, retry.Delay);
            Retrying?.Invoke(retry);
            try
            {
                await Task.Delay(retry.Delay, Time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The TLS failure in an exception's chain (the server's certificate rejected), if that is what it is.</summary>
    private static string? HandshakeFailure(Exception e)
    {
        for (Exception? x = e; x is not null; x = x is RpcException r ? r.Status.DebugException ?? r.InnerException : x.InnerException)
        {
            if (x is System.Security.Authentication.AuthenticationException)
                return x.Message;
        }
        return null;
    }

    /// <summary>A version the card could not take; the agent resyncs in full and reports <see cref="Failure"/> to the service.</summary>
    private sealed class ApplyFailedException(ApplyFailure failure, Exception inner) : Exception($"could not apply version {failure.Version}: {failure.Message}", inner)
    {
        public ApplyFailure Failure { get; } = failure;
    }

    private async Task RunOnceAsync(ReconnectBackoff backoff, CancellationToken cancellationToken)
    {
        using var call = _client().Subscribe(cancellationToken: cancellationToken);
        var writeLock = new SemaphoreSlim(1, 1);
        async Task Send(AgentMessage message)
        {
            await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await call.RequestStream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                writeLock.Release();
            }
        }
        await Send(new AgentMessage { Hello = new Hello { Host = _host, LastVersion = (ulong)Version } }).ConfigureAwait(false);
        FirmwareLog.Connected(_logger, _host, _endpoint(), Version);
        // A failure to apply is reported on the next stream that is up, so the alarm is not lost with the one that failed.
        if (_failure is { } failure)
        {
            await Send(new AgentMessage { ApplyFailed = failure }).ConfigureAwait(false);
            _failure = null;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reporter = _card is null ? Task.CompletedTask : ReportAsync(Send, stop.Token);
        try
        {
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                Connected = true;
                if (call.ResponseStream.Current.Delta is not { } message)
                    continue;
                var delta = DeltaCodec.FromMessage(message);
                if (!delta.Full && delta.BaseVersion != Version && delta.Size > 0)
                {
                    // Out of step with the service (should not happen on one stream): start over with a full resync.
                    Interlocked.Exchange(ref _version, 0);
                    throw new InvalidOperationException($"delta {delta.BaseVersion}->{delta.Version} does not follow version {Version}");
                }
                try
                {
                    if (_card is null)
                        _programmer.Apply(null, delta);
                    else
                        await _card.InvokeAsync(card =>
                        {
                            _programmer.Apply(card, delta);
                            return delta.Version;
                        }).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The card may hold part of the update: the next subscription asks for everything (version 0), which
                    // the programmer applies as the difference from what its mirror holds.
                    _failure = new ApplyFailure { Version = (ulong)delta.Version, OnVersion = (ulong)Version, Message = e.Message };
                    Interlocked.Exchange(ref _version, 0);
                    throw new ApplyFailedException(_failure, e);
                }
                backoff.Reset();
                Interlocked.Exchange(ref _version, delta.Version);
                Applied?.Invoke(delta);
                FirmwareLog.Applied(_logger, _host, delta.Version, delta.Full ? "full" : "delta", delta.Size);
                try
                {
                    await Send(new AgentMessage { Ack = new Ack { Version = (ulong)delta.Version } }).ConfigureAwait(false);
                }
                catch (RpcException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The service may have ended the call with a reason (a host that stopped reading is cut off): its
                    // side of the stream is reset before the agent reads the status, so read on to the status (nothing
                    // read now is applied: the next subscription resyncs) and fail with it rather than with the reset.
                    while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
                    {
                    }
                    throw;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await reporter.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException or IOException or InvalidOperationException)
            {
                // the stream is gone
            }
            writeLock.Dispose();
        }
    }

    private async Task ReportAsync(Func<AgentMessage, Task> send, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(ReportInterval, Time);
        var beats = 0;
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var alarms = await _card!.DrainAlarmsAsync().ConfigureAwait(false);
            if (alarms.Count > 0)
            {
                var report = new AlarmReport();
                foreach (var a in alarms)
                {
                    report.Alarms.Add(new NitroCard.Mapping.Grpc.Protocol.CardAlarm
                    {
                        Cycle = a.Cycle, Reason = a.Reason.ToWireName(), Slot = a.Slot, Vni = a.Vni,
                        OuterSource = Ipv4Address.ToUInt32(a.OuterSource), InnerSource = Ipv4Address.ToUInt32(a.InnerSource), InnerDestination = Ipv4Address.ToUInt32(a.InnerDestination),
                    });
                }
                await send(new AgentMessage { Alarms = report }).ConfigureAwait(false);
            }
            if (beats++ % 5 == 0)
            {
                var counters = await _card.InvokeAsync(card => card.ReadCounters()).ConfigureAwait(false);
                await send(new AgentMessage { Counters = new CounterReport { Counters = CounterCodec.ToMessage(HostCounters.From(counters, _programmer.Slots)) } }).ConfigureAwait(false);
            }
        }
    }
}
