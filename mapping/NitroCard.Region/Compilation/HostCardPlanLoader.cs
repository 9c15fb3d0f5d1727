using NitroCard.Card;

namespace NitroCard.Region;

/// <summary>Programs a card engine with a host's plan.</summary>
public static class HostCardPlanLoader
{
    /// <summary>
    /// Loads the plan into the engine and commits. On an engine with filtering hardware the route tables,
    /// network ACLs, security rules and conntrack timeouts are loaded too, so the card enforces everything the
    /// region file says; an engine without it (a card built before docs/card-filtering.md) forwards by mapping
    /// alone. Returns false in that case so the caller can say so.
    /// </summary>
    public static bool LoadInto(this HostCardPlan plan, ICardEngine engine)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(engine);
        var filtering = engine.Geometry.Filtering is not null;
        engine.Configure(plan.Settings);
        foreach (var eni in plan.Enis)
            engine.SetEni(eni.Slot, filtering ? eni.Entry : eni.Entry with { RouteTable = 0, Nacl = 0 });
        foreach (var mapping in plan.Mappings)
            engine.SetMapping(mapping);
        for (var i = 0; i < plan.Edges.Length; i++)
            engine.SetEdge(i, plan.Edges[i]);
        if (!plan.EdgeSet.IsEmpty)
            engine.SetEdgeSet(plan.EdgeSet);
        if (filtering)
        {
            var filters = plan.Filters;
            engine.SetRouteTables([.. filters.RouteTables]);
            for (var i = 0; i < filters.Acls.Length; i++)
                engine.SetNetworkAcl(i, filters.Acls[i]);
            foreach (var eni in plan.Enis)
            {
                engine.SetSecurityRules(eni.Slot, filters.Security[eni.Slot]);
                engine.SetConntrackTimeouts(eni.Slot, filters.Timeouts[eni.Slot]);
            }
        }
        engine.Commit();
        return filtering;
    }
}
