using System.Reflection;
using Google.Protobuf;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.State;
using P = NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Fuzz.Targets;

/// <summary>
/// An operator's request to the Mapping Service: the first byte picks the rpc (<see cref="Rpcs"/>, modulo their
/// count), the rest is that rpc's request message (protobuf, as gRPC hands it to <c>RegionMappingService</c>), run
/// through <see cref="OperatorApi"/> on a service holding the example region (docs/examples/region.json), fresh for
/// every input. Refusal: <see cref="InvalidProtocolBufferException"/>, or a reply carrying the EC2-style refusal.
/// </summary>
public static class MappingRequestTarget
{
    private static readonly Lazy<(long Version, IReadOnlyList<StoredRecord> Records)> Region = new(LoadRegion);

    public static FuzzTarget Target { get; } = new(
        "mapping-request",
        "Mapping Service API requests: one rpc's request message (first byte: which) parsed and run through OperatorApi on the example region; refusal: InvalidProtocolBufferException, a refused reply",
        Run,
        e => e is InvalidProtocolBufferException,
        [0x02, 0x0a, 0x05, (byte)'x', (byte)'-', (byte)'v', (byte)'p', (byte)'c'])
    {
        Instrument = ["NitroCard.Mapping.Protocol.dll", "NitroCard.Mapping.dll", "NitroCard.Region.dll"],
    };

    /// <summary>The rpcs in the order of the input's first byte: the request parser and the call of each.</summary>
    public static IReadOnlyList<(MessageParser Parser, Func<OperatorApi, IMessage, Task<P.IApiReply>> Call)> Rpcs { get; } =
    [
        Rpc(P.ApplyRequest.Parser, (api, r) => api.ApplyAsync(r)),
        Rpc(P.CreateHostRequest.Parser, (api, r) => api.CreateHostAsync(r)),
        Rpc(P.CreateVpcRequest.Parser, (api, r) => api.CreateVpcAsync(r)),
        Rpc(P.CreateSubnetRequest.Parser, (api, r) => api.CreateSubnetAsync(r)),
        Rpc(P.CreateNetworkInterfaceRequest.Parser, (api, r) => api.CreateNetworkInterfaceAsync(r)),
        Rpc(P.MoveNetworkInterfaceRequest.Parser, (api, r) => api.MoveNetworkInterfaceAsync(r)),
        Rpc(P.DeleteNetworkInterfaceRequest.Parser, (api, r) => api.DeleteNetworkInterfaceAsync(r)),
        Rpc(P.CreateSecurityGroupRequest.Parser, (api, r) => api.CreateSecurityGroupAsync(r)),
        Rpc(P.AuthorizeSecurityGroupIngressRequest.Parser, (api, r) => api.AuthorizeSecurityGroupIngressAsync(r)),
        Rpc(P.AssociateAddressRequest.Parser, (api, r) => api.AssociateAddressAsync(r)),
        Rpc(P.DescribeVpcsRequest.Parser, (api, r) => api.DescribeVpcsAsync(r)),
        Rpc(P.DescribeSubnetsRequest.Parser, (api, r) => api.DescribeSubnetsAsync(r)),
        Rpc(P.DescribeNetworkInterfacesRequest.Parser, (api, r) => api.DescribeNetworkInterfacesAsync(r)),
        Rpc(P.DescribeSecurityGroupsRequest.Parser, (api, r) => api.DescribeSecurityGroupsAsync(r)),
        Rpc(P.DescribeHostsRequest.Parser, (api, r) => api.DescribeHostsAsync(r)),
        Rpc(P.DescribeAlarmsRequest.Parser, (api, r) => api.DescribeAlarmsAsync(r)),
        Rpc(P.DescribeEdgesRequest.Parser, (api, r) => api.DescribeEdgesAsync(r)),
        Rpc(P.EdgeHeartbeatRequest.Parser, (api, r) => api.EdgeHeartbeatAsync(r)),
    ];

    /// <summary>An input for <paramref name="request"/>: the index of its rpc, then the message.</summary>
    public static byte[] Input(IMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var index = Rpcs.Select((rpc, i) => (rpc, i)).Single(x => x.rpc.Parser.GetType() == request.Descriptor.Parser.GetType()).i;
        return [(byte)index, .. request.ToByteArray()];
    }

    private static (MessageParser, Func<OperatorApi, IMessage, Task<P.IApiReply>>) Rpc<TRequest, TReply>(MessageParser<TRequest> parser, Func<OperatorApi, TRequest, Task<TReply>> call)
        where TRequest : IMessage<TRequest>
        where TReply : P.IApiReply
        => (parser, async (api, request) => await call(api, (TRequest)request).ConfigureAwait(false));

    private static Outcome Run(byte[] input)
    {
        if (input.Length == 0)
            return Outcome.Rejected;
        var (parser, call) = Rpcs[input[0] % Rpcs.Count];
        var request = parser.ParseFrom(input.AsSpan(1));
        var (version, records) = Region.Value;
        var service = MappingService.OpenAsync(new InMemoryRegionStore(version, records)).GetAwaiter().GetResult();
        try
        {
            var reply = call(new OperatorApi(service), request).GetAwaiter().GetResult();
            return reply.Refusal is null ? Outcome.Accepted : Outcome.Rejected;
        }
        finally
        {
            service.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The example region applied to an empty store: the snapshot every input starts from.</summary>
    private static (long, IReadOnlyList<StoredRecord>) LoadRegion()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("region.json")
            ?? throw new InvalidOperationException("the example region is not embedded");
        using var reader = new StreamReader(stream);
        var json = reader.ReadToEnd();
        var store = new InMemoryRegionStore(0, []);
        var service = MappingService.OpenAsync(store).GetAwaiter().GetResult();
        service.ApplyAsync(json, "region.json").GetAwaiter().GetResult();
        var snapshot = store.Snapshot();
        service.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return snapshot;
    }
}
