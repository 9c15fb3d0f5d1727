using System.Globalization;
using Grpc.Core;
using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Security;
using NitroCard.Packets;
using NitroCard.Mapping.Hosting;
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

    public override async Task<P.CallReply> Call(P.CallRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var (role, name) = Identity(context);
        if (role != RegionCa.OperatorRole)
            throw Refuse(StatusCode.PermissionDenied, ErrorCodes.UnauthorizedOperation, $"{name} ({role}) is not an operator identity: only operators may call {request.Action}");
        try
        {
            var json = await service.InvokeAsync(request.Action, request.Parameters, context.CancellationToken).ConfigureAwait(false);
            return new P.CallReply { ResultJson = json };
        }
        catch (MappingApiException e)
        {
            return new P.CallReply { Refusal = ToRefusal(e) };
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

        MappingServiceLog.Subscribed(service.Logger, name, (long)hello.LastVersion);
        using var session = service.Hub.Connect(name, (long)hello.LastVersion);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct, service.Stopping);
        var pump = session.PumpAsync(async delta =>
        {
            await responseStream.WriteAsync(new P.ServiceMessage { Delta = DeltaCodec.ToMessage(delta) }, done.Token).ConfigureAwait(false);
        }, done.Token);
        try
        {
            while (await requestStream.MoveNext(done.Token).ConfigureAwait(false))
            {
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
                        service.ReportCounters(name, message.Counters.Json);
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
