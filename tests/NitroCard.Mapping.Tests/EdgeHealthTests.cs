using System.Net;
using Microsoft.Extensions.Time.Testing;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.Edges;
using NitroCard.Mapping.Storage;

namespace NitroCard.Mapping.Tests;

/// <summary>
/// Edge health (docs/card-edges.md): heartbeats keep an edge in the cards' set, missed ones take it out within the
/// configured bound as a versioned change every host receives, a heartbeat puts it back; with one edge nothing is
/// committed (the cards' set is empty either way). Time is a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class EdgeHealthTests : IDisposable
{
    private static readonly string ExamplePath = Path.Combine(AppContext.BaseDirectory, "regions", "docs-example.json");
    private static readonly EdgeHealthOptions Options = new(TimeSpan.FromSeconds(1), 3);
    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    /// <summary>The docs example with three edges.</summary>
    private static string ThreeEdges() => File.ReadAllText(ExamplePath).Replace(
        "{ \"name\": \"blackfoot-1\", \"underlayIp\": \"192.0.2.250\" }",
        "{ \"name\": \"blackfoot-1\", \"underlayIp\": \"192.0.2.250\" }, { \"name\": \"blackfoot-2\", \"underlayIp\": \"192.0.2.251\" }, { \"name\": \"blackfoot-3\", \"underlayIp\": \"192.0.2.252\" }",
        StringComparison.Ordinal);

    private async Task<MappingService> OpenAsync(string region, bool reopen = false)
    {
        var service = await MappingService.OpenAsync(await SqliteRegionStore.OpenAsync(_dir.File("region.db")), new MappingServiceOptions { EdgeHealth = Options }, time: _time);
        if (!reopen)
            await service.ApplyAsync(region, "region.json");
        return service;
    }

    /// <summary>Moves time on by <paramref name="seconds"/>, heartbeating <paramref name="alive"/> every second (as their edges would).</summary>
    private async Task RunAsync(MappingService service, int seconds, params string[] alive)
    {
        for (var s = 0; s < seconds; s++)
        {
            foreach (var edge in alive)
                await service.EdgeHeartbeatAsync(edge);
            _time.Advance(TimeSpan.FromSeconds(1));
            await service.CheckEdgeHealthAsync();
        }
    }

    private static IPAddress[] SetOf(MappingService service, string host)
    {
        lock (service.Sync)
            return [.. DeltaBuilder.Snapshot(service.StateUnsafe, host, 0).EdgeSet!.Value];
    }

    private static IPAddress Ip(string text) => IPAddress.Parse(text);

    [Fact]
    public async Task A_dead_edge_leaves_every_host_s_set_within_the_bound_and_a_heartbeat_puts_it_back()
    {
        await using var service = await OpenAsync(ThreeEdges());
        Assert.Equal([Ip("192.0.2.250"), Ip("192.0.2.251"), Ip("192.0.2.252")], SetOf(service, "host-a"));

        // All three heartbeat: nothing changes, however long.
        var version = service.Version;
        await RunAsync(service, 10, "blackfoot-1", "blackfoot-2", "blackfoot-3");
        Assert.Equal(version, service.Version);

        // blackfoot-2 stops: healthy for 3 s (3 missed heartbeats of 1 s), out at the first check after.
        var deltas = new List<HostDelta>();
        using var cts = new CancellationTokenSource();
        var session = service.Hub.Connect("host-b", version);
        var pump = session.PumpAsync(d =>
        {
            lock (deltas)
                deltas.Add(d);
            session.Ack(d.Version);
            return Task.CompletedTask;
        }, cts.Token);
        // Its last heartbeat was 1 s ago: 2 s more make 3 s, still healthy; the next second it is out.
        await RunAsync(service, 2, "blackfoot-1", "blackfoot-3");
        Assert.Equal(version, service.Version);
        Assert.True(service.DescribeEdges().Single(e => e.Name == "blackfoot-2").Healthy);
        await RunAsync(service, 1, "blackfoot-1", "blackfoot-3");
        Assert.Equal(version + 1, service.Version);
        Assert.Equal(["blackfoot-2"], service.Topology.UnhealthyEdges.ToArray());
        foreach (var host in new[] { "host-a", "host-b" })
            Assert.Equal([Ip("192.0.2.250"), Ip("192.0.2.252")], SetOf(service, host));
        var edges = service.DescribeEdges();
        Assert.Equal([true, false, true], edges.Select(e => e.Healthy));
        Assert.Equal([true, false, true], edges.Select(e => e.InEdgeSet));
        Assert.True(edges[1].SinceHeartbeat > Options.Timeout);

        // The subscribed host got the new version, with the new set.
        await Wait.Until(() => { lock (deltas) return deltas.Any(d => d.Version == version + 1); });
        HostDelta pushed;
        lock (deltas)
            pushed = deltas.Single(d => d.Version == version + 1);
        Assert.Equal([Ip("192.0.2.250"), Ip("192.0.2.252")], pushed.EdgeSet!.Value.ToArray());

        // Its heartbeat puts it back at once (a new version), and only one change is made for it.
        await service.EdgeHeartbeatAsync("blackfoot-2");
        Assert.Equal(version + 2, service.Version);
        Assert.Empty(service.Topology.UnhealthyEdges);
        Assert.Equal([Ip("192.0.2.250"), Ip("192.0.2.251"), Ip("192.0.2.252")], SetOf(service, "host-a"));
        await RunAsync(service, 5, "blackfoot-1", "blackfoot-2", "blackfoot-3");
        Assert.Equal(version + 2, service.Version);
        await cts.CancelAsync();
        try
        {
            await pump;
        }
        catch (OperationCanceledException)
        {
            // the pump ends with the token
        }
    }

    [Fact]
    public async Task Health_survives_a_restart_and_an_apply_and_a_new_service_gives_every_edge_one_timeout()
    {
        await using (var service = await OpenAsync(ThreeEdges()))
        {
            await RunAsync(service, 4, "blackfoot-1", "blackfoot-2");
            Assert.Equal(["blackfoot-3"], service.Topology.UnhealthyEdges.ToArray());
            // Applying the file again keeps the service's health state (it is not the file's).
            await service.ApplyAsync(ThreeEdges(), "region.json");
            Assert.Equal(["blackfoot-3"], service.Topology.UnhealthyEdges.ToArray());
        }
        await using var reopened = await OpenAsync(ThreeEdges(), reopen: true);
        Assert.Equal(["blackfoot-3"], reopened.Topology.UnhealthyEdges.ToArray());
        Assert.Equal([Ip("192.0.2.250"), Ip("192.0.2.251")], SetOf(reopened, "host-a"));
        // The new service has heard nobody: a healthy edge keeps one timeout of grace, then goes if silent; the dead one
        // stays out all along (it never came back into the set).
        var version = reopened.Version;
        await RunAsync(reopened, 3, "blackfoot-1");
        Assert.Equal(version, reopened.Version);
        Assert.False(reopened.DescribeEdges()[2].InEdgeSet);
        await RunAsync(reopened, 1, "blackfoot-1");
        Assert.Equal(version + 1, reopened.Version);
        Assert.Equal(["blackfoot-2", "blackfoot-3"], reopened.Topology.UnhealthyEdges.ToArray());
        Assert.Equal([Ip("192.0.2.250")], SetOf(reopened, "host-a"));
    }

    [Fact]
    public async Task With_one_edge_health_is_shown_but_nothing_is_committed()
    {
        await using var service = await OpenAsync(File.ReadAllText(ExamplePath));
        var version = service.Version;
        await RunAsync(service, 10);
        Assert.Equal(version, service.Version);
        Assert.Empty(SetOf(service, "host-a"));
        var edge = Assert.Single(service.DescribeEdges());
        Assert.False(edge.Healthy);
        Assert.Null(edge.SinceHeartbeat);
        Assert.True(edge.InEdgeSet);
    }

    [Fact]
    public async Task A_heartbeat_of_an_unknown_edge_is_refused()
    {
        await using var service = await OpenAsync(ThreeEdges());
        var e = await Assert.ThrowsAsync<MappingApiException>(() => service.EdgeHeartbeatAsync("blackfoot-9"));
        Assert.Equal(ErrorCodes.InvalidParameterValue, e.Code);
        Assert.Contains("blackfoot-9", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<MappingApiException>(() => service.EdgeHeartbeatAsync(""));
    }
}
