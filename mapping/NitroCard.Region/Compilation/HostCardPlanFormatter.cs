using System.Globalization;
using System.Text;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;
using NitroCard.Packets;

namespace NitroCard.Region;

/// <summary>Formats a <see cref="HostCardPlan"/> as aligned text tables.</summary>
public static class HostCardPlanFormatter
{
    private const string Indent = "  ";
    private const string Gap = "  ";

    public static string Format(HostCardPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var s = plan.Settings;
        var g = plan.Geometry;
        var text = new StringBuilder();

        text.Append(CultureInfo.InvariantCulture, $"host {plan.HostName}").AppendLine();
        Table(text, "settings", null,
        [
            ["underlay ip", s.UnderlayIp.ToString()],
            ["underlay mac", s.UnderlayMac.ToString()],
            ["next-hop mac", s.UnderlayNextHopMac.ToString()],
            ["gateway mac", s.GatewayMac.ToString()],
            ["alarm mask", "0x" + s.AlarmMask.ToString("x8", CultureInfo.InvariantCulture)],
        ]);

        Table(text, $"vpcs ({plan.Vpcs.Length})", ["vpc", "vni"],
            [.. plan.Vpcs.Select(v => new[] { v.VpcId, Num(v.Vni) })]);

        Table(text, $"eni slots ({plan.Enis.Length} of {g.EniSlots})", ["slot", "eni", "vpc", "vni", "ip", "mac", "subnet", "src/dst check"],
            [.. plan.Enis.Select(e => new[]
            {
                Num(e.Slot), e.EniId, e.VpcId, Num(e.Entry.Vni), e.Entry.Ip.ToString(), e.Entry.Mac.ToString(),
                $"{e.SubnetId} {e.Entry.Subnet}", e.Entry.SourceDestCheck ? "on" : "off",
            })]);

        Table(text, $"mappings ({plan.Mappings.Length} of {g.MappingCapacity})", ["vni", "ip", "underlay ip", "mac", "local slot"],
            [.. plan.Mappings.Select(m => new[]
            {
                Num(m.Vni), m.Ip.ToString(), m.UnderlayIp.ToString(), m.Mac.ToString(), m.LocalSlot is { } slot ? Num(slot) : "-",
            })]);

        Table(text, $"edges ({plan.Edges.Length} of {g.EdgeEntries})", ["vni", "underlay ip"],
            [.. plan.Edges.Select(e => new[] { Num(e.Vni), e.UnderlayIp.ToString() })]);
        if (!plan.EdgeSet.IsEmpty)
        {
            var words = EdgeSet.SlotWords(plan.EdgeSet, EdgeSet.Empty);
            Table(text, $"edge set ({plan.EdgeSet.Length} edges, {EdgeSet.Slots} slots: outer source port mod {EdgeSet.Slots})", ["slot", "edge underlay ip"],
                [.. words.Select((w, i) => new[] { Num(i), Ipv4Address.FromUInt32(w).ToString() })]);
        }

        var f = plan.Filters;
        Table(text, $"route tables ({f.RouteTables.Length})", ["table", "id", "local", "routes"],
            [.. f.RouteTables.Select((t, i) => new[] { Num(i), f.RouteTableIds[i], t.Local?.ToString() ?? "-", Num(t.Routes.Count) })]);
        Table(text, $"network acls ({f.Acls.Length}{(g.Filtering is { } fg ? $" of {fg.NaclCount}" : "")})", ["acl", "id", "ingress rules", "egress rules"],
            [.. f.Acls.Select((a, i) => new[] { Num(i), f.AclIds[i], Num(a.Ingress.Count), Num(a.Egress.Count) })]);
        Table(text, "security", ["slot", "eni", "route table", "acl", "ingress rules", "egress rules", "untracked", "tcp/udp-stream/udp timeouts"],
            [.. plan.Enis.Select(e => new[]
            {
                Num(e.Slot), e.EniId, Num(e.Entry.RouteTable), Num(e.Entry.Nacl), Num(f.Security[e.Slot].Ingress.Count), Num(f.Security[e.Slot].Egress.Count),
                f.Security[e.Slot].Untracked ? "yes" : "no", $"{f.Timeouts[e.Slot].TcpEstablished}/{f.Timeouts[e.Slot].UdpStream}/{f.Timeouts[e.Slot].Udp} s",
            })]);

        // Each route itself, propagated ones included (the table above counts them); last, so the sections above keep
        // their lines and order.
        Table(text, $"routes ({f.RouteTables.Sum(t => t.Routes.Count)})", ["table", "destination", "target", "class"],
            [.. f.RouteTables.SelectMany((t, i) => t.Routes.Select(r => new[] { Num(i), r.Destination.ToString(), Target(r), Class(r.Class) }))]);

        return text.ToString().TrimEnd() + Environment.NewLine;
    }

    private static string Target(RouteSpec route) => route.Target switch
    {
        RouteKind.Edge => $"edge {route.EdgeIp}",
        RouteKind.Local => "local",
        RouteKind.Blackhole => "blackhole",
        _ => "none",
    };

    private static string Class(RouteClass routeClass) => routeClass switch
    {
        RouteClass.PrefixList => "prefix-list",
        RouteClass.Propagated => "propagated",
        _ => "static",
    };

    private static string Num<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    private static void Table(StringBuilder text, string title, string[]? header, string[][] rows)
    {
        text.AppendLine().AppendLine(title);
        var all = header is null ? rows : [header, .. rows];
        if (all.Length == 0)
            return;
        if (rows.Length == 0)
        {
            text.Append(Indent).AppendLine("(none)");
            return;
        }
        var columns = all.Max(r => r.Length);
        var widths = new int[columns];
        foreach (var row in all)
        {
            for (var c = 0; c < row.Length; c++)
                widths[c] = Math.Max(widths[c], row[c].Length);
        }
        foreach (var row in all)
        {
            var line = new StringBuilder(Indent);
            for (var c = 0; c < row.Length; c++)
            {
                line.Append(row[c]);
                if (c < row.Length - 1)
                    line.Append(' ', widths[c] - row[c].Length).Append(Gap);
            }
            text.AppendLine(line.ToString().TrimEnd());
        }
    }
}
