using System.Net;
using NitroCard.Card;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Hosting;
using NitroCard.Model;
using NitroCard.Region;

namespace NitroCard.Firmware.Tests;

/// <summary>
/// An agent that stops while the region changes loses nothing: on restart it resumes from its last
/// acknowledged version, or (when the service no longer has those versions) gets a full snapshot that it
/// applies as the difference from what its card holds; either way the card ends equal to
/// <see cref="RegionCompiler.ForHost"/>.
/// </summary>
public sealed class AgentRestartTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_agent_restarted_after_missed_updates_ends_equal_to_the_plan(bool logOverrun)
    {
        await using var server = await MappingServer.StartAsync(new MappingServerOptions(_dir.File("region.db"), new IPEndPoint(IPAddress.Loopback, 0), _dir.File("ca")));
        var service = server.Service;
        if (logOverrun)
            service.Hub.LogCapacity = 2;
        await service.ApplyAsync(File.ReadAllText(Regions.ExamplePath));
        server.Ca.IssueHost("host-a", _dir.File("id-a"));
        using var channel = MappingChannel.ForHost(server.Endpoint, _dir.File("id-a"));
        using var card = new CardThread(() => new RecordingEngine(new ModelCard(CardGeometry.Default)));
        var agent = new FirmwareAgent("host-a", server.Endpoint, () => new RegionMapping.RegionMappingClient(channel), card, CardGeometry.Default)
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
        };
        var applied = new List<HostDelta>();
        agent.Applied += d =>
        {
            lock (applied)
                applied.Add(d);
        };

        using (var first = new CancellationTokenSource())
        {
            var run = agent.RunAsync(first.Token);
            await Wait.Until(() => agent.Version == service.Version);
            await first.CancelAsync();
            await run;
        }
        PlanAssert.CardEqualsPlan(agent.Programmer, RegionCompiler.ForHost(service.Topology, "host-a"));
        var before = await card.InvokeAsync(c => ((RecordingEngine)c).Count("set-mapping"));

        // While the agent is down: an ENI arrives on host-a, one of host-a's moves away, one moves in,
        // a remote one changes host, one is deleted.
        await service.CreateNetworkInterfaceAsync(new("subnet-b", "host-a", PrivateIpAddress: "10.0.2.30", NetworkInterfaceId: "eni-a3"));
        await service.MoveNetworkInterfaceAsync(new("eni-a1", "host-b"));
        await service.MoveNetworkInterfaceAsync(new("eni-b2", "host-a"));
        await service.CreateNetworkInterfaceAsync(new("subnet-a", "host-b", PrivateIpAddress: "10.0.1.40", NetworkInterfaceId: "eni-a4"));
        await service.DeleteNetworkInterfaceAsync(new("eni-a2"));
        lock (applied)
            applied.Clear();

        using (var second = new CancellationTokenSource())
        {
            var run = agent.RunAsync(second.Token);
            await Wait.Until(() => agent.Version == service.Version, message: () => $"agent {agent.Version}, service {service.Version}");
            await second.CancelAsync();
            await run;
        }
        var plan = RegionCompiler.ForHost(service.Topology, "host-a");
        PlanAssert.CardEqualsPlan(agent.Programmer, plan);
        List<HostDelta> got;
        lock (applied)
            got = [.. applied];
        Assert.Equal(logOverrun, got.Any(d => d.Full));
        if (logOverrun)
        {
            // Applied as a difference: only the mappings that changed were written, not all of them again.
            var written = await card.InvokeAsync(c => ((RecordingEngine)c).Count("set-mapping")) - before;
            Assert.InRange(written, 1, plan.Mappings.Length - 1);
        }
        var model = await card.InvokeAsync(c => ((RecordingEngine)c).Calls.Count);
        Assert.True(model > 0);
    }

    public void Dispose() => _dir.Dispose();
}
