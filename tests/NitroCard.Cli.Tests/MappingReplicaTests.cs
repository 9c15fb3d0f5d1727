using System.Collections.Concurrent;
using System.Diagnostics;
using NitroCard.Card;
using NitroCard.Firmware;
using ErrorCodes = NitroCard.Mapping.Api.ErrorCodes;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Storage;
using NitroCard.Region;
using Xunit.Abstractions;

namespace NitroCard.Cli.Tests;

/// <summary>
/// The replicated Mapping Service's invariants under real faults: <c>nitroctl mapping serve</c> replicas over a real
/// three-member etcd cluster, leaders and etcd members killed with SIGKILL. Each test starts its own cluster and
/// replicas (seconds), so the faults of one never reach another.
/// </summary>
public sealed class MappingReplicaTests(ITestOutputHelper output)
{
    private const string NewVpc = "vpc-0c0ffee0000000001";

    /// <summary>Every version an agent applied, with what its mirror then held: the same version must always mean the same state.</summary>
    private sealed class AppliedLog
    {
        private readonly ConcurrentQueue<(long Version, string Plan)> _seen = new();

        public AppliedLog(FirmwareAgent agent)
            => agent.Applied += d => _seen.Enqueue((d.Version, Held(agent.Programmer)));

        public void AssertNeverBackwardsNorRepeated()
        {
            var seen = _seen.ToArray();
            for (var i = 1; i < seen.Length; i++)
            {
                Assert.True(seen[i].Version >= seen[i - 1].Version, $"version went back from {seen[i - 1].Version} to {seen[i].Version}");
                if (seen[i].Version == seen[i - 1].Version)
                    Assert.Equal(seen[i - 1].Plan, seen[i].Plan);   // sent again after a failover: the same state, not another commit under its number
            }
        }
    }

    /// <summary>The region as etcd holds it (read through a store that never writes) and its version.</summary>
    private static async Task<(long Version, RegionTopology Topology)> StoredAsync(ReplicatedService service)
    {
        await using var store = await EtcdRegionStore.OpenAsync(service.Cluster.Url, watch: false, recover: false);
        var (version, records) = await store.LoadAsync(CancellationToken.None);
        return (version, NitroCard.Mapping.State.RegionRecords.Load(records));
    }

    /// <summary>
    /// Each agent's card holds the region's plan for its host as etcd holds the region now, at a version no newer than
    /// the region's (a host hears only of versions that change its card, so its version may be older).
    /// </summary>
    private static async Task AssertConvergedAsync(ReplicatedService service, params (FirmwareAgent Agent, string Host)[] agents)
    {
        var (version, topology) = await StoredAsync(service);
        foreach (var (agent, host) in agents)
        {
            var expected = Held(RegionCompiler.ForHost(topology, host, CardGeometry.Default));
            await Wait.Until(() => agent.Connected && Held(agent.Programmer) == expected, seconds: 30,
                () => $"{host} (connected: {agent.Connected}, version {agent.Version}) holds\n{Held(agent.Programmer)}\nnot the region's (version {version})\n{expected}");
            Assert.InRange(agent.Version, 1, version);
        }
    }

    /// <summary>Sends a write until it is taken (a new leader may still be catching up); the last refusal if none is.</summary>
    private static async Task UntilTakenAsync<TReply>(ReplicatedService service, Func<Grpc.Core.AsyncUnaryCall<TReply>> call)
        where TReply : IApiReply
    {
        string? last = null;
        await Wait.Until(() =>
        {
            var reply = call().ResponseAsync.GetAwaiter().GetResult();
            last = reply.Refusal is { } r ? $"{r.Code}: {r.Message}" : null;
            return reply.Refusal is null;
        }, seconds: 30, () => $"{last}\nwhat the replicas logged:\n{service.ReplicaLog()}");
    }

    /// <summary>What a host's card holds for forwarding, by ENI id (slots are the firmware's choice): its ENIs and mappings.</summary>
    private static string Held(HostCardPlan plan)
        => string.Join('\n', plan.Enis.Select(e => $"{e.EniId} {e.Entry}").Order(StringComparer.Ordinal)
            .Concat(plan.Mappings.Select(m => $"{m.Key} -> {m.UnderlayIp} {m.Mac} {(m.LocalSlot is { } s ? plan.Enis[s].EniId : "-")}").Order(StringComparer.Ordinal)));

    private static string Held(CardProgrammer card)
        => string.Join('\n', card.Enis.Select(e => $"{e.Key} {e.Value.Entry}").Order(StringComparer.Ordinal)
            .Concat(card.Mappings.Select(m => $"{m.Key} -> {NitroCard.Packets.Ipv4Address.FromUInt32(m.UnderlayIp)} {m.Mac} {m.LocalEniId ?? "-"}").Order(StringComparer.Ordinal)));

    [SkippableFact]
    public async Task An_acknowledged_change_is_on_the_new_leader_after_kill_9_of_the_old_one_and_versions_go_on_from_it()
    {
        Skip.IfNot(NitroCard.Mapping.Hosting.LocalEtcdCluster.Available, ReplicatedService.SkipReason);
        await using var service = await ReplicatedService.StartAsync();
        var agent = service.StartAgent("host-a");
        var applied = new AppliedLog(agent);
        var leader = await service.LeaderAsync();
        var before = await service.VersionAtAsync(leader);
        await AssertConvergedAsync(service, (agent, "host-a"));

        var reply = await service.Operator(leader).CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.77.0.0/16", VpcId = NewVpc });
        Assert.Null(reply.Refusal);
        service.Kill(leader);   // right after the acknowledgement

        var clock = Stopwatch.StartNew();
        var next = await service.LeaderAsync(not: leader);
        output.WriteLine($"failover: {leader} killed, {next} leads after {clock.ElapsedMilliseconds} ms (lease TTL {ReplicatedService.LeaseTtl})");
        var vpcs = await service.Operator(next).DescribeVpcsAsync(new DescribeVpcsRequest { VpcId = NewVpc });
        Assert.Equal("10.77.0.0/16", Assert.Single(vpcs.Vpcs).Cidr);
        Assert.Equal(before + 1, await service.VersionAtAsync(next));

        // The new leader's first commit is the next version: none repeated, none skipped back.
        await UntilTakenAsync(service, () => service.Operator(next).CreateSubnetAsync(new CreateSubnetRequest { VpcId = NewVpc, CidrBlock = "10.77.1.0/24" }));
        Assert.Equal(before + 2, await service.VersionAtAsync(next));
        Assert.Equal(before + 2, (await StoredAsync(service)).Version);
        await AssertConvergedAsync(service, (agent, "host-a"));
        applied.AssertNeverBackwardsNorRepeated();
    }

    [SkippableFact]
    public async Task Every_subscriber_converges_after_the_leader_and_an_etcd_member_are_killed()
    {
        Skip.IfNot(NitroCard.Mapping.Hosting.LocalEtcdCluster.Available, ReplicatedService.SkipReason);
        await using var service = await ReplicatedService.StartAsync();
        var leader = await service.LeaderAsync();
        // host-a starts on the leader (its first endpoint), host-b on a follower: both must end on the region's state.
        var a = service.StartAgent("host-a", [leader, .. service.Followers(leader)]);
        var b = service.StartAgent("host-b", [.. service.Followers(leader), leader]);
        var logA = new AppliedLog(a);
        var logB = new AppliedLog(b);
        await AssertConvergedAsync(service, (a, "host-a"), (b, "host-b"));

        service.Kill(leader);
        service.Cluster.Kill(0);   // one member of three: the quorum holds
        // Each attempt goes to the leader etcd names then: the member killed may have been etcd's own raft leader, and a
        // replica whose campaign etcd had already made the leader can see that campaign time out and give way to another.
        RegionMapping.RegionMappingClient Api() => service.Operator(service.LeaderAsync(not: leader).GetAwaiter().GetResult());
        // Moves eni-a1 from host-a to host-b and adds an ENI on host-a: both hosts' cards change.
        await UntilTakenAsync(service, () => Api().MoveNetworkInterfaceAsync(new MoveNetworkInterfaceRequest { NetworkInterfaceId = "eni-a1", ToHost = "host-b" }));
        var created = await Api().CreateNetworkInterfaceAsync(new CreateNetworkInterfaceRequest { SubnetId = SubnetOf("eni-b1"), Host = "host-a", NetworkInterfaceId = "eni-new" });
        Assert.Null(created.Refusal);

        await AssertConvergedAsync(service, (a, "host-a"), (b, "host-b"));
        Assert.Contains("eni-a1", b.Programmer.Enis.Keys);
        Assert.DoesNotContain("eni-a1", a.Programmer.Enis.Keys);
        Assert.Contains("eni-new", a.Programmer.Enis.Keys);
        logA.AssertNeverBackwardsNorRepeated();
        logB.AssertNeverBackwardsNorRepeated();
    }

    [SkippableFact]
    public async Task With_the_quorum_lost_writes_fail_with_a_clear_error_and_reads_and_subscriptions_keep_the_last_state()
    {
        Skip.IfNot(NitroCard.Mapping.Hosting.LocalEtcdCluster.Available, ReplicatedService.SkipReason);
        await using var service = await ReplicatedService.StartAsync();
        var leader = await service.LeaderAsync();
        var a = service.StartAgent("host-a");
        await AssertConvergedAsync(service, (a, "host-a"));
        var (version, _) = await StoredAsync(service);
        var held = Held(a.Programmer);

        service.Cluster.Kill(0);
        service.Cluster.Kill(1);

        // A write fails, saying why, within the commit timeout (or, once the leader could not renew its lease, at once).
        var clock = Stopwatch.StartNew();
        var refused = await service.Operator(leader).CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.78.0.0/16", VpcId = NewVpc });
        output.WriteLine($"write without quorum refused after {clock.ElapsedMilliseconds} ms: {refused.Refusal?.Code}: {refused.Refusal?.Message}");
        Assert.NotNull(refused.Refusal);
        Assert.Contains(refused.Refusal.Code, new[] { ErrorCodes.ServiceUnavailable, ErrorCodes.ReplicaNotLeader });
        Assert.Contains("quorum", refused.Refusal.Message, StringComparison.Ordinal);
        var follower = service.Followers(leader).First();
        var toFollower = await service.Operator(follower).CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.78.0.0/16", VpcId = NewVpc });
        Assert.Equal(ErrorCodes.ReplicaNotLeader, toFollower.Refusal?.Code);

        // Every replica still answers reads with the last state; the subscribed host keeps it, and a host that
        // subscribes now (to a follower) gets it in full.
        foreach (var endpoint in service.Endpoints)
        {
            Assert.Equal(version, await service.VersionAtAsync(endpoint));
            Assert.Empty((await service.Operator(endpoint).DescribeVpcsAsync(new DescribeVpcsRequest { VpcId = NewVpc })).Vpcs);
        }
        Assert.Equal(version, a.Version);
        Assert.Equal(held, Held(a.Programmer));
        var late = service.StartAgent("host-b", [follower]);
        await Wait.Until(() => late.Version == version, seconds: 30, () => $"host-b at {late.Version}");
        // A host the region does not have is still refused, and its alarm kept (in the replica: etcd cannot store it).
        var stranger = await service.RefusalOfAsync("host-z", [follower]);
        Assert.IsType<AgentRefusedException>(stranger);
        Assert.Contains("host host-z is not a host of the region", stranger.Message, StringComparison.Ordinal);
        var alarms = await service.Operator(follower).DescribeAlarmsAsync(new DescribeAlarmsRequest());
        Assert.Contains(alarms.Alarms, a => a.Host == "host-z" && a.Reason == "unknown-host");

        // The quorum back: writes go through again. A write that timed out was not acknowledged, but etcd may still
        // apply it (its proposal can be in the surviving member's log): it is then there whole, under the next version.
        service.Cluster.Start(0);
        service.Cluster.Start(1);
        const string After = "vpc-0c0ffee0000000002";
        Uri current = await service.LeaderAsync();
        await UntilTakenAsync(service, () => service.Operator(current = service.LeaderAsync().GetAwaiter().GetResult()).CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.79.0.0/16", VpcId = After }));
        var (now, region) = await StoredAsync(service);
        var timedOutApplied = region.Vpcs.Any(v => v.Id == NewVpc);
        output.WriteLine($"after the quorum returned: version {now}; the timed-out write was {(timedOutApplied ? "" : "not ")}applied by etcd");
        Assert.Equal(version + (timedOutApplied ? 2 : 1), now);
        Assert.Contains(region.Vpcs, v => v.Id == After);
        Assert.Equal(now, await service.VersionAtAsync(current));
        await AssertConvergedAsync(service, (a, "host-a"), (late, "host-b"));
    }

    [SkippableFact]
    public async Task A_follower_refuses_a_write_naming_the_leader_and_nitroctl_given_every_replica_reaches_the_leader()
    {
        Skip.IfNot(NitroCard.Mapping.Hosting.LocalEtcdCluster.Available, ReplicatedService.SkipReason);
        await using var service = await ReplicatedService.StartAsync();
        var leader = await service.LeaderAsync();
        var follower = service.Followers(leader).First();

        var (exit, _, stderr) = NitroctlProcess.Run("--endpoint", follower.ToString(), "--ca-dir", service.CaDirectory, "create-vpc", "--cidr-block", "10.79.0.0/16", "--vpc-id", NewVpc);
        Assert.Equal(1, exit);
        Assert.Equal($"nitroctl: ReplicaNotLeader: this Mapping Service replica ({follower}) is not the leader: send writes to the leader, {leader}", stderr.Trim());

        var every = string.Join(',', [follower, .. service.Endpoints.Where(e => e != follower)]);
        var (ok, stdout, error) = NitroctlProcess.Run("--endpoint", every, "--ca-dir", service.CaDirectory, "create-vpc", "--cidr-block", "10.79.0.0/16", "--vpc-id", NewVpc);
        Assert.True(ok == 0, error);
        Assert.Contains(NewVpc, stdout, StringComparison.Ordinal);
        // A read is answered by the first replica, leader or not, with the committed change.
        await Wait.Until(() => NitroctlProcess.Run("--endpoint", follower.ToString(), "--ca-dir", service.CaDirectory, "describe-vpcs", "--vpc-id", NewVpc).Stdout.Contains("10.79.0.0/16", StringComparison.Ordinal), seconds: 30);

        // `mapping replicas` names the same leader from every replica, and each one's version.
        var (code, replicas, why) = NitroctlProcess.Run("--endpoint", every, "--ca-dir", service.CaDirectory, "mapping", "replicas");
        Assert.True(code == 0, why);
        using var described = System.Text.Json.JsonDocument.Parse(replicas);
        var entries = described.RootElement.GetProperty("replicas").EnumerateArray().ToList();
        Assert.Equal(service.Endpoints.Select(e => e.ToString()).Order(), entries.Select(e => e.GetProperty("endpoint").GetString()).Order());
        Assert.Equal(leader.ToString(), Assert.Single(entries, e => e.GetProperty("leader").GetBoolean()).GetProperty("endpoint").GetString());
        Assert.All(entries, e => Assert.Equal(leader.ToString(), e.GetProperty("leaderEndpoint").GetString()));
        Assert.All(entries, e => Assert.StartsWith("etcd://127.0.0.1:", e.GetProperty("store").GetString(), StringComparison.Ordinal));
        Assert.True(entries.Max(e => e.GetProperty("version").GetInt64()) >= 2, replicas);
    }

    private static string SubnetOf(string eni)
    {
        var region = RegionLoader.Load(RepoPaths.File("docs/examples/region.json"));
        return region.Vpcs.SelectMany(v => v.Enis).Single(e => e.Id == eni).Subnet;
    }
}
