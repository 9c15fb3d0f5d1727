using Grpc.Core;

namespace NitroCard.Live.Control;

/// <summary>
/// The <c>NodeControl</c> service of one node (Protos/control.proto): a request the node does not answer is
/// <see cref="StatusCode.Unimplemented"/>, a failure the node reports (a <see cref="LiveException"/>, a card fault, a stopping
/// node) is <see cref="StatusCode.FailedPrecondition"/>; the status detail is the message, one line for the user.
/// </summary>
internal sealed class NodeControlService(IControlledNode node) : NodeControl.NodeControlBase
{
    public override Task<CountersReply> Counters(CountersRequest request, ServerCallContext context) => AnswerAsync(node.CountersAsync);

    public override Task<AlarmsReply> Alarms(AlarmsRequest request, ServerCallContext context) => AnswerAsync(node.AlarmsAsync);

    public override Task<TablesReply> Tables(TablesRequest request, ServerCallContext context) =>
        AnswerAsync(() => Card("tables").TablesAsync());

    public override Task<TraceReply> StartTrace(StartTraceRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return AnswerAsync(() => Card($"trace start {request.File}").StartTraceAsync(request.File));
    }

    public override Task<TraceReply> StopTrace(StopTraceRequest request, ServerCallContext context) =>
        AnswerAsync(() => Card("trace stop").StopTraceAsync());

    public override Task<VpnConnectionsReply> VpnConnections(VpnConnectionsRequest request, ServerCallContext context) =>
        AnswerAsync(() => (node as IControlledEdge ?? throw Unsupported("vpn-connections")).VpnConnectionsAsync());

    private IControlledCard Card(string request) => node as IControlledCard ?? throw Unsupported(request);

    private RpcException Unsupported(string request) => new(new Status(StatusCode.Unimplemented, node.Unsupported(request)));

    private static async Task<T> AnswerAsync<T>(Func<Task<T>> answer)
    {
        try
        {
            return await answer().ConfigureAwait(false);
        }
        catch (Exception e) when (e is LiveException or NitroCard.Card.NitroCardException or IOException or InvalidOperationException)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }
}
