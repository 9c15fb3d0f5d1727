using System.Net;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Hosting;
using NitroCard.Mapping.Security;

namespace NitroCard.Mapping.Tests;

/// <summary>
/// What a client sees when a request fails (issue 16): a long problem list in the reply body, capped and
/// counted; one documented request limit that Kestrel and gRPC agree on; TLS refusals that name the certificate.
/// </summary>
public sealed class ErrorTransportTests : IDisposable
{
    private readonly TempDir _dir = new();

    private static readonly string ExamplePath = Path.Combine(AppContext.BaseDirectory, "regions", "docs-example.json");

    private Task<MappingServer> StartAsync()
        => MappingServer.StartAsync(new MappingServerOptions(_dir.File("region.db"), new IPEndPoint(IPAddress.Loopback, 0), _dir.File("ca")));

    private Task<TReply> CallAsync<TReply>(MappingServer server, IMessage request)
        where TReply : IApiReply
        => OperatorCalls.SendAsync<TReply>(server, _dir.File("ca"), request);

    [Fact]
    public async Task A_file_with_1025_problems_is_refused_in_the_body_with_the_first_100_and_a_count()
    {
        await using var server = await StartAsync();
        var root = JsonNode.Parse(File.ReadAllText(ExamplePath))!.AsObject();
        var hosts = new JsonArray();
        for (var i = 0; i < 1025; i++)
            hosts.Add(new JsonObject { ["name"] = $"host-{i}", ["underlayIp"] = $"bad-{i}" });
        root["hosts"] = hosts;
        root["vpcs"] = new JsonArray();
        root["edges"] = new JsonArray();

        var reply = await CallAsync<ApplyReply>(server, new ApplyRequest { Region = root.ToJsonString(), Name = "big.json" });

        Assert.Equal("InvalidParameterValue", reply.Refusal.Code);
        Assert.Equal("1025 problems", reply.Refusal.Message);
        Assert.Equal(MappingLimits.MaxListedProblems, reply.Refusal.Problems.Count);
        Assert.Equal(925u, reply.Refusal.MoreProblems);
        Assert.StartsWith("big.json: hosts[0].underlayIp: 'bad-0' is not an IPv4 address", reply.Refusal.Problems[0], StringComparison.Ordinal);
        Assert.Equal(0, server.Service.Version);
    }

    [Fact]
    public async Task Kestrel_accepts_what_gRPC_accepts_and_a_request_over_the_limit_names_it()
    {
        await using var server = await StartAsync();
        // 40 MB: over Kestrel's default 30 MB body limit, under the service's 64 MiB.
        var padded = File.ReadAllText(ExamplePath) + new string(' ', 40_000_000);
        var reply = await CallAsync<ApplyReply>(server, new ApplyRequest { Region = padded });
        Assert.Null(reply.Refusal);
        Assert.Equal(1, server.Service.Version);

        var tooBig = new string(' ', MappingLimits.MaxRequestBytes + 1);
        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync<ApplyReply>(server, new ApplyRequest { Region = tooBig }));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Equal(1, server.Service.Version);
    }

    [Fact]
    public async Task A_client_certificate_from_another_CA_is_told_so()
    {
        await using var server = await StartAsync();
        using var other = RegionCa.OpenOrCreate(_dir.File("other-ca"));
        using var channel = MappingChannel.Create(server.Endpoint, RegionCa.LoadIdentity(_dir.File("other-ca"), "operator"), RegionCa.LoadCa(_dir.File("ca")));
        var e = await Assert.ThrowsAsync<RpcException>(() => new RegionMapping.RegionMappingClient(channel).DescribeVpcsAsync(new DescribeVpcsRequest()).ResponseAsync);
        Assert.Contains("refused this client's certificate (not issued by the region CA)", MappingChannel.Explain(e, _dir.File("ca")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_certificate_from_another_CA_is_told_so()
    {
        await using var server = await StartAsync();
        using var other = RegionCa.OpenOrCreate(_dir.File("other-ca"));
        using var channel = MappingChannel.ForOperator(server.Endpoint, _dir.File("other-ca"));
        var e = await Assert.ThrowsAsync<RpcException>(() => new RegionMapping.RegionMappingClient(channel).DescribeVpcsAsync(new DescribeVpcsRequest()).ResponseAsync);
        Assert.Contains($"the server's certificate is not issued by the CA in {_dir.File("other-ca")}", MappingChannel.Explain(e, _dir.File("other-ca")), StringComparison.Ordinal);
    }

    public static TheoryData<string, IMessage, string> RegionFileChecks() => new()
    {
        { "broadcast underlay", new CreateHostRequest { Name = "host-z", UnderlayIp = "255.255.255.255" }, "is not a unicast address" },
        { "zero underlay", new CreateHostRequest { Name = "host-z", UnderlayIp = "0.0.0.0" }, "is not a unicast address" },
        { "private public IP", new AssociateAddressRequest { NetworkInterfaceId = "eni-a2", PublicIp = "192.168.7.7" }, "is not a public address (private, RFC 1918)" },
        { "VPC /8", new CreateVpcRequest { CidrBlock = "10.0.0.0/8" }, "is invalid: a VPC" },
        { "VPC /29", new CreateVpcRequest { CidrBlock = "10.7.0.0/29" }, "is invalid: a VPC" },
    };

    [Theory]
    [MemberData(nameof(RegionFileChecks))]
    public async Task The_API_applies_the_region_file_checks_and_changes_nothing(string check, IMessage request, string expected)
    {
        _ = check;
        await using var server = await StartAsync();
        Assert.Null((await CallAsync<ApplyReply>(server, new ApplyRequest { Region = File.ReadAllText(ExamplePath) })).Refusal);
        var reply = await CallAsync<IApiReply>(server, request);
        Assert.NotNull(reply.Refusal);
        Assert.Contains(expected, reply.Refusal.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.Service.Version);
    }

    public void Dispose() => _dir.Dispose();
}
