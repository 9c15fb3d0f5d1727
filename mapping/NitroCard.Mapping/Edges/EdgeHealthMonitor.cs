using System.Collections.Immutable;
using NitroCard.Region;

namespace NitroCard.Mapping.Edges;

/// <summary>How edges' heartbeats are judged (docs/card-edges.md, "Health").</summary>
/// <param name="HeartbeatInterval">How often an edge heartbeats (<c>mapping serve --edge-heartbeat</c>); also how often the service checks.</param>
/// <param name="MissedHeartbeats">Heartbeats an edge may miss before it is unhealthy (<c>--edge-missed-heartbeats</c>).</param>
public sealed record EdgeHealthOptions(TimeSpan HeartbeatInterval, int MissedHeartbeats)
{
    /// <summary>1 s heartbeats, unhealthy after 3 missed: a dead edge leaves the cards' set within 3 s + one check + the push.</summary>
    public static EdgeHealthOptions Default { get; } = new(TimeSpan.FromSeconds(1), 3);

    /// <summary>An edge unheard of for longer than this is unhealthy.</summary>
    public TimeSpan Timeout => HeartbeatInterval * MissedHeartbeats;
}

/// <summary>One edge as <c>nitroctl edges</c> shows it.</summary>
/// <param name="Name">The edge.</param>
/// <param name="UnderlayIp">Its substrate address.</param>
/// <param name="Healthy">Heard from within <see cref="EdgeHealthOptions.Timeout"/> (an edge is given one timeout after the service starts).</param>
/// <param name="SinceHeartbeat">Since its last heartbeat to this service replica; null: none yet.</param>
/// <param name="InEdgeSet">In the set the cards spread edge routes over now (what the region's version says).</param>
public sealed record EdgeStatus(string Name, string UnderlayIp, bool Healthy, TimeSpan? SinceHeartbeat, bool InEdgeSet);

/// <summary>
/// The last heartbeat of each edge. An edge not heard from for <see cref="EdgeHealthOptions.Timeout"/> is unhealthy. A
/// monitor that just started (a service restarted, or a replica that took over) has heard nobody yet: an edge the region
/// holds as healthy keeps one timeout of grace from the monitor's creation, one it holds as unhealthy stays so until it
/// heartbeats (a dead edge never comes back into the cards' set on a restart). Thread-safe.
/// </summary>
public sealed class EdgeHealthMonitor(TimeProvider time, EdgeHealthOptions options)
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, long> _lastHeartbeat = new(StringComparer.Ordinal);
    private readonly long _started = time.GetTimestamp();

    public EdgeHealthOptions Options { get; } = options;

    /// <summary>Records a heartbeat of <paramref name="edge"/> now.</summary>
    public void Heartbeat(string edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        var now = time.GetTimestamp();
        lock (_sync)
            _lastHeartbeat[edge] = now;
    }

    /// <summary>Since the edge's last heartbeat, or null when it has sent none.</summary>
    public TimeSpan? SinceHeartbeat(string edge)
    {
        lock (_sync)
            return _lastHeartbeat.TryGetValue(edge, out var at) ? time.GetElapsedTime(at) : null;
    }

    /// <summary>Whether the edge is healthy now; <paramref name="heldUnhealthy"/>: the region holds it as unhealthy.</summary>
    public bool IsHealthy(string edge, bool heldUnhealthy)
    {
        long since;
        lock (_sync)
        {
            if (!_lastHeartbeat.TryGetValue(edge, out since))
            {
                if (heldUnhealthy)
                    return false;
                since = _started;
            }
        }
        return time.GetElapsedTime(since) <= Options.Timeout;
    }

    /// <summary>The region's unhealthy edges, in its order.</summary>
    public ImmutableArray<string> Unhealthy(RegionTopology region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return [.. region.Edges.Where(e => !IsHealthy(e.Name, region.UnhealthyEdges.Contains(e.Name, StringComparer.Ordinal))).Select(e => e.Name)];
    }
}
