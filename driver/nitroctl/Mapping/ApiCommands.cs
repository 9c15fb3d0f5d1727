using System.CommandLine;
using Grpc.Core;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Hosting;
using NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Cli.Mapping;

/// <summary>
/// The EC2-style client commands: each sends one action to the service with the operator identity of
/// <c>--ca-dir</c> and prints the JSON result on stdout. A refusal prints <c>Code: message</c> on stderr and exits 1.
/// </summary>
internal static class ApiCommands
{
    private sealed record Param(string Option, string Name, string Description, bool Required = false, string? Alias = null);

    public static IEnumerable<Command> Create()
    {
        yield return Apply();
        yield return Action("create-host", "Add a physical host to the region.",
            new Param("--name", "name", "Host name.", true), new Param("--underlay-ip", "underlayIp", "Substrate IPv4 address.", true));
        yield return Action("create-vpc", "Create a VPC (a VNI is allocated unless given).",
            new Param("--cidr-block", "cidrBlock", "IPv4 CIDR (/16../28).", true, "--cidr"), new Param("--vni", "vni", "VNI 1..16777215."),
            new Param("--vpc-id", "vpcId", "Id (default: generated)."));
        yield return Action("create-subnet", "Create a subnet in a VPC.",
            new Param("--vpc-id", "vpcId", "The VPC.", true), new Param("--cidr-block", "cidrBlock", "IPv4 CIDR inside the VPC's.", true, "--cidr"),
            new Param("--subnet-id", "subnetId", "Id (default: generated)."), new Param("--route-table-id", "routeTableId", "Route table."));
        yield return Action("create-network-interface", "Create an ENI on a host.",
            new Param("--subnet-id", "subnetId", "The subnet.", true), new Param("--host", "host", "The physical host.", true),
            new Param("--private-ip-address", "privateIpAddress", "IPv4 (default: the first free one)."), new Param("--mac-address", "macAddress", "MAC (default: generated)."),
            new Param("--network-interface-id", "networkInterfaceId", "Id (default: generated)."), new Param("--groups", "groups", "Security group ids, comma separated."),
            new Param("--source-dest-check", "sourceDestCheck", "true (default) or false."));
        yield return Action("move-network-interface", "Move an ENI to another host (make-before-break).",
            new Param("--network-interface-id", "networkInterfaceId", "The ENI.", true), new Param("--to-host", "toHost", "The new host.", true));
        yield return Action("delete-network-interface", "Delete an ENI.",
            new Param("--network-interface-id", "networkInterfaceId", "The ENI.", true));
        yield return Action("create-security-group", "Create a security group in a VPC.",
            new Param("--vpc-id", "vpcId", "The VPC.", true), new Param("--group-id", "groupId", "Id (default: generated)."));
        yield return Action("authorize-security-group-ingress", "Add an inbound rule to a security group.",
            new Param("--group-id", "groupId", "The group.", true), new Param("--protocol", "protocol", "tcp, udp, icmp, all or a number.", true),
            new Param("--port", "port", "One port (tcp/udp)."), new Param("--from-port", "fromPort", "First port / ICMP type."), new Param("--to-port", "toPort", "Last port / ICMP code."),
            new Param("--cidr", "cidr", "Peer prefix."), new Param("--source-group", "sourceGroup", "Peer group."));
        yield return Action("associate-address", "Associate a public IPv4 with an ENI (1:1 NAT at the edge).",
            new Param("--network-interface-id", "networkInterfaceId", "The ENI.", true), new Param("--public-ip", "publicIp", "The public IPv4.", true));
        yield return Action("describe-vpcs", "VPCs as JSON.", new Param("--vpc-id", "vpcId", "Only this VPC."));
        yield return Action("describe-subnets", "Subnets as JSON.", new Param("--vpc-id", "vpcId", "Only this VPC's."));
        yield return Action("describe-network-interfaces", "ENIs as JSON.", new Param("--vpc-id", "vpcId", "Only this VPC's."),
            new Param("--host", "host", "Only this host's."), new Param("--network-interface-id", "networkInterfaceId", "Only this ENI."));
        yield return Action("describe-security-groups", "Security groups as JSON.", new Param("--vpc-id", "vpcId", "Only this VPC's."));
        yield return Action("describe-hosts", "Hosts as JSON: connection, acknowledged version, VPCs, ENIs, card counters.", new Param("--host", "host", "Only this host."));
        yield return Action("alarms", "Region-wide alarms as JSON (host, reason, addresses; suppressed: how many more of that host and reason the rate limit counted instead of storing).",
            new Param("--max-items", "maxItems", "At most this many alarms; the output is then {\"alarms\": [...], \"nextToken\": \"...\"} (no nextToken on the last page)."),
            new Param("--starting-token", "startingToken", "The nextToken of the previous page."));
    }

    private static Command Apply()
    {
        var file = new Argument<FileInfo>("region.json") { Description = "The region file to converge to (the format `simulate` reads)." };
        var command = new Command("apply", "Converge the service to a region file.") { file };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
                throw new CliException($"{path.FullName}: no such region file");
            if (path.Length > MappingLimits.MaxRequestBytes)
                throw new CliException($"{path.FullName}: {path.Length} bytes is over the Mapping Service's request limit of {MappingLimits.Describe()}");
            var parameters = new Dictionary<string, string> { ["region"] = await File.ReadAllTextAsync(path.FullName, ct).ConfigureAwait(false), ["name"] = path.Name };
            return await CallAsync(parse, "apply", parameters, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Action(string name, string description, params Param[] parameters)
    {
        var command = new Command(name, description);
        var options = new List<(Option<string> Option, Param Param)>();
        foreach (var p in parameters)
        {
            var option = p.Alias is null ? new Option<string>(p.Option) : new Option<string>(p.Option, p.Alias);
            option.Description = p.Description;
            option.Required = p.Required;
            command.Options.Add(option);
            options.Add((option, p));
        }
        command.SetAction(async (parse, ct) =>
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (option, p) in options)
            {
                if (parse.GetValue(option) is { } value)
                    values[p.Name] = value;
            }
            return await CallAsync(parse, name, values, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> CallAsync(ParseResult parse, string action, Dictionary<string, string> parameters, CancellationToken ct)
    {
        var endpoint = MappingOptions.RequireEndpoint(parse);
        var caDir = MappingOptions.RequireCaDir(parse);
        using var channel = MappingChannel.ForOperator(endpoint, caDir);
        var client = new RegionMapping.RegionMappingClient(channel);
        var request = new CallRequest { Action = action };
        request.Parameters.Add(parameters);
        CallReply reply;
        try
        {
            reply = await client.CallAsync(request, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw new CliException(e.StatusCode switch
            {
                StatusCode.ResourceExhausted => $"{endpoint}: the request is over the Mapping Service's limit of {MappingLimits.Describe()} ({e.Status.Detail})",
                StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown => $"{endpoint}: {MappingChannel.Explain(e, caDir)}",
                _ => e.Status.Detail,
            }, e);
        }
        if (reply.Refusal is { } refusal)
        {
            var more = refusal.MoreProblems > 0 ? [$"… and {refusal.MoreProblems} more"] : Array.Empty<string>();
            throw new CliException($"{refusal.Code}: {refusal.Message}", [.. refusal.Problems, .. more]);
        }
        Console.WriteLine(reply.ResultJson);
        return 0;
    }
}
