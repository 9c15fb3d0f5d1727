using System.Net;
using NitroCard.Card;
using NitroCard.Firmware;
using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Hosting;
using NitroCard.Model;

namespace NitroCard.Mapping.Tests;

/// <summary>Each rpc of the operator API over gRPC with mutual TLS: what the request asks is what the reply says and the region holds.</summary>
public sealed class OperatorApiTests : IDisposable
{
    private const string Red = "vpc-0a1b2c3d4e5f60718";
    private const string Blue = "vpc-1b2c3d4e5f6071829";

    private static readonly string ExamplePath = Path.Combine(AppContext.BaseDirectory, "regions", "docs-example.json");

    private readonly TempDir _dir = new();

    private string Ca => _dir.File("ca");

    /// <summary>A service holding the example region (docs/examples/region.json) at version 1.</summary>
    private async Task<MappingServer> StartWithExampleAsync()
    {
        var server = await MappingServer.StartAsync(new MappingServerOptions(_dir.File("region.db"), new IPEndPoint(IPAddress.Loopback, 0), Ca));
        await OperatorCalls.OkAsync<ApplyReply>(server, Ca, new ApplyRequest { Region = File.ReadAllText(ExamplePath) });
        return server;
    }

    private Task<TReply> OkAsync<TReply>(MappingServer server, Google.Protobuf.IMessage request)
        where TReply : IApiReply
        => OperatorCalls.OkAsync<TReply>(server, Ca, request);

    [Fact]
    public async Task Apply_says_what_the_region_holds_and_a_second_apply_of_the_same_file_writes_nothing()
    {
        await using var server = await MappingServer.StartAsync(new MappingServerOptions(_dir.File("region.db"), new IPEndPoint(IPAddress.Loopback, 0), Ca));
        var first = await OkAsync<ApplyReply>(server, new ApplyRequest { Region = File.ReadAllText(ExamplePath), Name = "example.json" });
        Assert.Equal((2u, 4u, 2u), (first.Vpcs, first.Enis, first.Hosts));
        Assert.NotEqual(0u, first.Writes);
        var again = await OkAsync<ApplyReply>(server, new ApplyRequest { Region = File.ReadAllText(ExamplePath) });
        Assert.Equal((2u, 4u, 2u, 0u), (again.Vpcs, again.Enis, again.Hosts, again.Writes));
    }

    [Fact]
    public async Task Apply_without_a_region_is_refused_as_a_missing_parameter()
    {
        await using var server = await StartWithExampleAsync();
        var reply = await OperatorCalls.SendAsync<ApplyReply>(server, Ca, new ApplyRequest { Name = "empty.json" });
        Assert.Equal(("MissingParameter", "The request must contain the parameter region"), (reply.Refusal.Code, reply.Refusal.Message));
    }

    [Fact]
    public async Task CreateHost_returns_the_host_and_describe_hosts_lists_it_with_no_VPC()
    {
        await using var server = await StartWithExampleAsync();
        var reply = await OkAsync<CreateHostReply>(server, new CreateHostRequest { Name = "host-c", UnderlayIp = "192.0.2.13" });
        Assert.Equal(("host-c", "192.0.2.13", false, false), (reply.Host.Name, reply.Host.UnderlayIp, reply.Host.HasUnderlayMac, reply.Host.HasDataplane));
        var hosts = await OkAsync<DescribeHostsReply>(server, new DescribeHostsRequest { Host = "host-c" });
        var status = Assert.Single(hosts.Hosts);
        Assert.Equal(("192.0.2.13", 0), (status.Host.UnderlayIp, status.Enis));
        Assert.Empty(status.Vpcs);
    }

    [Fact]
    public async Task CreateVpc_takes_the_given_VNI_or_allocates_the_lowest_free_one()
    {
        await using var server = await StartWithExampleAsync();
        var given = await OkAsync<CreateVpcReply>(server, new CreateVpcRequest { CidrBlock = "10.9.0.0/16", Vni = 4242, VpcId = "vpc-green" });
        Assert.Equal(("vpc-green", "10.9.0.0/16", 4242u), (given.Vpc.Id, given.Vpc.Cidr, given.Vpc.Vni));
        Assert.Empty(given.Vpc.Subnets);
        var allocated = await OkAsync<CreateVpcReply>(server, new CreateVpcRequest { CidrBlock = "10.8.0.0/16" });
        Assert.Equal(1u, allocated.Vpc.Vni);
        Assert.StartsWith("vpc-", allocated.Vpc.Id, StringComparison.Ordinal);
        var refused = await OperatorCalls.SendAsync<CreateVpcReply>(server, Ca, new CreateVpcRequest { CidrBlock = "10.7.0.0/16", Vni = 16_777_216 });
        Assert.Equal("Value (16777216) for parameter vni is invalid: a VNI is 1..16777215", refused.Refusal.Message);
    }

    [Fact]
    public async Task CreateSubnet_returns_the_subnet_with_its_VPC()
    {
        await using var server = await StartWithExampleAsync();
        var reply = await OkAsync<CreateSubnetReply>(server, new CreateSubnetRequest { VpcId = Red, CidrBlock = "10.0.3.0/24", SubnetId = "subnet-x", RouteTableId = "rtb-main" });
        Assert.Equal(("subnet-x", "10.0.3.0/24", "rtb-main", Red), (reply.Subnet.Id, reply.Subnet.Cidr, reply.Subnet.RouteTable, reply.Subnet.VpcId));
        var plain = await OkAsync<CreateSubnetReply>(server, new CreateSubnetRequest { VpcId = Red, CidrBlock = "10.0.4.0/24" });
        Assert.False(plain.Subnet.HasRouteTable);
    }

    [Fact]
    public async Task CreateNetworkInterface_fills_in_the_address_and_MAC_and_keeps_groups_and_the_source_check()
    {
        await using var server = await StartWithExampleAsync();
        var reply = await OkAsync<CreateNetworkInterfaceReply>(server, new CreateNetworkInterfaceRequest
        {
            SubnetId = "subnet-a", Host = "host-b", NetworkInterfaceId = "eni-new", Groups = { "sg-web" }, SourceDestCheck = false,
        });
        var eni = reply.NetworkInterface;
        Assert.Equal(("eni-new", "subnet-a", "10.0.1.4", "host-b", Red, false), (eni.Id, eni.Subnet, eni.Ip, eni.Host, eni.VpcId, eni.SourceDestCheck));
        Assert.Equal(["sg-web"], eni.SecurityGroups);
        Assert.Matches("^02:00:", eni.Mac);
        Assert.False(eni.HasPublicIp);
        // Absent source_dest_check: on, as EC2's default.
        var checkedEni = await OkAsync<CreateNetworkInterfaceReply>(server, new CreateNetworkInterfaceRequest { SubnetId = "subnet-a", Host = "host-b" });
        Assert.True(checkedEni.NetworkInterface.SourceDestCheck);
        Assert.Equal("10.0.1.5", checkedEni.NetworkInterface.Ip);
    }

    [Fact]
    public async Task MoveNetworkInterface_returns_the_ENI_on_its_new_host()
    {
        await using var server = await StartWithExampleAsync();
        var reply = await OkAsync<MoveNetworkInterfaceReply>(server, new MoveNetworkInterfaceRequest { NetworkInterfaceId = "eni-a1", ToHost = "host-b" });
        Assert.Equal(("eni-a1", "host-b", "10.0.1.10", "198.51.100.10"), (reply.NetworkInterface.Id, reply.NetworkInterface.Host, reply.NetworkInterface.Ip, reply.NetworkInterface.PublicIp));
        var onA = await OkAsync<DescribeNetworkInterfacesReply>(server, new DescribeNetworkInterfacesRequest { Host = "host-a" });
        Assert.Equal(["eni-b1"], onA.NetworkInterfaces.Select(e => e.Id));
    }

    [Fact]
    public async Task DeleteNetworkInterface_returns_true_and_the_ENI_is_gone()
    {
        await using var server = await StartWithExampleAsync();
        var reply = await OkAsync<DeleteNetworkInterfaceReply>(server, new DeleteNetworkInterfaceRequest { NetworkInterfaceId = "eni-a2" });
        Assert.True(reply.Return);
        var left = await OkAsync<DescribeNetworkInterfacesReply>(server, new DescribeNetworkInterfacesRequest { VpcId = Red });
        Assert.Equal(["eni-a1"], left.NetworkInterfaces.Select(e => e.Id));
        var again = await OperatorCalls.SendAsync<DeleteNetworkInterfaceReply>(server, Ca, new DeleteNetworkInterfaceRequest { NetworkInterfaceId = "eni-a2" });
        Assert.Equal("InvalidNetworkInterfaceID.NotFound", again.Refusal.Code);
        Assert.False(again.Return);
    }

    [Fact]
    public async Task CreateSecurityGroup_returns_an_empty_group_of_its_VPC()
    {
        await using var server = await StartWithExampleAsync();
        var reply = await OkAsync<CreateSecurityGroupReply>(server, new CreateSecurityGroupRequest { VpcId = Blue, GroupId = "sg-new" });
        Assert.Equal(("sg-new", Blue), (reply.SecurityGroup.Id, reply.SecurityGroup.VpcId));
        Assert.Empty(reply.SecurityGroup.Ingress);
        Assert.Empty(reply.SecurityGroup.Egress);
    }

    [Fact]
    public async Task AuthorizeSecurityGroupIngress_returns_the_rule_and_one_port_stands_for_the_range()
    {
        await using var server = await StartWithExampleAsync();
        var reply = await OkAsync<AuthorizeSecurityGroupIngressReply>(server, new AuthorizeSecurityGroupIngressRequest { GroupId = "sg-app", Protocol = "udp", Port = 53, Cidr = "10.0.0.0/16" });
        Assert.Equal(("sg-app", "udp", 53, 53, "10.0.0.0/16", false), (reply.GroupId, reply.Rule.Protocol, reply.Rule.FromPort, reply.Rule.ToPort, reply.Rule.Cidr, reply.Rule.HasSourceGroup));
        var groups = await OkAsync<DescribeSecurityGroupsReply>(server, new DescribeSecurityGroupsRequest { VpcId = Blue });
        Assert.Contains(Assert.Single(groups.SecurityGroups).Ingress, r => r.Protocol == "udp" && r.FromPort == 53);
        var backwards = await OperatorCalls.SendAsync<AuthorizeSecurityGroupIngressReply>(server, Ca,
            new AuthorizeSecurityGroupIngressRequest { GroupId = "sg-app", Protocol = "tcp", FromPort = 90, ToPort = 80, Cidr = "0.0.0.0/0" });
        Assert.Equal("InvalidParameterValue", backwards.Refusal.Code);
    }

    [Fact]
    public async Task AssociateAddress_returns_the_ENI_with_its_public_IP()
    {
        await using var server = await StartWithExampleAsync();
        var reply = await OkAsync<AssociateAddressReply>(server, new AssociateAddressRequest { NetworkInterfaceId = "eni-a2", PublicIp = "198.51.100.30" });
        Assert.Equal(("eni-a2", "198.51.100.30", Red), (reply.NetworkInterface.Id, reply.NetworkInterface.PublicIp, reply.NetworkInterface.VpcId));
    }

    [Fact]
    public async Task DescribeVpcs_returns_every_VPC_with_its_parts_or_the_one_asked_for()
    {
        await using var server = await StartWithExampleAsync();
        var all = await OkAsync<DescribeVpcsReply>(server, new DescribeVpcsRequest());
        Assert.Equal([Red, Blue], all.Vpcs.Select(v => v.Id));
        var red = all.Vpcs[0];
        Assert.Equal(("10.0.0.0/16", 1001u), (red.Cidr, red.Vni));
        Assert.Equal(["subnet-a", "subnet-b"], red.Subnets.Select(s => s.Id));
        Assert.Equal("0.0.0.0/0 igw", string.Join(';', red.RouteTables.Single().Routes.Select(r => $"{r.Destination} {r.Target}")));
        Assert.Equal(3, red.SecurityGroups.Single().Ingress.Count);
        var one = await OkAsync<DescribeVpcsReply>(server, new DescribeVpcsRequest { VpcId = Blue });
        Assert.Equal([Blue], one.Vpcs.Select(v => v.Id));
    }

    [Fact]
    public async Task DescribeSubnets_filters_by_VPC()
    {
        await using var server = await StartWithExampleAsync();
        var all = await OkAsync<DescribeSubnetsReply>(server, new DescribeSubnetsRequest());
        Assert.Equal(["subnet-a", "subnet-b", "subnet-c"], all.Subnets.Select(s => s.Id));
        var blue = await OkAsync<DescribeSubnetsReply>(server, new DescribeSubnetsRequest { VpcId = Blue });
        var subnet = Assert.Single(blue.Subnets);
        Assert.Equal(("subnet-c", "10.0.1.0/24", "rtb-isolated", Blue), (subnet.Id, subnet.Cidr, subnet.RouteTable, subnet.VpcId));
    }

    [Fact]
    public async Task DescribeNetworkInterfaces_filters_by_VPC_host_id_and_subnet()
    {
        await using var server = await StartWithExampleAsync();
        async Task<IEnumerable<string>> Ids(DescribeNetworkInterfacesRequest request) => (await OkAsync<DescribeNetworkInterfacesReply>(server, request)).NetworkInterfaces.Select(e => e.Id);
        Assert.Equal(["eni-a1", "eni-a2", "eni-b1", "eni-b2"], await Ids(new()));
        Assert.Equal(["eni-a2", "eni-b2"], await Ids(new() { Host = "host-b" }));
        Assert.Equal(["eni-b1", "eni-b2"], await Ids(new() { VpcId = Blue }));
        Assert.Equal(["eni-a2"], await Ids(new() { SubnetId = "subnet-b" }));
        Assert.Equal(["eni-b1"], await Ids(new() { NetworkInterfaceId = "eni-b1" }));
    }

    [Fact]
    public async Task DescribeSecurityGroups_returns_the_rules_as_written()
    {
        await using var server = await StartWithExampleAsync();
        var reply = await OkAsync<DescribeSecurityGroupsReply>(server, new DescribeSecurityGroupsRequest());
        Assert.Equal(["sg-web", "sg-app"], reply.SecurityGroups.Select(g => g.Id));
        var web = reply.SecurityGroups[0];
        Assert.Equal(Red, web.VpcId);
        Assert.Equal(["tcp 80-80 0.0.0.0/0", "icmp -1--1 0.0.0.0/0", "all - sg-web"],
            web.Ingress.Select(r => $"{r.Protocol} {(r.HasFromPort ? r.FromPort.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}-{(r.HasToPort ? r.ToPort.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")} {(r.HasCidr ? r.Cidr : r.SourceGroup)}"));
    }

    [Fact]
    public async Task DescribeHosts_says_whether_each_host_is_connected_what_it_acknowledged_and_what_it_hosts()
    {
        await using var server = await StartWithExampleAsync();
        var reply = await OkAsync<DescribeHostsReply>(server, new DescribeHostsRequest());
        Assert.Equal(["host-a", "host-b"], reply.Hosts.Select(h => h.Host.Name));
        var a = reply.Hosts[0];
        Assert.Equal(("192.0.2.11", false, 0L, 1L, 2), (a.Host.UnderlayIp, a.Connected, a.AckedVersion, a.RegionVersion, a.Enis));
        Assert.Equal([Red, Blue], a.Vpcs);
        Assert.Null(a.Counters);
    }

    [Fact]
    public async Task DescribeAlarms_returns_every_alarm_or_pages_of_them_with_their_fields()
    {
        await using var server = await StartWithExampleAsync();
        var time = new DateTimeOffset(2026, 12, 7, 1, 2, 3, TimeSpan.Zero).AddTicks(4567);
        await server.Service.RecordAlarmsAsync([
            new AlarmRecord(0, time, AlarmRecord.CardKind, "host-a", "spoofed-source", "card of host-a dropped a frame", Vni: 1001, Slot: 1,
                OuterSource: "192.0.2.99", InnerSource: "10.0.1.10", InnerDestination: "10.0.2.20", Cycle: 12345),
            new AlarmRecord(0, time, AlarmRecord.AuthorizationKind, "host-b", "identity-mismatch", "claimed host-a", ClaimedHost: "host-a"),
            new AlarmRecord(0, time, AlarmRecord.FirmwareKind, "host-b", "apply-failed", "could not apply"),
        ]);
        var all = await OkAsync<DescribeAlarmsReply>(server, new DescribeAlarmsRequest());
        Assert.Equal(["spoofed-source", "identity-mismatch", "apply-failed"], all.Alarms.Select(a => a.Reason));
        Assert.False(all.HasNextToken);
        var card = all.Alarms[0];
        Assert.Equal((1L, time, "card", "host-a", 1001u, 1, "192.0.2.99", "10.0.1.10", "10.0.2.20", 12345UL, false, false),
            (card.Id, card.Time.ToDateTimeOffset(), card.Kind, card.Host, card.Vni, card.Slot, card.OuterSource, card.InnerSource, card.InnerDestination, card.Cycle, card.HasClaimedHost, card.HasSuppressed));
        Assert.Equal(("host-a", false), (all.Alarms[1].ClaimedHost, all.Alarms[1].HasVni));

        var first = await OkAsync<DescribeAlarmsReply>(server, new DescribeAlarmsRequest { MaxItems = 2 });
        Assert.Equal([1L, 2L], first.Alarms.Select(a => a.Id));
        Assert.Equal("3", first.NextToken);
        var last = await OkAsync<DescribeAlarmsReply>(server, new DescribeAlarmsRequest { MaxItems = 2, StartingToken = first.NextToken });
        Assert.Equal([3L], last.Alarms.Select(a => a.Id));
        Assert.False(last.HasNextToken);
        var bad = await OperatorCalls.SendAsync<DescribeAlarmsReply>(server, Ca, new DescribeAlarmsRequest { MaxItems = 0 });
        Assert.Equal("--max-items '0': expected a whole number of at least 1", bad.Refusal.Message);
    }

    [Fact]
    public async Task A_card_s_counters_travel_typed_from_its_agent_to_describe_hosts()
    {
        await using var server = await StartWithExampleAsync();
        server.Ca.IssueHost("host-a", _dir.File("id-a"));
        using var channel = MappingChannel.ForHost(server.Endpoint, _dir.File("id-a"));
        using var card = new CardThread(() => new ModelCard(CardGeometry.Default));
        var agent = new FirmwareAgent("host-a", server.Endpoint, () => new RegionMapping.RegionMappingClient(channel), card, CardGeometry.Default)
        {
            ReportInterval = TimeSpan.FromMilliseconds(20),
        };
        using var cts = new CancellationTokenSource();
        var run = agent.RunAsync(cts.Token);
        try
        {
            await Wait.Until(() => agent.Version == 1);
            // Three frames too short to be Ethernet: three malformed drops.
            await card.InvokeAsync(c =>
            {
                for (var i = 0; i < 3; i++)
                    c.PushNetwork(new byte[6]);
                c.RunUntilIdle();
            });
            await Wait.Until(() => server.Service.DescribeHosts(new Api.DescribeFilter(Host: "host-a")).Single().Counters is { } c
                && c.Drops.Any(d => d is { Key: "malformed", Value: 3 }));

            var reply = await OkAsync<DescribeHostsReply>(server, new DescribeHostsRequest { Host = "host-a" });
            var counters = Assert.Single(reply.Hosts).Counters;
            Assert.Equal(Enum.GetValues<DropReason>().Select(r => r.ToWireName()), counters.Drops.Select(d => d.Reason));
            Assert.Equal(3UL, counters.Drops.Single(d => d.Reason == "malformed").Count);
            Assert.Equal(3UL, counters.Drops.Aggregate(0UL, (total, d) => total + d.Count));
            // The card's ENIs by id, in slot order (eni-a1 is slot 0, eni-b1 slot 1).
            Assert.Equal(["eni-a1", "eni-b1"], counters.NetworkInterfaces.Select(e => e.NetworkInterfaceId));
            Assert.Equal(0UL, counters.AlarmOverflow);
            Assert.True(reply.Hosts[0].Connected);
            Assert.Contains("\"malformed\": 3", ReplyJson.Render(reply), StringComparison.Ordinal);
        }
        finally
        {
            await cts.CancelAsync();
            await run;
        }
    }

    public void Dispose() => _dir.Dispose();
}
