using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Driver.Filtering;
using NitroCard.Driver.Registers;

namespace NitroCard.Driver;

public sealed partial class CardDriver
{
    /// <summary>
    /// Plans the filtering part of a commit: the final route set, ACLs, security rules and timeouts; the
    /// security rule ranges (allocated away from every range in use, so packets never see a half-written
    /// list); the writes that must precede the ENI entries (rules, the inactive route bank) and those that
    /// follow them (timeouts, ACL rules, the bank switch). Nothing is changed until <see cref="FilterPlan.Apply"/>.
    /// </summary>
    private FilterPlan PlanFilters()
    {
        var plan = new FilterPlan(_sgBlocks, _securityRules);
        if (_filter is not { } filter)
            return plan;

        RouteStage? routes = null;
        var nacls = (NetworkAcl?[])_nacls.Clone();
        var naclChanged = new SortedSet<int>();
        var timeouts = (ConntrackTimeouts?[])_timeouts.Clone();
        var timeoutChanged = new SortedSet<int>();
        var rulesChanged = new SortedSet<int>();
        foreach (var change in _staged)
        {
            switch (change)
            {
                case StagedChange.Routes(var stage):
                    routes = stage;
                    break;
                case StagedChange.Nacl(var index, var acl):
                    nacls[index] = acl;
                    naclChanged.Add(index);
                    break;
                case StagedChange.Security(var slot, var rules):
                    plan.Rules[slot] = rules;
                    rulesChanged.Add(slot);
                    break;
                case StagedChange.Conntrack(var slot, var conntrack):
                    timeouts[slot] = conntrack;
                    timeoutChanged.Add(slot);
                    break;
            }
        }

        // Security rules: a new range per changed slot, clear of every range in use now or planned.
        var taken = new List<SgBlock>();
        for (var slot = 0; slot < _sgBlocks.Length; slot++)
        {
            if (_sgBlocks[slot].Size > 0)
                taken.Add(_sgBlocks[slot]);
        }
        foreach (var slot in rulesChanged)
        {
            var rules = plan.Rules[slot];
            var size = rules?.Count ?? 0;
            var start = size == 0 ? 0 : FirstFit(taken, size, filter.SgRuleCapacity)
                ?? throw new CardTableFullException($"ENI slot {slot}: no free range of {size} entries in the security group rule array ({filter.SgRuleCapacity} entries, {taken.Sum(b => b.Size)} in use)");
            var block = new SgBlock(start, rules?.Ingress.Count ?? 0, rules?.Egress.Count ?? 0);
            plan.Blocks[slot] = block;
            plan.MovedSlots.Add(slot);
            if (size == 0)
                continue;
            taken.Add(block);
            var index = start;
            foreach (var rule in rules!.Ingress.Concat(rules.Egress))
                plan.Before.Add([new TableWrite(TableId.SgRule, index++, FilterEncoding.SgRule(rule))]);
        }

        // Routes: the whole set into the inactive bank (invisible to packets), switched in last.
        if (routes is not null)
        {
            var bank = 1 - _activeBank;
            var baseIndex = bank * filter.RouteDepth;
            var intervals = routes.Intervals;
            for (var i = 0; i < intervals.Length; i++)
                plan.Before.Add([new TableWrite(TableId.Route, baseIndex + i, FilterEncoding.Route(intervals[i]))]);
            for (var i = intervals.Length; i < _bankUsed[bank]; i++)
                plan.Before.Add([new TableWrite(TableId.Route, baseIndex + i, new uint[StagingWords])]);
            plan.Routes = routes;
        }

        foreach (var slot in timeoutChanged)
            plan.After.Add([new TableWrite(TableId.EniConntrack, slot, FilterEncoding.Conntrack(timeouts[slot]))]);

        // ACLs in place, one group per ACL and direction (committed together when they fit a batch).
        var shadow = (uint[]?[])_naclShadow.Clone();
        foreach (var acl in naclChanged)
        {
            for (var direction = 0; direction < 2; direction++)
            {
                var rules = nacls[acl] is { } a
                    ? NetworkAcl.Sorted(direction == 0 ? a.Ingress : a.Egress, filter.NaclRules, $"Network ACL {acl}")
                    : [];
                var group = new List<TableWrite>();
                for (var k = 0; k < filter.NaclRules; k++)
                {
                    var index = (((acl * 2) + direction) * filter.NaclRules) + k;
                    var words = FilterEncoding.NaclRule(k < rules.Length ? rules[k] : null);
                    if ((shadow[index] ?? new uint[StagingWords]).AsSpan().SequenceEqual(words))
                        continue;
                    shadow[index] = words;
                    group.Add(new TableWrite(TableId.Nacl, index, words));
                }
                if (group.Count > 0)
                    plan.After.Add(group);
            }
        }
        plan.Nacls = nacls;
        plan.NaclShadow = shadow;
        plan.Timeouts = timeouts;

        if (routes is not null)
            plan.After.Add([new TableWrite(TableId.RouteBank, 0, FilterEncoding.RouteBank(1 - _activeBank))]);
        return plan;
    }

    /// <summary>The lowest start of <paramref name="size"/> free entries below <paramref name="capacity"/>, or null.</summary>
    private static int? FirstFit(List<SgBlock> taken, int size, int capacity)
    {
        var start = 0;
        foreach (var block in taken.OrderBy(b => b.Base))
        {
            if (block.Base - start >= size)
                return start;
            start = Math.Max(start, block.Base + block.Size);
        }
        return capacity - start >= size ? start : null;
    }

    /// <summary>The filtering half of one commit (see <see cref="PlanFilters"/>).</summary>
    private sealed class FilterPlan(SgBlock[] blocks, SecurityRules?[] rules)
    {
        public SgBlock[] Blocks { get; } = (SgBlock[])blocks.Clone();

        public SecurityRules?[] Rules { get; } = (SecurityRules?[])rules.Clone();

        public SortedSet<int> MovedSlots { get; } = [];

        public List<List<TableWrite>> Before { get; } = [];

        public List<List<TableWrite>> After { get; } = [];

        public RouteStage? Routes { get; set; }

        public NetworkAcl?[]? Nacls { get; set; }

        public uint[]?[]? NaclShadow { get; set; }

        public ConntrackTimeouts?[]? Timeouts { get; set; }

        /// <summary>Makes the plan the driver's view, once the card has taken every write.</summary>
        public void Apply(CardDriver driver)
        {
            Array.Copy(Blocks, driver._sgBlocks, Blocks.Length);
            Array.Copy(Rules, driver._securityRules, Rules.Length);
            if (Nacls is not null)
                Array.Copy(Nacls, driver._nacls, Nacls.Length);
            if (NaclShadow is not null)
                Array.Copy(NaclShadow, driver._naclShadow, NaclShadow.Length);
            if (Timeouts is not null)
                Array.Copy(Timeouts, driver._timeouts, Timeouts.Length);
            if (Routes is not null)
            {
                var bank = 1 - driver._activeBank;
                driver._bankUsed[bank] = Routes.Intervals.Length;
                driver._activeBank = bank;
                driver._routeTables = Routes.Tables;
            }
        }
    }
}
