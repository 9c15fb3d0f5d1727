using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NitroCard.Firmware;
using NitroCard.InstanceServices.FlowLogs;
using NitroCard.Live;
using NitroCard.Region;

namespace NitroCard.Cli;

/// <summary>
/// <c>nitroctl describe-flow-logs [--flow-log ID [--eni ID] [--action ACCEPT|REJECT]]</c>: the flow logs the cards' firmware
/// writes, read from their log directories (docs/live-region.md): the files are the flow logs' destination, readable by
/// any user of the machine while the region runs and after it is down, so the command needs no running node.
/// </summary>
internal static class FlowLogsCommand
{
    private static readonly string[] ListHeader = ["FLOW-LOG-ID", "RESOURCE", "TRAFFIC-TYPE", "INTERVAL", "DESTINATION"];

    public static Command Create()
    {
        var flowLog = new Option<string?>("--flow-log") { Description = "Print this flow log's records (version-2 lines) instead of listing the flow logs." };
        var eni = new Option<string?>("--eni") { Description = "With --flow-log: only this network interface's records (its log stream)." };
        var action = new Option<string?>("--action") { Description = "With --flow-log: only ACCEPT or REJECT records (NODATA and SKIPDATA records have no action)." };
        action.AcceptOnlyFromAmong("ACCEPT", "REJECT");
        var logDir = new Option<DirectoryInfo?>("--log-dir") { Description = $"Where the flow logs' directories are (default {LiveState.FlowLogRoot}, the live region's)." };
        var command = new Command("describe-flow-logs",
            "The region's VPC Flow Logs (id, resource, traffic type, aggregation interval, destination), or with --flow-log the records of one, in AWS's default format.")
        {
            flowLog, eni, action, logDir,
        };
        command.SetAction(parse =>
        {
            var root = parse.GetValue(logDir)?.FullName ?? LiveState.FlowLogRoot;
            if (parse.GetValue(flowLog) is not { } id)
            {
                if (parse.GetValue(eni) is not null || parse.GetValue(action) is not null)
                    throw new CliException("--eni and --action filter the records of one flow log: give --flow-log too");
                Console.Write(List(root));
                return 0;
            }
            foreach (var line in Records(root, id, parse.GetValue(eni), parse.GetValue(action)))
                Console.WriteLine(line);
            return 0;
        });
        return command;
    }

    /// <summary>One line per flow log under <paramref name="root"/>, in id order, after a header.</summary>
    public static string List(string root)
    {
        var rows = new List<string[]> { ListHeader };
        foreach (var directory in LogDirectories(root))
        {
            var log = Description(directory);
            var destination = log.IpfixCollector is { } collector ? $"{directory} ipfix://{collector}" : directory;
            rows.Add([log.Id, log.ResourceId, log.TrafficType, log.MaxAggregationInterval.ToString(CultureInfo.InvariantCulture) + "s", destination]);
        }
        var widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
        return string.Concat(rows.Select(r => string.Join("  ", r.Take(4).Select((f, c) => f.PadRight(widths[c]))) + "  " + r[4] + "\n"));
    }

    /// <summary>
    /// The header and the records of flow log <paramref name="id"/>, log stream by log stream (ENI id order), each in the
    /// order written; <paramref name="eni"/> and <paramref name="action"/> filter them.
    /// </summary>
    public static IEnumerable<string> Records(string root, string id, string? eni, string? action)
    {
        if (!FlowLogFiles.IsSafeName(id))
            throw new CliException($"--flow-log '{id}': not a flow log id (lowercase letters, digits and hyphens)");
        var directory = Path.Combine(root, id);
        if (!File.Exists(Path.Combine(directory, FlowLogRuntime.DescriptionFile)))
            throw new CliException($"--flow-log {id}: no such flow log in {root} (nitroctl describe-flow-logs lists them)");
        string[] streams;
        if (eni is not null)
        {
            if (!FlowLogFiles.IsSafeName(eni))
                throw new CliException($"--eni '{eni}': not a network interface id (lowercase letters, digits and hyphens)");
            var path = Path.Combine(directory, eni + ".log");
            if (!File.Exists(path))
                throw new CliException($"--eni {eni}: flow log {id} has no records of it ({path} does not exist: the log does not cover it, or no interval has closed yet)");
            streams = [path];
        }
        else
        {
            streams = [.. Directory.GetFiles(directory, "*.log").Order(StringComparer.Ordinal)];
        }
        yield return FlowLogEntry.Header;
        foreach (var path in streams)
        {
            var number = 0;
            foreach (var line in File.ReadLines(path))
            {
                number++;
                var fields = line.Split(' ');
                if (fields.Length != 14 || fields[0] != "2")
                    throw new CliException($"{path}:{number}: not a version-2 flow log record (14 space-separated fields): '{line}'");
                if (action is null || fields[12] == action)
                    yield return line;
            }
        }
    }

    private static IEnumerable<string> LogDirectories(string root)
        => Directory.Exists(root)
            ? Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, FlowLogRuntime.DescriptionFile))).Order(StringComparer.Ordinal)
            : [];

    private static FlowLog Description(string directory)
    {
        var path = Path.Combine(directory, FlowLogRuntime.DescriptionFile);
        try
        {
            return FlowLogRuntime.ReadDescription(directory) ?? throw new CliException($"{path}: empty flow log description");
        }
        catch (JsonException e)
        {
            throw new CliException($"{path}: not a flow log description: {e.Message}", e);
        }
    }
}
