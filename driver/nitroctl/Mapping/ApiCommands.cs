using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using ErrorCodes = NitroCard.Mapping.Api.ErrorCodes;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Hosting;
using NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Cli.Mapping;

/// <summary>
/// The EC2-style client commands: each sends its action's typed request to the service with the operator identity of
/// <c>--ca-dir</c> and prints the reply as JSON on stdout. A refusal prints <c>Code: message</c> on stderr and exits 1.
/// </summary>
internal static class ApiCommands
{
    private sealed record Param(string Option, string Name, string Description, bool Required = false, string? Alias = null);

    public static IEnumerable<Command> Create()
    {
        yield return Apply();
        yield return Action("create-host", "Add a physical host to the region.",
            (client, v, ct) => Send(client.CreateHostAsync(new CreateHostRequest { Name = v.Text("name"), UnderlayIp = v.Text("underlayIp") }, cancellationToken: ct), ReplyJson.Render),
            new Param("--name", "name", "Host name.", true), new Param("--underlay-ip", "underlayIp", "Substrate IPv4 address.", true));
        yield return Action("create-vpc", "Create a VPC (a VNI is allocated unless given).",
            (client, v, ct) =>
            {
                var request = new CreateVpcRequest { CidrBlock = v.Text("cidrBlock"), VpcId = v.Text("vpcId") };
                if (v.Optional("vni") is { } vni)
                    request.Vni = uint.TryParse(vni, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw Invalid(ParameterText.InvalidVni(vni));
                return Send(client.CreateVpcAsync(request, cancellationToken: ct), ReplyJson.Render);
            },
            new Param("--cidr-block", "cidrBlock", "IPv4 CIDR (/16../28).", true, "--cidr"), new Param("--vni", "vni", "VNI 1..16777215."),
            new Param("--vpc-id", "vpcId", "Id (default: generated)."));
        yield return Action("create-subnet", "Create a subnet in a VPC.",
            (client, v, ct) => Send(client.CreateSubnetAsync(new CreateSubnetRequest
            {
                VpcId = v.Text("vpcId"), CidrBlock = v.Text("cidrBlock"), SubnetId = v.Text("subnetId"), RouteTableId = v.Text("routeTableId"),
            }, cancellationToken: ct), ReplyJson.Render),
            new Param("--vpc-id", "vpcId", "The VPC.", true), new Param("--cidr-block", "cidrBlock", "IPv4 CIDR inside the VPC's.", true, "--cidr"),
            new Param("--subnet-id", "subnetId", "Id (default: generated)."), new Param("--route-table-id", "routeTableId", "Route table."));
        yield return Action("create-network-interface", "Create an ENI on a host.",
            (client, v, ct) =>
            {
                var request = new CreateNetworkInterfaceRequest
                {
                    SubnetId = v.Text("subnetId"), Host = v.Text("host"), PrivateIpAddress = v.Text("privateIpAddress"), MacAddress = v.Text("macAddress"),
                    NetworkInterfaceId = v.Text("networkInterfaceId"),
                    Groups = { v.Text("groups").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                };
                // Anything but "false" leaves the check on.
                if (v.Optional("sourceDestCheck") is { } check)
                    request.SourceDestCheck = !check.Equals("false", StringComparison.OrdinalIgnoreCase);
                return Send(client.CreateNetworkInterfaceAsync(request, cancellationToken: ct), ReplyJson.Render);
            },
            new Param("--subnet-id", "subnetId", "The subnet.", true), new Param("--host", "host", "The physical host.", true),
            new Param("--private-ip-address", "privateIpAddress", "IPv4 (default: the first free one)."), new Param("--mac-address", "macAddress", "MAC (default: generated)."),
            new Param("--network-interface-id", "networkInterfaceId", "Id (default: generated)."), new Param("--groups", "groups", "Security group ids, comma separated."),
            new Param("--source-dest-check", "sourceDestCheck", "true (default) or false."));
        yield return Action("move-network-interface", "Move an ENI to another host (make-before-break).",
            (client, v, ct) => Send(client.MoveNetworkInterfaceAsync(new MoveNetworkInterfaceRequest { NetworkInterfaceId = v.Text("networkInterfaceId"), ToHost = v.Text("toHost") }, cancellationToken: ct), ReplyJson.Render),
            new Param("--network-interface-id", "networkInterfaceId", "The ENI.", true), new Param("--to-host", "toHost", "The new host.", true));
        yield return Action("delete-network-interface", "Delete an ENI.",
            (client, v, ct) => Send(client.DeleteNetworkInterfaceAsync(new DeleteNetworkInterfaceRequest { NetworkInterfaceId = v.Text("networkInterfaceId") }, cancellationToken: ct), ReplyJson.Render),
            new Param("--network-interface-id", "networkInterfaceId", "The ENI.", true));
        yield return Action("create-security-group", "Create a security group in a VPC.",
            (client, v, ct) => Send(client.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { VpcId = v.Text("vpcId"), GroupId = v.Text("groupId") }, cancellationToken: ct), ReplyJson.Render),
            new Param("--vpc-id", "vpcId", "The VPC.", true), new Param("--group-id", "groupId", "Id (default: generated)."));
        yield return Action("authorize-security-group-ingress", "Add an inbound rule to a security group.",
            (client, v, ct) =>
            {
                var request = new AuthorizeSecurityGroupIngressRequest { GroupId = v.Text("groupId"), Protocol = v.Text("protocol"), Cidr = v.Text("cidr"), SourceGroup = v.Text("sourceGroup") };
                // --port stands for whichever of --from-port and --to-port is absent (and is read only then).
                if ((v.Port("fromPort") ?? v.Port("port")) is { } from)
                    request.FromPort = from;
                if ((v.Port("toPort") ?? v.Port("port")) is { } to)
                    request.ToPort = to;
                return Send(client.AuthorizeSecurityGroupIngressAsync(request, cancellationToken: ct), ReplyJson.Render);
            },
            new Param("--group-id", "groupId", "The group.", true), new Param("--protocol", "protocol", "tcp, udp, icmp, all or a number.", true),
            new Param("--port", "port", "One port (tcp/udp)."), new Param("--from-port", "fromPort", "First port / ICMP type."), new Param("--to-port", "toPort", "Last port / ICMP code."),
            new Param("--cidr", "cidr", "Peer prefix."), new Param("--source-group", "sourceGroup", "Peer group."));
        yield return Action("associate-address", "Associate a public IPv4 with an ENI (1:1 NAT at the edge).",
            (client, v, ct) => Send(client.AssociateAddressAsync(new AssociateAddressRequest { NetworkInterfaceId = v.Text("networkInterfaceId"), PublicIp = v.Text("publicIp") }, cancellationToken: ct), ReplyJson.Render),
            new Param("--network-interface-id", "networkInterfaceId", "The ENI.", true), new Param("--public-ip", "publicIp", "The public IPv4.", true));
        yield return Action("describe-vpcs", "VPCs as JSON.",
            (client, v, ct) => Send(client.DescribeVpcsAsync(new DescribeVpcsRequest { VpcId = v.Text("vpcId") }, cancellationToken: ct), ReplyJson.Render),
            new Param("--vpc-id", "vpcId", "Only this VPC."));
        yield return Action("describe-subnets", "Subnets as JSON.",
            (client, v, ct) => Send(client.DescribeSubnetsAsync(new DescribeSubnetsRequest { VpcId = v.Text("vpcId") }, cancellationToken: ct), ReplyJson.Render),
            new Param("--vpc-id", "vpcId", "Only this VPC's."));
        yield return Action("describe-network-interfaces", "ENIs as JSON.",
            (client, v, ct) => Send(client.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest
            {
                VpcId = v.Text("vpcId"), Host = v.Text("host"), NetworkInterfaceId = v.Text("networkInterfaceId"),
            }, cancellationToken: ct), ReplyJson.Render),
            new Param("--vpc-id", "vpcId", "Only this VPC's."), new Param("--host", "host", "Only this host's."), new Param("--network-interface-id", "networkInterfaceId", "Only this ENI."));
        yield return Action("describe-security-groups", "Security groups as JSON.",
            (client, v, ct) => Send(client.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { VpcId = v.Text("vpcId") }, cancellationToken: ct), ReplyJson.Render),
            new Param("--vpc-id", "vpcId", "Only this VPC's."));
        yield return Action("describe-hosts", "Hosts as JSON: connection, acknowledged version, VPCs, ENIs, card counters.",
            (client, v, ct) => Send(client.DescribeHostsAsync(new DescribeHostsRequest { Host = v.Text("host") }, cancellationToken: ct), ReplyJson.Render),
            new Param("--host", "host", "Only this host."));
        yield return Action("edges", "The region's Blackfoot edges as JSON: underlay IP, health (heartbeats), whether the cards spread flows over it now (docs/card-edges.md).",
            (client, _, ct) => Send(client.DescribeEdgesAsync(new DescribeEdgesRequest(), cancellationToken: ct), ReplyJson.Render));
        yield return Action("edge-heartbeat", "Send one heartbeat for an edge (what an edge does every interval; for tests and scripts).",
            (client, v, ct) => Send(client.EdgeHeartbeatAsync(new EdgeHeartbeatRequest { Edge = v.Text("edge") }, cancellationToken: ct), _ => "{}"),
            new Param("--edge", "edge", "The edge's name.", true));
        yield return Action("alarms", "Region-wide alarms as JSON (host, reason, addresses; suppressed: how many more of that host and reason the rate limit counted instead of storing).",
            (client, v, ct) =>
            {
                var request = new DescribeAlarmsRequest { StartingToken = v.Text("startingToken") };
                if (v.Optional("maxItems") is { } max)
                {
                    request.MaxItems = int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1
                        ? n : throw Invalid(ParameterText.InvalidMaxItems(max));
                }
                var paged = request.HasMaxItems || v.Optional("startingToken") is not null;
                return Send(client.DescribeAlarmsAsync(request, cancellationToken: ct), reply => ReplyJson.Render(reply, paged));
            },
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
            var request = new ApplyRequest { Region = await File.ReadAllTextAsync(path.FullName, ct).ConfigureAwait(false), Name = path.Name };
            return await CallAsync(parse, (client, ct) => Send(client.ApplyAsync(request, cancellationToken: ct), ReplyJson.Render), ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The option values of one command line, by parameter name; an absent option is the empty string on the wire.</summary>
    private sealed class OptionValues(Dictionary<string, string> values)
    {
        public string Text(string name) => values.GetValueOrDefault(name) ?? "";

        /// <summary>The value, or null when the option is absent or blank (as the service treats it).</summary>
        public string? Optional(string name) => values.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v : null;

        public int? Port(string name)
        {
            if (Optional(name) is not { } text)
                return null;
            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var port) ? port : throw Invalid(ParameterText.NotANumber(text, name));
        }
    }

    /// <summary>A value nitroctl cannot put into the request: said as the service says a refusal.</summary>
    private static CliException Invalid(string message) => new($"{ErrorCodes.InvalidParameterValue}: {message}");

    private static Command Action(string name, string description, Func<RegionMapping.RegionMappingClient, OptionValues, CancellationToken, Task<string>> call, params Param[] parameters)
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
            return await CallAsync(parse, (client, ct) => call(client, new OptionValues(values), ct), ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Sends one request; a refusal becomes <c>Code: message</c> and its problems (at most the first 100, then how many more).</summary>
    private static async Task<string> Send<TReply>(AsyncUnaryCall<TReply> call, Func<TReply, string> render)
        where TReply : IApiReply
    {
        using (call)
        {
            var reply = await call.ResponseAsync.ConfigureAwait(false);
            if (reply.Refusal is { } refusal)
            {
                var more = refusal.MoreProblems > 0 ? [$"… and {refusal.MoreProblems} more"] : Array.Empty<string>();
                var error = new CliException($"{refusal.Code}: {refusal.Message}", [.. refusal.Problems, .. more]);
                throw refusal.Code == ErrorCodes.ReplicaNotLeader ? new NotLeaderException(error) : error;
            }
            return render(reply);
        }
    }

    /// <summary>A write refused by a replica that is not the leader: the next replica given is tried.</summary>
    private sealed class NotLeaderException(CliException refusal) : Exception(refusal.Message, refusal)
    {
        public CliException Refusal { get; } = refusal;
    }

    /// <summary>
    /// Sends the call to the replicas of <c>--endpoint</c> in order: an unreachable replica, or a follower refusing a
    /// write, passes it to the next; the last one's answer is the result.
    /// </summary>
    private static async Task<int> CallAsync(ParseResult parse, Func<RegionMapping.RegionMappingClient, CancellationToken, Task<string>> call, CancellationToken ct)
    {
        var endpoints = MappingOptions.RequireEndpoints(parse);
        var caDir = MappingOptions.RequireCaDir(parse);
        using var replicas = MappingReplicas.ForOperator(endpoints, caDir);
        for (var left = endpoints.Count - 1; ; left--)
        {
            var client = replicas.Next();
            var endpoint = replicas.Current;
            string json;
            try
            {
                json = await call(client, ct).ConfigureAwait(false);
            }
            catch (NotLeaderException e)
            {
                if (left > 0)
                    continue;
                throw e.Refusal;
            }
            catch (RpcException e) when (left > 0 && e.StatusCode == StatusCode.Unavailable)
            {
                continue;
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
            Console.WriteLine(json);
            return 0;
        }
    }
}
