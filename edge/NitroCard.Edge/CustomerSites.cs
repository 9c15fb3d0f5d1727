using NitroCard.Edge.DirectConnect;
using NitroCard.Edge.Vpn;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Edge;

/// <summary>The MACs and next hop of the customer sites outside the region (docs/live-region.md, "The edge"): the live region's namespaces and the simulated demo use the same.</summary>
public static class SiteLink
{
    /// <summary>
    /// The next hop every outside namespace routes the region's addresses through: a permanent neighbour entry (the
    /// edge's or the customer router's MAC), so nothing ever ARPs towards the edge (which only speaks IPv4). The
    /// address is link-local and never the source or destination of a packet.
    /// </summary>
    public const string NextHop = "169.254.0.1";

    /// <summary>The <c>eth0</c> of a customer site namespace (VPN, Direct Connect).</summary>
    public const ulong SiteMac = 0x02_42_53_49_54_45UL;

    /// <summary>The customer's router (the VPN customer gateway, the Direct Connect router) as the site sees it.</summary>
    public const ulong CustomerRouterMac = 0x02_42_43_52_54_52UL;

    /// <summary>The IPv4 packet of an Ethernet/IPv4 frame (its total length, padding dropped), or empty.</summary>
    public static ReadOnlySpan<byte> Ipv4Packet(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < EthernetHeader.Length + Ipv4Header.MinLength || EthernetHeader.EtherType(frame) != EthernetHeader.TypeIpv4)
            return [];
        var ip = frame[EthernetHeader.Length..];
        var total = Ipv4Header.TotalLength(ip);
        return total < Ipv4Header.MinLength || total > ip.Length ? [] : ip[..total];
    }
}

/// <summary>
/// The customer gateway of a VPN connection, in user space (this machine's kernel has no IPsec transforms): plain IPv4
/// from the site namespace is encrypted with the SA the edge decrypts with (the region file's <c>inbound</c>) and sent
/// as ESP from <c>customerGatewayIp</c> to <c>edgeIp</c> on the edge's <c>vpn:&lt;id&gt;</c> port; ESP the edge sends is
/// decrypted with the edge's <c>outbound</c> SA (anti-replay window and ICV checked) and handed to the site. It uses the
/// edge's own ESP code (<see cref="EspSecurityAssociation"/>), the implementation the edge tests check against tshark and scapy.
/// </summary>
public sealed class VpnCustomerGateway(VpnConnection vpn) : IDisposable
{
    private const byte EspProtocol = 50;
    private readonly EspSecurityAssociation _toEdge = EspSecurityAssociation.FromRegion(vpn.Inbound!);
    private readonly EspSecurityAssociation _fromEdge = EspSecurityAssociation.FromRegion(vpn.Outbound!);
    private readonly uint _gatewayIp = Ipv4Address.Parse(vpn.CustomerGatewayIp);
    private readonly uint _edgeIp = Ipv4Address.Parse(vpn.EdgeIp!);
    private ushort _identification;

    public string Port { get; } = EdgePorts.VpnPrefix + vpn.Id;

    /// <summary>Packets refused (not IPv4, ESP that does not decrypt, replayed).</summary>
    public long Refused { get; private set; }

    /// <summary>A frame from the site: the ESP frame for the edge's port, or null.</summary>
    public byte[]? FromSite(ReadOnlySpan<byte> frame)
    {
        var ip = SiteLink.Ipv4Packet(frame);
        if (ip.IsEmpty || _toEdge.Encrypt(ip) is not { } esp)
        {
            Refused++;
            return null;
        }
        var outer = new Ipv4Fields(_gatewayIp, _edgeIp, EspProtocol) { Identification = _identification++, DontFragment = true };
        return Frames.Ipv4(EdgePorts.EdgeMac, EdgePorts.PeerMac, outer, esp);
    }

    /// <summary>An ESP frame the edge sent: the plain frame for the site, or null.</summary>
    public byte[]? ToSite(ReadOnlySpan<byte> frame)
    {
        var outer = SiteLink.Ipv4Packet(frame);
        if (outer.IsEmpty || Ipv4Header.Protocol(outer) != EspProtocol || _fromEdge.Decrypt(outer[20..], out var inner, out _) != EspRejection.None)
        {
            Refused++;
            return null;
        }
        return EthernetHeader.Build(SiteLink.SiteMac, SiteLink.CustomerRouterMac, EthernetHeader.TypeIpv4, inner);
    }

    public void Dispose()
    {
        _toEdge.Dispose();
        _fromEdge.Dispose();
    }
}

/// <summary>
/// The customer's router on a Direct Connect connection (this machine's kernel has no VLAN devices): each private
/// virtual interface is an untagged link into the site namespace; frames from it leave on the edge's
/// <c>dx:&lt;connection&gt;</c> port with the VIF's S-tag (0x88a8) and C-tag (0x8100), and tagged frames from the edge
/// are delivered untagged on the link their tags name.
/// </summary>
public sealed class DirectConnectCustomerRouter(string connection)
{
    public string Port { get; } = EdgePorts.DirectConnectPrefix + connection;

    /// <summary>Tagged frames whose tags name no VIF of the connection.</summary>
    public long Refused { get; private set; }

    /// <summary>A frame from the site on a VIF's link: the tagged frame for the edge's port, or null.</summary>
    public byte[]? FromSite(DirectConnectVif vif, ReadOnlySpan<byte> frame)
    {
        var ip = SiteLink.Ipv4Packet(frame);
        if (ip.IsEmpty)
        {
            Refused++;
            return null;
        }
        return QinQ.Build(EdgePorts.EdgeMac, EdgePorts.PeerMac, (ushort)vif.STag, (ushort)vif.CTag, ip);
    }

    /// <summary>A tagged frame from the edge: its (S-tag, C-tag) and the untagged frame for the site, or null.</summary>
    public (int STag, int CTag, byte[] Frame)? ToSite(ReadOnlySpan<byte> frame)
    {
        if (!QinQ.TryParse(frame, out var sTag, out var cTag, out var etherType, out var offset) || etherType != EthernetHeader.TypeIpv4)
        {
            Refused++;
            return null;
        }
        var untagged = new byte[frame.Length - offset + EthernetHeader.Length];
        EthernetHeader.Write(untagged, SiteLink.SiteMac, SiteLink.CustomerRouterMac, EthernetHeader.TypeIpv4);
        frame[offset..].CopyTo(untagged.AsSpan(EthernetHeader.Length));
        return (sTag, cTag, untagged);
    }
}
