using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using NitroCard.Region;

namespace NitroCard.Cli.Live;

/// <summary><c>nitroctl region up|down</c> and <c>nitroctl card --host h ...</c>: a live region on this machine.</summary>
internal static class RegionCommand
{
    public static Command Create()
    {
        var topology = new Option<FileInfo>("--topology") { Description = "Region file (JSON).", Required = true };
        var engine = new Option<string>("--engine") { Description = "Card engine of the card hosts: rtl (Verilated) or model.", DefaultValueFactory = _ => "rtl" };
        engine.AcceptOnlyFromAmong(EngineFactory.Names);
        var up = new Command("up", "Start the region: one namespace per ENI (named by its id), cards, the substrate; 'region ready' when every instance is reachable; Ctrl-C tears it down.") { topology, engine };
        up.SetAction((parse, cancel) => GuardAsync(async () =>
        {
            var region = RegionLoader.Load(parse.GetValue(topology)!.FullName);
            using var live = await LiveRegion.UpAsync(region, parse.GetValue(engine)!, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            foreach (var card in live.Cards)
                await Console.Error.WriteLineAsync($"nitroctl region: {card.Host.Name}: {parse.GetValue(engine)} card, ENIs {string.Join(", ", card.Plan.Enis.Select(e => e.EniId))}; control socket {LiveState.SocketPath(card.Host.Name)}").ConfigureAwait(false);
            Console.Out.WriteLine("region ready");
            Console.Out.Flush();
            await LiveRegion.WaitForSignalAsync().ConfigureAwait(false);
            await Console.Error.WriteLineAsync("nitroctl region: stopping, tearing down").ConfigureAwait(false);
            return 0;
        }));
        var down = new Command("down", "Remove whatever a region run left behind (its process, namespaces, TAPs, control sockets).");
        down.SetAction((_, _) => GuardAsync(() =>
        {
            LiveRegion.CheckPrivileges();
            var removed = LiveState.TearDown(includeProcess: true);
            Console.WriteLine(removed.Count == 0 ? "nothing to remove" : string.Join('\n', removed.Select(r => "removed " + r)));
            return Task.FromResult(0);
        }));
        return new Command("region", "A live region on this machine: Linux instances in namespaces over Verilated cards.") { up, down };
    }

    public static Command CreateCard()
    {
        var host = new Option<string>("--host") { Description = "The card host of a running 'region up'.", Required = true };
        var command = new Command("card", "Inspect a running region's card, as ethtool -S and devlink inspect a NIC.") { host };
        host.Recursive = true;
        var file = new Argument<string>("file") { Description = "The FST waveform file." };
        var start = new Command("start", "Start an FST waveform of the card (rtl engine).") { file };
        start.SetAction(async (parse, _) => await AskAsync(parse.GetValue(host)!, $"trace start {Path.GetFullPath(parse.GetValue(file)!)}").ConfigureAwait(false));
        var stop = new Command("stop", "Stop the waveform.");
        stop.SetAction(async (parse, _) => await AskAsync(parse.GetValue(host)!, "trace stop").ConfigureAwait(false));
        foreach (var (name, description) in new[] { ("counters", "Per-ENI packet/byte and per-reason drop counters."), ("alarms", "Alarms the card raised since the region came up."), ("tables", "The tables the card is programmed with.") })
        {
            var sub = new Command(name, description);
            sub.SetAction(async (parse, _) => await AskAsync(parse.GetValue(host)!, name).ConfigureAwait(false));
            command.Subcommands.Add(sub);
        }
        command.Subcommands.Add(new Command("trace", "FST waveforms of the running card.") { start, stop });
        return command;
    }

    /// <summary>Async actions bypass CliRunner's handler: expected failures become one stderr line here.</summary>
    private static async Task<int> GuardAsync(Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is CliException or RegionException or NitroCard.Driver.NitroCardException or IOException or UnauthorizedAccessException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"nitroctl: {e.Message}").ConfigureAwait(false);
            return CliRunner.Failure;
        }
    }

    private static Task<int> AskAsync(string host, string request) => GuardAsync(() => AskCoreAsync(host, request));

    private static async Task<int> AskCoreAsync(string host, string request)
    {
        var path = LiveState.SocketPath(host);
        if (!File.Exists(path))
            throw new CliException($"no running card host '{host}' ({path} does not exist; is 'nitroctl region up' running, and is '{host}' a card host?)");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path)).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new CliException($"{path}: {e.Message}", e);
        }
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request + "\n")).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync().ConfigureAwait(false);
        if (answer.StartsWith(ControlServer.ErrorPrefix, StringComparison.Ordinal))
        {
            await Console.Error.WriteAsync("nitroctl: " + answer[ControlServer.ErrorPrefix.Length..]).ConfigureAwait(false);
            return CliRunner.Failure;
        }
        await Console.Out.WriteAsync(answer).ConfigureAwait(false);
        return 0;
    }
}
