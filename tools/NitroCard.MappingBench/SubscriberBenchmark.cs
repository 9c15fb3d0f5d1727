using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using NitroCard.Card;
using NitroCard.Firmware;
using Grpc.Core;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Hosting;
using ApiCreateNetworkInterface = NitroCard.Mapping.Api.CreateNetworkInterfaceRequest;
using ApiDeleteNetworkInterface = NitroCard.Mapping.Api.DeleteNetworkInterfaceRequest;

namespace NitroCard.MappingBench;

/// <summary>
/// The Mapping Service over gRPC with mutual TLS on loopback, with many subscribers and one that never reads: the
/// process's memory, what the service holds for the stalled host, and the latency the others see. Clients and service
/// share the process (the memory figures include both).
/// </summary>
public static class SubscriberBenchmark
{
    public const string SectionHeading = "## Subscribers over gRPC";

    /// <param name="subscribers">Hosts subscribed at once (each its own mTLS connection, and one operator read each).</param>
    /// <param name="changes">Versions applied while host 0 never reads (each concerns the 10 hosts of its VPC).</param>
    /// <param name="commandLine">The bench's arguments, for the report.</param>
    /// <param name="log">Progress.</param>
    /// <param name="backlogBytes">The service's per-subscriber backlog limit.</param>
    /// <param name="stallTimeout">The service's stall timeout.</param>
    public static async Task<string> RunAsync(int subscribers, int changes, long backlogBytes, TimeSpan stallTimeout, string commandLine, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var dir = Directory.CreateTempSubdirectory("nitrocard-subscriber-bench-");
        try
        {
            var caDir = Path.Combine(dir.FullName, "ca");
            await using var server = await MappingServer.StartAsync(new MappingServerOptions(Path.Combine(dir.FullName, "region.db"), new IPEndPoint(IPAddress.Loopback, 0), caDir)
            {
                Service = new MappingServiceOptions { SubscriberBacklogBytes = backlogBytes, SubscriberStallTimeout = stallTimeout },
            }).ConfigureAwait(false);
            var service = server.Service;
            var region = MappingBenchmark.Synthetic(subscribers, subscribers * MappingBenchmark.EnisPerVpc / MappingBenchmark.HostsPerVpc);
            await service.ApplyAsync(region).ConfigureAwait(false);
            var names = region.Hosts.Select(h => h.Name).ToArray();
            foreach (var name in names)
                server.Ca.IssueHost(name, Path.Combine(dir.FullName, "id-" + name));
            var idle = Memory();
            log.WriteLine($"region of {names.Length} hosts applied; {idle}");

            // Every host but the stalled one runs an agent (no card); the stalled one subscribes and never reads.
            var stalledHost = names[0];
            var applied = new ConcurrentDictionary<(string Host, long Version), long>();
            using var cts = new CancellationTokenSource();
            var channels = new List<IDisposable>();
            var runs = new List<Task>();
            var agents = new List<FirmwareAgent>();
            var clock = Stopwatch.StartNew();
            foreach (var name in names.Skip(1))
            {
                var channel = MappingChannel.ForHost(server.Endpoint, Path.Combine(dir.FullName, "id-" + name));
                channels.Add(channel);
                var agent = new FirmwareAgent(name, server.Endpoint, () => new RegionMapping.RegionMappingClient(channel), null, CardGeometry.Default);
                agent.Applied += d => applied[(name, d.Version)] = Stopwatch.GetTimestamp();
                agents.Add(agent);
                runs.Add(agent.RunAsync(cts.Token));
            }
            using var operatorChannel = MappingChannel.ForOperator(server.Endpoint, caDir);
            var operatorClient = new RegionMapping.RegionMappingClient(operatorChannel);
            var reads = await Task.WhenAll(names.Select(name => operatorClient.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest { Host = name }).ResponseAsync)).ConfigureAwait(false);
            await WaitAsync(() => agents.All(a => a.Version == service.Version)).ConfigureAwait(false);
            var served = clock.Elapsed;
            if (reads.Any(r => r.NetworkInterfaces.Count == 0))
                throw new InvalidOperationException("a read of a host's ENIs came back empty");
            var connected = Memory();
            log.WriteLine($"{agents.Count} agents synchronised and {reads.Length} reads answered in {served.TotalSeconds:F1} s; {connected}");

            using var stalledChannel = MappingChannel.ForHost(server.Endpoint, Path.Combine(dir.FullName, "id-" + stalledHost));
            using var stalled = new RegionMapping.RegionMappingClient(stalledChannel).Subscribe(cancellationToken: cts.Token);
            await stalled.RequestStream.WriteAsync(new AgentMessage { Hello = new Hello { Host = stalledHost } }).ConfigureAwait(false);
            await WaitAsync(() => service.Hub.IsConnected(stalledHost)).ConfigureAwait(false);

            // Changes to the stalled host's VPC, as fast as they commit: an ENI of it appears on host 1 and goes.
            var vpc = region.Vpcs[0];
            var started = new Dictionary<long, long>();
            var peers = names.Skip(1).Take(MappingBenchmark.HostsPerVpc - 1).ToArray();
            long maxQueued = 0;
            for (var i = 0; i < changes; i++)
            {
                var start = Stopwatch.GetTimestamp();
                if (i % 2 == 0)
                    await service.CreateNetworkInterfaceAsync(new ApiCreateNetworkInterface(vpc.Subnets[0].Id, peers[0], NetworkInterfaceId: "eni-bench-flood")).ConfigureAwait(false);
                else
                    await service.DeleteNetworkInterfaceAsync(new ApiDeleteNetworkInterface("eni-bench-flood")).ConfigureAwait(false);
                started[service.Version] = start;
                maxQueued = Math.Max(maxQueued, service.Hub.QueuedBytes(stalledHost));
            }
            var last = service.Version;
            await WaitAsync(() => peers.All(p => applied.ContainsKey((p, last)))).ConfigureAwait(false);
            var flooded = Memory();
            var latencies = started.SelectMany(v => peers.Select(p => Stopwatch.GetElapsedTime(v.Value, applied[(p, v.Key)]).TotalMilliseconds)).ToList();
            log.WriteLine($"{changes} changes with {stalledHost} stalled: at most {maxQueued} bytes held for it; {flooded}");

            // The stalled host is cut off within the stall timeout; reading at last, it finds the reason.
            var floodEnd = Stopwatch.GetTimestamp();
            await WaitAsync(() => !service.Hub.IsConnected(stalledHost)).ConfigureAwait(false);
            var cutOff = Stopwatch.GetElapsedTime(floodEnd);
            var status = "the stream ended without a status";
            try
            {
                while (await stalled.ResponseStream.MoveNext(cts.Token).ConfigureAwait(false))
                {
                }
            }
            catch (RpcException e)
            {
                status = $"{e.StatusCode}: {e.Status.Detail}";
            }
            log.WriteLine($"{stalledHost} disconnected {cutOff.TotalSeconds:F1} s after the last change: {status}");

            await cts.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(runs).ConfigureAwait(false);
            foreach (var channel in channels)
                channel.Dispose();
            return Report(commandLine, subscribers, changes, served, idle, connected, flooded, maxQueued, service.Hub, latencies, peers.Length, (cutOff, status));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private sealed record MemoryFigures(long HeapBytes, long WorkingSetBytes)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"GC heap {HeapBytes / 1048576.0:F1} MiB, working set {WorkingSetBytes / 1048576.0:F1} MiB");
    }

    private static MemoryFigures Memory()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var self = Process.GetCurrentProcess();
        return new MemoryFigures(heap, self.WorkingSet64);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the subscribers did not catch up within 2 minutes");
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    private static string Report(string commandLine, int subscribers, int changes, TimeSpan served, MemoryFigures idle, MemoryFigures connected, MemoryFigures flooded,
        long maxQueued, DistributionHub hub, List<double> latencies, int peers, (TimeSpan After, string Status) cutOff)
    {
        var s = new StringBuilder();
        s.AppendLine(SectionHeading).AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Produced by `dotnet run --project tools/NitroCard.MappingBench -c Release -- {commandLine}` on 2 cores ({DateTime.UtcNow:yyyy-MM-dd}).");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"""
            The service (SQLite store, Kestrel, mutual TLS on loopback) with {subscribers} hosts of {subscribers / MappingBenchmark.HostsPerVpc} VPCs: {subscribers - 1} firmware
            agents without cards, each on its own mTLS connection, plus one operator read (`describe-network-interfaces` of the host)
            each; then host 0 subscribes and never reads while {changes} versions concerning its VPC are applied back to back.
            Clients and service share one process, so the memory includes both (after a full GC). Backlog limit
            {hub.BacklogLimitBytes} bytes, stall timeout {hub.StallTimeout.TotalSeconds:0.#} s.
            """);
        s.AppendLine();
        s.AppendLine("| state | GC heap | working set |");
        s.AppendLine("|---|---|---|");
        s.AppendLine(CultureInfo.InvariantCulture, $"| region applied, no subscriber | {Mib(idle.HeapBytes)} | {Mib(idle.WorkingSetBytes)} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| {subscribers - 1} agents subscribed and synchronised, {subscribers} reads answered ({served.TotalSeconds:F1} s from the first connection) | {Mib(connected.HeapBytes)} | {Mib(connected.WorkingSetBytes)} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| after {changes} versions with host 0 stalled | {Mib(flooded.HeapBytes)} | {Mib(flooded.WorkingSetBytes)} |");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Bytes the service held unacknowledged for the stalled host: at most {maxQueued} (its backlogs coalesced: {hub.CoalescedBacklogs}; disconnected for stalling: {hub.StalledDisconnects}).");
        s.AppendLine(CultureInfo.InvariantCulture, $"It was disconnected {cutOff.After.TotalSeconds:F1} s after the last change; reading then, it got `{cutOff.Status}`.");
        s.AppendLine();
        s.AppendLine("| latency the other hosts of its VPC saw (API call to the agent's apply) | samples | p50 | p99 | max |");
        s.AppendLine("|---|---|---|---|---|");
        s.AppendLine(CultureInfo.InvariantCulture, $"| {peers} hosts × {changes} versions | {latencies.Count} | {MappingBenchmark.Percentile(latencies, 50):F2} ms | {MappingBenchmark.Percentile(latencies, 99):F2} ms | {latencies.Max():F2} ms |");
        return s.ToString();
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F1} MiB");
}
