using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Grpc.Core;
using NitroCard.Card;
using NitroCard.Firmware;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Hosting;
using Xunit.Abstractions;
using ApiCreateNetworkInterface = NitroCard.Mapping.Api.CreateNetworkInterfaceRequest;
using ApiDeleteNetworkInterface = NitroCard.Mapping.Api.DeleteNetworkInterfaceRequest;

namespace NitroCard.Mapping.Tests;

/// <summary>Subscribers that do not read, and many at once, over gRPC with mutual TLS: the service's memory per subscriber stays bounded and the others are served.</summary>
public sealed class SubscriberLoadTests(ITestOutputHelper output) : IDisposable
{
    private const long BacklogLimit = 16 << 10;
    private const int ReaderLead = 10;
    // Long enough that host-a's backlog reaches the limit (about 50 versions) before it is cut off for stalling, even on
    // a loaded machine: at 3 s, a CI run once saw the stall first and nothing coalesced.
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(10);

    private readonly TempDir _dir = new();

    private static readonly string ExamplePath = Path.Combine(AppContext.BaseDirectory, "regions", "docs-example.json");

    private Task<MappingServer> StartAsync() => MappingServer.StartAsync(new MappingServerOptions(_dir.File("region.db"), new IPEndPoint(IPAddress.Loopback, 0), _dir.File("ca"))
    {
        Service = new MappingServiceOptions { SubscriberBacklogBytes = BacklogLimit, SubscriberStallTimeout = StallTimeout },
    });

    private FirmwareAgent Agent(MappingServer server, string host, out IDisposable channel)
    {
        server.Ca.IssueHost(host, _dir.File("id-" + host));
        var grpc = MappingChannel.ForHost(server.Endpoint, _dir.File("id-" + host));
        channel = grpc;
        return new FirmwareAgent(host, server.Endpoint, () => new RegionMapping.RegionMappingClient(grpc), null, CardGeometry.Default)
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        };
    }

    [Fact]
    public async Task A_subscriber_that_stops_reading_is_bounded_then_cut_off_with_the_reason_and_resyncs_while_another_gets_every_version()
    {
        await using var server = await StartAsync();
        await server.Service.ApplyAsync(await File.ReadAllTextAsync(ExamplePath));
        var hub = server.Service.Hub;

        // host-b reads everything; host-a stops reading at its first delta (its Applied handler blocks its receive loop).
        var received = new ConcurrentQueue<(long Version, long Base, bool Full)>();
        var reader = Agent(server, "host-b", out var readerChannel);
        reader.Applied += d => received.Enqueue((d.Version, d.BaseVersion, d.Full));
        using var stopReading = new ManualResetEventSlim(false);
        var slow = Agent(server, "host-a", out var slowChannel);
        slow.Applied += d =>
        {
            if (d.Version > 1)
                stopReading.Wait(TimeSpan.FromSeconds(60));
        };
        var reasons = new ConcurrentQueue<string>();
        slow.Retrying += r => reasons.Enqueue(r.Reason);
        using var cts = new CancellationTokenSource();
        var runs = new[] { reader.RunAsync(cts.Token), slow.RunAsync(cts.Token) };
        try
        {
            await Wait.Until(() => reader.Version == 1 && slow.Version == 1);

            // 2,000 versions, each concerning both hosts (an ENI of their VPC on host-b appears or goes).
            const int changes = 2000;
            long maxQueued = 0;
            for (var i = 0; i < changes; i++)
            {
                if (i % 2 == 0)
                    await server.Service.CreateNetworkInterfaceAsync(new ApiCreateNetworkInterface("subnet-b", "host-b", "10.0.2.99", NetworkInterfaceId: "eni-flood"));
                else
                    await server.Service.DeleteNetworkInterfaceAsync(new ApiDeleteNetworkInterface("eni-flood"));
                maxQueued = Math.Max(maxQueued, hub.QueuedBytes("host-a"));
                // The changes come as fast as host-b keeps up with: at most ReaderLead versions ahead of it, a few kB
                // (a version here is a few hundred bytes). A lead near the limit's worth (~50 versions) coalesced host-b's
                // backlog into a snapshot too on a loaded machine, which is the mechanism working, not what this tests.
                await Wait.Until(() => reader.Version >= server.Service.Version - ReaderLead);
            }
            var last = server.Service.Version;
            Assert.Equal(1 + changes, last);

            // host-b got every version, in order, each a delta on the one before.
            await Wait.Until(() => reader.Version == last);
            var versions = received.ToArray();
            Assert.Equal(Enumerable.Range(1, changes + 1).Select(v => (long)v), versions.Select(v => v.Version));
            Assert.All(versions.Skip(1), v => Assert.Equal((v.Version - 1, false), (v.Base, v.Full)));

            // host-a's unacknowledged bytes stayed under the limit (plus one delta of a few dozen bytes); its backlog was
            // coalesced, and it was cut off once it had not read for the stall timeout.
            output.WriteLine($"host-a: at most {maxQueued} bytes unacknowledged (limit {BacklogLimit}), its agent at version {slow.Version} (acknowledged {hub.AckedVersion("host-a")})");
            Assert.InRange(maxQueued, 1, BacklogLimit + 1024);
            Assert.Equal(1, hub.CoalescedBacklogs);
            await Wait.Until(() => hub.StalledDisconnects == 1);
            Assert.Equal(1, hub.AckedVersion("host-a"));

            // Reading again, its agent logs the service's reason, reconnects, and resyncs to the last version in full.
            stopReading.Set();
            await Wait.Until(() => slow.Version == last);
            Assert.Contains(reasons, r => r.Contains("host host-a is not reading its subscription", StringComparison.Ordinal)
                && r.Contains("unacknowledged for 10 s", StringComparison.Ordinal) && r.Contains("limit 16384", StringComparison.Ordinal));
            Assert.Equal(reader.Programmer.MappingCount, slow.Programmer.MappingCount);
            Assert.Equal(reader.Version, slow.Version);
        }
        finally
        {
            stopReading.Set();
            await cts.CancelAsync();
            await Task.WhenAll(runs);
            readerChannel.Dispose();
            slowChannel.Dispose();
        }
    }

    [Fact]
    public async Task A_thousand_concurrent_clients_each_subscribe_and_call_a_read_and_all_are_served()
    {
        const int hosts = 1000;
        var setup = Stopwatch.StartNew();
        await using var server = await StartAsync();
        await server.Service.ApplyAsync(ThousandHostRegion(hosts));
        var ca = _dir.File("ca");
        var names = Enumerable.Range(0, hosts).Select(HostName).ToArray();
        foreach (var name in names)
            server.Ca.IssueHost(name, _dir.File("id-" + name));
        var version = server.Service.Version;
        output.WriteLine($"region of {hosts} hosts applied and their identities issued in {setup.ElapsedMilliseconds} ms");

        // Every host has its own mTLS connection and subscribes as itself; the operator's reads (one per host, its ENIs)
        // share one connection, as nitroctl's calls from one process would.
        using var operatorChannel = MappingChannel.ForOperator(server.Endpoint, ca);
        var operatorClient = new RegionMapping.RegionMappingClient(operatorChannel);
        var clock = Stopwatch.StartNew();
        var served = await Task.WhenAll(names.Select(name => Task.Run(async () =>
        {
            using var channel = MappingChannel.ForHost(server.Endpoint, _dir.File("id-" + name));
            using var call = new RegionMapping.RegionMappingClient(channel).Subscribe();
            await call.RequestStream.WriteAsync(new AgentMessage { Hello = new Hello { Host = name } });
            Assert.True(await call.ResponseStream.MoveNext());
            var snapshot = call.ResponseStream.Current.Delta;
            var described = await operatorClient.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest { Host = name });
            var elapsed = clock.Elapsed;
            await call.RequestStream.CompleteAsync();
            return (Name: name, snapshot.Version, snapshot.Full, Enis: described.NetworkInterfaces.Select(e => e.Id).ToArray(), elapsed);
        })));

        output.WriteLine($"{hosts} clients served in {clock.Elapsed.TotalMilliseconds:0} ms; slowest at {served.Max(s => s.elapsed).TotalMilliseconds:0} ms");
        Assert.All(served, s =>
        {
            Assert.Equal(((ulong)version, true), (s.Version, s.Full));
            Assert.Equal(["eni-" + s.Name], s.Enis);
        });
    }

    private static string HostName(int i) => string.Create(CultureInfo.InvariantCulture, $"host-{i:0000}");

    /// <summary>1,000 hosts, 100 VPCs of 10 ENIs, one ENI on each host.</summary>
    private static string ThousandHostRegion(int hosts)
    {
        var json = new StringBuilder("{\"hosts\":[");
        json.AppendJoin(',', Enumerable.Range(0, hosts).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"{{\"name\":\"{HostName(i)}\",\"underlayIp\":\"10.128.{i / 250}.{i % 250 + 1}\"}}")));
        json.Append("],\"vpcs\":[");
        json.AppendJoin(',', Enumerable.Range(0, hosts / 10).Select(v => string.Create(CultureInfo.InvariantCulture,
            $$"""
            {"id":"vpc-{{v:0000}}","cidr":"10.0.0.0/16","vni":{{2000 + v}},
             "subnets":[{"id":"subnet-{{v:0000}}","cidr":"10.0.1.0/24","routeTable":"rtb-{{v:0000}}"}],
             "routeTables":[{"id":"rtb-{{v:0000}}","routes":[]}],
             "securityGroups":[],
             "enis":[{{string.Join(',', Enumerable.Range(v * 10, 10).Select(i =>
                 $"{{\"id\":\"eni-{HostName(i)}\",\"subnet\":\"subnet-{v:0000}\",\"ip\":\"10.0.1.{i % 10 + 10}\",\"mac\":\"02:00:00:00:{i / 256:x2}:{i % 256:x2}\",\"host\":\"{HostName(i)}\",\"securityGroups\":[]}}"))}}]}
            """)));
        json.Append("]}");
        return json.ToString();
    }

    public void Dispose() => _dir.Dispose();
}
