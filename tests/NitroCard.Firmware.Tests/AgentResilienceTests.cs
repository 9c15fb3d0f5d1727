using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NitroCard.Card;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Hosting;
using NitroCard.Mapping.Security;
using NitroCard.Model;
using NitroCard.Region;

namespace NitroCard.Firmware.Tests;

/// <summary>
/// The agent survives what it cannot apply (alarm, full resync, convergence once the cause is gone) and backs off
/// between connection attempts: exponentially with jitter for outages, at the longest wait and with one clear log
/// line for a configuration error. Waits run on a <see cref="FakeTimeProvider"/>, so every attempt is one the test allowed.
/// </summary>
public sealed class AgentResilienceTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task A_push_the_card_cannot_apply_is_alarmed_and_resynced_and_the_host_converges_once_the_cause_is_gone()
    {
        await using var server = await MappingServer.StartAsync(new MappingServerOptions(_dir.File("region.db"), new IPEndPoint(IPAddress.Loopback, 0), _dir.File("ca")));
        var service = server.Service;
        await service.ApplyAsync(File.ReadAllText(Regions.ExamplePath));
        server.Ca.IssueHost("host-a", _dir.File("id-a"));
        using var channel = MappingChannel.ForHost(server.Endpoint, _dir.File("id-a"));
        var recording = new RecordingEngine(new ModelCard(CardGeometry.Default));
        using var card = new CardThread(() => recording);
        var logger = new FakeLogger();
        var agent = new FirmwareAgent("host-a", server.Endpoint, () => new RegionMapping.RegionMappingClient(channel), card, CardGeometry.Default, logger)
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(20),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        };
        var retries = new List<AgentRetry>();
        agent.Retrying += r =>
        {
            lock (retries)
                retries.Add(r);
        };
        using var cts = new CancellationTokenSource();
        var run = agent.RunAsync(cts.Token);
        try
        {
            await Wait.Until(() => agent.Version == service.Version);

            // The card refuses the next update (as a full card did with "no free ENI slot").
            recording.FailCommits = "the card refused the update";
            await service.CreateNetworkInterfaceAsync(new("subnet-b", "host-a", PrivateIpAddress: "10.0.2.30", NetworkInterfaceId: "eni-a3"));
            await Wait.Until(() => service.Alarms.Any(a => a.Reason == "apply-failed"), message: () => string.Join("; ", logger.Collector.GetSnapshot().Select(r => r.Message)));
            var alarm = service.Alarms.First(a => a.Reason == "apply-failed");
            Assert.Equal(("firmware", "host-a"), (alarm.Kind, alarm.Host));
            Assert.Contains("the card refused the update", alarm.Message, StringComparison.Ordinal);
            Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 105 && r.Message.Contains("resyncing in full", StringComparison.Ordinal));
            Assert.False(run.IsCompleted, "the agent is still running");
            Assert.NotEqual(service.Version, agent.Version);
            lock (retries)
                Assert.Contains(retries, r => r.Kind == AgentRetryKind.ApplyFailed);

            // The cause goes away: the next resync brings the host to the service's version and plan.
            recording.FailCommits = null;
            await Wait.Until(() => agent.Version == service.Version);
            PlanAssert.CardEqualsPlan(agent.Programmer, RegionCompiler.ForHost(service.Topology, "host-a"));
        }
        finally
        {
            await cts.CancelAsync();
            await run;
        }
    }

    [Fact]
    public void The_backoff_doubles_with_jitter_up_to_its_cap_and_starts_over_after_a_success()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), new Random(7));
        var waits = Enumerable.Range(0, 8).Select(_ => backoff.Next()).ToList();
        double[] ceilings = [200, 400, 800, 1600, 3200, 5000, 5000, 5000];
        for (var i = 0; i < waits.Count; i++)
            Assert.InRange(waits[i].TotalMilliseconds, ceilings[i] / 2, ceilings[i]);
        Assert.True(waits.Distinct().Count() > 4, "the jitter spreads the waits");
        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, 100, 200);
        Assert.InRange(backoff.AtMax().TotalMilliseconds, 2500, 5000);
    }

    [Fact]
    public async Task An_unreachable_service_is_retried_with_growing_waits_only_when_time_passes()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now: every attempt fails at once
        var endpoint = new Uri($"https://127.0.0.1:{port}");
        using var ca = RegionCa.OpenOrCreate(_dir.File("ca"));
        ca.IssueHost("host-a", _dir.File("id-a"));
        using var channel = MappingChannel.ForHost(endpoint, _dir.File("id-a"));
        var time = new FakeTimeProvider();
        var attempts = 0;
        var agent = new FirmwareAgent("host-a", endpoint, () =>
        {
            Interlocked.Increment(ref attempts);
            return new RegionMapping.RegionMappingClient(channel);
        }, null, CardGeometry.Default)
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(200),
            MaxReconnectDelay = TimeSpan.FromSeconds(2),
            Time = time,
            Jitter = new Random(1),
        };
        var retries = Channel.CreateUnbounded<AgentRetry>();
        agent.Retrying += r => retries.Writer.TryWrite(r);
        using var cts = new CancellationTokenSource();
        var run = agent.RunAsync(cts.Token);
        double[] ceilings = [200, 400, 800, 1600, 2000, 2000];
        for (var i = 0; i < ceilings.Length; i++)
        {
            var retry = await retries.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(AgentRetryKind.Disconnected, retry.Kind);
            Assert.InRange(retry.Delay.TotalMilliseconds, ceilings[i] / 2, ceilings[i]);
            // The agent waits on the clock: the attempt after this one starts only when the wait has passed.
            Assert.Equal(i + 1, Volatile.Read(ref attempts));
            time.Advance(retry.Delay);
        }
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_rejected_server_certificate_is_reported_once_as_a_configuration_error_and_retried_at_the_longest_wait()
    {
        await using var server = await MappingServer.StartAsync(new MappingServerOptions(_dir.File("region.db"), new IPEndPoint(IPAddress.Loopback, 0), _dir.File("ca")));
        // The host's identity comes from another region's CA: the service's certificate is not one it trusts.
        using var other = RegionCa.OpenOrCreate(_dir.File("other-ca"));
        other.IssueHost("host-a", _dir.File("id-other"));
        using var channel = MappingChannel.ForHost(server.Endpoint, _dir.File("id-other"));
        var time = new FakeTimeProvider();
        var logger = new FakeLogger();
        var agent = new FirmwareAgent("host-a", server.Endpoint, () => new RegionMapping.RegionMappingClient(channel), null, CardGeometry.Default, logger)
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(200),
            MaxReconnectDelay = TimeSpan.FromSeconds(30),
            Time = time,
        };
        var retries = Channel.CreateUnbounded<AgentRetry>();
        agent.Retrying += r => retries.Writer.TryWrite(r);
        using var cts = new CancellationTokenSource();
        var run = agent.RunAsync(cts.Token);
        for (var i = 0; i < 3; i++)
        {
            var retry = await retries.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(AgentRetryKind.ConfigurationError, retry.Kind);
            Assert.InRange(retry.Delay.TotalSeconds, 15, 30);
            time.Advance(retry.Delay);
        }
        await cts.CancelAsync();
        await run;
        var errors = logger.Collector.GetSnapshot().Where(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Error).ToList();
        var error = Assert.Single(errors);
        Assert.Contains("configuration error", error.Message, StringComparison.Ordinal);
        Assert.Contains("ca.crt", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 103); // not reported as an outage
    }

    public void Dispose() => _dir.Dispose();
}
