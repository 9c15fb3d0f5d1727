using System.CommandLine;
using NitroCard.Card;
using NitroCard.Region;

namespace NitroCard.Cli;

/// <summary><c>nitroctl tables --topology region.json --host h</c>: the tables that host's card gets.</summary>
internal static class TablesCommand
{
    public static Command Create()
    {
        var topology = new Option<FileInfo>("--topology") { Description = "Region file (JSON).", Required = true };
        var host = new Option<string>("--host") { Description = "The host whose card tables to print.", Required = true };
        var command = new Command("tables", "Print the tables a host's card is programmed with.") { topology, host };
        command.SetAction(parse =>
        {
            var region = RegionLoader.Load(parse.GetValue(topology)!.FullName);
            var plan = RegionCompiler.ForHost(region, parse.GetValue(host)!, CardGeometry.Default);
            Console.Write(plan.Describe());
            return 0;
        });
        return command;
    }
}
