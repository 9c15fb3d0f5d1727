using NitroCard.Card.Filtering;

namespace NitroCard.Mapping.Distribution;

/// <summary>
/// Value equality of the filtering records (theirs compares their rule lists by reference): what the delta
/// builder and the firmware use to tell whether a table changed.
/// </summary>
public static class FilterEquality
{
    public static bool Same(IReadOnlyList<RouteTableSpec?> a, IReadOnlyList<RouteTableSpec?> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
            return false;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Same(a[i], b[i]))
                return false;
        }
        return true;
    }

    public static bool Same(RouteTableSpec? a, RouteTableSpec? b)
        => ReferenceEquals(a, b) || (a is not null && b is not null && Nullable.Equals(a.Local, b.Local) && a.Routes.SequenceEqual(b.Routes));

    public static bool Same(NetworkAcl? a, NetworkAcl? b)
        => ReferenceEquals(a, b) || (a is not null && b is not null && a.Ingress.SequenceEqual(b.Ingress) && a.Egress.SequenceEqual(b.Egress));

    public static bool Same(SecurityRules? a, SecurityRules? b)
        => ReferenceEquals(a, b) || (a is not null && b is not null && a.Ingress.SequenceEqual(b.Ingress) && a.Egress.SequenceEqual(b.Egress));

    public static bool Same(HostEniFilter? a, HostEniFilter? b)
        => ReferenceEquals(a, b) || (a is not null && b is not null && a.EniId == b.EniId && Same(a.Rules, b.Rules) && a.Timeouts == b.Timeouts);
}
