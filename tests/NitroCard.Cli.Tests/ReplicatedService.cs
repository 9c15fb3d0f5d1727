using System.Diagnostics;
using dotnet_etcd;
using Grpc.Core;
using NitroCard.Card;
using NitroCard.Firmware;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Hosting;
using NitroCard.Mapping.Replication;
using NitroCard.Mapping.Security;

namespace NitroCard.Cli.Tests;

/// <summary>
/// A replicated Mapping Service as it runs for real: a three-member etcd cluster (<see cref="LocalEtcdCluster"/>, real
/// etcd processes) and <c>nitroctl mapping serve</c> processes over it, each killed with SIGKILL when a test says so.
/// </summary>
internal sealed class ReplicatedService : IAsyncDisposable
{
    /// <summary>Short, so a killed leader's lease ends within seconds (etcd's minimum is about 2 s).</summary>
    public const string LeaseTtl = "2s";

    /// <summary>How long a write may wait for etcd before it fails.</summary>
    public const string CommitTimeout = "2s";

    public const string SkipReason = "etcd is not installed (/usr/bin/etcd, Debian etcd-server; build.ps1 installs it as root)";

    private readonly TempDir _dir = new("nitrocard-replicas-");
    private readonly List<Process> _replicas = [];
    private readonly CancellationTokenSource _stopAgents = new();
    private readonly List<Task> _agentRuns = [];
    private EtcdClient? _etcd;

    private ReplicatedService()
    {
    }

    public LocalEtcdCluster Cluster { get; private set; } = null!;

    public string CaDirectory => _dir.File("ca");

    /// <summary>Each replica's endpoint, as it printed it (its election value).</summary>
    public List<Uri> Endpoints { get; } = [];

    /// <summary>Starts the cluster and <paramref name="replicas"/> services, and applies the docs' example region through the leader.</summary>
    public static async Task<ReplicatedService> StartAsync(int replicas = 3)
    {
        var service = new ReplicatedService();
        try
        {
            service.Cluster = await LocalEtcdCluster.StartAsync(service._dir.File("etcd"));
            service._etcd = new EtcdClient(string.Join(',', NitroCard.Mapping.Storage.EtcdRegionStore.Members(service.Cluster.Url)),
                configureChannelOptions: o => o.Credentials = ChannelCredentials.Insecure);
            // The first creates the region CA; the others share it.
            service.Endpoints.Add(service.StartReplica());
            for (var i = 1; i < replicas; i++)
                service.Endpoints.Add(service.StartReplica());
            var leader = await service.LeaderAsync();
            var applied = await service.Operator(leader).ApplyAsync(new ApplyRequest { Region = File.ReadAllText(RepoPaths.File("docs/examples/region.json")) });
            Assert.False(applied.Refusal is not null, applied.Refusal?.Message);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    private Uri StartReplica()
    {
        var start = new ProcessStartInfo(NitroctlProcess.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        foreach (var a in new[] { "--ca-dir", CaDirectory, "mapping", "serve", "--store", Cluster.Url, "--listen", "127.0.0.1:0", "--lease-ttl", LeaseTtl, "--commit-timeout", CommitTimeout })
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        _replicas.Add(process);
        var replica = _replicas.Count - 1;
        process.ErrorDataReceived += (_, e) =>
        {
            // Warnings and errors only (elections, campaign failures, refusals): every request is an information line.
            if (e.Data is { } text && !text.Contains(" info: ", StringComparison.Ordinal))
                _log.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} replica {replica}: {text}");
        };
        process.BeginErrorReadLine();
        var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("nitroctl mapping serve ended without a word");
        // "mapping service listening on https://127.0.0.1:<port>/ (store etcd://..., version N)"
        const string Prefix = "mapping service listening on ";
        Assert.StartsWith(Prefix, line, StringComparison.Ordinal);
        return new Uri(line[Prefix.Length..line.IndexOf(' ', Prefix.Length)]);
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();

    /// <summary>What the replicas wrote on stderr (elections, refusals), with the time and the replica's number: for a failure's message.</summary>
    public string ReplicaLog(int last = 60)
        => string.Join('\n', Endpoints.Select((e, i) => $"replica {i}: {e}").Concat(_log.TakeLast(last)));

    /// <summary>The leader as etcd's election names it, once it is a live replica (waits through a failover).</summary>
    public async Task<Uri> LeaderAsync(Uri? not = null)
    {
        Uri? leader = null;
        await Wait.Until(() =>
        {
            try
            {
                var value = _etcd!.Leader(ReplicaElection.ElectionName, deadline: DateTime.UtcNow.AddSeconds(1)).Kv?.Value.ToStringUtf8();
                leader = value is null ? null : new Uri(value);
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException)
            {
                leader = null;   // no leader now, or the member asked is the one killed: ask again
            }
            return leader is not null && leader != not && IsRunning(leader);
        }, seconds: 30, () => $"no live leader (last seen {leader})");
        return leader!;
    }

    /// <summary>The replicas that are not <paramref name="leader"/>.</summary>
    public IEnumerable<Uri> Followers(Uri leader) => Endpoints.Where(e => e != leader && IsRunning(e));

    private bool IsRunning(Uri endpoint)
    {
        var i = Endpoints.IndexOf(endpoint);
        return i >= 0 && !_replicas[i].HasExited;
    }

    /// <summary>SIGKILL to the replica at <paramref name="endpoint"/>: no resignation, no lease revoked.</summary>
    public void Kill(Uri endpoint)
    {
        var process = _replicas[Endpoints.IndexOf(endpoint)];
        process.Kill();
        process.WaitForExit();
    }

    /// <summary>An operator client of one replica (no failover: the test says which replica it talks to).</summary>
    public RegionMapping.RegionMappingClient Operator(Uri endpoint)
    {
        var replicas = MappingReplicas.ForOperator([endpoint], CaDirectory);
        _owned.Add(replicas);
        return replicas.Next();
    }

    private readonly List<MappingReplicas> _owned = [];

    /// <summary>The region version a replica holds (describe-hosts reports it).</summary>
    public async Task<long> VersionAtAsync(Uri endpoint)
        => (long)(await Operator(endpoint).DescribeHostsAsync(new DescribeHostsRequest())).Hosts[0].RegionVersion;

    /// <summary>A host's firmware agent (no card: its mirror is what it would program) over every replica, started.</summary>
    public FirmwareAgent StartAgent(string host, IEnumerable<Uri>? endpoints = null)
    {
        var (agent, run) = RunAgent(host, endpoints);
        _agentRuns.Add(run);
        return agent;
    }

    /// <summary>Runs an agent until the service refuses it (or the test ends): what it ended with.</summary>
    public async Task<Exception?> RefusalOfAsync(string host, IEnumerable<Uri> endpoints)
    {
        var (_, run) = RunAgent(host, endpoints);
        var ended = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
        return ended == run ? run.Exception?.InnerException : new TimeoutException($"{host} was not refused within 30 s");
    }

    private (FirmwareAgent Agent, Task Run) RunAgent(string host, IEnumerable<Uri>? endpoints)
    {
        var identity = _dir.File("id-" + host);
        using (var ca = RegionCa.OpenOrCreate(CaDirectory))
            ca.IssueHost(host, identity);
        var replicas = MappingReplicas.ForHost([.. endpoints ?? Endpoints], identity);
        _owned.Add(replicas);
        var agent = new FirmwareAgent(host, replicas, card: null, CardGeometry.Default)
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(100),
            MaxReconnectDelay = TimeSpan.FromSeconds(1),
        };
        return (agent, Task.Run(() => agent.RunAsync(_stopAgents.Token)));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopAgents.CancelAsync();
        await Task.WhenAny(Task.WhenAll(_agentRuns), Task.Delay(TimeSpan.FromSeconds(5)));
        foreach (var process in _replicas)
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }
            process.Dispose();
        }
        foreach (var replicas in _owned)
            replicas.Dispose();
        _etcd?.Dispose();
        Cluster?.Dispose();
        _stopAgents.Dispose();
        _dir.Dispose();
    }
}
