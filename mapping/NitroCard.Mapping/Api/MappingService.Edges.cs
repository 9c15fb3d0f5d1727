using System.Collections.Immutable;
using Grpc.Core;
using NitroCard.Mapping.Edges;
using NitroCard.Mapping.State;
using NitroCard.Region;

namespace NitroCard.Mapping.Api;

/// <summary>Edge health (docs/card-edges.md, "Health"): heartbeats in, the healthy set out to every host as a versioned change.</summary>
public sealed partial class MappingService
{
    private readonly SemaphoreSlim _edgeHealthCheck = new(1, 1);

    /// <summary>The edges' heartbeats as this replica heard them.</summary>
    public EdgeHealthMonitor EdgeHealth { get; }

    /// <summary>
    /// A heartbeat of edge <paramref name="edgeName"/> (unknown names are refused). An edge the region holds as unhealthy is
    /// put back into the cards' set at once (a new version), not at the next check.
    /// </summary>
    public async Task EdgeHeartbeatAsync(string? edgeName, CancellationToken cancellationToken = default)
    {
        CheckIds(("edge", edgeName));
        var name = Required(edgeName, "edge");
        var topology = Topology;
        if (!topology.Edges.Any(e => e.Name == name))
            throw new MappingApiException(ErrorCodes.InvalidParameterValue, $"Value ({name}) for parameter edge is invalid: the region has no edge of that name");
        var wasUnhealthy = topology.UnhealthyEdges.Contains(name, StringComparer.Ordinal);
        EdgeHealth.Heartbeat(name);
        if (wasUnhealthy)
            await CheckEdgeHealthAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Compares the edges' health with the region's and, when it differs in a region with more than one edge (with one, the
    /// cards' set is empty either way), commits the new unhealthy set: every host gets the new edge set (a full change,
    /// which each agent diffs against its card). Returns whether a version was committed. A replica that is not the
    /// leader does nothing (the leader's own checks decide).
    /// </summary>
    public async Task<bool> CheckEdgeHealthAsync(CancellationToken cancellationToken = default)
    {
        if (_election is { IsLeader: false })
            return false;
        // One check at a time (the timer's and a heartbeat's), so two never commit the same change.
        await _edgeHealthCheck.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var topology = Topology;
            if (topology.Edges.Length <= 1 || EdgeHealth.Unhealthy(topology).SequenceEqual(topology.UnhealthyEdges))
                return false;
            await CommitAsync("edge-health", EdgeHealthPlan, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _edgeHealthCheck.Release();
        }
    }

    /// <summary>Every edge with its health and whether the cards use it now.</summary>
    public IReadOnlyList<EdgeStatus> DescribeEdges()
    {
        var topology = Topology;
        var set = RegionCompiler.EdgeSetOf(topology).Select(ip => ip.ToString()).ToHashSet(StringComparer.Ordinal);
        return [.. topology.Edges.Select(e => new EdgeStatus(e.Name, e.UnderlayIp,
            EdgeHealth.IsHealthy(e.Name, topology.UnhealthyEdges.Contains(e.Name, StringComparer.Ordinal)), EdgeHealth.SinceHeartbeat(e.Name),
            topology.Edges.Length == 1 ? e == topology.Edges[0] : set.Contains(e.UnderlayIp)))];
    }

    private Plan<ImmutableArray<string>> EdgeHealthPlan(RegionState state)
    {
        var unhealthy = EdgeHealth.Unhealthy(state.Topology);
        return new Plan<ImmutableArray<string>>([RegionRecords.EdgeHealthWrite(unhealthy)], _ => { }, [], true, unhealthy,
            state.Topology with { UnhealthyEdges = unhealthy });
    }

    /// <summary>Checks the edges' health every heartbeat interval until the service stops.</summary>
    private async Task WatchEdgeHealthAsync()
    {
        using var timer = new PeriodicTimer(EdgeHealth.Options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await CheckEdgeHealthAsync(_stopping.Token).ConfigureAwait(false);
                }
                catch (MappingApiException e)
                {
                    // Not the leader any more, or the store refused: the next tick tries again.
                    MappingServiceLog.Refused(_logger, "edge-health", e.Code, e.Message);
                }
                catch (Exception e) when (e is RpcException or IOException)
                {
                    MappingServiceLog.Refused(_logger, "edge-health", ErrorCodes.ServiceUnavailable, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the service is stopping
        }
    }
}
