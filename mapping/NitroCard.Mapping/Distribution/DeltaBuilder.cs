using NitroCard.Card;
using NitroCard.Card.Tables;
using NitroCard.Mapping.State;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Mapping.Distribution;

/// <summary>
/// What each host's card holds and the per-host deltas of a change, as plans of <see cref="RegionCompiler"/>:
/// a host's plan is compiled on the region cut down to the VPCs the host has ENIs in (the same plan as
/// <see cref="RegionCompiler.ForHost"/>, without re-validating the region), and a delta is the difference
/// between a host's plan before and after the change. Nothing is rebuilt by hand.
/// </summary>
public static class DeltaBuilder
{
    /// <summary>From this many hosts on, their plans are compiled in parallel.</summary>
    private const int ParallelHosts = 32;

    /// <summary>A host's plan at the state: <see cref="RegionCompiler.ForHost"/>'s, computed on the host's VPCs only.</summary>
    public static HostCardPlan Plan(RegionState state, string host, CardGeometry? geometry = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(host);
        var vpcs = state.VpcsOf(host).Select(id => (Index: state.IndexOfVpc(id), Vpc: state.Vpc(id)!));
        return Compile(state.Topology, host, vpcs, geometry, null, null);
    }

    /// <summary>The complete state of a host's card at the state's version.</summary>
    public static HostDelta Snapshot(RegionState state, string host, long baseVersion, CardGeometry? geometry = null)
    {
        var plan = Plan(state, host, geometry);
        return new HostDelta(host, state.Version, baseVersion, true, plan.Settings,
            [.. plan.Enis.Select(HostEniOf)], [], [.. MappingsOf(plan).Values], [], plan.Edges, [])
        {
            RouteTables = plan.Filters.RouteTables,
            EdgeSet = plan.EdgeSet,
            SetAcls = [.. plan.Filters.Acls.Select((acl, i) => new HostAcl(i, acl))],
            SetFilters = [.. plan.Enis.Select(slot => FilterOf(plan, slot))],
        };
    }

    /// <summary>
    /// Per-host deltas of a change: for every host of a VPC the change touches (before or after it), the
    /// difference between its plan before and after. Only the touched VPCs are compiled into slots, mappings and
    /// edges (the others are the same objects before and after, so their slots are the same), and the host's other
    /// VPCs only number its route tables and ACLs; when that numbering moves (a host's first use of a table changed),
    /// the host's slots are compiled over all its VPCs, since every later slot's table numbers may have moved.
    /// Either way the delta is <see cref="Diff"/> of the host's whole plans before and after.
    /// </summary>
    /// <param name="state">The state after the change.</param>
    /// <param name="change">The change.</param>
    /// <param name="before">The region before the change.</param>
    /// <param name="geometry">The cards' geometry (the plans record it; nothing is checked against it here).</param>
    public static Dictionary<string, HostDelta> Deltas(RegionState state, RegionChange change, RegionBefore before, CardGeometry? geometry = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(before);
        var touched = change.Enis.Select(c => c.VpcId).Concat(change.Vpcs).ToHashSet(StringComparer.Ordinal);
        var hosts = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var vpcId in touched)
        {
            hosts.UnionWith(state.HostsOf(vpcId));
            if (before.HostsOf.TryGetValue(vpcId, out var had))
                hosts.UnionWith(had);
        }
        bool Touched(Vpc vpc) => touched.Contains(vpc.Id);
        // An untouched VPC's slots are the same before and after when it is the same object (not so after a whole region
        // is replaced: its VPCs are new objects) and nothing a slot reads outside its VPC changed.
        var untouchedSame = !before.All && RegionCompiler.SameSlotsOutsideVpcs(before.Topology, state.Topology);
        // The VPCs of each host before and after, read from the state here: the hosts' plans are then compiled in parallel
        // (a batch touches every host of its VPCs), reading only immutable region objects.
        var work = hosts.Select(host =>
        {
            var nowVpcs = state.VpcsOf(host);
            var oldVpcs = nowVpcs.Where(id => !touched.Contains(id))
                .Concat(touched.Where(id => before.HostsOf.TryGetValue(id, out var had) && had.Contains(host)))
                .Select(id => before.Vpc(id, state)).ToList();
            return (Host: host, Old: oldVpcs, New: nowVpcs.Select(id => (state.IndexOfVpc(id), state.Vpc(id)!)).ToList());
        }).ToList();
        var deltas = new HostDelta[work.Count];
        void Build(int i)
        {
            if (untouchedSame)
            {
                var oldPart = Compile(before.Topology, work[i].Host, work[i].Old, geometry, Touched, Touched);
                var newPart = Compile(state.Topology, work[i].Host, work[i].New, geometry, Touched, Touched);
                if (oldPart.Filters.RouteTableIds.SequenceEqual(newPart.Filters.RouteTableIds, StringComparer.Ordinal)
                    && oldPart.Filters.AclIds.SequenceEqual(newPart.Filters.AclIds, StringComparer.Ordinal))
                {
                    deltas[i] = Diff(oldPart, newPart, change.Version);
                    return;
                }
            }
            var oldPlan = Compile(before.Topology, work[i].Host, work[i].Old, geometry, Touched, null);
            var newPlan = Compile(state.Topology, work[i].Host, work[i].New, geometry, Touched, null);
            deltas[i] = Diff(oldPlan, newPlan, change.Version);
        }
        // A change of a few hosts (one ENI) is built on the caller's thread: it holds the service lock, and waiting for
        // pool threads on a busy service would only add to its latency.
        if (work.Count < ParallelHosts)
        {
            for (var i = 0; i < work.Count; i++)
                Build(i);
        }
        else
        {
            Parallel.For(0, work.Count, Build);
        }
        var result = new Dictionary<string, HostDelta>(work.Count, StringComparer.Ordinal);
        for (var i = 0; i < work.Count; i++)
            result[work[i].Host] = deltas[i];
        return result;
    }

    /// <summary>The difference between two plans of one host.</summary>
    public static HostDelta Diff(HostCardPlan before, HostCardPlan after, long version)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        // Slots are compared in place; only what changed becomes a HostEni or HostEniFilter (a host has up to thousands).
        var oldSlots = new Dictionary<string, EniSlot>(before.Enis.Length, StringComparer.Ordinal);
        foreach (var slot in before.Enis)
            oldSlots[slot.EniId] = slot;
        var setEnis = new List<HostEni>();
        var setFilters = new List<HostEniFilter>();
        foreach (var slot in after.Enis)
        {
            var had = oldSlots.Remove(slot.EniId, out var o);
            if (!had || o!.VpcId != slot.VpcId || o.SubnetId != slot.SubnetId || o.Entry != slot.Entry || !Equals(o.Services, slot.Services))
                setEnis.Add(HostEniOf(slot));
            if (!had || !FilterEquality.Same(before.Filters.Security[o!.Slot], after.Filters.Security[slot.Slot])
                || before.Filters.Timeouts[o.Slot] != after.Filters.Timeouts[slot.Slot])
                setFilters.Add(FilterOf(after, slot));
        }
        var removeEnis = oldSlots.Keys;

        var oldMappings = MappingsOf(before);
        var newMappings = MappingsOf(after);
        var setMappings = newMappings.Values.Where(m => !oldMappings.TryGetValue(m.Key, out var o) || o != m);
        var removeMappings = oldMappings.Keys.Where(k => !newMappings.ContainsKey(k));

        var oldEdges = before.Edges.ToHashSet();
        var newEdges = after.Edges.ToHashSet();

        var oldFilters = before.Filters;
        var newFilters = after.Filters;
        var setAcls = new List<HostAcl>();
        for (var i = 0; i < newFilters.Acls.Length; i++)
        {
            if (i >= oldFilters.Acls.Length || !FilterEquality.Same(oldFilters.Acls[i], newFilters.Acls[i]))
                setAcls.Add(new HostAcl(i, newFilters.Acls[i]));
        }
        var routesChanged = !FilterEquality.Same(oldFilters.RouteTables, newFilters.RouteTables);

        return new HostDelta(after.HostName, version, 0, false, null,
            [.. setEnis], [.. removeEnis], [.. setMappings], [.. removeMappings],
            [.. after.Edges.Where(e => !oldEdges.Contains(e))], [.. before.Edges.Where(e => !newEdges.Contains(e))])
        {
            RouteTables = routesChanged ? newFilters.RouteTables : null,
            EdgeSet = before.EdgeSet.SequenceEqual(after.EdgeSet) ? null : after.EdgeSet,
            SetAcls = [.. setAcls],
            RemoveAcls = [.. Enumerable.Range(newFilters.Acls.Length, Math.Max(0, oldFilters.Acls.Length - newFilters.Acls.Length))],
            SetFilters = [.. setFilters],
        };
    }

    /// <summary>
    /// The plan of <paramref name="host"/> on <paramref name="region"/> cut down to <paramref name="vpcs"/> (put in file order);
    /// with <paramref name="slotsOf"/>, a partial plan (<see cref="RegionCompiler.Compile"/>).
    /// </summary>
    private static HostCardPlan Compile(RegionTopology region, string host, IEnumerable<(int Index, Vpc Vpc)> vpcs, CardGeometry? geometry,
        Func<Vpc, bool>? tablesOf, Func<Vpc, bool>? slotsOf)
    {
        var cut = region with { Vpcs = [.. vpcs.OrderBy(v => v.Index).Select(v => v.Vpc)] };
        return RegionCompiler.Compile(cut, host, geometry ?? CardGeometry.Default, checkCapacity: false, tablesOf, slotsOf);
    }

    private static HostEni HostEniOf(EniSlot slot) => new(slot.EniId, slot.VpcId, slot.SubnetId, slot.Entry, slot.Services);

    private static HostEniFilter FilterOf(HostCardPlan plan, EniSlot slot) => new(slot.EniId, plan.Filters.Security[slot.Slot], plan.Filters.Timeouts[slot.Slot]);

    /// <summary>A plan's mappings as the service sends them (the local owner named by ENI id), by key.</summary>
    private static Dictionary<MappingKey, HostMapping> MappingsOf(HostCardPlan plan)
    {
        var result = new Dictionary<MappingKey, HostMapping>(plan.Mappings.Length);
        foreach (var m in plan.Mappings)
        {
            result[m.Key] = new HostMapping(m.Key, Ipv4Address.ToUInt32(m.UnderlayIp), m.Mac,
                m.LocalSlot is { } slot ? plan.Enis[slot].EniId : null, plan.PublicIps.GetValueOrDefault(m.Key));
        }
        return result;
    }
}

/// <summary>
/// The region just before a change, as <see cref="DeltaBuilder.Deltas"/> needs it: its topology (hosts, edges,
/// settings), the hosts of each VPC the change touches, and the VPCs themselves with their file positions —
/// either every VPC (<see cref="All"/>, after a region is replaced) or only the touched ones (the others are
/// the same objects at the same positions in the state after the change).
/// </summary>
public sealed class RegionBefore(RegionTopology topology, IReadOnlyDictionary<string, HashSet<string>> hostsOf, IReadOnlyDictionary<string, (int Index, Vpc Vpc)> vpcs, bool all)
{
    public RegionTopology Topology { get; } = topology;

    /// <summary>Per VPC touched, the hosts that served it.</summary>
    public IReadOnlyDictionary<string, HashSet<string>> HostsOf { get; } = hostsOf;

    public bool All { get; } = all;

    /// <summary>Captures what a change to <paramref name="touched"/> needs, before it is applied to <paramref name="state"/>.</summary>
    public static RegionBefore Capture(RegionState state, IEnumerable<string> touched, bool replacing)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(touched);
        var hosts = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var vpcs = new Dictionary<string, (int, Vpc)>(StringComparer.Ordinal);
        foreach (var id in touched)
        {
            hosts[id] = [.. state.HostsOf(id)];
            if (!replacing && state.Vpc(id) is { } vpc)
                vpcs[id] = (state.IndexOfVpc(id), vpc);
        }
        if (replacing)
        {
            var all = state.Topology.Vpcs;
            for (var i = 0; i < all.Length; i++)
                vpcs[all[i].Id] = (i, all[i]);
        }
        return new RegionBefore(state.Topology, hosts, vpcs, replacing);
    }

    /// <summary>A VPC as it was, with its position.</summary>
    public (int Index, Vpc Vpc) Vpc(string id, RegionState after)
    {
        ArgumentNullException.ThrowIfNull(after);
        if (_vpcs.TryGetValue(id, out var v))
            return v;
        if (All)
            throw new InvalidOperationException($"{id} was not in the region");
        return (after.IndexOfVpc(id), after.Vpc(id)!);
    }

    private readonly IReadOnlyDictionary<string, (int Index, Vpc Vpc)> _vpcs = vpcs;
}
