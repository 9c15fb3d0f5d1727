using Google.Protobuf.WellKnownTypes;
using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Hosting;
using P = NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Mapping.Grpc;

/// <summary>
/// The operator API between its wire messages and the service: each request becomes the operation's typed
/// parameters, each result its reply message, and a refusal (<see cref="MappingApiException"/>) a reply holding it
/// (the problem list can be longer than trailers allow). Who may call is <see cref="RegionMappingService"/>'s concern.
/// </summary>
public sealed class OperatorApi(MappingService service)
{
    public Task<P.ApplyReply> ApplyAsync(P.ApplyRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, async (r, ct) =>
        {
            var result = await service.ApplyAsync(r.Region, r.Name, ct).ConfigureAwait(false);
            return new P.ApplyReply { Vpcs = (uint)result.Vpcs, Enis = (uint)result.Enis, Hosts = (uint)result.Hosts, Writes = (uint)result.Writes };
        }, cancellationToken);

    public Task<P.CreateHostReply> CreateHostAsync(P.CreateHostRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, async (r, ct) => new P.CreateHostReply
        {
            Host = ResourceCodec.ToMessage(await service.CreateHostAsync(new CreateHostRequest(r.Name, r.UnderlayIp, r.UnderlayMac, r.Dataplane), ct).ConfigureAwait(false)),
        }, cancellationToken);

    public Task<P.CreateVpcReply> CreateVpcAsync(P.CreateVpcRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, async (r, ct) => new P.CreateVpcReply
        {
            Vpc = ResourceCodec.ToMessage(await service.CreateVpcAsync(new CreateVpcRequest(r.CidrBlock, r.HasVni ? r.Vni : null, r.VpcId), ct).ConfigureAwait(false)),
        }, cancellationToken);

    public Task<P.CreateSubnetReply> CreateSubnetAsync(P.CreateSubnetRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, async (r, ct) =>
        {
            var subnet = await service.CreateSubnetAsync(new CreateSubnetRequest(r.VpcId, r.CidrBlock, r.SubnetId, r.RouteTableId), ct).ConfigureAwait(false);
            return new P.CreateSubnetReply { Subnet = ResourceCodec.ToMessage(subnet.Resource, subnet.VpcId) };
        }, cancellationToken);

    public Task<P.CreateNetworkInterfaceReply> CreateNetworkInterfaceAsync(P.CreateNetworkInterfaceRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, async (r, ct) =>
        {
            var eni = await service.CreateNetworkInterfaceAsync(new CreateNetworkInterfaceRequest(
                r.SubnetId, r.Host, r.PrivateIpAddress, r.MacAddress, r.NetworkInterfaceId, [.. r.Groups], !r.HasSourceDestCheck || r.SourceDestCheck), ct).ConfigureAwait(false);
            return new P.CreateNetworkInterfaceReply { NetworkInterface = ToMessage(eni) };
        }, cancellationToken);

    public Task<P.MoveNetworkInterfaceReply> MoveNetworkInterfaceAsync(P.MoveNetworkInterfaceRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, async (r, ct) => new P.MoveNetworkInterfaceReply
        {
            NetworkInterface = ToMessage(await service.MoveNetworkInterfaceAsync(new MoveNetworkInterfaceRequest(r.NetworkInterfaceId, r.ToHost), ct).ConfigureAwait(false)),
        }, cancellationToken);

    public Task<P.DeleteNetworkInterfaceReply> DeleteNetworkInterfaceAsync(P.DeleteNetworkInterfaceRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, async (r, ct) => new P.DeleteNetworkInterfaceReply
        {
            Return = await service.DeleteNetworkInterfaceAsync(new DeleteNetworkInterfaceRequest(r.NetworkInterfaceId), ct).ConfigureAwait(false),
        }, cancellationToken);

    public Task<P.CreateSecurityGroupReply> CreateSecurityGroupAsync(P.CreateSecurityGroupRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, async (r, ct) =>
        {
            var group = await service.CreateSecurityGroupAsync(new CreateSecurityGroupRequest(r.VpcId, r.GroupId), ct).ConfigureAwait(false);
            return new P.CreateSecurityGroupReply { SecurityGroup = ResourceCodec.ToMessage(group.Resource, group.VpcId) };
        }, cancellationToken);

    public Task<P.AuthorizeSecurityGroupIngressReply> AuthorizeSecurityGroupIngressAsync(P.AuthorizeSecurityGroupIngressRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, async (r, ct) =>
        {
            var added = await service.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest(
                r.GroupId, r.Protocol, r.HasPort ? r.Port : null, r.HasFromPort ? r.FromPort : null, r.HasToPort ? r.ToPort : null, r.Cidr, r.SourceGroup), ct).ConfigureAwait(false);
            return new P.AuthorizeSecurityGroupIngressReply { GroupId = added.GroupId, Rule = ResourceCodec.ToMessage(added.Rule) };
        }, cancellationToken);

    public Task<P.AssociateAddressReply> AssociateAddressAsync(P.AssociateAddressRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, async (r, ct) => new P.AssociateAddressReply
        {
            NetworkInterface = ToMessage(await service.AssociateAddressAsync(new AssociateAddressRequest(r.NetworkInterfaceId, r.PublicIp), ct).ConfigureAwait(false)),
        }, cancellationToken);

    public Task<P.DescribeVpcsReply> DescribeVpcsAsync(P.DescribeVpcsRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, (r, _) => Task.FromResult(new P.DescribeVpcsReply
        {
            Vpcs = { service.DescribeVpcs(new DescribeFilter(VpcId: r.VpcId)).Select(ResourceCodec.ToMessage) },
        }), cancellationToken);

    public Task<P.DescribeSubnetsReply> DescribeSubnetsAsync(P.DescribeSubnetsRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, (r, _) => Task.FromResult(new P.DescribeSubnetsReply
        {
            Subnets = { service.DescribeSubnets(new DescribeFilter(VpcId: r.VpcId)).Select(s => ResourceCodec.ToMessage(s.Resource, s.VpcId)) },
        }), cancellationToken);

    public Task<P.DescribeNetworkInterfacesReply> DescribeNetworkInterfacesAsync(P.DescribeNetworkInterfacesRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, (r, _) => Task.FromResult(new P.DescribeNetworkInterfacesReply
        {
            NetworkInterfaces = { service.DescribeNetworkInterfaces(new DescribeFilter(r.VpcId, r.Host, r.NetworkInterfaceId, r.SubnetId)).Select(ToMessage) },
        }), cancellationToken);

    public Task<P.DescribeSecurityGroupsReply> DescribeSecurityGroupsAsync(P.DescribeSecurityGroupsRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, (r, _) => Task.FromResult(new P.DescribeSecurityGroupsReply
        {
            SecurityGroups = { service.DescribeSecurityGroups(new DescribeFilter(VpcId: r.VpcId)).Select(g => ResourceCodec.ToMessage(g.Resource, g.VpcId)) },
        }), cancellationToken);

    public Task<P.DescribeHostsReply> DescribeHostsAsync(P.DescribeHostsRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, (r, _) => Task.FromResult(new P.DescribeHostsReply
        {
            Hosts = { service.DescribeHosts(new DescribeFilter(Host: r.Host)).Select(ToMessage) },
        }), cancellationToken);

    public Task<P.DescribeAlarmsReply> DescribeAlarmsAsync(P.DescribeAlarmsRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, (r, _) =>
        {
            var page = service.DescribeAlarms(new DescribeAlarmsRequest(r.HasMaxItems ? r.MaxItems : null, r.StartingToken));
            var reply = new P.DescribeAlarmsReply { Alarms = { page.Alarms.Select(ToMessage) } };
            if (page.NextToken is not null)
                reply.NextToken = page.NextToken;
            return Task.FromResult(reply);
        }, cancellationToken);

    public Task<P.DescribeEdgesReply> DescribeEdgesAsync(P.DescribeEdgesRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, (_, _) => Task.FromResult(new P.DescribeEdgesReply { Edges = { service.DescribeEdges().Select(ToMessage) } }), cancellationToken);

    public Task<P.EdgeHeartbeatReply> EdgeHeartbeatAsync(P.EdgeHeartbeatRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, async (r, ct) =>
        {
            await service.EdgeHeartbeatAsync(r.Edge, ct).ConfigureAwait(false);
            return new P.EdgeHeartbeatReply();
        }, cancellationToken);

    public Task<P.ReplaceVpnLearnedRoutesReply> ReplaceVpnLearnedRoutesAsync(P.ReplaceVpnLearnedRoutesRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, async (r, ct) =>
        {
            await service.ReplaceVpnLearnedRoutesAsync(r.VpnConnectionId, [.. r.Prefixes], ct).ConfigureAwait(false);
            return new P.ReplaceVpnLearnedRoutesReply();
        }, cancellationToken);

    /// <summary>
    /// This replica: its version (and with <see cref="P.DescribeReplicaRequest.IncludeRegion"/> the region at it, read
    /// together), whether it leads and who does (etcd asked, at most 1 s; the last leader seen otherwise).
    /// </summary>
    public Task<P.DescribeReplicaReply> DescribeReplicaAsync(P.DescribeReplicaRequest request, CancellationToken cancellationToken = default)
        => RunAsync(request, async (r, ct) =>
        {
            var (version, topology) = service.Snapshot;
            var election = service.Election;
            var reply = new P.DescribeReplicaReply
            {
                Version = (ulong)version,
                Leader = election?.IsLeader ?? true,
                Endpoint = election?.Self ?? "",
                Store = service.Store.Description,
            };
            if (election is not null)
                reply.LeaderEndpoint = await election.LeaderAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false) ?? "";
            if (r.IncludeRegion)
                reply.Region = NitroCard.Region.RegionLoader.ToJson(topology);
            return reply;
        }, cancellationToken);

    private static async Task<TReply> RunAsync<TRequest, TReply>(TRequest request, Func<TRequest, CancellationToken, Task<TReply>> run, CancellationToken cancellationToken)
        where TReply : P.IApiReply, new()
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await run(request, cancellationToken).ConfigureAwait(false);
        }
        catch (MappingApiException e)
        {
            return new TReply { Refusal = ToRefusal(e) };
        }
    }

    /// <summary>A refusal for the reply body: the first <see cref="MappingLimits.MaxListedProblems"/> problems and how many more.</summary>
    internal static P.Refusal ToRefusal(MappingApiException e)
    {
        var refusal = new P.Refusal
        {
            Code = e.Code,
            Message = e.Problems.Count > 1 ? $"{e.Problems.Count} problems" : e.Message,
            MoreProblems = (uint)Math.Max(0, e.Problems.Count - MappingLimits.MaxListedProblems),
        };
        refusal.Problems.Add(e.Problems.Take(MappingLimits.MaxListedProblems));
        return refusal;
    }

    private static P.NetworkInterface ToMessage(InVpc<NitroCard.Region.Eni> eni) => ResourceCodec.ToMessage(eni.Resource, eni.VpcId);

    private static P.HostStatus ToMessage(HostStatus status)
    {
        var m = new P.HostStatus
        {
            Host = ResourceCodec.ToMessage(status.Host), Connected = status.Connected, AckedVersion = status.AckedVersion,
            RegionVersion = status.RegionVersion, Vpcs = { status.Vpcs }, Enis = status.Enis,
        };
        if (status.Counters is { } counters)
            m.Counters = CounterCodec.ToMessage(counters);
        return m;
    }

    private static P.EdgeStatus ToMessage(Edges.EdgeStatus status)
    {
        var m = new P.EdgeStatus { Name = status.Name, UnderlayIp = status.UnderlayIp, Healthy = status.Healthy, InEdgeSet = status.InEdgeSet };
        if (status.SinceHeartbeat is { } since)
            m.SinceHeartbeatSeconds = since.TotalSeconds;
        return m;
    }

    private static P.Alarm ToMessage(AlarmRecord alarm)
    {
        var m = new P.Alarm { Id = alarm.Id, Time = Timestamp.FromDateTimeOffset(alarm.Time), Kind = alarm.Kind, Host = alarm.Host, Reason = alarm.Reason, Message = alarm.Message };
        if (alarm.ClaimedHost is not null)
            m.ClaimedHost = alarm.ClaimedHost;
        if (alarm.Vni is { } vni)
            m.Vni = vni;
        if (alarm.Slot is { } slot)
            m.Slot = slot;
        if (alarm.OuterSource is not null)
            m.OuterSource = alarm.OuterSource;
        if (alarm.InnerSource is not null)
            m.InnerSource = alarm.InnerSource;
        if (alarm.InnerDestination is not null)
            m.InnerDestination = alarm.InnerDestination;
        if (alarm.Cycle is { } cycle)
            m.Cycle = cycle;
        if (alarm.Suppressed is { } suppressed)
            m.Suppressed = suppressed;
        return m;
    }
}
