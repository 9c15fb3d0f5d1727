using Google.Protobuf;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Hosting;

namespace NitroCard.Mapping.Tests;

/// <summary>Operator requests over gRPC with mutual TLS, as nitroctl sends them: one rpc per request message.</summary>
internal static class OperatorCalls
{
    /// <summary>One request of every rpc the operator API has.</summary>
    public static IEnumerable<IMessage> OneOfEach() =>
    [
        new ApplyRequest(), new CreateHostRequest(), new CreateVpcRequest(), new CreateSubnetRequest(), new CreateNetworkInterfaceRequest(),
        new MoveNetworkInterfaceRequest(), new DeleteNetworkInterfaceRequest(), new CreateSecurityGroupRequest(),
        new AuthorizeSecurityGroupIngressRequest(), new AssociateAddressRequest(), new DescribeVpcsRequest(), new DescribeSubnetsRequest(),
        new DescribeNetworkInterfacesRequest(), new DescribeSecurityGroupsRequest(), new DescribeHostsRequest(), new DescribeAlarmsRequest(),
    ];

    public static async Task<IApiReply> SendAsync(RegionMapping.RegionMappingClient client, IMessage request) => request switch
    {
        ApplyRequest r => await client.ApplyAsync(r),
        CreateHostRequest r => await client.CreateHostAsync(r),
        CreateVpcRequest r => await client.CreateVpcAsync(r),
        CreateSubnetRequest r => await client.CreateSubnetAsync(r),
        CreateNetworkInterfaceRequest r => await client.CreateNetworkInterfaceAsync(r),
        MoveNetworkInterfaceRequest r => await client.MoveNetworkInterfaceAsync(r),
        DeleteNetworkInterfaceRequest r => await client.DeleteNetworkInterfaceAsync(r),
        CreateSecurityGroupRequest r => await client.CreateSecurityGroupAsync(r),
        AuthorizeSecurityGroupIngressRequest r => await client.AuthorizeSecurityGroupIngressAsync(r),
        AssociateAddressRequest r => await client.AssociateAddressAsync(r),
        DescribeVpcsRequest r => await client.DescribeVpcsAsync(r),
        DescribeSubnetsRequest r => await client.DescribeSubnetsAsync(r),
        DescribeNetworkInterfacesRequest r => await client.DescribeNetworkInterfacesAsync(r),
        DescribeSecurityGroupsRequest r => await client.DescribeSecurityGroupsAsync(r),
        DescribeHostsRequest r => await client.DescribeHostsAsync(r),
        DescribeAlarmsRequest r => await client.DescribeAlarmsAsync(r),
        _ => throw new ArgumentException($"{request.Descriptor.Name} is not an operator request", nameof(request)),
    };

    /// <summary>The reply, refused or not.</summary>
    public static async Task<TReply> SendAsync<TReply>(MappingServer server, string caDir, IMessage request)
        where TReply : IApiReply
    {
        using var channel = MappingChannel.ForOperator(server.Endpoint, caDir);
        return (TReply)await SendAsync(new RegionMapping.RegionMappingClient(channel), request);
    }

    /// <summary>The reply of a request the service must accept.</summary>
    public static async Task<TReply> OkAsync<TReply>(MappingServer server, string caDir, IMessage request)
        where TReply : IApiReply
    {
        var reply = await SendAsync<TReply>(server, caDir, request);
        return reply.Refusal is null ? reply : throw new InvalidOperationException($"{reply.Refusal.Code}: {reply.Refusal.Message}");
    }
}
