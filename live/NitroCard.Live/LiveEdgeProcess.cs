using Grpc.Core;
using NitroCard.Card;
using NitroCard.Live.Control;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Region;

namespace NitroCard.Live;

/// <summary>
/// An edge other than the region's first in a process of its own (<c>nitroctl region edge --name NAME</c>, which the
/// region starts and restarts: <see cref="SupervisedProcess"/>): its TAPs (substrate in the underlay router, <c>eth&lt;n&gt;</c> in
/// <c>internet</c> and <c>services</c>) die with it, so a <c>kill -9</c> takes the edge off every wire at once. It reads
/// the service's region from <see cref="LiveState.RegionPath"/> (which the region process rewrites at every version) and
/// follows it, heartbeats every Mapping Service replica over gRPC with the identity the region CA issued in its name, and
/// serves its control socket (<c>nitroctl card --host NAME counters|alarms</c>).
/// </summary>
public static class LiveEdgeProcess
{
    /// <summary>What the process prints on stdout once its TAPs, control socket and heartbeats run.</summary>
    public const string ReadyLine = "edge ready";

    /// <summary>
    /// How long a dead edge process stays dead before the region starts it again: longer than the failover bound
    /// (heartbeat timeout + check + push, about 4–5 s; docs/card-edges.md), so the region is seen running without it first.
    /// </summary>
    public static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(15);

    /// <summary>Runs edge <paramref name="name"/> of the running region until SIGINT or SIGTERM.</summary>
    public static async Task RunAsync(string name)
    {
        LiveRegion.CheckPrivileges();
        var written = File.Exists(LiveState.RegionPath) ? File.GetLastWriteTimeUtc(LiveState.RegionPath) : default;
        var region = ReadRegion();
        var index = -1;
        for (var i = 0; i < region.Edges.Length && index < 0; i++)
        {
            if (region.Edges[i].Name == name)
                index = i;
        }
        if (index < 0)
            throw new LiveException($"the running region has no edge '{name}' ({LiveState.RegionPath})");
        if (index == 0)
            throw new LiveException($"edge '{name}' is the region's first edge, which runs in the region's own process");
        var endpoints = MappingReplicas.Parse(File.ReadAllText(LiveState.EndpointPath).Trim());
        using var replicas = MappingReplicas.ForHost(endpoints, LiveState.HostIdentityDirectory(name));
        var routerMac = region.SubstrateRouterMac is null ? RegionDefaults.SubstrateRouterMac : MacAddress.Parse(region.SubstrateRouterMac);

        var edge = new LiveEdge(region, index, state: null, captures: null);
        await using (edge.ConfigureAwait(false))
        {
            await edge.StartAsync(LiveRegion.UnderlayNamespace, routerMac).ConfigureAwait(false);
            var server = await ControlServer.StartAsync(name, edge).ConfigureAwait(false);
            await using (server.ConfigureAwait(false))
            {
                using var stopping = new CancellationTokenSource();
                var heartbeats = edge.HeartbeatAsync(ct => HeartbeatToEveryReplicaAsync(replicas, name, ct), stopping.Token);
                var follower = FollowRegionAsync(edge, written, stopping.Token);
                Console.Out.WriteLine(ReadyLine);
                Console.Out.Flush();
                var signal = await LiveRegion.WaitForSignalAsync().ConfigureAwait(false);
                await Console.Error.WriteLineAsync($"nitroctl region: edge {name}: {signal}: stopping").ConfigureAwait(false);
                await stopping.CancelAsync().ConfigureAwait(false);
                await heartbeats.ConfigureAwait(false);
                await follower.ConfigureAwait(false);
            }
        }
    }

    /// <summary>The region the service holds, as the region process last wrote it.</summary>
    private static RegionTopology ReadRegion()
    {
        if (!File.Exists(LiveState.RegionPath))
            throw new LiveException($"{LiveState.RegionPath} does not exist: is 'nitroctl region up' running?");
        return RegionLoader.Parse(File.ReadAllText(LiveState.RegionPath), LiveState.RegionPath);
    }

    /// <summary>One heartbeat to each replica, within one interval; a refusal or an unreachable replica is one stderr line.</summary>
    internal static async Task HeartbeatToEveryReplicaAsync(MappingReplicas replicas, string name, CancellationToken cancellationToken)
    {
        for (var i = 0; i < replicas.Endpoints.Count; i++)
        {
            var client = replicas.Next();
            try
            {
                await client.EdgeHeartbeatAsync(new EdgeHeartbeatRequest { Edge = name },
                    deadline: DateTime.UtcNow + Mapping.Edges.EdgeHealthOptions.Default.HeartbeatInterval, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
            {
                await Console.Error.WriteLineAsync($"nitroctl region: edge {name}: heartbeat to {replicas.Current}: {e.Status.Detail}").ConfigureAwait(false);
            }
        }
    }

    /// <summary>Every 200 ms: when the region file changed, reconfigures the edge from it (a moved ENI, a new public IP).</summary>
    private static async Task FollowRegionAsync(LiveEdge edge, DateTime seen, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var written = File.GetLastWriteTimeUtc(LiveState.RegionPath);
                if (written == seen)
                    continue;
                seen = written;
                try
                {
                    edge.Reload(ReadRegion());
                }
                catch (Exception e) when (e is RegionException or IOException or LiveException)
                {
                    await Console.Error.WriteLineAsync($"nitroctl region: edge {edge.Name}: cannot follow the region: {e.Message}").ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the edge is stopping
        }
    }
}
