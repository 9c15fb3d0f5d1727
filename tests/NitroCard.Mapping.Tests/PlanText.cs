using NitroCard.Card.Filtering;
using NitroCard.Region;

namespace NitroCard.Mapping.Tests;

/// <summary>Plans and filter tables as text, for value comparison (their records compare rule lists by reference).</summary>
internal static class PlanText
{
    public static string Of(RouteTableSpec t) => $"local {t.Local}; {string.Join("; ", t.Routes)}";

    public static string Of(NetworkAcl a) => $"in {string.Join("; ", a.Ingress)} | out {string.Join("; ", a.Egress)}";

    public static string Of(SecurityRules r) => $"in {string.Join("; ", r.Ingress)} | out {string.Join("; ", r.Egress)}";

    public static string Of(HostCardPlan p)
    {
        var f = p.Filters;
        return string.Join("\n", [
            p.HostName, p.Settings.ToString(),
            .. p.Vpcs.Select(v => v.ToString()),
            .. p.Enis.Select(e => e.ToString()),
            .. p.Mappings.Select(m => m.ToString()),
            .. p.Edges.Select(e => e.ToString()),
            .. f.RouteTables.Select(Of), string.Join(",", f.RouteTableIds),
            .. f.Acls.Select(Of), string.Join(",", f.AclIds),
            .. f.Security.Select(Of),
            .. f.Timeouts.Select(t => t.ToString()),
        ]);
    }
}
