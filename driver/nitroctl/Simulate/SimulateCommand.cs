using System.CommandLine;
using NitroCard.Driver.Simulation;
using NitroCard.Region;
using NitroCard.Simulation;

namespace NitroCard.Cli.Simulate;

/// <summary>
/// <c>nitroctl simulate --topology region.json --host h [--engine rtl|model]
/// [--from-eni eni=file.pcap]... [--from-network file.pcap] --out dir [--trace file.fst]</c>.
/// The region file, the arguments and every pcap's file header are checked before the run; outputs are written as
/// frames come out, into a staging directory that replaces the files in <c>--out</c> only when the whole run succeeded
/// (<see cref="CardSimulation.Run(NitroCard.Card.ICardEngine, HostCardPlan, IReadOnlyList{SimulationInput}, string, string?, Action{string}?)"/>).
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var topology = new Option<FileInfo>("--topology") { Description = "Region file (JSON).", Required = true };
        var host = new Option<string>("--host") { Description = "The host whose card runs.", Required = true };
        var engine = new Option<string>("--engine") { Description = "rtl (the Verilated card) or model (the software Virtual Router).", DefaultValueFactory = _ => "rtl" };
        engine.AcceptOnlyFromAmong([.. CardEngines.Names]);
        var fromEni = new Option<string[]>("--from-eni") { Description = "<eni-id>=<file.pcap>: frames that ENI sends. Repeatable.", AllowMultipleArgumentsPerToken = false };
        var fromNetwork = new Option<FileInfo?>("--from-network") { Description = "Frames arriving from the substrate (pcap)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for network.pcap, <eni-id>.pcap, alarms.jsonl, counters.json.", Required = true };
        var trace = new Option<FileInfo?>("--trace") { Description = "Write an FST waveform of the run (rtl engine only)." };

        var command = new Command("simulate", "Run pcaps through one host's card and write what it sent, delivered, counted and alarmed.")
        {
            topology, host, engine, fromEni, fromNetwork, output, trace,
        };
        command.SetAction(parse =>
        {
            var engineName = parse.GetValue(engine)!;
            var tracePath = parse.GetValue(trace)?.FullName;
            if (tracePath is not null && engineName != "rtl")
                throw new CliException("--trace needs --engine rtl: the model has no waveform");
            if (tracePath is not null)
                VerilatedCard.UseTracingLibrary();   // libnitrocard-trace.so: the default library has no tracing

            var topologyPath = parse.GetValue(topology)!.FullName;
            var region = RegionLoader.Load(topologyPath);
            using var card = CardEngines.Create(engineName);
            var plan = RegionCompiler.ForHost(region, parse.GetValue(host)!, card.Geometry);
            var inputs = ParseInputs(plan, parse.GetValue(fromEni) ?? [], parse.GetValue(fromNetwork));
            var outDir = parse.GetValue(output)!.FullName;
            var result = CardSimulation.Run(card, plan, inputs, outDir, tracePath, Console.Error.WriteLine);
            Console.WriteLine($"{card.Name}: {result.FramesIn} frames in, {result.Network} to the network, {result.Host} delivered, {result.Counters.Drops.Sum(d => (long)d)} dropped, {result.Alarms} alarms{(result.Cycles is { } c ? $", {c} cycles" : "")} -> {outDir}");
            return 0;
        });
        return command;
    }

    private static List<SimulationInput> ParseInputs(HostCardPlan plan, string[] fromEni, FileInfo? fromNetwork)
    {
        var inputs = new List<SimulationInput>();
        foreach (var spec in fromEni)
        {
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == spec.Length - 1)
                throw new CliException($"--from-eni '{spec}': expected <eni-id>=<file.pcap>");
            var eniId = spec[..eq];
            var eni = plan.Enis.FirstOrDefault(e => e.EniId == eniId)
                ?? throw new CliException($"--from-eni {eniId}: not an ENI on host {plan.HostName} (its ENIs: {string.Join(", ", plan.Enis.Select(e => e.EniId))})");
            inputs.Add(new SimulationInput(eniId, eni.Slot, Path.GetFullPath(spec[(eq + 1)..])));
        }
        if (fromNetwork is not null)
            inputs.Add(new SimulationInput("network", -1, fromNetwork.FullName));
        return inputs;
    }
}
