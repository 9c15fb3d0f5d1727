using NitroCard.Edge.DirectConnect;
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

    /// <summary>A customer site's own link (a Direct Connect virtual interface in its namespace; the simulated demo's VPN site).</summary>
    public const ulong SiteMac = 0x02_42_53_49_54_45UL;

    /// <summary>The customer's router (the Direct Connect router; the simulated demo's VPN customer gateway) as the site sees it.</summary>
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
