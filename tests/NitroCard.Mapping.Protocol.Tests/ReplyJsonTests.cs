using System.Text.Json;
using System.Text.Json.Nodes;
using NitroCard.Card;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.Grpc;
using NitroCard.Region;
using P = NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Mapping.Protocol.Tests;

/// <summary>
/// What nitroctl prints from a typed reply is, byte for byte, the JSON the service used to send: the region's records
/// serialized as the region file is, with the API's added fields. Each expectation below is built the way the service
/// built it before the API was typed, from the records themselves; the actual text went through the wire messages.
/// </summary>
public class ReplyJsonTests
{
    public static TheoryData<string> Regions() => ["docs-example.json", "edge-region.json", "ike-vpn.json", "three-vpcs.json", "instance-services.json"];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static RegionTopology Load(string file) => RegionLoader.Load(Path.Combine(AppContext.BaseDirectory, "regions", file));

    /// <summary>A message after a trip over the wire.</summary>
    private static T Wire<T>(T message)
        where T : Google.Protobuf.IMessage<T>, new()
        => new Google.Protobuf.MessageParser<T>(() => new T()).ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(message));

    private static JsonObject InVpc<T>(T record, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string vpcId)
    {
        var node = JsonSerializer.SerializeToNode(record, type)!.AsObject();
        node["vpc"] = vpcId;
        return node;
    }

    private static string Text(JsonNode node) => node.ToJsonString(Indented);

    [Theory]
    [MemberData(nameof(Regions))]
    public void Describe_vpcs_subnets_groups_and_ENIs_print_as_the_records_serialize(string file)
    {
        var region = Load(file);
        var vpcs = new P.DescribeVpcsReply { Vpcs = { region.Vpcs.Select(ResourceCodec.ToMessage) } };
        Assert.Equal(Text(new JsonArray([.. region.Vpcs.Select(v => JsonSerializer.SerializeToNode(v with { Enis = [] }, RegionJsonContext.Default.Vpc))])),
            ReplyJson.Render(Wire(vpcs)));

        var subnets = new P.DescribeSubnetsReply { Subnets = { region.Vpcs.SelectMany(v => v.Subnets.Select(s => ResourceCodec.ToMessage(s, v.Id))) } };
        Assert.Equal(Text(new JsonArray([.. region.Vpcs.SelectMany(v => v.Subnets.Select(s => (JsonNode)InVpc(s, RegionJsonContext.Default.Subnet, v.Id)))])),
            ReplyJson.Render(Wire(subnets)));

        var groups = new P.DescribeSecurityGroupsReply { SecurityGroups = { region.Vpcs.SelectMany(v => v.SecurityGroups.Select(g => ResourceCodec.ToMessage(g, v.Id))) } };
        Assert.Equal(Text(new JsonArray([.. region.Vpcs.SelectMany(v => v.SecurityGroups.Select(g => (JsonNode)InVpc(g, RegionJsonContext.Default.SecurityGroup, v.Id)))])),
            ReplyJson.Render(Wire(groups)));

        var enis = new P.DescribeNetworkInterfacesReply { NetworkInterfaces = { region.Vpcs.SelectMany(v => v.Enis.Select(e => ResourceCodec.ToMessage(e, v.Id))) } };
        Assert.Equal(Text(new JsonArray([.. region.Vpcs.SelectMany(v => v.Enis.Select(e => (JsonNode)InVpc(e, RegionJsonContext.Default.Eni, v.Id)))])),
            ReplyJson.Render(Wire(enis)));
    }

    [Theory]
    [MemberData(nameof(Regions))]
    public void A_VPC_survives_the_codec_unchanged(string file)
    {
        foreach (var vpc in Load(file).Vpcs)
        {
            var back = ResourceCodec.ToRecord(Wire(ResourceCodec.ToMessage(vpc)));
            Assert.Equal(RegionLoader.ToJson(new RegionTopology { Vpcs = [vpc with { Enis = [] }] }), RegionLoader.ToJson(new RegionTopology { Vpcs = [back] }));
        }
    }

    [Fact]
    public void Create_replies_print_the_resource_with_its_VPC_or_group()
    {
        var region = Load("three-vpcs.json");
        var vpc = region.Vpcs.First(v => v.Enis.Any(e => e.ConnectionTracking is not null));
        var eni = vpc.Enis.First(e => e.ConnectionTracking is not null);
        Assert.Equal(Text(InVpc(eni, RegionJsonContext.Default.Eni, vpc.Id)),
            ReplyJson.Render(Wire(new P.CreateNetworkInterfaceReply { NetworkInterface = ResourceCodec.ToMessage(eni, vpc.Id) })));
        Assert.Equal(Text(InVpc(eni, RegionJsonContext.Default.Eni, vpc.Id)),
            ReplyJson.Render(Wire(new P.AssociateAddressReply { NetworkInterface = ResourceCodec.ToMessage(eni, vpc.Id) })));
        Assert.Equal(Text(JsonSerializer.SerializeToNode(vpc with { Enis = [] }, RegionJsonContext.Default.Vpc)!),
            ReplyJson.Render(Wire(new P.CreateVpcReply { Vpc = ResourceCodec.ToMessage(vpc) })));
        var rule = vpc.SecurityGroups.SelectMany(g => g.Ingress).First();
        var ruleNode = JsonSerializer.SerializeToNode(rule, RegionJsonContext.Default.SecurityGroupRule)!.AsObject();
        ruleNode["groupId"] = "sg-x";
        Assert.Equal(Text(ruleNode), ReplyJson.Render(Wire(new P.AuthorizeSecurityGroupIngressReply { GroupId = "sg-x", Rule = ResourceCodec.ToMessage(rule) })));
        foreach (var host in region.Hosts)
        {
            Assert.Equal(Text(JsonSerializer.SerializeToNode(host, RegionJsonContext.Default.RegionHost)!),
                ReplyJson.Render(Wire(new P.CreateHostReply { Host = ResourceCodec.ToMessage(host) })));
        }
        Assert.Equal("{\n  \"return\": true\n}", ReplyJson.Render(new P.DeleteNetworkInterfaceReply { Return = true }));
        Assert.Equal("{\n  \"vpcs\": 2,\n  \"enis\": 4,\n  \"hosts\": 2,\n  \"writes\": 9\n}", ReplyJson.Render(new P.ApplyReply { Vpcs = 2, Enis = 4, Hosts = 2, Writes = 9 }));
    }

    [Fact]
    public void Describe_hosts_prints_each_host_s_status_and_counters_as_the_agent_s_JSON_did()
    {
        var host = Load("three-vpcs.json").Hosts.First(h => h.UnderlayMac is not null);
        var drops = new ulong[Enum.GetValues<DropReason>().Length];
        drops[(int)DropReason.SgDeny] = 7;
        var card = new CardCounters(drops, [new EniCounters(1, 100, 2, 200), new EniCounters(3, 300, 4, 400)], AlarmOverflow: 5);
        var slots = new Dictionary<string, int> { ["eni-second"] = 1, ["eni-first"] = 0 };
        var counters = HostCounters.From(card, slots);
        var reply = new P.DescribeHostsReply
        {
            Hosts =
            {
                new P.HostStatus { Host = ResourceCodec.ToMessage(host), Connected = true, AckedVersion = 6, RegionVersion = 7, Vpcs = { "vpc-a", "vpc-b" }, Enis = 2, Counters = CounterCodec.ToMessage(counters) },
                new P.HostStatus { Host = ResourceCodec.ToMessage(host), RegionVersion = 7 },
            },
        };

        // The agent's JSON before counters were typed: drops by reason, ENIs by id in slot order, the FIFO overflow.
        var dropsJson = new JsonObject();
        for (var i = 0; i < drops.Length; i++)
            dropsJson[((DropReason)i).ToWireName()] = drops[i];
        var agentJson = new JsonObject
        {
            ["drops"] = dropsJson,
            ["enis"] = new JsonObject
            {
                ["eni-first"] = new JsonObject { ["txPackets"] = 1, ["txBytes"] = 100, ["rxPackets"] = 2, ["rxBytes"] = 200 },
                ["eni-second"] = new JsonObject { ["txPackets"] = 3, ["txBytes"] = 300, ["rxPackets"] = 4, ["rxBytes"] = 400 },
            },
            ["alarmOverflow"] = 5,
        }.ToJsonString();
        JsonObject Status(bool connected, long acked, string[] vpcs, int enis, string? countersJson)
        {
            var node = JsonSerializer.SerializeToNode(host, RegionJsonContext.Default.RegionHost)!.AsObject();
            node["connected"] = connected;
            node["ackedVersion"] = acked;
            node["regionVersion"] = 7L;
            node["vpcs"] = new JsonArray([.. vpcs.Select(v => (JsonNode)v)]);
            node["enis"] = enis;
            if (countersJson is not null)
                node["counters"] = JsonNode.Parse(countersJson);
            return node;
        }
        var expected = Text(new JsonArray(Status(true, 6, ["vpc-a", "vpc-b"], 2, agentJson), Status(false, 0, [], 0, null)));
        Assert.Equal(expected, ReplyJson.Render(Wire(reply)));
        var back = CounterCodec.ToRecord(Wire(CounterCodec.ToMessage(counters)));
        Assert.Equal(counters.Drops.ToArray(), back.Drops.ToArray());
        Assert.Equal([.. counters.Enis], back.Enis.ToArray());
        Assert.Equal(["eni-first", "eni-second"], back.Enis.Select(e => e.Key));
        Assert.Equal(5UL, back.AlarmOverflow);
    }
}
