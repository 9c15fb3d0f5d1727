using System.Net;
using Google.Protobuf;
using Grpc.Core;
using NitroCard.Card;
using NitroCard.Firmware;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Hosting;
using NitroCard.Mapping.Security;
using NitroCard.Model;
using NitroCard.Packets;
using MappingKey = NitroCard.Card.Tables.MappingKey;

namespace NitroCard.Mapping.Tests;

/// <summary>The service over gRPC with mutual TLS, and firmware agents on model cards.</summary>
public sealed class GrpcServiceTests : IDisposable
{
    private readonly TempDir _dir = new();

    private static readonly string ExamplePath = Path.Combine(AppContext.BaseDirectory, "regions", "docs-example.json");

    private Task<MappingServer> StartAsync(int port = 0)
        => MappingServer.StartAsync(new MappingServerOptions(_dir.File("region.db"), new IPEndPoint(IPAddress.Loopback, port), _dir.File("ca")));

    private static Task<ApplyReply> ApplyExampleAsync(MappingServer server, string caDir)
        => OperatorCalls.OkAsync<ApplyReply>(server, caDir, new ApplyRequest { Region = File.ReadAllText(ExamplePath) });

    /// <summary>A refusal's message and its problems, one a line, as nitroctl prints them.</summary>
    private static string RefusalText(Refusal refusal) => string.Join('\n', [refusal.Message, .. refusal.Problems]);

    [Fact]
    public async Task Operators_call_the_API_and_refusals_carry_the_EC2_code()
    {
        await using var server = await StartAsync();
        var ca = _dir.File("ca");
        await ApplyExampleAsync(server, ca);
        var reply = await OperatorCalls.SendAsync<CreateSubnetReply>(server, ca, new CreateSubnetRequest { VpcId = "vpc-0a1b2c3d4e5f60718", CidrBlock = "10.0.1.0/25" });
        Assert.Equal("InvalidSubnet.Conflict", reply.Refusal.Code);
        Assert.Null(reply.Subnet);
    }

    [Fact]
    public async Task A_host_identity_may_call_no_rpc_of_the_API_and_a_foreign_CA_is_refused_at_TLS()
    {
        await using var server = await StartAsync();
        await ApplyExampleAsync(server, _dir.File("ca"));
        server.Ca.IssueHost("host-a", _dir.File("id-a"));
        using (var channel = MappingChannel.ForHost(server.Endpoint, _dir.File("id-a")))
        {
            var client = new RegionMapping.RegionMappingClient(channel);
            foreach (var request in OperatorCalls.OneOfEach())
            {
                var e = await Assert.ThrowsAsync<RpcException>(() => OperatorCalls.SendAsync(client, request));
                Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
                Assert.Contains("only operators may call", e.Status.Detail, StringComparison.Ordinal);
            }
        }
        Assert.Equal(1, server.Service.Version);
        using var other = RegionCa.OpenOrCreate(_dir.File("other-ca"));
        other.IssueHost("host-a", _dir.File("forged"));
        using var forged = MappingChannel.Create(server.Endpoint, RegionCa.LoadIdentity(_dir.File("forged"), "host"), RegionCa.LoadCa(_dir.File("ca")));
        await Assert.ThrowsAsync<RpcException>(() => new RegionMapping.RegionMappingClient(forged).DescribeVpcsAsync(new DescribeVpcsRequest()).ResponseAsync);
    }

    [Fact]
    public async Task A_host_claiming_another_identity_or_a_VPC_it_does_not_host_is_refused_and_alarmed()
    {
        await using var server = await StartAsync();
        await ApplyExampleAsync(server, _dir.File("ca"));
        server.Ca.IssueHost("host-b", _dir.File("id-b"));
        using var channel = MappingChannel.ForHost(server.Endpoint, _dir.File("id-b"));
        var agent = new FirmwareAgent("host-a", server.Endpoint, () => new RegionMapping.RegionMappingClient(channel), null, CardGeometry.Default);
        var refused = await Assert.ThrowsAsync<AgentRefusedException>(() => agent.RunAsync(CancellationToken.None));
        Assert.Contains("host-b", refused.Message, StringComparison.Ordinal);
        var alarm = Assert.Single(server.Service.Alarms);
        Assert.Equal(("identity-mismatch", "host-b", "host-a"), (alarm.Reason, alarm.Host, alarm.ClaimedHost));

        // host-b asks for a VPC it does not host.
        await OperatorCalls.OkAsync<CreateVpcReply>(server, _dir.File("ca"), new CreateVpcRequest { CidrBlock = "10.0.0.0/16", VpcId = "vpc-blue" });
        using var call = new RegionMapping.RegionMappingClient(channel).Subscribe();
        await call.RequestStream.WriteAsync(new AgentMessage { Hello = new Hello { Host = "host-b", Vpcs = { "vpc-blue" } } });
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Contains(server.Service.Alarms, a => a.Reason == "vpc-not-on-host" && a.Host == "host-b" && a.Message.Contains("vpc-blue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_agent_programs_its_card_keeps_it_while_the_service_is_down_and_catches_up_after_a_restart()
    {
        var server = await StartAsync();
        var port = server.Port;
        var ca = _dir.File("ca");
        await ApplyExampleAsync(server, ca);
        server.Ca.IssueHost("host-a", _dir.File("id-a"));
        using var channel = MappingChannel.ForHost(new Uri($"https://127.0.0.1:{port}"), _dir.File("id-a"));
        using var card = new CardThread(() => new ModelCard(CardGeometry.Default));
        var agent = new FirmwareAgent("host-a", server.Endpoint, () => new RegionMapping.RegionMappingClient(channel), card, CardGeometry.Default)
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(100),
        };
        var retries = 0;
        agent.Retrying += _ => Interlocked.Increment(ref retries);
        using var cts = new CancellationTokenSource();
        var run = agent.RunAsync(cts.Token);
        try
        {
            await Wait.Until(() => agent.Version == 1);
            Assert.Equal(4, agent.Programmer.MappingCount);
            Assert.True(agent.Programmer.TryGetMapping(new MappingKey(1001, Ipv4Address.ToUInt32(IPAddress.Parse("10.0.2.20"))), out var remote));
            Assert.Null(remote.LocalEniId);

            // The service goes away: once the agent has lost it and failed to reconnect twice, the card still holds its tables.
            await server.DisposeAsync();
            await Wait.Until(() => !agent.Connected && Volatile.Read(ref retries) >= 2);
            Assert.Equal(4, agent.Programmer.MappingCount);
            Assert.Equal(4, await card.InvokeAsync(c => ((ModelCard)c).MappingCount));

            // It comes back on the same store and port; an update made now reaches the card.
            server = await StartAsync(port);
            await OperatorCalls.OkAsync<CreateNetworkInterfaceReply>(server, ca, new CreateNetworkInterfaceRequest { SubnetId = "subnet-b", Host = "host-b", PrivateIpAddress = "10.0.2.30" });
            await Wait.Until(() => agent.Version == 2);
            Assert.True(agent.Programmer.TryGetMapping(new MappingKey(1001, Ipv4Address.ToUInt32(IPAddress.Parse("10.0.2.30"))), out _));
            var mappings = await card.InvokeAsync(c => ((ModelCard)c).MappingCount);
            Assert.Equal(5, mappings);
        }
        finally
        {
            await cts.CancelAsync();
            await run;
            await server.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("networkInterfaceId", "/tmp/x/victim", "'/tmp/x/victim' is not a valid id (it starts with '/')")]
    [InlineData("networkInterfaceId", "../escaped", "'../escaped' is not a valid id (it starts with '.')")]
    [InlineData("networkInterfaceId", "eni-x\nchild 1", "'eni-x\\nchild 1' is not a valid id (it has '\\n' at position 6)")]
    [InlineData("networkInterfaceId", "eni-X", "'eni-X' is not a valid id (it has the uppercase letter 'X' at position 5)")]
    [InlineData("networkInterfaceId", "e1111111111111111111111111111111111111111111111111111111111111111", "is not a valid id (it has 65 characters)")]
    [InlineData("networkInterfaceId", "eni-\u0007", "'eni-\\u0007' is not a valid id (it has '\\u0007' at position 5)")]
    [InlineData("networkInterfaceId", "internet", "'internet' is reserved")]
    [InlineData("host", "host-b/../../x", "Value for parameter host is invalid: 'host-b/../../x' is not a valid id")]
    [InlineData("groups", "sg-web,SG", "Value for parameter groups is invalid: 'SG' is not a valid id")]
    public async Task Create_network_interface_refuses_a_hostile_or_reserved_id_naming_the_parameter_and_changes_nothing(string parameter, string value, string expected)
    {
        await using var server = await StartAsync();
        var ca = _dir.File("ca");
        await ApplyExampleAsync(server, ca);
        var version = server.Service.Version;
        var request = new CreateNetworkInterfaceRequest { SubnetId = "subnet-a", Host = "host-b", NetworkInterfaceId = "eni-new" };
        switch (parameter)
        {
            case "networkInterfaceId":
                request.NetworkInterfaceId = value;
                break;
            case "host":
                request.Host = value;
                break;
            default:
                request.Groups.Add(value.Split(','));
                break;
        }

        var refusal = (await OperatorCalls.SendAsync<CreateNetworkInterfaceReply>(server, ca, request)).Refusal;

        Assert.NotNull(refusal);
        Assert.Equal("InvalidParameterValue", refusal.Code);
        var detail = RefusalText(refusal);
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        Assert.Contains($"parameter {parameter}", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(detail.Replace("\n", "", StringComparison.Ordinal), c => c < ' ');
        Assert.Equal(version, server.Service.Version);
        Assert.DoesNotContain((await OperatorCalls.OkAsync<DescribeNetworkInterfacesReply>(server, ca, new DescribeNetworkInterfacesRequest())).NetworkInterfaces, e => e.Id == "eni-new");
    }

    [Theory]
    [InlineData("move-network-interface", "networkInterfaceId", "eni-a1\nnetns x")]
    [InlineData("move-network-interface", "toHost", "../host-b")]
    [InlineData("delete-network-interface", "networkInterfaceId", "eni-a1 ")]
    [InlineData("describe-network-interfaces", "host", "host-a\u001b[2J")]
    [InlineData("create-host", "name", "Host-C")]
    [InlineData("create-vpc", "vpcId", "vpc_1")]
    public async Task Every_entry_point_taking_an_id_refuses_a_hostile_one(string action, string parameter, string value)
    {
        await using var server = await StartAsync();
        var ca = _dir.File("ca");
        await ApplyExampleAsync(server, ca);
        var version = server.Service.Version;
        IMessage request = (action, parameter) switch
        {
            ("move-network-interface", "networkInterfaceId") => new MoveNetworkInterfaceRequest { NetworkInterfaceId = value, ToHost = "host-b" },
            ("move-network-interface", _) => new MoveNetworkInterfaceRequest { NetworkInterfaceId = "eni-a1", ToHost = value },
            ("delete-network-interface", _) => new DeleteNetworkInterfaceRequest { NetworkInterfaceId = value },
            ("describe-network-interfaces", _) => new DescribeNetworkInterfacesRequest { Host = value },
            ("create-host", _) => new CreateHostRequest { Name = value, UnderlayIp = "192.0.2.13" },
            _ => new CreateVpcRequest { CidrBlock = "10.9.0.0/16", VpcId = value },
        };

        var refusal = (await OperatorCalls.SendAsync<IApiReply>(server, ca, request)).Refusal;

        Assert.NotNull(refusal);
        Assert.Equal("InvalidParameterValue", refusal.Code);
        Assert.Contains($"Value for parameter {parameter} is invalid", RefusalText(refusal), StringComparison.Ordinal);
        Assert.Equal(version, server.Service.Version);
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("host-a\nOU=operator")]
    [InlineData("HOST-A")]
    public void A_host_identity_is_issued_only_for_a_name_of_the_safe_set(string host)
    {
        using var ca = RegionCa.OpenOrCreate(_dir.File("ca"));
        var e = Assert.Throws<ArgumentException>(() => ca.IssueHost(host, _dir.File("id")));
        Assert.Contains("is not a valid id", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.File("id")));
    }

    public void Dispose() => _dir.Dispose();
}
