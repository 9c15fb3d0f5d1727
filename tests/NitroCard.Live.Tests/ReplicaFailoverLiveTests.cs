using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 15, "A replicated Mapping Service on a real etcd cluster", live: <c>region up --store etcd --replicas 3</c> runs
/// each replica in a process of its own over the region's three etcd members, and pings run between two instances on
/// two card hosts (model cards). The leading replica is killed with <c>kill -9</c>, then one etcd member. After each:
/// the pings never stop for long (the data plane forwards on what it has), a change made through the operator API
/// after the kill is acknowledged and reaches the cards (a new ENI becomes an instance another one pings), no replica's
/// version ever goes back, and a killed replica is started again and converges. Failover (kill → first acknowledged
/// write) and the longest ping gap are printed (docs/reliability.md). At the end the region's process is killed too:
/// <c>region down</c> stops the replicas and the etcd members. Needs root: skipped with the reason otherwise.
/// </summary>
public sealed class ReplicaFailoverLiveTests(ITestOutputHelper output)
{
    private const string Region = "two-hosts.json";

    /// <summary>Longer than a write needs once a leader is elected (a killed leader's lease is 5 s; then a round of backoff).</summary>
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(20);

    /// <summary>The data plane does not wait for the control plane: pings every 50 ms stop for no more than this.</summary>
    private static readonly TimeSpan GapBound = TimeSpan.FromSeconds(1);

    [SkippableFact]
    public void Killing_the_leading_replica_then_an_etcd_member_loses_no_write_and_the_data_plane_keeps_forwarding()
    {
        Host.RequireLiveRegion();
        Skip.IfNot(NitroCard.Mapping.Hosting.LocalEtcdCluster.Available, "etcd-server is not installed (/usr/bin/etcd); build.ps1 installs it as root");
        var etcdData = Path.Combine(LiveRegionProcess.RunDirectory, "etcd");
        List<int> helpers;
        using (var region = LiveRegionProcess.Up(Region, "model", TimeSpan.FromSeconds(120), "--store", "etcd", "--replicas", "3"))
        {
            var endpoints = LiveRegionProcess.Endpoint.Split(',');
            Assert.Equal(3, endpoints.Length);
            Assert.All(endpoints, e => Assert.NotEqual(region.Pid, ReplicaPid(e)));
            using var versions = new VersionWatch();
            using var ping = Pinger.Start("eni-red1", "10.0.2.20");
            Assert.True(Host.WaitFor(() => ping.RepliesSince(DateTime.UtcNow.AddSeconds(-1)) > 5, 20), "eni-red1 cannot ping 10.0.2.20 (host-b)");

            // The leading replica.
            var leader = Assert.Single(Replicas(), r => r.Leader).Endpoint;
            var leaderPid = ReplicaPid(leader);
            var failover = KillAndWrite("the leading replica", leaderPid, ping, versions, "eni-red7", "host-a", "10.0.2.77");
            Assert.True(Host.WaitFor(() => Replicas().Count(r => r.Leader) == 1, 10), "no single leader: " + Describe());
            Assert.NotEqual(leader, Replicas().Single(r => r.Leader).Endpoint);
            // Started again (same endpoint, a new process) and converged: every replica at the newest version.
            Assert.True(Host.WaitFor(() => ReplicaPidOrNull(leader) is { } again && again != leaderPid && Converged(), (int)LiveRegion.ReplicaRestartDelay.TotalSeconds + 30),
                $"the killed replica (pid {leaderPid}) did not come back and converge: its pid now {ReplicaPidOrNull(leader)}; {Describe()}{region.Error}");
            output.WriteLine(FormattableString.Invariant($"leader replica kill -9: first acknowledged write {failover.Write.TotalSeconds:F2} s after, longest ping gap {failover.Gap.TotalSeconds:F2} s"));

            // One etcd member: the two others keep the quorum.
            var member = LiveRegionTests.EtcdMembers(etcdData).First();
            failover = KillAndWrite("an etcd member", member, ping, versions, "eni-red8", "host-b", "10.0.2.78");
            Assert.True(Host.WaitFor(Converged, 20), "the replicas did not converge with an etcd member down: " + Describe());
            output.WriteLine(FormattableString.Invariant($"etcd member kill -9: first acknowledged write {failover.Write.TotalSeconds:F2} s after, longest ping gap {failover.Gap.TotalSeconds:F2} s"));

            Assert.Null(versions.Regression);
            Assert.True(versions.Samples > 10, $"only {versions.Samples} version samples");
            helpers = [.. endpoints.Select(ReplicaPid), .. LiveRegionTests.EtcdMembers(etcdData)];
            region.Kill();   // the region process only: its replicas and etcd members live on, as after a crash
            Assert.All(helpers, pid => Assert.True(File.Exists($"/proc/{pid}/stat"), $"helper {pid} died with the region's process"));
        }
        // Disposing ran `region down`.
        Assert.Empty(LiveRegionProcess.ProcessesWhere(a => a.Contains("mapping") && a.Contains("serve") && a.Any(x => x.StartsWith(LiveRegionProcess.RunDirectory, StringComparison.Ordinal))));
        Assert.Empty(LiveRegionTests.EtcdMembers(etcdData));
        LiveRegionProcess.AssertNothingLeft();
    }

    /// <summary>
    /// Kills <paramref name="pid"/>, then creates an ENI through the operator API (every replica given, failed over in turn)
    /// until one acknowledges it; the ENI must become an instance eni-red1 pings. Returns kill → acknowledgement and the
    /// longest ping gap around the kill.
    /// </summary>
    private static (TimeSpan Write, TimeSpan Gap) KillAndWrite(string what, int pid, Pinger ping, VersionWatch versions, string eni, string host, string ip)
    {
        var before = versions.Newest;
        var killed = DateTime.UtcNow;
        Assert.Equal(0, Host.Run("kill", "-9", pid.ToString(CultureInfo.InvariantCulture)).Code);
        (int Code, string Output) write;
        do
        {
            write = LiveRegionProcess.Api("create-network-interface", "--subnet-id", "subnet-red-b", "--host", host,
                "--network-interface-id", eni, "--private-ip-address", ip, "--groups", "sg-red-open");
        }
        while (write.Code != 0 && DateTime.UtcNow - killed < FailoverBound);
        var acknowledged = DateTime.UtcNow - killed;
        Assert.True(write.Code == 0, $"no write acknowledged {FailoverBound.TotalSeconds} s after killing {what}: {write.Output}");
        LiveRegionTests.WaitForPing("eni-red1", ip);
        Assert.True(Host.WaitFor(() => versions.Newest > before, 5), $"the versions did not move past {before} after the write");
        var gap = ping.LongestGap(killed.AddSeconds(-1));
        Assert.True(gap < GapBound, $"pings stopped for {gap.TotalSeconds:F2} s after killing {what} (bound {GapBound.TotalSeconds} s)");
        return (acknowledged, gap);
    }

    private sealed record Replica(string Endpoint, long? Version, bool Leader);

    /// <summary>Every replica as <c>nitroctl mapping replicas</c> shows it (a replica that does not answer: no version).</summary>
    private static List<Replica> Replicas()
    {
        var (code, text) = LiveRegionProcess.Api("mapping", "replicas");
        if (code != 0)
            return [];
        using var document = JsonDocument.Parse(text);
        return [.. document.RootElement.GetProperty("replicas").EnumerateArray().Select(r => new Replica(
            r.GetProperty("endpoint").GetString()!,
            r.TryGetProperty("version", out var v) ? v.GetInt64() : null,
            r.TryGetProperty("leader", out var l) && l.GetBoolean()))];
    }

    private static string Describe() => LiveRegionProcess.Api("mapping", "replicas").Output;

    /// <summary>Every replica answers, at one version.</summary>
    private static bool Converged() => Replicas() is { Count: 3 } all && all.All(r => r.Version is not null) && all.Select(r => r.Version).Distinct().Count() == 1;

    /// <summary>The pid of the <c>nitroctl mapping serve</c> process listening on <paramref name="endpoint"/>'s port.</summary>
    private static int ReplicaPid(string endpoint)
        => ReplicaPidOrNull(endpoint) ?? throw new InvalidOperationException($"no process serves {endpoint}");

    private static int? ReplicaPidOrNull(string endpoint)
    {
        var listen = "127.0.0.1:" + new Uri(endpoint).Port.ToString(CultureInfo.InvariantCulture);
        return LiveRegionProcess.ProcessesWhere(a => a.Contains("serve") && a.Contains(listen)) is [var pid] ? pid : null;
    }

    /// <summary>Samples every replica's version every 300 ms: the first one seen going back is <see cref="Regression"/>.</summary>
    private sealed class VersionWatch : IDisposable
    {
        private readonly Dictionary<string, long> _last = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private readonly Lock _sync = new();

        public VersionWatch()
        {
            _thread = new Thread(Run) { IsBackground = true };
            _thread.Start();
        }

        public string? Regression { get; private set; }

        public int Samples { get; private set; }

        public long Newest
        {
            get
            {
                lock (_sync)
                    return _last.Count == 0 ? 0 : _last.Values.Max();
            }
        }

        private void Run()
        {
            while (!_stop.IsCancellationRequested)
            {
                foreach (var replica in Replicas())
                {
                    if (replica.Version is not { } version)
                        continue;
                    lock (_sync)
                    {
                        if (_last.TryGetValue(replica.Endpoint, out var last) && version < last)
                            Regression ??= $"{replica.Endpoint} went from version {last} back to {version}";
                        _last[replica.Endpoint] = version;
                        Samples++;
                    }
                }
                _stop.Token.WaitHandle.WaitOne(300);
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
            _stop.Dispose();
        }
    }
}
