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

    /// <summary>A thread's numberings of one host's tables before and after a change, reused host after host (a plan copies what it needs).</summary>
    [ThreadStatic]
    private static RegionCompiler.TableNumbering? t_oldNumbering, t_newNumbering;

    /// <summary>A host's plan at the state: <see cref="RegionCompiler.ForHost"/>'s, computed on the host's VPCs only.</summary>
    public static HostCardPlan Plan(RegionState state, string host, CardGeometry? geometry = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(host);
        var vpcs = InFileOrder(state.VpcsOf(host).Select(id => (state.IndexOfVpc(id), state.Vpc(id)!)));
        return RegionCompiler.Compile(state.Topology, vpcs, host, geometry ?? CardGeometry.Default, checkCapacity: false, tablesOf: null, numbering: null);
    }

    /// <summary>The complete state of a host's card at the state's version.</summary>
    public static HostDelta Snapshot(RegionState state, string host, long baseVersion, CardGeometry? geometry = null)
    {
        var plan = Plan(state, host, geometry);
        return new HostDelta(host, state.Version, baseVersion, true, plan.Settings,
            [.. plan.Enis.Select(HostEniOf)], [], [.. plan.Mappings.Select(m => HostMappingOf(plan, m))], [], plan.Edges, [])
        {
            RouteTables = plan.Filters.RouteTables,
            EdgeSet = plan.EdgeSet,
            SetAcls = [.. plan.Filters.Acls.Select((acl, i) => new HostAcl(i, acl))],
            SetFilters = [.. plan.Enis.Select(slot => FilterOf(plan, slot))],
        };
    }

    /// <summary>
    /// Per-host deltas of a change: for every host of a VPC the change touches (before or after it), the
    /// difference between its plan before and after. Each host's route tables and ACLs are numbered first, before and
    /// after (<see cref="RegionCompiler.NumberTables"/>, a walk of its VPCs' subnets). When the numbering is the same, only
    /// the touched VPCs are compiled into slots, mappings and edges (the others are the same objects before and after, so
    /// their slots are the same); when it moved (a host's first use of a table changed), the host's slots are compiled over
    /// all its VPCs, since every later slot's table numbers may have moved. Either way the delta is <see cref="Diff"/> of
    /// the host's whole plans before and after.
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
        geometry ??= CardGeometry.Default;
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
            var oldVpcs = new List<(int Index, Vpc Vpc)>(nowVpcs.Count + 1);
            foreach (var id in nowVpcs)
            {
                if (!touched.Contains(id))
                    oldVpcs.Add(before.Vpc(id, state));
            }
            foreach (var id in touched)
            {
                if (before.HostsOf.TryGetValue(id, out var had) && had.Contains(host))
                    oldVpcs.Add(before.Vpc(id, state));
            }
            return (Host: host, Old: InFileOrder(oldVpcs), New: InFileOrder(nowVpcs.Select(id => (state.IndexOfVpc(id), state.Vpc(id)!))));
        }).ToList();
        var deltas = new HostDelta[work.Count];
        void Build(int i)
        {
            var (host, oldVpcs, newVpcs) = work[i];
            var oldNumbering = RegionCompiler.NumberTables(before.Topology, host, oldVpcs, t_oldNumbering ??= new());
            var newNumbering = RegionCompiler.NumberTables(state.Topology, host, newVpcs, t_newNumbering ??= new());
            if (untouchedSame && oldNumbering.SameNumbers(newNumbering))
            {
                var oldPart = RegionCompiler.Compile(before.Topology, [.. oldVpcs.Where(Touched)], host, geometry, checkCapacity: false, tablesOf: null, oldNumbering);
                var newPart = RegionCompiler.Compile(state.Topology, [.. newVpcs.Where(Touched)], host, geometry, checkCapacity: false, tablesOf: null, newNumbering);
                deltas[i] = Diff(oldPart, newPart, change.Version);
                return;
            }
            var oldPlan = RegionCompiler.Compile(before.Topology, oldVpcs, host, geometry, checkCapacity: false, Touched, oldNumbering);
            var newPlan = RegionCompiler.Compile(state.Topology, newVpcs, host, geometry, checkCapacity: false, Touched, newNumbering);
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

        // Mappings are compared in place too (a key is one VNI and address, so at most once in a plan); only what changed
        // becomes a HostMapping.
        var oldMappings = new Dictionary<MappingKey, int>(before.Mappings.Length);
        for (var i = 0; i < before.Mappings.Length; i++)
            oldMappings[before.Mappings[i].Key] = i;
        var kept = new bool[before.Mappings.Length];
        var setMappings = new List<HostMapping>();
        foreach (var m in after.Mappings)
        {
            if (oldMappings.TryGetValue(m.Key, out var i))
            {
                kept[i] = true;
                if (SameMapping(before, before.Mappings[i], after, m))
                    continue;
            }
            setMappings.Add(HostMappingOf(after, m));
        }
        var removeMappings = new List<MappingKey>();
        for (var i = 0; i < before.Mappings.Length; i++)
        {
            if (!kept[i])
                removeMappings.Add(before.Mappings[i].Key);
        }

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

    /// <summary>The VPCs in file order (their positions in the region).</summary>
    private static Vpc[] InFileOrder(IEnumerable<(int Index, Vpc Vpc)> vpcs)
    {
        var array = vpcs.ToArray();
        Array.Sort(array, (a, b) => a.Index.CompareTo(b.Index));
        return Array.ConvertAll(array, v => v.Vpc);
    }

    private static HostEni HostEniOf(EniSlot slot) => new(slot.EniId, slot.VpcId, slot.SubnetId, slot.Entry, slot.Services);

    private static HostEniFilter FilterOf(HostCardPlan plan, EniSlot slot) => new(slot.EniId, plan.Filters.Security[slot.Slot], plan.Filters.Timeouts[slot.Slot]);

    /// <summary>A plan's mapping as the service sends it: the local owner named by ENI id.</summary>
    private static HostMapping HostMappingOf(HostCardPlan plan, MappingEntry m)
        => new(m.Key, Ipv4Address.ToUInt32(m.UnderlayIp), m.Mac, OwnerOf(plan, m), plan.PublicIps.GetValueOrDefault(m.Key));

    /// <summary>Whether two plans' mappings of one key are the same <see cref="HostMapping"/> (<see cref="HostMappingOf"/>), without making them.</summary>
    private static bool SameMapping(HostCardPlan before, MappingEntry a, HostCardPlan after, MappingEntry b)
        => a.Key == b.Key && Ipv4Address.ToUInt32(a.UnderlayIp) == Ipv4Address.ToUInt32(b.UnderlayIp) && a.Mac == b.Mac
            && OwnerOf(before, a) == OwnerOf(after, b)
            && Equals(before.PublicIps.GetValueOrDefault(a.Key), after.PublicIps.GetValueOrDefault(b.Key));

    private static string? OwnerOf(HostCardPlan plan, MappingEntry m) => m.LocalSlot is { } slot ? plan.Enis[slot].EniId : null;
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
