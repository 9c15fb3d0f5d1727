using System.Text.Json.Nodes;

namespace NitroCard.Region.Tests;

/// <summary>
/// The region file's fields for the instance services (issue 14): region and account, availability zones, the VPC DNS
/// attributes, instances and their metadata options, flow logs — defaults as AWS has them, every rule one mutation
/// whose error names file and field.
/// </summary>
public sealed class InstanceServicesFieldsTests
{
    private static RegionTopology Load(Action<JsonObject> mutate) => RegionLoader.LoadFromString(RegionFiles.Mutated(mutate), "region.json");

    [Fact]
    public void Defaults_are_awss()
    {
        var region = Load(_ => { });
        Assert.Equal(("eu-west-1", "123456789012", null), (region.EffectiveRegionName, region.EffectiveAccountId, region.DnsUpstream));
        Assert.Null(region.Vpcs[0].Subnets[0].AvailabilityZone);
        Assert.Equal("eu-west-1a", RegionDefaults.AvailabilityZoneOf(region.EffectiveRegionName));
        Assert.True(region.Vpcs[0].DnsSupport);
        Assert.False(region.Vpcs[0].DnsHostnames);
        Assert.Empty(region.Vpcs[0].FlowLogList);
        // Absent fields stay absent when the region is written back, and what is computed from them is never written.
        var written = RegionLoader.ToJson(region);
        Assert.Equal(RegionLoader.ToJson(RegionLoader.LoadFromString(File.ReadAllText(RepoPaths.File("docs/examples/region.json")), "docs.json")), written);
        foreach (var field in new[] { "effective", "dnsSupport", "dnsHostnames", "flowLogList", "region", "accountId", "enableDnsSupport", "enableDnsHostnames", "flowLogs", "deviceIndex", "instanceId", "metadataOptions", "availabilityZone", "dnsUpstream" })
            Assert.DoesNotContain($"\"{field}\"", written, StringComparison.Ordinal);
        var eni = region.Vpcs[0].Enis[0];
        Assert.Equal((0, null), (eni.DeviceIndex, eni.MetadataOptions));
        Assert.Matches("^i-[0-9a-f]{17}$", eni.EffectiveInstanceId);
        Assert.Equal(eni.EffectiveInstanceId, RegionDefaults.InstanceIdOf("eni-a1"));
        Assert.NotEqual(eni.EffectiveInstanceId, region.Vpcs[0].Enis[1].EffectiveInstanceId);
        Assert.Equal(new InstanceMetadataOptions("optional", 1, "enabled"), new InstanceMetadataOptions());
    }

    [Fact]
    public void Every_field_loads_and_survives_a_round_trip()
    {
        var region = Load(r =>
        {
            r["region"] = "us-east-1";
            r["accountId"] = "111122223333";
            r["dnsUpstream"] = "203.0.113.53:5353";
            r.Subnet(0, 0)["availabilityZone"] = "us-east-1b";
            r.Subnet(0, 1)["availabilityZone"] = "us-east-1b";
            r.Vpc(0)["enableDnsHostnames"] = true;
            r.Eni(0, 0)["instanceId"] = "i-0123456789abcdef0";
            r.Eni(0, 0)["metadataOptions"] = JsonNode.Parse("""{ "httpTokens": "required", "httpPutResponseHopLimit": 2, "httpEndpoint": "enabled" }""");
            r.Vpc(0)["flowLogs"] = JsonNode.Parse("""
                [ { "id": "fl-vpc", "resourceId": "vpc-0a1b2c3d4e5f60718", "trafficType": "ALL", "maxAggregationInterval": 60,
                    "ipfixCollector": "203.0.113.7:4739" },
                  { "id": "fl-eni", "resourceId": "eni-a2", "trafficType": "REJECT" } ]
                """);
        });
        var again = RegionLoader.LoadFromString(RegionLoader.ToJson(region), "again.json");
        foreach (var r in new[] { region, again })
        {
            Assert.Equal(("us-east-1", "111122223333", "203.0.113.53:5353"), (r.RegionName, r.AccountId, r.DnsUpstream));
            Assert.Equal("us-east-1b", r.Vpcs[0].Subnets[1].AvailabilityZone);
            Assert.True(r.Vpcs[0].DnsHostnames);
            Assert.Equal("i-0123456789abcdef0", r.Vpcs[0].Enis[0].EffectiveInstanceId);
            Assert.Equal(new InstanceMetadataOptions("required", 2, "enabled"), r.Vpcs[0].Enis[0].MetadataOptions);
            Assert.Equal(new FlowLog("fl-vpc", "vpc-0a1b2c3d4e5f60718", "ALL", 60, "203.0.113.7:4739"), r.Vpcs[0].FlowLogList[0]);
            Assert.Equal(new FlowLog("fl-eni", "eni-a2", "REJECT", 600), r.Vpcs[0].FlowLogList[1]);
        }
    }

    [Fact]
    public void Enis_of_one_instance_share_host_zone_and_options_and_have_distinct_device_indexes()
    {
        // eni-a2 (host-b) moves to host-a and joins eni-a1's instance as device 1.
        var region = Load(r =>
        {
            r.Eni(0, 0)["instanceId"] = "i-0123456789abcdef0";
            r.Eni(0, 1)["instanceId"] = "i-0123456789abcdef0";
            r.Eni(0, 1)["deviceIndex"] = 1;
            r.Eni(0, 1)["host"] = "host-a";
        });
        Assert.Equal(region.Vpcs[0].Enis[0].EffectiveInstanceId, region.Vpcs[0].Enis[1].EffectiveInstanceId);
    }

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    private static void SecondEniOfInstance(JsonObject r)
    {
        r.Eni(0, 0)["instanceId"] = "i-0123456789abcdef0";
        r.Eni(0, 1)["instanceId"] = "i-0123456789abcdef0";
        r.Eni(0, 1)["deviceIndex"] = 1;
        r.Eni(0, 1)["host"] = "host-a";
    }

    private static readonly Dictionary<string, (Action<JsonObject> Mutate, string Expected)> Cases = new()
    {
        ["region name"] = (r => r["region"] = "Europe", "region: 'Europe' is not a region name (for example eu-west-1 or us-gov-west-1)"),
        ["account id"] = (r => r["accountId"] = "12345", "accountId: '12345' is not an AWS account id (12 digits)"),
        ["dns upstream not an address"] = (r => r["dnsUpstream"] = "dns.example", "dnsUpstream: 'dns.example' is not an address or address:port (port 53 when absent) with an IPv4 address"),
        ["dns upstream bad port"] = (r => r["dnsUpstream"] = "203.0.113.53:70000", "dnsUpstream: '70000' is not a port 1..65535"),
        ["dns upstream multicast"] = (r => r["dnsUpstream"] = "224.0.0.251", "dnsUpstream: 224.0.0.251 is not a unicast address"),
        ["zone of another region"] = (r => r.Subnet(0, 0)["availabilityZone"] = "us-east-1a", "vpcs[0].subnets[0].availabilityZone: 'us-east-1a' is not an availability zone of region eu-west-1 (eu-west-1a, eu-west-1b, …)"),
        ["zone without letter"] = (r => r.Subnet(0, 0)["availabilityZone"] = "eu-west-1", "vpcs[0].subnets[0].availabilityZone: 'eu-west-1' is not an availability zone of region eu-west-1"),
        ["hostnames without dns"] = (r => { r.Vpc(0)["enableDnsSupport"] = false; r.Vpc(0)["enableDnsHostnames"] = true; }, "vpcs[0].enableDnsHostnames: needs enableDnsSupport"),
        ["instance id"] = (r => r.Eni(0, 0)["instanceId"] = "i-XYZ", "vpcs[0].enis[0].instanceId: 'i-XYZ' is not an instance id (i- and 8 or 17 lowercase hex digits)"),
        ["device index"] = (r => r.Eni(0, 0)["deviceIndex"] = 64, "vpcs[0].enis[0].deviceIndex: 64 is not a device index 0..63"),
        ["http tokens"] = (r => r.Eni(0, 0)["metadataOptions"] = new JsonObject { ["httpTokens"] = "sometimes" }, "vpcs[0].enis[0].metadataOptions.httpTokens: 'sometimes' is not optional or required"),
        ["hop limit"] = (r => r.Eni(0, 0)["metadataOptions"] = new JsonObject { ["httpPutResponseHopLimit"] = 65 }, "vpcs[0].enis[0].metadataOptions.httpPutResponseHopLimit: 65 is not a hop limit 1..64"),
        ["http endpoint"] = (r => r.Eni(0, 0)["metadataOptions"] = new JsonObject { ["httpEndpoint"] = "on" }, "vpcs[0].enis[0].metadataOptions.httpEndpoint: 'on' is not enabled or disabled"),
        ["instance on two hosts"] = (r => { SecondEniOfInstance(r); r.Eni(0, 1)["host"] = "host-b"; }, "vpcs[0].enis[1].host: host-b is not the host of eni-a1 (host-a): the ENIs of instance i-0123456789abcdef0 are on one host"),
        ["instance in two zones"] = (r => { SecondEniOfInstance(r); r.Subnet(0, 1)["availabilityZone"] = "eu-west-1c"; }, "vpcs[0].enis[1].subnet: its subnet is in eu-west-1c, but eni-a1 of instance i-0123456789abcdef0 is in eu-west-1a"),
        ["device index twice"] = (r => { SecondEniOfInstance(r); r.Eni(0, 1)["deviceIndex"] = 0; }, "vpcs[0].enis[1].deviceIndex: 0 is already the device index of eni-a1 on instance i-0123456789abcdef0"),
        ["no primary"] = (r => r.Eni(0, 0)["deviceIndex"] = 2, "vpcs[0].enis[0].deviceIndex: instance i-"),
        ["options differ"] = (r => { SecondEniOfInstance(r); r.Eni(0, 1)["metadataOptions"] = new JsonObject { ["httpTokens"] = "required" }; }, "vpcs[0].enis[1].metadataOptions: differs from eni-a1's"),
        ["flow log id"] = (r => r.Vpc(0)["flowLogs"] = JsonNode.Parse("""[ { "id": "FL_1", "resourceId": "eni-a1", "trafficType": "ALL" } ]"""), "vpcs[0].flowLogs[0].id: 'FL_1' is not a valid id"),
        ["flow log id taken"] = (r => r.Vpc(0)["flowLogs"] = JsonNode.Parse("""[ { "id": "eni-a1", "resourceId": "eni-a1", "trafficType": "ALL" } ]"""), "vpcs[0].flowLogs[0].id: eni-a1 is already used by vpcs[0].enis[0].id"),
        ["flow log resource of another vpc"] = (r => r.Vpc(0)["flowLogs"] = JsonNode.Parse("""[ { "id": "fl-1", "resourceId": "eni-b1", "trafficType": "ALL" } ]"""), "vpcs[0].flowLogs[0].resourceId: eni-b1 is not vpc-0a1b2c3d4e5f60718, one of its subnets or one of its ENIs"),
        ["flow log resource missing"] = (r => r.Vpc(0)["flowLogs"] = JsonNode.Parse("""[ { "id": "fl-1", "trafficType": "ALL" } ]"""), "vpcs[0].flowLogs[0].resourceId: is required"),
        ["flow log traffic type"] = (r => r.Vpc(0)["flowLogs"] = JsonNode.Parse("""[ { "id": "fl-1", "resourceId": "subnet-a", "trafficType": "accept" } ]"""), "vpcs[0].flowLogs[0].trafficType: 'accept' is not ACCEPT, REJECT or ALL"),
        ["flow log interval"] = (r => r.Vpc(0)["flowLogs"] = JsonNode.Parse("""[ { "id": "fl-1", "resourceId": "subnet-a", "trafficType": "ALL", "maxAggregationInterval": 120 } ]"""), "vpcs[0].flowLogs[0].maxAggregationInterval: 120 is not 60 or 600 seconds"),
        ["ipfix multicast"] = (r => r.Vpc(0)["flowLogs"] = JsonNode.Parse("""[ { "id": "fl-1", "resourceId": "subnet-a", "trafficType": "ALL", "ipfixCollector": "239.0.0.1:4739" } ]"""), "vpcs[0].flowLogs[0].ipfixCollector: 239.0.0.1 is not a unicast address (multicast"),
        ["dns upstream on loopback"] = (r => r["dnsUpstream"] = "127.0.0.1", "dnsUpstream: 127.0.0.1 is not a unicast address (loopback"),
        ["ipfix without port"] = (r => r.Vpc(0)["flowLogs"] = JsonNode.Parse("""[ { "id": "fl-1", "resourceId": "subnet-a", "trafficType": "ALL", "ipfixCollector": "203.0.113.7" } ]"""), "vpcs[0].flowLogs[0].ipfixCollector: '203.0.113.7' has no port: expected address:port"),
    };

    [Fact]
    public void An_ipfix_collector_may_be_on_the_firmwares_own_host()
    {
        // The firmware sends IPFIX from its host, where a collector on loopback (nfcapd next to it) is a real one.
        var region = Load(r => r.Vpc(0)["flowLogs"] = JsonNode.Parse("""[ { "id": "fl-1", "resourceId": "subnet-a", "trafficType": "ALL", "ipfixCollector": "127.0.0.1:4739" } ]"""));
        Assert.Equal("127.0.0.1:4739", region.Vpcs[0].FlowLogList[0].IpfixCollector);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_rule_names_file_and_field(string name)
    {
        var (mutate, expected) = Cases[name];
        var e = Assert.Throws<RegionException>(() => Load(mutate));
        Assert.Contains("region.json: " + expected, e.Message, StringComparison.Ordinal);
    }
}
