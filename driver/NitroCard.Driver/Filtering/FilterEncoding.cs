using NitroCard.Card.Filtering;
using NitroCard.Driver.Registers;
using NitroCard.Packets;

namespace NitroCard.Driver.Filtering;

/// <summary>Staging words of the filtering tables (layouts in <see cref="TableLayout"/>).</summary>
public static class FilterEncoding
{
    private const int Words = RegisterMap.TblDataCount;

    public static uint[] Route(RouteInterval interval)
    {
        var w = new uint[Words];
        TableLayout.Route.Valid.Write(w, 1);
        TableLayout.Route.Kind.Write(w, (uint)interval.Kind);
        TableLayout.Route.Table.Write(w, (uint)interval.Table);
        TableLayout.Route.Start.Write(w, interval.Start);
        TableLayout.Route.EdgeIp.Write(w, interval.EdgeIp);
        return w;
    }

    public static uint[] NaclRule(NetworkAclRule? rule)
    {
        var w = new uint[Words];
        if (rule is null)
            return w;
        TableLayout.Nacl.Valid.Write(w, 1);
        TableLayout.Nacl.Allow.Write(w, rule.Allow ? 1u : 0u);
        var m = rule.Match;
        TableLayout.Nacl.AnyProtocol.Write(w, m.Protocol is null ? 1u : 0u);
        TableLayout.Nacl.Protocol.Write(w, (uint)(m.Protocol ?? 0));
        TableLayout.Nacl.CidrLen.Write(w, (uint)m.Remote.PrefixLength);
        TableLayout.Nacl.Cidr.Write(w, Ipv4Address.ToUInt32(m.Remote.BaseAddress));
        TableLayout.Nacl.P1Lo.Write(w, (uint)m.FromPort);
        TableLayout.Nacl.P1Hi.Write(w, (uint)m.ToPort);
        TableLayout.Nacl.P2Lo.Write(w, (uint)m.FromCode);
        TableLayout.Nacl.P2Hi.Write(w, (uint)m.ToCode);
        return w;
    }

    public static uint[] SgRule(FilterRule m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var w = new uint[Words];
        TableLayout.SgRule.Valid.Write(w, 1);
        TableLayout.SgRule.AnyProtocol.Write(w, m.Protocol is null ? 1u : 0u);
        TableLayout.SgRule.Protocol.Write(w, (uint)(m.Protocol ?? 0));
        TableLayout.SgRule.CidrLen.Write(w, (uint)m.Remote.PrefixLength);
        TableLayout.SgRule.Cidr.Write(w, Ipv4Address.ToUInt32(m.Remote.BaseAddress));
        TableLayout.SgRule.P1Lo.Write(w, (uint)m.FromPort);
        TableLayout.SgRule.P1Hi.Write(w, (uint)m.ToPort);
        TableLayout.SgRule.P2Lo.Write(w, (uint)m.FromCode);
        TableLayout.SgRule.P2Hi.Write(w, (uint)m.ToCode);
        return w;
    }

    public static uint[] Conntrack(ConntrackTimeouts? t)
    {
        var w = new uint[Words];
        if (t is null)
            return w;
        TableLayout.EniConntrack.TcpEstablished.Write(w, t.TcpEstablished);
        TableLayout.EniConntrack.UdpStream.Write(w, t.UdpStream);
        TableLayout.EniConntrack.Udp.Write(w, t.Udp);
        return w;
    }

    public static uint[] RouteBank(int active)
    {
        var w = new uint[Words];
        TableLayout.RouteBank.Active.Write(w, (uint)active);
        return w;
    }
}
