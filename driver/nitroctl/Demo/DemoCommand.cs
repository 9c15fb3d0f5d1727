using System.CommandLine;
using NitroCard.Card;
using NitroCard.Live;
using NitroCard.Live.Demo;
using NitroCard.Driver.Simulation;
using NitroCard.Region;
using NitroCard.Simulation;

namespace NitroCard.Cli.Demo;

/// <summary>
/// <c>nitroctl demo</c>: the demo region (two VPCs with the same addresses, two card hosts, a kernel VXLAN host, the
/// edge) brought up live with real traffic (<see cref="LiveDemo"/>); without root or network namespaces it says so and
/// tells the same story through the whole-region simulation (<see cref="SimulatedDemo"/>).
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var engine = new Option<string>("--engine") { Description = "Card engine: rtl, model, or auto (rtl when the Verilated card has routing hardware, else model).", DefaultValueFactory = _ => "auto" };
        engine.AcceptOnlyFromAmong([.. CardEngines.Names, "auto"]);
        var output = new Option<DirectoryInfo>("--out") { Description = "Where the captures go.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("out", "demo")) };
        var simulated = new Option<bool>("--simulated") { Description = "Tell the story through the in-process region simulation even when a live region is possible." };
        var command = new Command("demo", "Bring up a small region, send real traffic through it and show what crossed, what was dropped and why.") { engine, output, simulated };
        command.SetAction(async (parse, _) =>
        {
            var region = LoadRegion();
            var outDir = parse.GetValue(output)!.FullName;
            var engineName = ChooseEngine(parse.GetValue(engine)!, out var why);
            string? liveUnavailable = null;
            try
            {
                LiveRegion.CheckPrivileges();
            }
            catch (LiveException e)
            {
                liveUnavailable = e.Message;
            }
            if (!parse.GetValue(simulated) && liveUnavailable is null)
            {
                Console.WriteLine($"engine: {engineName} ({why})");
                try
                {
                    var demo = new LiveDemo(region, engineName, () => CardEngines.Create(engineName), outDir, Console.Out);
                    return await demo.RunAsync().ConfigureAwait(false) ? 0 : CliRunner.Failure;
                }
                catch (Exception e) when (e is CliException or LiveException)
                {
                    await Console.Error.WriteLineAsync(CliRunner.Describe(e)).ConfigureAwait(false);
                    return CliRunner.Failure;
                }
            }
            Console.WriteLine(liveUnavailable is null
                ? "--simulated: running the story through the region simulation."
                : $"No live region here ({liveUnavailable}): running the same story through the region simulation (nitroctl simulate-region).");
            Console.WriteLine($"engine: {engineName} ({why})");
            new SimulatedDemo(region, engineName, outDir, Console.Out).Run();
            return 0;
        });
        return command;
    }

    /// <summary>The demo region (embedded; also in the repository as driver/nitroctl/Demo/demo-region.json).</summary>
    public static RegionTopology LoadRegion()
    {
        using var stream = typeof(DemoCommand).Assembly.GetManifestResourceStream("demo-region.json")
            ?? throw new InvalidOperationException("demo-region.json is not embedded");
        using var reader = new StreamReader(stream);
        return RegionLoader.LoadFromString(reader.ReadToEnd(), "demo-region.json");
    }

    /// <summary>rtl when asked, or on auto when the Verilated card has route tables (the edge needs them); else model.</summary>
    private static string ChooseEngine(string requested, out string why)
    {
        if (requested != "auto")
        {
            why = "asked for";
            return requested;
        }
        try
        {
            using var card = new RtlCardEngine();
            if (card.Geometry.Filtering is not null)
            {
                why = "the Verilated card has routing hardware";
                return "rtl";
            }
            why = "the Verilated card reports no filtering hardware yet (PARAM_FILTER = 0): without route tables it cannot reach the edge, so the cards run the model engine";
        }
        catch (Exception e) when (e is NitroCardException or DllNotFoundException)
        {
            why = $"the Verilated card cannot be loaded ({e.Message})";
        }
        return "model";
    }
}
