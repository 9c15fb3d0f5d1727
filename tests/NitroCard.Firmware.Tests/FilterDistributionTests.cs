using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.Storage;
using NitroCard.Model;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Firmware.Tests;

/// <summary>
/// The service distributes each host's filters (route tables, network ACLs, security group rules, conntrack
/// timeouts) exactly as <see cref="RegionCompiler.ForHost"/> plans them, and the firmware programs them: the
/// deltas are pulled from the service's distribution hub in-process and applied by <see cref="CardProgrammer"/>
/// to model cards (which have filtering hardware).
/// </summary>
public sealed class FilterDistributionTests : IDisposable
{
    internal const string FilterRegion = """
        {
          "hosts": [ { "name": "host-a", "underlayIp": "192.0.2.11" }, { "name": "host-b", "underlayIp": "192.0.2.12" },
                     { "name": "host-c", "underlayIp": "192.0.2.13" } ],
          "edges": [ { "name": "edge-1", "underlayIp": "192.0.2.250" } ],
          "vpcs": [
            { "id": "vpc-red", "cidr": "10.0.0.0/16", "vni": 1001,
              "subnets": [ { "id": "sn-web", "cidr": "10.0.1.0/24", "routeTable": "rtb-web" },
                           { "id": "sn-db", "cidr": "10.0.2.0/24", "routeTable": "rtb-db" },
                           { "id": "sn-plain", "cidr": "10.0.3.0/24" } ],
              "routeTables": [
                { "id": "rtb-web", "routes": [ { "destination": "0.0.0.0/0", "target": "igw" }, { "destination": "192.168.0.0/16", "target": "blackhole" } ] },
                { "id": "rtb-db", "routes": [ { "destination": "172.16.0.0/12", "target": "vgw" }, { "destination": "0.0.0.0/0", "target": "blackhole" } ] } ],
              "networkAcls": [ { "id": "acl-db", "subnets": ["sn-db"],
                "ingress": [ { "ruleNumber": 100, "protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidr": "10.0.1.0/24", "action": "allow" },
                             { "ruleNumber": 200, "protocol": "all", "cidr": "0.0.0.0/0", "action": "deny" } ],
                "egress": [ { "ruleNumber": 100, "protocol": "all", "cidr": "0.0.0.0/0", "action": "allow" } ] } ],
              "securityGroups": [
                { "id": "sg-web", "ingress": [ { "protocol": "tcp", "fromPort": 443, "toPort": 443, "cidr": "0.0.0.0/0" },
                                               { "protocol": "icmp", "fromPort": -1, "toPort": -1, "cidr": "0.0.0.0/0" } ],
                                  "egress": [ { "protocol": "all", "cidr": "0.0.0.0/0" } ] },
                { "id": "sg-db", "ingress": [ { "protocol": "tcp", "fromPort": 5432, "toPort": 5432, "sourceGroup": "sg-web" } ],
                                 "egress": [ { "protocol": "all", "cidr": "0.0.0.0/0" } ] } ],
              "enis": [
                { "id": "eni-w1", "subnet": "sn-web", "ip": "10.0.1.10", "mac": "02:00:00:01:01:0a", "host": "host-a", "securityGroups": ["sg-web"],
                  "connectionTracking": { "tcpEstablishedTimeout": 3600 } },
                { "id": "eni-d1", "subnet": "sn-db", "ip": "10.0.2.10", "mac": "02:00:00:01:02:0a", "host": "host-b", "securityGroups": ["sg-db"] },
                { "id": "eni-w2", "subnet": "sn-web", "ip": "10.0.1.11", "mac": "02:00:00:01:01:0b", "host": "host-b", "securityGroups": ["sg-web"] },
                { "id": "eni-p1", "subnet": "sn-plain", "ip": "10.0.3.10", "mac": "02:00:00:01:03:0a", "host": "host-c" } ] },
            { "id": "vpc-blue", "cidr": "10.0.0.0/16", "vni": 1002,
              "subnets": [ { "id": "sn-blue", "cidr": "10.0.1.0/24", "routeTable": "rtb-blue" } ],
              "routeTables": [ { "id": "rtb-blue", "routes": [ { "destination": "0.0.0.0/0", "target": "igw" } ] } ],
              "securityGroups": [
                { "id": "sg-blue", "ingress": [ { "protocol": "udp", "fromPort": 7, "toPort": 7, "cidr": "10.0.0.0/16" } ],
                                   "egress": [ { "protocol": "all", "cidr": "0.0.0.0/0" } ] },
                { "id": "sg-closed", "ingress": [], "egress": [ { "protocol": "all", "cidr": "0.0.0.0/0" } ] } ],
              "enis": [
                { "id": "eni-b1", "subnet": "sn-blue", "ip": "10.0.1.10", "mac": "02:00:00:02:01:0a", "host": "host-a", "securityGroups": ["sg-blue"],
                  "connectionTracking": { "udpStreamTimeout": 120, "udpTimeout": 60 } },
                { "id": "eni-b3", "subnet": "sn-blue", "ip": "10.0.1.30", "mac": "02:00:00:02:01:1e", "host": "host-a", "securityGroups": ["sg-closed"] },
                { "id": "eni-b2", "subnet": "sn-blue", "ip": "10.0.1.20", "mac": "02:00:00:02:01:14", "host": "host-c", "securityGroups": ["sg-blue"] } ] }
          ]
        }
        """;

    private static readonly string[] HostNames = ["host-a", "host-b", "host-c"];

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_host_s_card_after_the_full_snapshot_equals_the_plan_filters_included()
    {
        await using var h = await Harness.StartAsync(_dir, FilterRegion, HostNames);
        h.Sync();
        foreach (var host in HostNames)
            PlanAssert.CardEqualsPlan(h.Programmer(host), RegionCompiler.ForHost(h.Service.Topology, host));
        // The numbering is the host's own: host-b's first ENI is in sn-db, so rtb-db and acl-db are its number 0.
        var b = h.Programmer("host-b");
        Assert.Equal((0, 0), (b.Enis["eni-d1"].Entry.RouteTable, b.Enis["eni-d1"].Entry.Nacl));
        Assert.Equal((1, 1), (b.Enis["eni-w2"].Entry.RouteTable, b.Enis["eni-w2"].Entry.Nacl));
        Assert.Contains(b.RouteTables[0].Routes, r => r.Target == RouteKind.Blackhole);
        Assert.Contains(b.RouteTables[1].Routes, r => r.Target == RouteKind.Edge && r.EdgeIp!.Equals(IPAddress.Parse("192.0.2.250")));
        Assert.Equal(new ConntrackTimeouts(432_000, 120, 60), h.Programmer("host-a").Filters["eni-b1"].Timeouts);
        // sg-db's source group expanded to sg-web's members.
        Assert.Equal(["10.0.1.10/32", "10.0.1.11/32"], b.Filters["eni-d1"].Rules.Ingress.Select(r => r.Remote.ToString()).Order(StringComparer.Ordinal));
        foreach (var host in HostNames)
            Assert.Equal(0, h.Card(host).StagedCount);
    }

    [Fact]
    public async Task After_every_kind_of_change_every_card_still_equals_the_plan()
    {
        await using var h = await Harness.StartAsync(_dir, FilterRegion, HostNames);
        h.Sync();
        async Task Step(Func<MappingService, Task> change)
        {
            await change(h.Service);
            h.Sync();
            foreach (var host in HostNames)
                PlanAssert.CardEqualsPlan(h.Programmer(host), RegionCompiler.ForHost(h.Service.Topology, host));
        }

        // A new sg-web member on host-c: host-c gains vpc-red's tables; eni-d1's rules (on host-b) gain its /32.
        await Step(s => s.CreateNetworkInterfaceAsync(new("sn-web", "host-c", PrivateIpAddress: "10.0.1.12", NetworkInterfaceId: "eni-w3", Groups: ["sg-web"])));
        Assert.Contains(h.Programmer("host-b").Filters["eni-d1"].Rules.Ingress, r => r.Remote.ToString() == "10.0.1.12/32");
        await Step(s => s.MoveNetworkInterfaceAsync(new("eni-w1", "host-c")));
        await Step(s => s.AuthorizeSecurityGroupIngressAsync(new("sg-db", "tcp", Port: 22, Cidr: "10.0.0.0/8")));
        // host-b's first ENI goes: its route tables and ACLs are renumbered.
        await Step(s => s.DeleteNetworkInterfaceAsync(new("eni-d1")));
        Assert.Equal((0, 0), (h.Programmer("host-b").Enis["eni-w2"].Entry.RouteTable, h.Programmer("host-b").Enis["eni-w2"].Entry.Nacl));
        Assert.Single(h.Programmer("host-b").Acls);
        await Step(s => s.MoveNetworkInterfaceAsync(new("eni-b3", "host-b")));

        // apply: a route, a NACL rule and a timeout change.
        var region = h.Service.Topology;
        var red = region.Vpcs[0];
        var web = red.RouteTables[0];
        var changed = region with
        {
            Vpcs = region.Vpcs.SetItem(0, red with
            {
                RouteTables = red.RouteTables.SetItem(0, web with { Routes = web.Routes.Add(new Route("100.64.0.0/10", "blackhole")) }),
                NetworkAcls = [red.NetworkAcls[0] with { Subnets = ["sn-db", "sn-plain"] }],
                Enis = red.Enis.Replace(red.Enis.First(e => e.Id == "eni-w2"), red.Enis.First(e => e.Id == "eni-w2") with { ConnectionTracking = new ConnectionTracking(UdpTimeout: 45) }),
            }),
        };
        await h.Service.ApplyAsync(changed);
        h.Sync();
        foreach (var host in HostNames)
            PlanAssert.CardEqualsPlan(h.Programmer(host), RegionCompiler.ForHost(h.Service.Topology, host));
        Assert.Equal(45u, h.Programmer("host-b").Filters["eni-w2"].Timeouts.Udp);
    }

    [Fact]
    public async Task Authorizing_ingress_reaches_the_host_and_opens_the_card()
    {
        await using var h = await Harness.StartAsync(_dir, FilterRegion, HostNames);
        h.Sync();
        var card = h.Card("host-a");
        var programmer = h.Programmer("host-a");
        var b1 = programmer.Enis["eni-b1"].Entry;
        var b3 = programmer.Enis["eni-b3"].Entry;
        IReadOnlyList<CardFrame> Send()
        {
            var frame = Frames.Pad(Frames.Udp(b3.Mac.Value, b1.Mac.Value, b1.Ip, b3.Ip, 40000, 9, new byte[16]));
            card.PushHost(programmer.Slots["eni-b1"], frame);
            card.RunUntilIdle();
            card.DrainNetwork();
            return card.DrainHost();
        }

        // sg-closed has no ingress rule: eni-b3 gets nothing.
        Assert.Empty(Send());
        Assert.Equal(1UL, card.ReadCounters()[DropReason.SgDeny]);

        var applied = h.Applied.Count;
        await h.Service.AuthorizeSecurityGroupIngressAsync(new("sg-closed", "udp", Port: 9, Cidr: "10.0.1.0/24"));
        h.Sync();
        var delta = h.Applied.Skip(applied).Single(d => d.Host == "host-a");
        Assert.False(delta.Full);
        Assert.Equal(["eni-b3"], delta.SetFilters.Select(f => f.EniId));
        Assert.Empty(delta.SetEnis);
        Assert.Empty(delta.SetMappings);
        Assert.Null(delta.RouteTables);

        var delivered = Assert.Single(Send());
        Assert.Equal(programmer.Slots["eni-b3"], delivered.Slot);
        Assert.Equal(1UL, card.ReadCounters()[DropReason.SgDeny]);
        PlanAssert.CardEqualsPlan(programmer, RegionCompiler.ForHost(h.Service.Topology, "host-a"));
    }

    /// <summary>A Mapping Service on SQLite and one session, programmer and model card per host, all in-process.</summary>
    private sealed class Harness : IAsyncDisposable
    {
        private readonly Dictionary<string, (HostSession Session, CardProgrammer Programmer, ModelCard Card)> _hosts = new(StringComparer.Ordinal);

        private Harness(MappingService service) => Service = service;

        public MappingService Service { get; }

        public List<HostDelta> Applied { get; } = [];

        public static async Task<Harness> StartAsync(TempDir dir, string region, IEnumerable<string> hosts)
        {
            var service = await MappingService.OpenAsync(await SqliteRegionStore.OpenAsync(dir.File("region.db")));
            await service.ApplyAsync(region);
            var h = new Harness(service);
            foreach (var host in hosts)
                h._hosts[host] = (service.Hub.Connect(host, 0), new CardProgrammer(CardGeometry.Default), new ModelCard(CardGeometry.Default));
            return h;
        }

        public CardProgrammer Programmer(string host) => _hosts[host].Programmer;

        public ModelCard Card(string host) => _hosts[host].Card;

        /// <summary>Pulls and applies every delta due, acknowledging each, until no host has anything left.</summary>
        public void Sync()
        {
            for (var progress = true; progress;)
            {
                progress = false;
                foreach (var (session, programmer, card) in _hosts.Values)
                {
                    while (Service.Hub.Next(session, out _) is { } delta)
                    {
                        // Over the wire, as the agent gets it.
                        var received = Mapping.Grpc.DeltaCodec.FromMessage(Mapping.Grpc.DeltaCodec.ToMessage(delta));
                        programmer.Apply(card, received);
                        Applied.Add(received);
                        session.Ack(received.Version);
                        progress = true;
                    }
                }
            }
            Assert.All(_hosts.Values, x => Assert.Equal(Service.Version, x.Session.Sent));
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var (session, _, card) in _hosts.Values)
            {
                session.Dispose();
                card.Dispose();
            }
            await Service.DisposeAsync();
        }
    }
}
