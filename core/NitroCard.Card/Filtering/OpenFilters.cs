
namespace NitroCard.Card.Filtering;

/// <summary>
/// The filtering state under which a card with filtering hardware forwards exactly like one without:
/// one route table (number 0) sending every destination to the mapping lookup, ACL 0 allowing all, and
/// every ENI's security rules allowing all (untracked; ICMP is still tracked, as AWS does).
/// </summary>
public static class OpenFilters
{
    /// <summary>Stages the open filters for <paramref name="slots"/> when the engine has filtering hardware; does nothing otherwise. Does not commit.</summary>
    public static void Stage(ICardEngine engine, IEnumerable<int> slots)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(slots);
        if (engine.Geometry.Filtering is null)
            return;
        engine.SetRouteTables([RouteTableSpec.LocalOnly]);
        engine.SetNetworkAcl(0, NetworkAcl.AllowAll);
        foreach (var slot in slots)
        {
            engine.SetSecurityRules(slot, SecurityRules.AllowAll);
            engine.SetConntrackTimeouts(slot, ConntrackTimeouts.Default);
        }
    }
}
