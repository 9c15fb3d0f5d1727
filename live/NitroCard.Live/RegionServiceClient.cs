using Grpc.Core;
using NitroCard.Firmware;
using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Region;

namespace NitroCard.Live;

/// <summary>
/// The region process's view of its Mapping Service, over gRPC only: the replicas may be processes of their own, which
/// die and come back. Reads ask each replica (the operator identity of the region CA); a write goes to the replicas in
/// turn until the leader takes it, backing off with jitter between rounds while none leads (a killed leader's lease
/// has not expired yet), as the hosts' agents do when they reconnect.
/// </summary>
internal sealed class RegionServiceClient : IDisposable
{
    /// <summary>How long one replica may take to answer a read before it counts as down.</summary>
    private static readonly TimeSpan ReadDeadline = TimeSpan.FromSeconds(2);

    private readonly MappingReplicas _operator;

    /// <param name="endpoints">Every replica.</param>
    /// <param name="caDirectory">The region CA (the operator identity is read from it now).</param>
    public RegionServiceClient(IReadOnlyList<Uri> endpoints, string caDirectory)
    {
        _operator = MappingReplicas.ForOperator(endpoints, caDirectory);
    }

    public IReadOnlyList<Uri> Endpoints => _operator.Endpoints;

    /// <summary>The operator's view of the replicas, for writes (<see cref="WriteAsync{TReply}"/>).</summary>
    public MappingReplicas Operator => _operator;

    /// <summary>Each replica's description of itself, in <see cref="Endpoints"/>' order; null for one that did not answer.</summary>
    public async Task<DescribeReplicaReply?[]> DescribeEachAsync(bool includeRegion, CancellationToken cancellationToken)
    {
        var replies = new DescribeReplicaReply?[Endpoints.Count];
        for (var i = 0; i < replies.Length; i++)
            replies[i] = await DescribeAsync(i, includeRegion, cancellationToken).ConfigureAwait(false);
        return replies;
    }

    private async Task<DescribeReplicaReply?> DescribeAsync(int index, bool includeRegion, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await _operator.Client(index).DescribeReplicaAsync(new DescribeReplicaRequest { IncludeRegion = includeRegion },
                deadline: DateTime.UtcNow + ReadDeadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            return reply.Refusal is null ? reply : null;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            // The region is stopping: the callers' loops end on cancellation, which gRPC reports as its own exception.
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
        catch (RpcException)
        {
            return null;
        }
    }

    /// <summary>
    /// The region of the replica with the newest version when that version is above <paramref name="seen"/> (so what a
    /// caller follows never goes back, whichever replica answers); null when none is, or none answers.
    /// </summary>
    public async Task<(long Version, RegionTopology Topology)?> NewerThanAsync(long seen, CancellationToken cancellationToken)
    {
        var replies = await DescribeEachAsync(includeRegion: false, cancellationToken).ConfigureAwait(false);
        var newest = -1;
        for (var i = 0; i < replies.Length; i++)
        {
            if (replies[i] is { } reply && (long)reply.Version > seen && (newest < 0 || reply.Version > replies[newest]!.Version))
                newest = i;
        }
        if (newest < 0)
            return null;
        if (await DescribeAsync(newest, includeRegion: true, cancellationToken).ConfigureAwait(false) is not { } full || (long)full.Version <= seen)
            return null;
        return ((long)full.Version, RegionLoader.Parse(full.Region, Endpoints[newest].ToString()));
    }

    /// <summary>The card alarms the hosts' agents reported, summed over the replicas (each keeps those of the agents connected to it).</summary>
    public async Task<int> CountCardAlarmsAsync(CancellationToken cancellationToken = default)
    {
        var count = 0;
        for (var i = 0; i < Endpoints.Count; i++)
        {
            try
            {
                var reply = await _operator.Client(i).DescribeAlarmsAsync(new NitroCard.Mapping.Grpc.Protocol.DescribeAlarmsRequest(), deadline: DateTime.UtcNow + ReadDeadline, cancellationToken: cancellationToken).ConfigureAwait(false);
                count += reply.Alarms.Count(a => a.Kind == AlarmRecord.CardKind);
            }
            catch (RpcException)
            {
                // a replica that is down reported none
            }
        }
        return count;
    }

    /// <summary>
    /// Sends a write to the replicas in turn until one takes it: a replica that does not answer, or refuses with
    /// <c>ReplicaNotLeader</c>, passes it to the next; after a round without a leader, waits (exponential backoff with
    /// jitter, 100 ms to 2 s) and goes round again, for at most <paramref name="timeout"/>. Any other refusal is a
    /// <see cref="MappingApiException"/> with the service's code and message.
    /// </summary>
    public static async Task<TReply> WriteAsync<TReply>(MappingReplicas replicas, Func<RegionMapping.RegionMappingClient, CancellationToken, Task<TReply>> call,
        TimeSpan timeout, CancellationToken cancellationToken)
        where TReply : IApiReply
    {
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentNullException.ThrowIfNull(call);
        var deadline = DateTime.UtcNow + timeout;
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), Random.Shared);
        string last;
        while (true)
        {
            last = "no replica answered";
            for (var i = 0; i < replicas.Endpoints.Count; i++)
            {
                var client = replicas.Next();
                try
                {
                    var reply = await call(client, cancellationToken).ConfigureAwait(false);
                    if (reply.Refusal is null)
                        return reply;
                    if (reply.Refusal.Code != ErrorCodes.ReplicaNotLeader)
                        throw new MappingApiException(reply.Refusal.Code, reply.Refusal.Message);
                    last = $"{replicas.Current}: {reply.Refusal.Message}";
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
                {
                    last = $"{replicas.Current}: {e.Status.Detail}";
                }
            }
            var wait = backoff.Next();
            if (DateTime.UtcNow + wait > deadline)
                throw new TimeoutException($"no Mapping Service replica took the write within {timeout.TotalSeconds:0.#} s (last: {last})");
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _operator.Dispose();
}
