// nitroctl: the NitroCard command line. Results go to stdout, diagnostics to stderr; a
// failure exits non-zero with a message naming the file and field at fault.
using System.CommandLine;
using NitroCard.Cli;
using NitroCard.Cli.Mapping;
using NitroCard.Cli.Demo;
using NitroCard.Cli.Simulate;

var root = new RootCommand("NitroCard: a Verilated Nitro Card for VPC, its driver and its world.")
{
    SimulateCommand.Create(),
    SimulateRegionCommand.Create(),
    TablesCommand.Create(),
    DemoCommand.Create(),
    MappingCommand.Create(),
    FirmwareCommand.Create(),
    RegionCommand.Create(),
    RegionCommand.CreateCard(),
    RegionCommand.CreateDescribeVpnConnections(),
    FlowLogsCommand.Create(),
};
root.Options.Add(MappingOptions.Endpoint);
root.Options.Add(MappingOptions.CaDir);
foreach (var command in ApiCommands.Create())
    root.Subcommands.Add(command);
return await CliRunner.InvokeAsync(root, args);
