using System.Collections.Immutable;

namespace NitroCard.Edge.Vpn;

/// <summary>A VPN connection on the edge: its two SAs, the addresses of the tunnel and the customer's networks.</summary>
internal sealed class VpnTunnel(string id, uint customerGatewayIp, uint edgeIp, ImmutableArray<Cidr> customerCidrs,
    NitroCard.Region.EspSa outboundSa, NitroCard.Region.EspSa inboundSa,
    EspSecurityAssociation outbound, EspSecurityAssociation inbound, EdgeVpc vpc)
{
    /// <summary>The region file's <c>outbound</c> SA the tunnel was built from.</summary>
    public NitroCard.Region.EspSa OutboundSa { get; } = outboundSa;

    /// <summary>The region file's <c>inbound</c> SA the tunnel was built from.</summary>
    public NitroCard.Region.EspSa InboundSa { get; } = inboundSa;

    public string Id { get; } = id;

    public string Port { get; } = EdgePorts.VpnPrefix + id;

    public uint CustomerGatewayIp { get; } = customerGatewayIp;

    public uint EdgeIp { get; } = edgeIp;

    public ImmutableArray<Cidr> CustomerCidrs { get; } = customerCidrs;

    public EspSecurityAssociation Outbound { get; } = outbound;

    public EspSecurityAssociation Inbound { get; } = inbound;

    public EdgeVpc Vpc { get; } = vpc;

    public ushort NextIdentification { get; set; }
}
