using System.CommandLine;
using System.Diagnostics;
using NitroCard.Card;
using NitroCard.Card.Punt;
using NitroCard.Firmware;
using NitroCard.Mapping.Grpc;
using NitroCard.Simulation;

namespace NitroCard.Cli.Mapping;

/// <summary><c>nitroctl firmware run --host h --endpoint url --identity dir [--engine rtl|model]</c>.</summary>
internal static class FirmwareCommand
{
    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "This host's name.", Required = true }.MustBeResourceName();
        var identity = new Option<DirectoryInfo>("--identity") { Description = "The host identity directory (host.crt, host.key, ca.crt from `mapping issue-host-identity`).", Required = true };
        var engine = new Option<string>("--engine") { Description = "rtl (the Verilated card) or model.", DefaultValueFactory = _ => "rtl" };
        engine.AcceptOnlyFromAmong([.. CardEngines.Names]);
        var flowLogs = new Option<DirectoryInfo>("--flow-log-dir") { Description = "Where the flow logs covering this host's ENIs are written (a directory per flow log, a file per ENI).", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("out", "flow-logs")) };
        var run = new Command("run", "Run one host: its card, the firmware agent and the firmware's instance services (metadata, DNS, time, flow logs) as a live card host runs them, until SIGINT/SIGTERM.") { host, identity, engine, flowLogs };
        run.SetAction(async (parse, ct) =>
        {
            var endpoints = MappingOptions.RequireEndpoints(parse);
            var identityDir = parse.GetValue(identity)!.FullName;
            var hostName = parse.GetValue(host)!;
            using var logging = MappingOptions.StderrLogging();
            using var replicas = OpenReplicas(endpoints, identityDir);
            var engineName = parse.GetValue(engine)!;
            using var card = new CardThread(() => CardEngines.Create(engineName), $"card-{hostName}");
            var geometry = await card.InvokeAsync(c => c.Geometry).ConfigureAwait(false);
            var logger = logging.CreateLogger("NitroCard.Firmware");
            var agent = new FirmwareAgent(hostName, replicas, card, geometry, logger);
            // The instance services as a live card host runs them: punted frames answered, flow logs from the card's records.
            // The card's time base is this process's clock (µs since the card started), as a card host sets it.
            var cardClock = Stopwatch.StartNew();
            var cardEpoch = DateTimeOffset.UtcNow;
            var services = new InstanceServicesRuntime(answers => card.InvokeAsync(engine => Inject(engine, answers)), logger: logger);
            using var flowLogRuntime = new FlowLogRuntime(card, parse.GetValue(flowLogs)!.FullName, micros => cardEpoch + TimeSpan.FromMicroseconds((long)micros), 0, logger: logger);
            var first = true;
            agent.Applied += d =>
            {
                services.Follow(agent.Programmer);
                if (first)
                    Console.WriteLine($"{hostName}: card programmed at version {d.Version} ({engineName}); flow logs in {flowLogRuntime.LogRoot}");
                flowLogRuntime.FollowAsync(agent.Programmer).GetAwaiter().GetResult();
                first = false;
            };
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var background = new[]
            {
                services.RunAsync(stop.Token),
                flowLogRuntime.RunAsync(stop.Token),
                PumpPuntAsync(card, services, cardClock, stop.Token),
            };
            try
            {
                await agent.RunAsync(ct).ConfigureAwait(false);
            }
            catch (AgentRefusedException e)
            {
                throw new CliException($"host {hostName} refused by the Mapping Service: {e.Message}", e);
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(background).ConfigureAwait(false);
            }
            return 0;
        });
        return new Command("firmware", "The card firmware (the per-host agent).") { run };
    }

    private static int Inject(ICardEngine engine, IReadOnlyList<(int Slot, byte[] Frame)> answers)
    {
        if (engine is IPuntPath punt)
        {
            foreach (var (slot, frame) in answers)
                punt.Inject(slot, frame);
        }
        return answers.Count;
    }

    /// <summary>Keeps the card's time and hands what it punted to the services, every 50 ms (this host has no frame pump).</summary>
    private static async Task PumpPuntAsync(CardThread card, InstanceServicesRuntime services, Stopwatch clock, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var punted = await card.InvokeAsync(engine =>
                {
                    engine.SetTime((ulong)(clock.Elapsed.Ticks / 10));
                    engine.RunUntilIdle();
                    return engine is IPuntPath punt ? punt.DrainPunt() : [];
                }).ConfigureAwait(false);
                foreach (var frame in punted)
                    services.Post(frame);
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The replicas with this host's identity (read now, so a missing file fails before anything starts).</summary>
    private static MappingReplicas OpenReplicas(IReadOnlyList<Uri> endpoints, string identityDir)
    {
        try
        {
            return MappingReplicas.ForHost(endpoints, identityDir);
        }
        catch (FileNotFoundException e)
        {
            throw new CliException($"--identity: {e.Message}", e);
        }
    }
}
