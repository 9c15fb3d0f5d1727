using System.Text.Json.Nodes;
using NitroCard.Card;
using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.Storage;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Mapping.Tests;

/// <summary>The service's behaviour, run against every store (SQLite and a real etcd).</summary>
public abstract class MappingServiceContract
{
    protected static readonly string ExamplePath = Path.Combine(AppContext.BaseDirectory, "regions", "docs-example.json");

    /// <summary>A store; <paramref name="reopen"/>: the same data as the previous call's (a restart).</summary>
    protected abstract Task<IRegionStore> OpenStoreAsync(bool reopen);

    /// <summary>Why the store cannot run here (the test is reported skipped), or null.</summary>
    protected virtual string? Unavailable => null;

    private async Task<MappingService> OpenAsync(bool reopen = false)
        => await MappingService.OpenAsync(await OpenStoreAsync(reopen));

    private static Dictionary<string, string> P(params (string, string)[] values) => values.ToDictionary(v => v.Item1, v => v.Item2);

    private static async Task<MappingService> WithExampleAsync(MappingService service)
    {
        await service.InvokeAsync("apply", P(("region", File.ReadAllText(ExamplePath)), ("name", "region.json")));
        return service;
    }

    [SkippableFact]
    public async Task Apply_loads_the_region_file_and_describe_returns_it()
    {
        Skip.If(Unavailable is not null, Unavailable);
        await using var service = await WithExampleAsync(await OpenAsync());
        Assert.Equal(1, service.Version);
        var vpcs = JsonNode.Parse(await service.InvokeAsync("describe-vpcs", P()))!.AsArray();
        Assert.Equal(2, vpcs.Count);
        var enis = JsonNode.Parse(await service.InvokeAsync("describe-network-interfaces", P(("host", "host-a"))))!.AsArray();
        Assert.Equal(["eni-a1", "eni-b1"], enis.Select(e => (string)e!["id"]!).Order());
        Assert.Equal(RegionLoader.ToJson(RegionLoader.Load(ExamplePath)), RegionLoader.ToJson(service.Topology));
    }

    [SkippableTheory]
    [InlineData("create-subnet", "vpcId=vpc-0a1b2c3d4e5f60718;cidrBlock=10.1.0.0/24", ErrorCodes.InvalidSubnetRange)]
    [InlineData("create-subnet", "vpcId=vpc-0a1b2c3d4e5f60718;cidrBlock=10.0.1.0/25", ErrorCodes.InvalidSubnetConflict)]
    [InlineData("create-subnet", "vpcId=vpc-0a1b2c3d4e5f60718;cidrBlock=10.0.9.0/29", ErrorCodes.InvalidSubnetRange)]
    [InlineData("create-subnet", "vpcId=vpc-nope;cidrBlock=10.0.9.0/24", ErrorCodes.InvalidVpcIdNotFound)]
    [InlineData("create-network-interface", "subnetId=subnet-a;host=host-b;privateIpAddress=10.0.1.10", ErrorCodes.InvalidIpAddressInUse)]
    [InlineData("create-network-interface", "subnetId=subnet-a;host=host-b;privateIpAddress=10.0.2.10", ErrorCodes.InvalidParameterValue)]
    [InlineData("create-network-interface", "subnetId=subnet-a;host=host-b;privateIpAddress=10.0.1.1", ErrorCodes.InvalidParameterValue)]
    [InlineData("create-network-interface", "subnetId=subnet-a;host=host-b;macAddress=02:00:0a:00:01:0a", ErrorCodes.InvalidMacAddressInUse)]
    [InlineData("create-network-interface", "subnetId=subnet-a;host=host-z", ErrorCodes.InvalidHostIdNotFound)]
    [InlineData("create-network-interface", "subnetId=subnet-a;host=host-b;groups=sg-app", ErrorCodes.InvalidGroupIdNotFound)]
    [InlineData("move-network-interface", "networkInterfaceId=eni-nope;toHost=host-b", ErrorCodes.InvalidNetworkInterfaceIdNotFound)]
    [InlineData("create-vpc", "cidrBlock=10.0.0.0/8", ErrorCodes.InvalidVpcRange)]
    [InlineData("create-vpc", "cidrBlock=10.9.0.0/16;vni=1001", ErrorCodes.InvalidVniInUse)]
    [InlineData("associate-address", "networkInterfaceId=eni-a2;publicIp=198.51.100.10", ErrorCodes.InvalidAddressInUse)]
    [InlineData("authorize-security-group-ingress", "groupId=sg-web;protocol=tcp;fromPort=90;toPort=80;cidr=0.0.0.0/0", ErrorCodes.InvalidParameterValue)]
    [InlineData("frobnicate", "", ErrorCodes.InvalidAction)]
    public async Task Invalid_requests_get_EC2_errors_and_change_nothing(string action, string parameters, string code)
    {
        Skip.If(Unavailable is not null, Unavailable);
        await using var service = await WithExampleAsync(await OpenAsync());
        var before = RegionLoader.ToJson(service.Topology);
        var p = parameters.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]);
        var e = await Assert.ThrowsAsync<MappingApiException>(() => service.InvokeAsync(action, p));
        Assert.Equal(code, e.Code);
        Assert.Equal(1, service.Version);
        Assert.Equal(before, RegionLoader.ToJson(service.Topology));
    }

    [SkippableFact]
    public async Task Apply_of_an_invalid_region_lists_every_problem_and_changes_nothing()
    {
        Skip.If(Unavailable is not null, Unavailable);
        await using var service = await WithExampleAsync(await OpenAsync());
        var bad = File.ReadAllText(ExamplePath).Replace("\"10.0.2.20\"", "\"10.0.1.10\"", StringComparison.Ordinal).Replace("\"vni\": 1002", "\"vni\": 1001", StringComparison.Ordinal);
        var e = await Assert.ThrowsAsync<MappingApiException>(() => service.InvokeAsync("apply", P(("region", bad))));
        Assert.Equal(ErrorCodes.InvalidParameterValue, e.Code);
        Assert.Contains("vni", e.Message, StringComparison.Ordinal);
        Assert.Contains("10.0.1.10 is already used", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, service.Version);
    }

    [SkippableFact]
    public async Task Operations_build_a_region_that_the_region_validator_accepts_and_that_survives_a_restart()
    {
        Skip.If(Unavailable is not null, Unavailable);
        string json;
        long version;
        await using (var service = await WithExampleAsync(await OpenAsync()))
        {
            var vpc = JsonNode.Parse(await service.InvokeAsync("create-vpc", P(("cidrBlock", "172.16.0.0/16"), ("vpcId", "vpc-green"))))!;
            Assert.DoesNotContain((uint)vpc["vni"]!, new uint[] { 1001, 1002 });
            await service.InvokeAsync("create-subnet", P(("vpcId", "vpc-green"), ("cidrBlock", "172.16.1.0/24"), ("subnetId", "subnet-g")));
            await service.InvokeAsync("create-security-group", P(("vpcId", "vpc-green"), ("groupId", "sg-g")));
            await service.InvokeAsync("authorize-security-group-ingress", P(("groupId", "sg-g"), ("protocol", "tcp"), ("port", "443"), ("cidr", "0.0.0.0/0")));
            var eni = JsonNode.Parse(await service.InvokeAsync("create-network-interface", P(("subnetId", "subnet-g"), ("host", "host-a"), ("groups", "sg-g"), ("networkInterfaceId", "eni-g1"))))!;
            Assert.Equal("172.16.1.4", (string)eni["ip"]!);
            await service.InvokeAsync("create-network-interface", P(("subnetId", "subnet-g"), ("host", "host-b"), ("networkInterfaceId", "eni-g2")));
            await service.InvokeAsync("associate-address", P(("networkInterfaceId", "eni-g1"), ("publicIp", "203.0.113.7")));
            await service.InvokeAsync("move-network-interface", P(("networkInterfaceId", "eni-g2"), ("toHost", "host-a")));
            await service.InvokeAsync("delete-network-interface", P(("networkInterfaceId", "eni-a2")));
            await service.RecordAlarmsAsync([new AlarmRecord(0, default, AlarmRecord.CardKind, "host-a", "spoofed-source", "test")]);
            Assert.Empty(RegionValidator.Validate(service.Topology));
            json = RegionLoader.ToJson(service.Topology);
            version = service.Version;
        }
        await using var reopened = await OpenAsync(reopen: true);
        Assert.Equal(version, reopened.Version);
        Assert.Equal(json, RegionLoader.ToJson(reopened.Topology));
        Assert.Single(reopened.Alarms);
        // New work continues from the stored version.
        await reopened.InvokeAsync("create-network-interface", P(("subnetId", "subnet-g"), ("host", "host-b")));
        Assert.Equal(version + 1, reopened.Version);
    }

    [SkippableFact]
    public async Task A_host_snapshot_holds_exactly_what_the_region_compiler_gives_that_host()
    {
        Skip.If(Unavailable is not null, Unavailable);
        await using var service = await WithExampleAsync(await OpenAsync());
        await service.InvokeAsync("create-vpc", P(("cidrBlock", "172.16.0.0/16"), ("vpcId", "vpc-green")));
        await service.InvokeAsync("create-subnet", P(("vpcId", "vpc-green"), ("cidrBlock", "172.16.1.0/24"), ("subnetId", "subnet-g")));
        await service.InvokeAsync("create-network-interface", P(("subnetId", "subnet-g"), ("host", "host-b")));
        foreach (var host in new[] { "host-a", "host-b" })
        {
            var plan = RegionCompiler.ForHost(service.Topology, host, CardGeometry.Default);
            HostDelta snapshot;
            lock (service.Sync)
                snapshot = DeltaBuilder.Snapshot(service.StateUnsafe, host, 0);
            Assert.Equal(plan.Settings, snapshot.Settings);
            Assert.Equal(plan.Enis.Select(e => (e.EniId, e.Entry)), snapshot.SetEnis.Select(e => (e.Id, e.Entry)));
            Assert.Equal(
                plan.Mappings.Select(m => (m.Key, Ipv4Address.ToUInt32(m.UnderlayIp), m.Mac, m.LocalSlot is { } s ? plan.Enis[s].EniId : null).ToString()).Order(StringComparer.Ordinal),
                snapshot.SetMappings.Select(m => (m.Key, m.UnderlayIp, m.Mac, m.LocalEniId).ToString()).Order(StringComparer.Ordinal));
            // Filters, in the plan's numbering: the route set, the ACLs by number, rules and timeouts per ENI.
            Assert.Equal(plan.Filters.RouteTables.Select(PlanText.Of), snapshot.RouteTables!.Value.Select(PlanText.Of));
            Assert.Equal(plan.Filters.Acls.Select((a, i) => (i, PlanText.Of(a))), snapshot.SetAcls.Select(a => (a.Index, PlanText.Of(a.Acl))));
            Assert.Equal(plan.Enis.Select(e => (e.EniId, PlanText.Of(plan.Filters.Security[e.Slot]), plan.Filters.Timeouts[e.Slot])),
                snapshot.SetFilters.Select(f => (f.EniId, PlanText.Of(f.Rules), f.Timeouts)));
            // The service's plan (compiled on the host's VPCs only, without re-validating) is ForHost's.
            HostCardPlan cut;
            lock (service.Sync)
                cut = DeltaBuilder.Plan(service.StateUnsafe, host);
            Assert.Equal(PlanText.Of(plan), PlanText.Of(cut));
            Assert.Equal(plan.Edges.ToArray(), snapshot.SetEdges.ToArray());
        }
        // host-a has no ENI in vpc-green: not a byte of it.
        lock (service.Sync)
            Assert.DoesNotContain(DeltaBuilder.Snapshot(service.StateUnsafe, "host-a", 0).SetMappings, m => m.Key.Ip >> 24 == 172);
    }

    [SkippableFact]
    public async Task A_security_group_rule_reaches_every_host_of_its_VPC_as_that_host_s_rules()
    {
        Skip.If(Unavailable is not null, Unavailable);
        await using var service = await WithExampleAsync(await OpenAsync());
        await service.InvokeAsync("authorize-security-group-ingress", P(("groupId", "sg-app"), ("protocol", "udp"), ("port", "53"), ("cidr", "10.0.0.0/16")));
        var version = service.Version;
        Assert.Equal(["host-a", "host-b"], service.Hub.HostsOf(version)!.Order(StringComparer.Ordinal));
        foreach (var host in new[] { "host-a", "host-b" })
        {
            var plan = RegionCompiler.ForHost(service.Topology, host, CardGeometry.Default);
            HostDelta snapshot;
            lock (service.Sync)
                snapshot = DeltaBuilder.Snapshot(service.StateUnsafe, host, 0);
            var eni = host == "host-a" ? "eni-b1" : "eni-b2";
            var rules = snapshot.SetFilters.Single(f => f.EniId == eni).Rules;
            Assert.Contains(rules.Ingress, r => r.Protocol == 17 && r.FromPort == 53 && r.ToPort == 53);
            Assert.Equal(PlanText.Of(plan.Filters.Security[plan.SlotOf(eni)!.Value]), PlanText.Of(rules));
        }
    }

    [SkippableFact]
    public async Task Deltas_reach_exactly_the_hosts_of_the_VPC_and_a_move_is_ordered_new_host_others_old_host()
    {
        Skip.If(Unavailable is not null, Unavailable);
        var region = File.ReadAllText(ExamplePath).Replace(
            "{ \"name\": \"host-b\", \"underlayIp\": \"192.0.2.12\" }",
            "{ \"name\": \"host-b\", \"underlayIp\": \"192.0.2.12\" }, { \"name\": \"host-c\", \"underlayIp\": \"192.0.2.13\" }, { \"name\": \"host-d\", \"underlayIp\": \"192.0.2.14\" }",
            StringComparison.Ordinal);
        await using var service = await OpenAsync();
        await service.InvokeAsync("apply", P(("region", region)));
        // host-d gets vpc-1b2c... only: a new ENI there.
        await service.InvokeAsync("create-network-interface", P(("subnetId", "subnet-c"), ("host", "host-d"), ("networkInterfaceId", "eni-d1")));

        var sessions = new Dictionary<string, List<HostDelta>>();
        var cts = new CancellationTokenSource();
        var pumps = new List<Task>();
        foreach (var host in new[] { "host-a", "host-b", "host-c", "host-d" })
        {
            var got = sessions[host] = [];
            var session = service.Hub.Connect(host, 0);
            pumps.Add(session.PumpAsync(d =>
            {
                lock (got)
                    got.Add(d);
                session.Ack(d.Version);
                return Task.CompletedTask;
            }, cts.Token));
        }
        await Wait.Until(() => sessions.Values.All(l => Count(l) == 1), message: () => string.Join(",", sessions.Select(kv => $"{kv.Key}={Count(kv.Value)}")));
        Assert.All(sessions.Values, l => Assert.True(l[0].Full));
        Assert.Empty(sessions["host-c"][0].SetMappings);
        Assert.DoesNotContain(sessions["host-d"][0].SetMappings, m => m.Key.Vni == 1001);

        var order = new List<string>();
        service.Hub.GateTimeout = TimeSpan.FromSeconds(30);
        service.Hub.Acknowledged += (h, v) =>
        {
            if (v == 3)
            {
                lock (order)
                    order.Add(h);
            }
        };
        // eni-b1 (vpc 1002) moves host-a -> host-c: host-c first, then host-b and host-d, then host-a.
        await service.InvokeAsync("move-network-interface", P(("networkInterfaceId", "eni-b1"), ("toHost", "host-c")));
        await Wait.Until(() => order.Count == 4);
        Assert.Equal("host-c", order[0]);
        Assert.Equal("host-a", order[3]);
        Assert.Equal(["host-b", "host-d"], order.Skip(1).Take(2).Order());
        var c = sessions["host-c"][^1];
        // host-c gains vpc 1002: all its mappings and the ENI.
        Assert.Equal(3, c.SetMappings.Length);
        Assert.Equal("eni-b1", c.SetEnis.Single().Id);
        var a = sessions["host-a"][^1];
        Assert.Equal(["eni-b1"], a.RemoveEnis.ToArray());
        // eni-b1 was host-a's only ENI in vpc 1002: host-a loses the VPC, every mapping of it.
        Assert.Empty(a.SetMappings);
        Assert.Equal(3, a.RemoveMappings.Length);
        await cts.CancelAsync();
        await Task.WhenAll(pumps);
    }

    private static int Count(List<HostDelta> list)
    {
        lock (list)
            return list.Count;
    }
}

public sealed class SqliteMappingServiceTests : MappingServiceContract, IDisposable
{
    private readonly TempDir _dir = new();

    protected override async Task<IRegionStore> OpenStoreAsync(bool reopen) => await SqliteRegionStore.OpenAsync(_dir.File("region.db"));

    public void Dispose() => _dir.Dispose();
}

public sealed class EtcdMappingServiceTests(EtcdFixture etcd) : MappingServiceContract, IClassFixture<EtcdFixture>
{
    protected override string? Unavailable => etcd.Available ? null : "etcd is not installed (/usr/bin/etcd, Debian etcd-server; build.ps1 installs it as root)";

    protected override async Task<IRegionStore> OpenStoreAsync(bool reopen)
        => reopen ? await EtcdRegionStore.OpenAsync(etcd.Url) : await etcd.OpenFreshAsync();
}
