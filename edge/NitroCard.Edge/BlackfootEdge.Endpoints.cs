using NitroCard.Edge.Endpoints;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Edge;

/// <summary>Gateway endpoints: flows to a service's prefix list leave on the services port, checked against the endpoint policy.</summary>
public sealed partial class BlackfootEdge
{
    private readonly Dictionary<EndpointFlowKey, EndpointFlow> _endpointFlows = [];
    private readonly Dictionary<EndpointFlowKey, EndpointFlow> _endpointReturns = [];

    private enum FlowVerdict
    {
        Inspecting,
        Allowed,
        Denied,
    }

    /// <summary>A TCP flow as the instance sends it (or, for the return map, as the service sends it, VNI 0).</summary>
    private readonly record struct EndpointFlowKey(uint Vni, uint Source, uint Destination, ushort SourcePort, ushort DestinationPort);

    private sealed class EndpointFlow(uint vni, string endpointId)
    {
        public uint Vni { get; } = vni;

        public string EndpointId { get; } = endpointId;

        public FlowVerdict Verdict { get; set; }
    }

    private void ToServices(EdgeVpc vpc, EdgeEni eni, GatewayEndpoint endpoint, EndpointPolicy policy, byte[] packet, List<EdgeFrame> output)
    {
        var src = Ipv4Header.Source(packet);
        var dst = Ipv4Header.Destination(packet);
        if (Ipv4Header.Protocol(packet) != Ipv4Header.ProtocolTcp || Ipv4Header.IsFragment(packet) || packet.Length < 40 || TcpHeader.DataOffset(packet.AsSpan(20)) < 5)
        {
            Drop("endpoint-unsupported", EdgePorts.Substrate, vpc.Vni, null, src, dst);
            return;
        }
        var tcp = packet.AsSpan(20);
        var key = new EndpointFlowKey(vpc.Vni, src, dst, TcpHeader.SourcePort(tcp), TcpHeader.DestinationPort(tcp));
        if (!_endpointFlows.TryGetValue(key, out var flow))
        {
            flow = new EndpointFlow(vpc.Vni, endpoint.Id);
            _endpointFlows[key] = flow;
            _endpointReturns[new EndpointFlowKey(0, dst, src, key.DestinationPort, key.SourcePort)] = flow;
            Counters.Add("endpoint.flows");
        }
        if (flow.Verdict == FlowVerdict.Denied)
        {
            Count("endpoint-denied-flow");
            return;
        }
        var payload = tcp[Math.Min(TcpHeader.DataOffset(tcp) * 4, tcp.Length)..];
        if (flow.Verdict == FlowVerdict.Inspecting && !payload.IsEmpty)
        {
            var request = endpoint.Service == "s3" ? ServiceRequest.ParseS3(payload) : ServiceRequest.ParseDynamoDb(payload);
            if (PolicyEvaluator.IsAllowed(policy, endpoint.Service, request))
            {
                flow.Verdict = FlowVerdict.Allowed;
                Counters.Add("endpoint.allowed");
            }
            else
            {
                flow.Verdict = FlowVerdict.Denied;
                Counters.Add("endpoint.denied");
                Counters.Add("endpoint.rst");
                ToCard(eni, Reset(packet, payload.Length), output);
                return;
            }
        }
        Emit(EdgePorts.Services, PlainFrame(packet), output);
    }

    private void FromServices(ReadOnlySpan<byte> frame, List<EdgeFrame> output)
    {
        const string port = EdgePorts.Services;
        var ip = PlainIpv4(frame, port);
        if (ip.IsEmpty)
            return;
        var src = Ipv4Header.Source(ip);
        var dst = Ipv4Header.Destination(ip);
        if (Ipv4Header.Protocol(ip) != Ipv4Header.ProtocolTcp || ip.Length < 40
            || !_endpointReturns.TryGetValue(new EndpointFlowKey(0, src, dst, TcpHeader.SourcePort(ip[20..]), TcpHeader.DestinationPort(ip[20..])), out var flow))
        {
            Drop("unknown-flow", port, 0, null, src, dst);
            return;
        }
        if (flow.Verdict == FlowVerdict.Denied)
        {
            Count("endpoint-denied-flow");
            return;
        }
        ToVpcEni(_t.Vpcs[flow.Vni], ip, port, output);
    }

    /// <summary>The RST (with ACK) the service would send for <paramref name="segment"/>: it acknowledges everything the segment carried.</summary>
    private static byte[] Reset(ReadOnlySpan<byte> segment, int payloadLength)
    {
        var tcp = segment[20..];
        var flags = TcpHeader.Flags(tcp);
        var consumed = (uint)payloadLength + ((flags & TcpControl.Syn) != 0 ? 1u : 0) + ((flags & TcpControl.Fin) != 0 ? 1u : 0);
        var src = Ipv4Header.Destination(segment);
        var dst = Ipv4Header.Source(segment);
        var rst = TcpHeader.Build(src, dst, TcpHeader.DestinationPort(tcp), TcpHeader.SourcePort(tcp),
            TcpHeader.AcknowledgmentNumber(tcp), TcpHeader.SequenceNumber(tcp) + consumed, TcpControl.Rst | TcpControl.Ack, [], window: 0);
        return Ipv4Header.Build(new Ipv4Fields(src, dst, Ipv4Header.ProtocolTcp) { DontFragment = true }, rst);
    }
}
