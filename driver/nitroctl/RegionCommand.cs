using System.CommandLine;
using NitroCard.Driver.Simulation;
using Grpc.Core;
using NitroCard.Live;
using NitroCard.Live.Control;
using NitroCard.Region;
using NitroCard.Simulation;

namespace NitroCard.Cli;

/// <summary><c>nitroctl region up|down</c> and <c>nitroctl card --host h ...</c>: a live region on this machine.</summary>
internal static class RegionCommand
{
    public static Command Create()
    {
        var topology = new Option<FileInfo>("--topology") { Description = "Region file (JSON).", Required = true };
        var engine = new Option<string>("--engine") { Description = "Card engine of the card hosts: rtl (Verilated) or model.", DefaultValueFactory = _ => "rtl" };
        engine.AcceptOnlyFromAmong([.. CardEngines.Names]);
        var store = new Option<string?>("--store") { Description = "The Mapping Service's store: etcd (start a three-member etcd cluster on loopback, data in the run directory) or etcd://host:port[,host:port...] (default: the embedded SQLite store in the run directory)." };
        var replicas = new Option<int>("--replicas") { Description = "Mapping Service replicas over the etcd store, one of them the leader (default 1); the hosts' agents and the edge know them all.", DefaultValueFactory = _ => 1 };
        var captures = new Option<DirectoryInfo?>("--captures") { Description = "Write a pcap per edge outside port (internet, services, vpn:*, dx:*) into this directory." };
        var substrateFaults = new Option<string?>("--substrate-faults") { Description = $"Faults each card host's pump puts on its substrate link, each direction on its own, seeded: {SubstrateFaults.Syntax}." };
        var up = new Command("up", "Start the region: the Mapping Service, one namespace per ENI (named by its id), cards programmed by their firmware, kernel VXLAN hosts, the edge and the outside namespaces, the substrate; 'region ready' when every instance is reachable; Ctrl-C tears it down.")
        {
            topology, engine, store, replicas, captures, substrateFaults,
        };
        up.SetAction((parse, cancel) => GuardAsync(async () =>
        {
            var file = parse.GetValue(topology)!.FullName;
            var region = RegionLoader.Load(file);
            LiveRegion.CheckRegion(region, file);
            var storeValue = parse.GetValue(store);
            if (storeValue is not null && storeValue != LiveRegionOptions.LocalEtcd && !storeValue.StartsWith("etcd://", StringComparison.OrdinalIgnoreCase))
                throw new CliException($"--store '{storeValue}': expected etcd or etcd://host:port (the embedded store needs no option)");
            var replicaCount = parse.GetValue(replicas);
            if (replicaCount is < 1 or > 9)
                throw new CliException($"--replicas {replicaCount}: expected 1 to 9");
            if (replicaCount > 1 && storeValue is null)
                throw new CliException($"--replicas {replicaCount}: replicas need an etcd store (--store etcd or etcd://...); one process owns the embedded SQLite store");
            SubstrateFaults? faults = null;
            if (parse.GetValue(substrateFaults) is { } faultText)
            {
                try
                {
                    faults = SubstrateFaults.Parse(faultText);
                }
                catch (FormatException e)
                {
                    throw new CliException($"--substrate-faults '{faultText}': {e.Message}");
                }
            }
            var engineName = parse.GetValue(engine)!;
            // `nitroctl card trace start` may come at any time: a live region's cards run on the traced library when it is built.
            if (engineName == "rtl")
                VerilatedCard.UseTracingLibraryIfBuilt();
            var options = new LiveRegionOptions(engineName, () => CardEngines.Create(engineName), storeValue, parse.GetValue(captures)?.FullName, TimeSpan.FromSeconds(60))
            {
                Replicas = replicaCount,
                SubstrateFaults = faults,
                HelperProgram = Environment.ProcessPath,
            };
            var live = await LiveRegion.UpAsync(region, options).ConfigureAwait(false);
            await using (live.ConfigureAwait(false))
            {
                await Console.Error.WriteLineAsync($"nitroctl region: mapping service {live.Endpoint} (store {live.StoreDescription}); operator identity in {LiveState.CaDirectory}").ConfigureAwait(false);
                foreach (var replica in live.Endpoints.Skip(1))
                    await Console.Error.WriteLineAsync($"nitroctl region: mapping service replica {replica}; every replica in {LiveState.EndpointPath}").ConfigureAwait(false);
                foreach (var card in live.Cards)
                {
                    var filtering = card.Geometry.Filtering is null ? "no filtering hardware: route tables, ACLs and security groups not enforced, non-local routes not taken" : "filtering";
                    await Console.Error.WriteLineAsync($"nitroctl region: {card.Host.Name}: {card.EngineName} card ({filtering}); control socket {LiveState.SocketPath(card.Host.Name)}").ConfigureAwait(false);
                }
                if (faults is { IsNone: false })
                    await Console.Error.WriteLineAsync($"nitroctl region: substrate faults on every card host's link, each direction: {faults}").ConfigureAwait(false);
                foreach (var kernel in live.KernelHosts)
                    await Console.Error.WriteLineAsync($"nitroctl region: {kernel.Host.Name}: linux-vxlan in {KernelVxlanHost.NamespaceOf(kernel.Host)}").ConfigureAwait(false);
                if (live.Edge is { } edge)
                    await Console.Error.WriteLineAsync($"nitroctl region: edge {edge.Name}: namespaces {string.Join(", ", LiveEdge.Namespaces(region))}; control socket {LiveState.SocketPath(edge.Name)}").ConfigureAwait(false);
                foreach (var other in live.OtherEdges)
                    await Console.Error.WriteLineAsync($"nitroctl region: edge {other}: its own process (internet and services); control socket {LiveState.SocketPath(other)}").ConfigureAwait(false);
                Console.Out.WriteLine("region ready");
                Console.Out.Flush();
                var signal = await LiveRegion.WaitForSignalAsync().ConfigureAwait(false);
                await Console.Error.WriteLineAsync($"nitroctl region: {signal}: stopping, tearing down").ConfigureAwait(false);
            }
            return 0;
        }));
        var down = new Command("down", "Remove whatever a region run left behind (its process, namespaces, TAPs, control sockets).");
        down.SetAction((_, _) => GuardAsync(() =>
        {
            LiveRegion.CheckPrivileges();
            var (removed, leftAlone) = LiveState.TearDown(includeProcess: true);
            foreach (var note in leftAlone)
                Console.Error.WriteLine($"nitroctl region down: left alone: {note}");
            Console.WriteLine(removed.Count == 0 ? "nothing to remove" : string.Join('\n', removed.Select(r => "removed " + r)));
            return Task.FromResult(0);
        }));
        var edgeName = new Option<string>("--name") { Description = "The edge's name in the running region.", Required = true }.MustBeResourceName();
        var edge = new Command("edge", "Run an edge of the running region other than its first (what 'region up' starts for each; not for users).") { edgeName };
        edge.Hidden = true;
        edge.SetAction((parse, _) => GuardAsync(async () =>
        {
            await LiveEdgeProcess.RunAsync(parse.GetValue(edgeName)!).ConfigureAwait(false);
            return 0;
        }));
        return new Command("region", "A live region on this machine: Linux instances in namespaces over Verilated cards.") { up, down, edge };
    }

    public static Command CreateCard()
    {
        var host = new Option<string>("--host") { Description = "The card host of a running 'region up'.", Required = true }.MustBeResourceName();
        var command = new Command("card", "Inspect a running region's card, as ethtool -S and devlink inspect a NIC (the edge, by its name, answers counters and alarms).") { host };
        host.Recursive = true;
        var file = new Argument<string>("file") { Description = "The FST waveform file." };
        var start = new Command("start", "Start an FST waveform of the card (rtl engine).") { file };
        start.SetAction(async (parse, _) => await AskAsync(parse.GetValue(host)!, async node =>
            ControlText.Trace(await node.StartTraceAsync(new StartTraceRequest { File = Path.GetFullPath(parse.GetValue(file)!) }))).ConfigureAwait(false));
        var stop = new Command("stop", "Stop the waveform.");
        stop.SetAction(async (parse, _) => await AskAsync(parse.GetValue(host)!, async node => ControlText.Trace(await node.StopTraceAsync(new StopTraceRequest()))).ConfigureAwait(false));
        var requests = new (string Name, string Description, Func<NodeControl.NodeControlClient, Task<string>> Ask)[]
        {
            ("counters", "Per-ENI packet/byte and per-reason drop counters.", async node => ControlText.Counters(await node.CountersAsync(new CountersRequest()))),
            ("alarms", "Alarms the card raised since the region came up.", async node => ControlText.Alarms(await node.AlarmsAsync(new AlarmsRequest()))),
            ("tables", "The tables the card is programmed with.", async node => ControlText.Tables(await node.TablesAsync(new TablesRequest()))),
        };
        foreach (var (name, description, ask) in requests)
        {
            var sub = new Command(name, description);
            sub.SetAction(async (parse, _) => await AskAsync(parse.GetValue(host)!, ask).ConfigureAwait(false));
            command.Subcommands.Add(sub);
        }
        command.Subcommands.Add(new Command("trace", "FST waveforms of the running card.") { start, stop });
        return command;
    }

    /// <summary><c>nitroctl describe-vpn-connections --edge NAME</c>: the edge's IKE-keyed VPN connections, tunnel by tunnel.</summary>
    public static Command CreateDescribeVpnConnections()
    {
        var edge = new Option<string>("--edge") { Description = "The edge of a running 'region up' (its name in the region file).", Required = true }.MustBeResourceName();
        var command = new Command("describe-vpn-connections",
            "A running region's VPN connections as AWS's VGW telemetry shows them: per tunnel UP/DOWN, IKE and child SAs with the negotiated proposals, ESP in UDP, last rekey, BGP state and prefixes received.") { edge };
        command.SetAction(async (parse, _) => await AskAsync(parse.GetValue(edge)!, async node =>
            ControlText.VpnConnections(await node.VpnConnectionsAsync(new VpnConnectionsRequest()))).ConfigureAwait(false));
        return command;
    }

    /// <summary>Async actions bypass CliRunner's handler: expected failures become one stderr line here.</summary>
    private static async Task<int> GuardAsync(Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is CliException or LiveException or RegionException or NitroCard.Card.NitroCardException or IOException or UnauthorizedAccessException or TimeoutException or NitroCard.Firmware.AgentRefusedException or NitroCard.Mapping.Api.MappingApiException or ArgumentException)
        {
            var line = e is RegionException { Errors.IsDefaultOrEmpty: false } ? CliRunner.Describe(e) : "nitroctl: " + TerminalText.Escape(e.Message);
            await Console.Error.WriteLineAsync(line).ConfigureAwait(false);
            return CliRunner.Failure;
        }
    }

    /// <summary>Asks a node of the running region over its control socket and prints the answer (a refusal: one stderr line).</summary>
    private static Task<int> AskAsync(string node, Func<NodeControl.NodeControlClient, Task<string>> ask) => GuardAsync(() => AskCoreAsync(node, ask));

    private static async Task<int> AskCoreAsync(string node, Func<NodeControl.NodeControlClient, Task<string>> ask)
    {
        var path = LiveState.SocketPath(node);
        if (!File.Exists(path))
            throw new CliException($"no running card host '{node}' ({path} does not exist; is 'nitroctl region up' running, and is '{node}' a card host?)");
        using var client = ControlClient.Connect(path);
        string answer;
        try
        {
            answer = await ask(client.Node).ConfigureAwait(false);
        }
        catch (RpcException e) when (ControlClient.ConnectFailure(e) is { } socket)
        {
            throw new CliException($"{path}: {socket.Message}", e);
        }
        catch (RpcException e)
        {
            await Console.Error.WriteLineAsync("nitroctl: " + TerminalText.Escape(e.Status.Detail)).ConfigureAwait(false);
            return CliRunner.Failure;
        }
        await Console.Out.WriteAsync(answer).ConfigureAwait(false);
        return 0;
    }
}
