using System.Collections.Immutable;

namespace NitroCard.Edge.Vpn;

/// <summary>A VPN connection on the edge: its two SAs, the addresses of the tunnel and the customer's networks.</summary>
internal sealed class VpnTunnel(string id, uint customerGatewayIp, uint edgeIp, ImmutableArray<Cidr> customerCidrs,
    EspSecurityAssociation outbound, EspSecurityAssociation inbound, EdgeVpc vpc)
{
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
