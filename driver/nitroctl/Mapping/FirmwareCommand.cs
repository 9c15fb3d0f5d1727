using System.CommandLine;
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
        var run = new Command("run", "Run one host: its card and the firmware agent, until SIGINT/SIGTERM.") { host, identity, engine };
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
            var agent = new FirmwareAgent(hostName, replicas, card, geometry, logging.CreateLogger("NitroCard.Firmware"));
            var first = true;
            agent.Applied += d =>
            {
                if (first)
                    Console.WriteLine($"{hostName}: card programmed at version {d.Version} ({engineName})");
                first = false;
            };
            try
            {
                await agent.RunAsync(ct).ConfigureAwait(false);
            }
            catch (AgentRefusedException e)
            {
                throw new CliException($"host {hostName} refused by the Mapping Service: {e.Message}", e);
            }
            return 0;
        });
        return new Command("firmware", "The card firmware (the per-host agent).") { run };
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
