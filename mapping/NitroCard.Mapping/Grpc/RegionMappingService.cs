using System.Globalization;
using Grpc.Core;
using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.Security;
using NitroCard.Packets;
using P = NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Mapping.Grpc;

/// <summary>
/// The gRPC face of the service. TLS has already checked that the peer's certificate chains to the
/// region CA; here its role decides what it may do: operators call the API, hosts subscribe as
/// themselves only, to their own VPCs only. Refusals of hosts are recorded as alarms.
/// </summary>
public sealed class RegionMappingService(MappingService service) : P.RegionMapping.RegionMappingBase
{
    public const string Ec2CodeTrailer = "ec2-code";

    private readonly OperatorApi _api = new(service);

    public override Task<P.ApplyReply> Apply(P.ApplyRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "apply", ct => _api.ApplyAsync(request, ct));

    public override Task<P.CreateHostReply> CreateHost(P.CreateHostRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "create-host", ct => _api.CreateHostAsync(request, ct));

    public override Task<P.CreateVpcReply> CreateVpc(P.CreateVpcRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "create-vpc", ct => _api.CreateVpcAsync(request, ct));

    public override Task<P.CreateSubnetReply> CreateSubnet(P.CreateSubnetRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "create-subnet", ct => _api.CreateSubnetAsync(request, ct));

    public override Task<P.CreateNetworkInterfaceReply> CreateNetworkInterface(P.CreateNetworkInterfaceRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "create-network-interface", ct => _api.CreateNetworkInterfaceAsync(request, ct));

    public override Task<P.MoveNetworkInterfaceReply> MoveNetworkInterface(P.MoveNetworkInterfaceRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "move-network-interface", ct => _api.MoveNetworkInterfaceAsync(request, ct));

    public override Task<P.DeleteNetworkInterfaceReply> DeleteNetworkInterface(P.DeleteNetworkInterfaceRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "delete-network-interface", ct => _api.DeleteNetworkInterfaceAsync(request, ct));

    public override Task<P.CreateSecurityGroupReply> CreateSecurityGroup(P.CreateSecurityGroupRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "create-security-group", ct => _api.CreateSecurityGroupAsync(request, ct));

    public override Task<P.AuthorizeSecurityGroupIngressReply> AuthorizeSecurityGroupIngress(P.AuthorizeSecurityGroupIngressRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "authorize-security-group-ingress", ct => _api.AuthorizeSecurityGroupIngressAsync(request, ct));

    public override Task<P.AssociateAddressReply> AssociateAddress(P.AssociateAddressRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "associate-address", ct => _api.AssociateAddressAsync(request, ct));

    public override Task<P.DescribeVpcsReply> DescribeVpcs(P.DescribeVpcsRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "describe-vpcs", ct => _api.DescribeVpcsAsync(request, ct));

    public override Task<P.DescribeSubnetsReply> DescribeSubnets(P.DescribeSubnetsRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "describe-subnets", ct => _api.DescribeSubnetsAsync(request, ct));

    public override Task<P.DescribeNetworkInterfacesReply> DescribeNetworkInterfaces(P.DescribeNetworkInterfacesRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "describe-network-interfaces", ct => _api.DescribeNetworkInterfacesAsync(request, ct));

    public override Task<P.DescribeSecurityGroupsReply> DescribeSecurityGroups(P.DescribeSecurityGroupsRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "describe-security-groups", ct => _api.DescribeSecurityGroupsAsync(request, ct));

    public override Task<P.DescribeHostsReply> DescribeHosts(P.DescribeHostsRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "describe-hosts", ct => _api.DescribeHostsAsync(request, ct));

    public override Task<P.DescribeAlarmsReply> DescribeAlarms(P.DescribeAlarmsRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "alarms", ct => _api.DescribeAlarmsAsync(request, ct));

    public override Task<P.DescribeEdgesReply> DescribeEdges(P.DescribeEdgesRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "edges", ct => _api.DescribeEdgesAsync(request, ct));

    /// <summary>An edge's heartbeat: from an operator, or from a host identity named like the edge (the edge's own).</summary>
    public override Task<P.EdgeHeartbeatReply> EdgeHeartbeat(P.EdgeHeartbeatRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var (role, name) = Identity(context);
        if (role == RegionCa.HostRole && name == request.Edge)
            return _api.EdgeHeartbeatAsync(request, context.CancellationToken);
        return AsOperatorAsync(context, "edge-heartbeat", ct => _api.EdgeHeartbeatAsync(request, ct));
    }

    /// <summary>Routes an edge learned over BGP: from an operator, or from a host identity named like an edge of the region (the edge's own).</summary>
    public override Task<P.ReplaceVpnLearnedRoutesReply> ReplaceVpnLearnedRoutes(P.ReplaceVpnLearnedRoutesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var (role, name) = Identity(context);
        if (role == RegionCa.HostRole && service.Topology.Edges.Any(e => e.Name == name))
            return _api.ReplaceVpnLearnedRoutesAsync(request, context.CancellationToken);
        return AsOperatorAsync(context, "replace-vpn-learned-routes", ct => _api.ReplaceVpnLearnedRoutesAsync(request, ct));
    }

    public override Task<P.DescribeReplicaReply> DescribeReplica(P.DescribeReplicaRequest request, ServerCallContext context)
        => AsOperatorAsync(context, "describe-replica", ct => _api.DescribeReplicaAsync(request, ct));

    /// <summary>Runs an operator action: a caller that is not an operator is PERMISSION_DENIED.</summary>
    private static async Task<TReply> AsOperatorAsync<TReply>(ServerCallContext context, string action, Func<CancellationToken, Task<TReply>> run)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (role, name) = Identity(context);
        if (role != RegionCa.OperatorRole)
            throw Refuse(StatusCode.PermissionDenied, ErrorCodes.UnauthorizedOperation, $"{name} ({role}) is not an operator identity: only operators may call {action}");
        return await run(context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task Subscribe(IAsyncStreamReader<P.AgentMessage> requestStream, IServerStreamWriter<P.ServiceMessage> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var (role, name) = Identity(context);
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct).ConfigureAwait(false) || requestStream.Current.Hello is not { } hello)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of a subscription must be Hello"));

        if (role != RegionCa.HostRole)
        {
            await service.RecordAlarmsAsync([Alarm(name, hello.Host, "not-a-host-identity", $"{name} ({role} identity) tried to subscribe as host {hello.Host}")], ct).ConfigureAwait(false);
            throw Refuse(StatusCode.PermissionDenied, ErrorCodes.UnauthorizedOperation, $"{name} is a {role} identity, not a host identity");
        }
        if (hello.Host != name)
        {
            await service.RecordAlarmsAsync([Alarm(name, hello.Host, "identity-mismatch", $"host {name} presented its own certificate but claimed to be host {hello.Host}")], ct).ConfigureAwait(false);
            throw Refuse(StatusCode.PermissionDenied, ErrorCodes.UnauthorizedOperation, $"the certificate is host {name}'s, not {hello.Host}'s: a host may only subscribe as itself");
        }
        IReadOnlyCollection<string> hosted;
        bool known;
        lock (service.Sync)
        {
            known = service.StateUnsafe.Host(name) is not null;
            hosted = [.. service.StateUnsafe.VpcsOf(name)];
        }
        if (!known)
        {
            await service.RecordAlarmsAsync([Alarm(name, hello.Host, "unknown-host", $"host {name} is not a host of the region")], ct).ConfigureAwait(false);
            throw Refuse(StatusCode.PermissionDenied, ErrorCodes.InvalidHostIdNotFound, $"host {name} is not a host of the region");
        }
        var foreign = hello.Vpcs.Where(v => !hosted.Contains(v)).ToList();
        if (foreign.Count > 0)
        {
            await service.RecordAlarmsAsync([Alarm(name, null, "vpc-not-on-host",
                $"host {name} asked for {string.Join(", ", foreign)}, which has no ENI on {name} (the VPC does not exist on that physical host)")], ct).ConfigureAwait(false);
            throw Refuse(StatusCode.PermissionDenied, ErrorCodes.UnauthorizedOperation, $"{string.Join(", ", foreign)} has no ENI on host {name}: refused");
        }

        // A host resuming from a replica that was ahead of this one: catch up first, or send it to another replica
        // (a full snapshot of an older version would take its card back in time).
        if (!await service.CatchUpAsync((long)hello.LastVersion, ct).ConfigureAwait(false))
            throw new RpcException(new Status(StatusCode.Unavailable, $"this replica is at version {service.Version}, behind host {name}'s {hello.LastVersion}, and cannot reach the store: try another replica"));
        MappingServiceLog.Subscribed(service.Logger, name, (long)hello.LastVersion);
        using var session = service.Hub.Connect(name, (long)hello.LastVersion);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct, service.Stopping);
        // A host that does not read is cut off with the reason (RESOURCE_EXHAUSTED), which its agent logs before it
        // reconnects and resyncs: the pump's failure ends the receive loop too, without cancelling the pending read (a
        // cancelled read aborts the stream, and the reason with it).
        SubscriberStalledException? stalled = null;
        var stalledSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task PumpAsync()
        {
            try
            {
                await session.PumpAsync(async (delta, token) =>
                {
                    var message = new P.ServiceMessage { Delta = DeltaCodec.ToMessage(delta) };
                    await responseStream.WriteAsync(message, token).ConfigureAwait(false);
                    return message.CalculateSize();
                }, done.Token).ConfigureAwait(false);
            }
            catch (SubscriberStalledException e)
            {
                stalled = e;
                MappingServiceLog.Stalled(service.Logger, name, e.Message);
                stalledSignal.SetResult();
            }
        }
        var pump = PumpAsync();
        try
        {
            while (true)
            {
                var read = requestStream.MoveNext(done.Token);
                if (await Task.WhenAny(read, stalledSignal.Task).ConfigureAwait(false) != read || !await read.ConfigureAwait(false))
                    break;
                var message = requestStream.Current;
                switch (message.BodyCase)
                {
                    case P.AgentMessage.BodyOneofCase.Ack:
                        session.Ack((long)message.Ack.Version);
                        break;
                    case P.AgentMessage.BodyOneofCase.Alarms:
                        await service.RecordAlarmsAsync(message.Alarms.Alarms.Select(a => CardAlarm(name, a)).ToList(), done.Token).ConfigureAwait(false);
                        break;
                    case P.AgentMessage.BodyOneofCase.ApplyFailed:
                        var failure = message.ApplyFailed;
                        await service.RecordAlarmsAsync([new AlarmRecord(0, default, AlarmRecord.FirmwareKind, name, "apply-failed",
                            string.Create(CultureInfo.InvariantCulture, $"host {name} could not apply version {failure.Version} to its card (at version {failure.OnVersion}): {failure.Message}; it resyncs in full"))],
                            done.Token).ConfigureAwait(false);
                        break;
                    case P.AgentMessage.BodyOneofCase.Counters:
                        service.ReportCounters(name, CounterCodec.ToRecord(message.Counters.Counters ?? new P.CardCounters()));
                        break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException || (e is RpcException r && r.StatusCode == StatusCode.Cancelled))
        {
            // the agent went away
        }
        finally
        {
            if (stalled is null)
                await done.CancelAsync().ConfigureAwait(false);
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
            {
                // the stream is gone
            }
            MappingServiceLog.Unsubscribed(service.Logger, name);
        }
        if (stalled is not null)
            throw new RpcException(new Status(StatusCode.ResourceExhausted, stalled.Message));
    }

    private static AlarmRecord Alarm(string host, string? claimed, string reason, string message)
        => new(0, default, AlarmRecord.AuthorizationKind, host, reason, message, ClaimedHost: claimed);

    private static AlarmRecord CardAlarm(string host, P.CardAlarm a)
    {
        var slot = a.Slot == 0xFF ? "" : string.Create(CultureInfo.InvariantCulture, $" slot {a.Slot}");
        return new AlarmRecord(0, default, AlarmRecord.CardKind, host, a.Reason,
            $"card of {host} dropped a frame ({a.Reason}){slot}: vni {a.Vni}, outer source {Ipv4Address.FromUInt32(a.OuterSource)}, inner {Ipv4Address.FromUInt32(a.InnerSource)} -> {Ipv4Address.FromUInt32(a.InnerDestination)}",
            Vni: a.Vni, Slot: a.Slot, OuterSource: Ipv4Address.FromUInt32(a.OuterSource).ToString(), InnerSource: Ipv4Address.FromUInt32(a.InnerSource).ToString(),
            InnerDestination: Ipv4Address.FromUInt32(a.InnerDestination).ToString(), Cycle: a.Cycle);
    }

    private static (string Role, string Name) Identity(ServerCallContext context)
    {
        var certificate = context.GetHttpContext().Connection.ClientCertificate
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "a client certificate issued by the region CA is required"));
        return RegionCa.IdentityOf(certificate);
    }

    private static RpcException Refuse(StatusCode status, string code, string message)
        => new(new Status(status, $"{code}: {message}"), new Metadata { { Ec2CodeTrailer, code } });
}
