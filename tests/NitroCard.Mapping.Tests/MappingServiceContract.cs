using NitroCard.Card;
using NitroCard.Card.Filtering;
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

    private static async Task<MappingService> WithExampleAsync(MappingService service)
    {
        await service.ApplyAsync(File.ReadAllText(ExamplePath), "region.json");
        return service;
    }

    [SkippableFact]
    public async Task Apply_loads_the_region_file_and_describe_returns_it()
    {
        Skip.If(Unavailable is not null, Unavailable);
        await using var service = await WithExampleAsync(await OpenAsync());
        Assert.Equal(1, service.Version);
        var vpcs = service.DescribeVpcs(new DescribeFilter());
        Assert.Equal(2, vpcs.Count);
        var enis = service.DescribeNetworkInterfaces(new DescribeFilter(Host: "host-a"));
        Assert.Equal(["eni-a1", "eni-b1"], enis.Select(e => e.Resource.Id).Order());
        Assert.Equal(RegionLoader.ToJson(RegionLoader.Load(ExamplePath)), RegionLoader.ToJson(service.Topology));
    }

    public static TheoryData<string, Func<MappingService, Task>, string> InvalidRequests() => new()
    {
        { "subnet outside the VPC", s => s.CreateSubnetAsync(new("vpc-0a1b2c3d4e5f60718", "10.1.0.0/24")), ErrorCodes.InvalidSubnetRange },
        { "subnet overlapping another", s => s.CreateSubnetAsync(new("vpc-0a1b2c3d4e5f60718", "10.0.1.0/25")), ErrorCodes.InvalidSubnetConflict },
        { "subnet smaller than /28", s => s.CreateSubnetAsync(new("vpc-0a1b2c3d4e5f60718", "10.0.9.0/29")), ErrorCodes.InvalidSubnetRange },
        { "subnet of an unknown VPC", s => s.CreateSubnetAsync(new("vpc-nope", "10.0.9.0/24")), ErrorCodes.InvalidVpcIdNotFound },
        { "ENI address in use", s => s.CreateNetworkInterfaceAsync(new("subnet-a", "host-b", PrivateIpAddress: "10.0.1.10")), ErrorCodes.InvalidIpAddressInUse },
        { "ENI address outside the subnet", s => s.CreateNetworkInterfaceAsync(new("subnet-a", "host-b", PrivateIpAddress: "10.0.2.10")), ErrorCodes.InvalidParameterValue },
        { "ENI address reserved", s => s.CreateNetworkInterfaceAsync(new("subnet-a", "host-b", PrivateIpAddress: "10.0.1.1")), ErrorCodes.InvalidParameterValue },
        { "ENI MAC in use", s => s.CreateNetworkInterfaceAsync(new("subnet-a", "host-b", MacAddress: "02:00:0a:00:01:0a")), ErrorCodes.InvalidMacAddressInUse },
        { "ENI on an unknown host", s => s.CreateNetworkInterfaceAsync(new("subnet-a", "host-z")), ErrorCodes.InvalidHostIdNotFound },
        { "ENI in a group of another VPC", s => s.CreateNetworkInterfaceAsync(new("subnet-a", "host-b", Groups: ["sg-app"])), ErrorCodes.InvalidGroupIdNotFound },
        { "move of an unknown ENI", s => s.MoveNetworkInterfaceAsync(new("eni-nope", "host-b")), ErrorCodes.InvalidNetworkInterfaceIdNotFound },
        { "VPC larger than /16", s => s.CreateVpcAsync(new("10.0.0.0/8")), ErrorCodes.InvalidVpcRange },
        { "VPC with a VNI in use", s => s.CreateVpcAsync(new("10.9.0.0/16", Vni: 1001)), ErrorCodes.InvalidVniInUse },
        { "VPC with VNI 0", s => s.CreateVpcAsync(new("10.9.0.0/16", Vni: 0)), ErrorCodes.InvalidParameterValue },
        { "public IP in use", s => s.AssociateAddressAsync(new("eni-a2", "198.51.100.10")), ErrorCodes.InvalidAddressInUse },
        { "port range backwards", s => s.AuthorizeSecurityGroupIngressAsync(new("sg-web", "tcp", FromPort: 90, ToPort: 80, Cidr: "0.0.0.0/0")), ErrorCodes.InvalidParameterValue },
        { "VPC without a CIDR", s => s.CreateVpcAsync(new(" ")), ErrorCodes.MissingParameter },
    };

    [SkippableTheory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Invalid_requests_get_EC2_errors_and_change_nothing(string request, Func<MappingService, Task> send, string code)
    {
        Skip.If(Unavailable is not null, Unavailable);
        _ = request;
        await using var service = await WithExampleAsync(await OpenAsync());
        var before = RegionLoader.ToJson(service.Topology);
        var e = await Assert.ThrowsAsync<MappingApiException>(() => send(service));
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
        var e = await Assert.ThrowsAsync<MappingApiException>(() => service.ApplyAsync(bad));
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
            var vpc = await service.CreateVpcAsync(new("172.16.0.0/16", VpcId: "vpc-green"));
            Assert.DoesNotContain(vpc.Vni, new uint[] { 1001, 1002 });
            await service.CreateSubnetAsync(new("vpc-green", "172.16.1.0/24", SubnetId: "subnet-g"));
            await service.CreateSecurityGroupAsync(new("vpc-green", GroupId: "sg-g"));
            await service.AuthorizeSecurityGroupIngressAsync(new("sg-g", "tcp", Port: 443, Cidr: "0.0.0.0/0"));
            var eni = await service.CreateNetworkInterfaceAsync(new("subnet-g", "host-a", Groups: ["sg-g"], NetworkInterfaceId: "eni-g1"));
            Assert.Equal("172.16.1.4", eni.Resource.Ip);
            await service.CreateNetworkInterfaceAsync(new("subnet-g", "host-b", NetworkInterfaceId: "eni-g2"));
            await service.AssociateAddressAsync(new("eni-g1", "203.0.113.7"));
            await service.MoveNetworkInterfaceAsync(new("eni-g2", "host-a"));
            await service.DeleteNetworkInterfaceAsync(new("eni-a2"));
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
        await reopened.CreateNetworkInterfaceAsync(new("subnet-g", "host-b"));
        Assert.Equal(version + 1, reopened.Version);
    }

    [SkippableFact]
    public async Task A_host_snapshot_holds_exactly_what_the_region_compiler_gives_that_host()
    {
        Skip.If(Unavailable is not null, Unavailable);
        await using var service = await WithExampleAsync(await OpenAsync());
        await service.CreateVpcAsync(new("172.16.0.0/16", VpcId: "vpc-green"));
        await service.CreateSubnetAsync(new("vpc-green", "172.16.1.0/24", SubnetId: "subnet-g"));
        await service.CreateNetworkInterfaceAsync(new("subnet-g", "host-b"));
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

    /// <summary>A VPC on host-a with a BGP VPN connection and a route table with vgwRoutePropagation.</summary>
    private const string BgpRegion = """
        {
          "hosts": [ { "name": "host-a", "underlayIp": "192.0.2.11" } ],
          "edges": [ { "name": "edge-1", "underlayIp": "192.0.2.250" } ],
          "vpcs": [ { "id": "vpc-bgp", "cidr": "10.0.0.0/16", "vni": 1001,
            "subnets": [ { "id": "subnet-a", "cidr": "10.0.1.0/24", "routeTable": "rtb-a" } ],
            "routeTables": [ { "id": "rtb-a", "vgwRoutePropagation": true, "routes": [] } ],
            "enis": [ { "id": "eni-a1", "subnet": "subnet-a", "ip": "10.0.1.10", "mac": "02:00:0a:00:01:0a", "host": "host-a" } ],
            "vpnConnections": [
              { "id": "vpn-bgp", "customerGatewayIp": "203.0.113.9", "customerGatewayAsn": 65000, "customerAnnouncedCidrs": ["172.16.50.0/24"],
                "tunnels": [ { "outsideIpAddress": "198.51.100.201", "tunnelInsideCidr": "169.254.10.0/30", "preSharedKey": "tunnel_one.key" },
                             { "outsideIpAddress": "198.51.100.202", "tunnelInsideCidr": "169.254.11.0/30", "preSharedKey": "tunnel_two.key" } ] },
              { "id": "vpn-static", "customerGatewayIp": "203.0.113.8", "staticRoutesOnly": true, "customerCidrs": ["172.31.0.0/16"],
                "tunnels": [ { "outsideIpAddress": "198.51.100.203", "tunnelInsideCidr": "169.254.12.0/30", "preSharedKey": "tunnel_three.key" },
                             { "outsideIpAddress": "198.51.100.204", "tunnelInsideCidr": "169.254.13.0/30", "preSharedKey": "tunnel_four.key" } ] } ] } ]
        }
        """;

    /// <summary>The propagated routes of host-a's route table as the host gets them.</summary>
    private static string[] PropagatedRoutes(MappingService service)
    {
        HostDelta snapshot;
        lock (service.Sync)
            snapshot = DeltaBuilder.Snapshot(service.StateUnsafe, "host-a", 0);
        return [.. snapshot.RouteTables!.Value.Single().Routes.Where(r => r.Class == RouteClass.Propagated).Select(r => r.Destination.ToString()).Order(StringComparer.Ordinal)];
    }

    [SkippableFact]
    public async Task Routes_an_edge_learned_over_bgp_are_stored_pushed_as_propagated_routes_kept_across_apply_and_withdrawn()
    {
        Skip.If(Unavailable is not null, Unavailable);
        await using (var service = await OpenAsync())
        {
            await service.ApplyAsync(BgpRegion);
            // The announced networks are BIRD's configuration, not routes: only the static connection's CIDR is propagated.
            Assert.Equal(["172.31.0.0/16"], PropagatedRoutes(service));

            await service.ReplaceVpnLearnedRoutesAsync("vpn-bgp", ["172.16.50.0/24", "192.168.7.0/24"]);
            var version = service.Version;
            Assert.Equal(["host-a"], service.Hub.HostsOf(version)!);
            Assert.Equal(["172.16.50.0/24", "172.31.0.0/16", "192.168.7.0/24"], PropagatedRoutes(service));
            // The region file form never carries them; applying the file again keeps what the edge learned.
            Assert.DoesNotContain("192.168.7.0/24", RegionLoader.ToJson(service.Topology), StringComparison.Ordinal);
            await service.ApplyAsync(BgpRegion);
            Assert.Equal(["172.16.50.0/24", "172.31.0.0/16", "192.168.7.0/24"], PropagatedRoutes(service));
        }
        await using (var reopened = await OpenAsync(reopen: true))
        {
            Assert.Equal(["172.16.50.0/24", "172.31.0.0/16", "192.168.7.0/24"], PropagatedRoutes(reopened));
            // Both tunnels down: the edge reports nothing, and the hosts lose the routes.
            await reopened.ReplaceVpnLearnedRoutesAsync("vpn-bgp", []);
            Assert.Equal(["172.31.0.0/16"], PropagatedRoutes(reopened));
        }
        await using (var again = await OpenAsync(reopen: true))
            Assert.Equal(["172.31.0.0/16"], PropagatedRoutes(again));
    }

    public static TheoryData<string, string, string[], string> InvalidLearnedRoutes() => new()
    {
        { "unknown connection", "vpn-nope", ["172.16.50.0/24"], ErrorCodes.InvalidVpnConnectionIdNotFound },
        { "static connection", "vpn-static", ["172.16.50.0/24"], ErrorCodes.InvalidParameterValue },
        { "not a prefix", "vpn-bgp", ["172.16.50.0/33"], ErrorCodes.InvalidParameterValue },
        { "inside the VPC", "vpn-bgp", ["172.16.50.0/24", "10.0.9.0/24"], ErrorCodes.InvalidParameterValue },
    };

    [SkippableTheory]
    [MemberData(nameof(InvalidLearnedRoutes))]
    public async Task Learned_routes_the_service_refuses_change_nothing(string why, string vpnId, string[] prefixes, string code)
    {
        Skip.If(Unavailable is not null, Unavailable);
        _ = why;
        await using var service = await OpenAsync();
        await service.ApplyAsync(BgpRegion);
        var version = service.Version;
        var e = await Assert.ThrowsAsync<MappingApiException>(() => service.ReplaceVpnLearnedRoutesAsync(vpnId, prefixes));
        Assert.Equal(code, e.Code);
        Assert.Equal(version, service.Version);
        Assert.Equal(["172.31.0.0/16"], PropagatedRoutes(service));
    }

    [SkippableFact]
    public async Task A_security_group_rule_reaches_every_host_of_its_VPC_as_that_host_s_rules()
    {
        Skip.If(Unavailable is not null, Unavailable);
        await using var service = await WithExampleAsync(await OpenAsync());
        await service.AuthorizeSecurityGroupIngressAsync(new("sg-app", "udp", Port: 53, Cidr: "10.0.0.0/16"));
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
        await service.ApplyAsync(region);
        // host-d gets vpc-1b2c... only: a new ENI there.
        await service.CreateNetworkInterfaceAsync(new("subnet-c", "host-d", NetworkInterfaceId: "eni-d1"));

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
        await service.MoveNetworkInterfaceAsync(new("eni-b1", "host-c"));
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
