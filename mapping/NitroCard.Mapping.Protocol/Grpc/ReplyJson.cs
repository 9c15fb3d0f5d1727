using System.Text.Json;
using System.Text.Json.Nodes;
using NitroCard.Region;
using P = NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Mapping.Grpc;

/// <summary>
/// The JSON nitroctl prints for each reply: the region file's shape for resources (the records serialized as
/// <see cref="RegionJsonContext"/> writes them) plus the fields the API adds (<c>vpc</c>, <c>groupId</c>, a host's
/// status), camelCase, indented.
/// </summary>
public static class ReplyJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Render(P.ApplyReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(new JsonObject { ["vpcs"] = reply.Vpcs, ["enis"] = reply.Enis, ["hosts"] = reply.Hosts, ["writes"] = reply.Writes });
    }

    /// <summary>
    /// <c>nitroctl mapping replicas</c>: each replica as it describes itself (version, whether it leads, the leader it
    /// knows, its store), or the error of one that did not answer.
    /// </summary>
    public static string Render(IReadOnlyList<(Uri Endpoint, P.DescribeReplicaReply? Reply, string? Error)> replicas)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        var array = new JsonArray();
        foreach (var (endpoint, reply, error) in replicas)
        {
            array.Add(reply is null
                ? new JsonObject { ["endpoint"] = endpoint.ToString(), ["error"] = error }
                : new JsonObject
                {
                    ["endpoint"] = endpoint.ToString(),
                    ["version"] = reply.Version,
                    ["leader"] = reply.Leader,
                    ["leaderEndpoint"] = reply.LeaderEndpoint.Length == 0 ? null : reply.LeaderEndpoint,
                    ["store"] = reply.Store,
                });
        }
        return Text(new JsonObject { ["replicas"] = array });
    }

    public static string Render(P.CreateHostReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(Node(reply.Host));
    }

    public static string Render(P.CreateVpcReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(Node(reply.Vpc));
    }

    public static string Render(P.CreateSubnetReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(Node(reply.Subnet));
    }

    public static string Render(P.CreateNetworkInterfaceReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(Node(reply.NetworkInterface));
    }

    public static string Render(P.MoveNetworkInterfaceReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(Node(reply.NetworkInterface));
    }

    public static string Render(P.DeleteNetworkInterfaceReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(new JsonObject { ["return"] = reply.Return });
    }

    public static string Render(P.CreateSecurityGroupReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(Node(reply.SecurityGroup));
    }

    public static string Render(P.AuthorizeSecurityGroupIngressReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var node = JsonSerializer.SerializeToNode(ResourceCodec.ToRecord(reply.Rule), RegionJsonContext.Default.SecurityGroupRule)!.AsObject();
        node["groupId"] = reply.GroupId;
        return Text(node);
    }

    public static string Render(P.AssociateAddressReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(Node(reply.NetworkInterface));
    }

    public static string Render(P.DescribeVpcsReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(new JsonArray([.. reply.Vpcs.Select(v => (JsonNode)Node(v))]));
    }

    public static string Render(P.DescribeSubnetsReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(new JsonArray([.. reply.Subnets.Select(s => (JsonNode)Node(s))]));
    }

    public static string Render(P.DescribeNetworkInterfacesReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(new JsonArray([.. reply.NetworkInterfaces.Select(e => (JsonNode)Node(e))]));
    }

    public static string Render(P.DescribeSecurityGroupsReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(new JsonArray([.. reply.SecurityGroups.Select(g => (JsonNode)Node(g))]));
    }

    public static string Render(P.DescribeHostsReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(new JsonArray([.. reply.Hosts.Select(h => (JsonNode)Node(h))]));
    }

    /// <summary>The edges as an array: name, underlay IP, healthy, seconds since the last heartbeat (absent: none yet), in the cards' edge set.</summary>
    public static string Render(P.DescribeEdgesReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Text(new JsonArray([.. reply.Edges.Select(e =>
        {
            var node = new JsonObject { ["name"] = e.Name, ["underlayIp"] = e.UnderlayIp, ["healthy"] = e.Healthy };
            if (e.HasSinceHeartbeatSeconds)
                node["sinceHeartbeatSeconds"] = Math.Round(e.SinceHeartbeatSeconds, 3);
            node["inEdgeSet"] = e.InEdgeSet;
            return (JsonNode)node;
        })]));
    }

    /// <summary>Every alarm as an array; a page (<paramref name="paged"/>: the request had max_items or starting_token) as
    /// <c>{"alarms": [...], "nextToken": "..."}</c>, without nextToken on the last page.</summary>
    public static string Render(P.DescribeAlarmsReply reply, bool paged)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var alarms = new JsonArray([.. reply.Alarms.Select(a => (JsonNode)Node(a))]);
        if (!paged)
            return Text(alarms);
        var page = new JsonObject { ["alarms"] = alarms };
        if (reply.HasNextToken)
            page["nextToken"] = reply.NextToken;
        return Text(page);
    }

    private static string Text(JsonNode node) => node.ToJsonString(Indented);

    private static JsonObject Node(P.Host host) => JsonSerializer.SerializeToNode(ResourceCodec.ToRecord(host), RegionJsonContext.Default.RegionHost)!.AsObject();

    private static JsonObject Node(P.Vpc vpc) => JsonSerializer.SerializeToNode(ResourceCodec.ToRecord(vpc), RegionJsonContext.Default.Vpc)!.AsObject();

    private static JsonObject Node(P.Subnet subnet)
    {
        var node = JsonSerializer.SerializeToNode(ResourceCodec.ToRecord(subnet), RegionJsonContext.Default.Subnet)!.AsObject();
        node["vpc"] = subnet.VpcId;
        return node;
    }

    private static JsonObject Node(P.NetworkInterface eni)
    {
        var node = JsonSerializer.SerializeToNode(ResourceCodec.ToRecord(eni), RegionJsonContext.Default.Eni)!.AsObject();
        node["vpc"] = eni.VpcId;
        return node;
    }

    private static JsonObject Node(P.SecurityGroup group)
    {
        var node = JsonSerializer.SerializeToNode(ResourceCodec.ToRecord(group), RegionJsonContext.Default.SecurityGroup)!.AsObject();
        node["vpc"] = group.VpcId;
        return node;
    }

    private static JsonObject Node(P.HostStatus status)
    {
        var node = Node(status.Host);
        node["connected"] = status.Connected;
        node["ackedVersion"] = status.AckedVersion;
        node["regionVersion"] = status.RegionVersion;
        node["vpcs"] = new JsonArray([.. status.Vpcs.Select(v => (JsonNode)v)]);
        node["enis"] = status.Enis;
        if (status.Counters is { } counters)
            node["counters"] = Node(counters);
        return node;
    }

    /// <summary>Drops by reason name, per ENI id packets and bytes, alarm FIFO overflow.</summary>
    private static JsonObject Node(P.CardCounters counters)
    {
        var drops = new JsonObject();
        foreach (var d in counters.Drops)
            drops[d.Reason] = d.Count;
        var enis = new JsonObject();
        foreach (var e in counters.NetworkInterfaces)
            enis[e.NetworkInterfaceId] = new JsonObject { ["txPackets"] = e.TxPackets, ["txBytes"] = e.TxBytes, ["rxPackets"] = e.RxPackets, ["rxBytes"] = e.RxBytes };
        return new JsonObject { ["drops"] = drops, ["enis"] = enis, ["alarmOverflow"] = counters.AlarmOverflow };
    }

    /// <summary>
    /// A time as the service's serialized records carried it: the text a DateTimeOffset serializes to, written again as a
    /// string (so the default encoder escapes its '+' as the service's output always did).
    /// </summary>
    private static JsonNode TimeNode(DateTimeOffset time) => JsonNode.Parse(JsonValue.Create(time).ToJsonString())!;

    /// <summary>An alarm as the service stores it: absent optional fields are left out.</summary>
    private static JsonObject Node(P.Alarm alarm)
    {
        var node = new JsonObject
        {
            ["id"] = alarm.Id,
            ["time"] = TimeNode(alarm.Time.ToDateTimeOffset()),
            ["kind"] = alarm.Kind,
            ["host"] = alarm.Host,
            ["reason"] = alarm.Reason,
            ["message"] = alarm.Message,
        };
        if (alarm.HasClaimedHost)
            node["claimedHost"] = alarm.ClaimedHost;
        if (alarm.HasVni)
            node["vni"] = alarm.Vni;
        if (alarm.HasSlot)
            node["slot"] = alarm.Slot;
        if (alarm.HasOuterSource)
            node["outerSource"] = alarm.OuterSource;
        if (alarm.HasInnerSource)
            node["innerSource"] = alarm.InnerSource;
        if (alarm.HasInnerDestination)
            node["innerDestination"] = alarm.InnerDestination;
        if (alarm.HasCycle)
            node["cycle"] = alarm.Cycle;
        if (alarm.HasSuppressed)
            node["suppressed"] = alarm.Suppressed;
        return node;
    }
}
