using System.CommandLine;
using NitroCard.Edge;
using NitroCard.Region;
using NitroCard.Simulation;

namespace NitroCard.Cli.Simulate;

/// <summary>
/// <c>nitroctl simulate-region --topology region.json [--engine rtl|model] [--from port=file.pcap]... --out dir</c>:
/// every host's card, the Blackfoot edge and the substrate between them. Ports are ENI ids (what the instance sends),
/// <c>internet</c>, <c>services</c>, <c>vpn:&lt;id&gt;</c> and <c>dx:&lt;connection&gt;</c>. Everything is read and
/// checked before anything is written; inputs are read a record at a time, and outputs land in <c>--out</c> only when
/// the whole run succeeded (a staging directory beside it).
/// </summary>
internal static class SimulateRegionCommand
{
    public static Command Create()
    {
        var topology = new Option<FileInfo>("--topology") { Description = "Region file (JSON).", Required = true };
        var engine = new Option<string>("--engine") { Description = "Every host's card: rtl (Verilated) or model (software Virtual Router).", DefaultValueFactory = _ => "rtl" };
        engine.AcceptOnlyFromAmong([.. CardEngines.Names]);
        var from = new Option<string[]>("--from") { Description = "<port>=<file.pcap>: frames offered on a port (an ENI id, internet, services, vpn:<id>, dx:<connection>). Repeatable.", AllowMultipleArgumentsPerToken = false };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for <port>.pcap, substrate.pcap, alarms.jsonl, counters.json.", Required = true };

        var command = new Command("simulate-region", "Run pcaps through a whole region (every card, the edge, the substrate) and write what every port received.")
        {
            topology, engine, from, output,
        };
        command.SetAction(parse =>
        {
            var engineName = parse.GetValue(engine)!;
            var region = RegionLoader.Load(parse.GetValue(topology)!.FullName);
            var specs = ParseSpecs(parse.GetValue(from) ?? []);
            using var simulation = new RegionSimulation(region, () => CardEngines.Create(engineName));
            using var inputs = new PcapInputs<string>();
            foreach (var (port, file) in specs)
            {
                if (!simulation.Ports.Contains(port))
                    throw new CliException($"--from {port}: not a port of the region (ports: {string.Join(", ", simulation.Ports)})");
                inputs.Add(port, file);
            }
            if (!simulation.Filtering)
                Console.Error.WriteLine($"{engineName}: the cards have no filtering hardware: route tables, network ACLs and security groups are not enforced (a card without them cannot route to the edge: use --engine model)");

            var outDir = parse.GetValue(output)!.FullName;
            var framesIn = simulation.Run(inputs, outDir);
            var received = simulation.Received.Where(p => p.Value.Count > 0).Select(p => $"{p.Key} {p.Value.Count}");
            Console.WriteLine($"{engineName}: {framesIn} frames in; received: {string.Join(", ", received.DefaultIfEmpty("nothing"))}; substrate {simulation.Substrate.Count}; {simulation.Alarms.Count} alarms -> {outDir}");
            return 0;
        });
        return command;
    }

    private static List<(string Port, string File)> ParseSpecs(string[] specs)
    {
        var result = new List<(string, string)>();
        foreach (var spec in specs)
        {
            // A port may itself hold ':' (vpn:x), never '='; the file is everything after the first '='.
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == spec.Length - 1)
                throw new CliException($"--from '{spec}': expected <port>=<file.pcap> (ports: ENI ids, {EdgePorts.Internet}, {EdgePorts.Services}, {EdgePorts.VpnPrefix}<id>, {EdgePorts.DirectConnectPrefix}<connection>)");
            result.Add((spec[..eq], Path.GetFullPath(spec[(eq + 1)..])));
        }
        return result;
    }
}
