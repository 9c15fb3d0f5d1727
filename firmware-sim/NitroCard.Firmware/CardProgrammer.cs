using System.Collections.Immutable;
using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;
using NitroCard.Mapping.Distribution;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Firmware;

/// <summary>
/// Keeps a card's tables equal to the state the Mapping Service pushed: applies deltas and full
/// snapshots (as the difference from what the card holds), choosing ENI slots itself.
/// <para>
/// Order within one update, so that no packet is ever delivered to a wrong instance even when the
/// driver commits a large update in several hardware batches: (1) new and changed ENIs go into slots
/// that no mapping points at (a slot freed by this update is not reused by it); (2) mappings change —
/// a local mapping only ever names a slot that holds its ENI; (3) ENIs that left are cleared, after every
/// mapping that pointed at them has moved away; (4) edges are added before stale ones are removed.
/// Filters (docs/card-filtering.md) follow the same rule: the route set, changed ACLs and the security rules and
/// timeouts of a new or changed ENI are staged before the ENI entries that name them; the rules of a slot that
/// is emptied are cleared after the slot, and ACL numbers no longer used last. Everything of one update is
/// staged before one commit. On a card without filtering hardware only the mirror keeps the filters.
/// </para>
/// <para>
/// A full card: when the update adds more ENIs than the card has unused slots (a host with all its slots in use
/// swaps one ENI for another), the ENIs that leave the host go first, in a commit of their own: every mapping that
/// pointed at them takes its new value (or, when that value names an ENI not on the card yet, is removed until
/// the second commit), their slots are cleared, and the card commits. Only then does the rest of the update,
/// which may reuse those slots, run as above. This is safe because after the first commit no mapping on the card
/// names a freed slot, and a commit is atomic between two packets, so a frame for a departed ENI can never reach
/// the ENI that takes its slot. The price is a short gap for the departing ENIs only: between the two commits
/// their addresses are dropped (not-on-host) or already forwarded to their new host, and the arriving ENIs are not
/// there yet. A move of one ENI within an update keeps its slot, so make-before-break is untouched for it.
/// </para>
/// Without an engine it only keeps the mirror (agents without cards, for scale runs).
/// </summary>
public sealed class CardProgrammer
{
    private readonly Dictionary<string, (int Slot, HostEni Eni)> _enis = new(StringComparer.Ordinal);
    private readonly Dictionary<MappingKey, HostMapping> _mappings = [];
    private readonly List<EdgeEntry?> _edges = [];
    private readonly Dictionary<string, HostEniFilter> _filters = new(StringComparer.Ordinal);
    private readonly List<NetworkAcl?> _acls = [];
    private IReadOnlyList<RouteTableSpec> _routeTables = [];
    private readonly int _slots;
    // Which slots an ENI of the mirror holds (a bit each), and a word below which all are held: a new ENI takes the
    // lowest free slot without a set of the used slots rebuilt for every delta (a mirror gets one per apply).
    private readonly ulong[] _slotHeld;
    private int _firstWordWithFree;
    private readonly int _edgeCapacity;

    public CardProgrammer(CardGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        _slots = geometry.EniSlots;
        _slotHeld = new ulong[(_slots + 63) / 64];
        _edgeCapacity = geometry.EdgeEntries;
    }

    public CardSettings? Settings { get; private set; }

    public int MappingCount => _mappings.Count;

    public IReadOnlyDictionary<string, int> Slots => _enis.ToDictionary(kv => kv.Key, kv => kv.Value.Slot, StringComparer.Ordinal);

    public bool TryGetMapping(MappingKey key, out HostMapping mapping) => _mappings.TryGetValue(key, out mapping!);

    /// <summary>The local ENIs the card holds, by id.</summary>
    public IReadOnlyDictionary<string, HostEni> Enis => _enis.ToDictionary(kv => kv.Key, kv => kv.Value.Eni, StringComparer.Ordinal);

    /// <summary>Every mapping the card holds.</summary>
    public IReadOnlyCollection<HostMapping> Mappings => _mappings.Values;

    /// <summary>The edge entries the card holds.</summary>
    public IReadOnlyList<EdgeEntry> Edges => [.. _edges.Where(e => e is not null).Select(e => e!)];

    /// <summary>The edge set the card holds (docs/card-edges.md; empty: every edge route to its EDGE_IP).</summary>
    public ImmutableArray<IPAddress> EdgeSet { get; private set; } = [];

    /// <summary>The route set the card holds (index = route table number).</summary>
    public IReadOnlyList<RouteTableSpec> RouteTables => _routeTables;

    /// <summary>The network ACLs the card holds (index = ACL number; null = unused).</summary>
    public IReadOnlyList<NetworkAcl?> Acls => [.. _acls];

    /// <summary>The security rules and conntrack timeouts of each local ENI, by id.</summary>
    public IReadOnlyDictionary<string, HostEniFilter> Filters => _filters.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    /// <summary>
    /// What the card holds, as the plan <see cref="RegionCompiler.ForHost"/> would describe it (slots as this programmer chose
    /// them; route table and ACL ids are not pushed, so they read <c>#n</c>): what <c>nitroctl card tables</c> prints.
    /// </summary>
    public HostCardPlan Describe(string host, CardGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var enis = _enis.Values.OrderBy(e => e.Slot)
            .Select(e => new EniSlot(e.Slot, e.Eni.Id, e.Eni.VpcId, e.Eni.SubnetId, e.Eni.Entry)).ToImmutableArray();
        var slotCount = enis.IsEmpty ? 0 : enis[^1].Slot + 1;
        var security = new SecurityRules[slotCount];
        var timeouts = new ConntrackTimeouts[slotCount];
        for (var slot = 0; slot < slotCount; slot++)
            (security[slot], timeouts[slot]) = (SecurityRules.DenyAll, ConntrackTimeouts.Default);
        foreach (var eni in enis)
        {
            if (_filters.TryGetValue(eni.EniId, out var filter))
                (security[eni.Slot], timeouts[eni.Slot]) = (filter.Rules, filter.Timeouts);
        }
        var acls = _acls.Select(a => a ?? NetworkAcl.AllowAll).ToImmutableArray();
        return new HostCardPlan(
            host,
            Settings ?? throw new InvalidOperationException($"{host}: the card has not been programmed yet"),
            [.. enis.Select(e => new HostVpc(e.VpcId, e.Entry.Vni)).Distinct()],
            enis,
            [.. _mappings.Values.OrderBy(m => m.Key.Vni).ThenBy(m => m.Key.Ip).Select(m => new MappingEntry(m.Key.Vni, Ipv4Address.FromUInt32(m.Key.Ip),
                Ipv4Address.FromUInt32(m.UnderlayIp), m.Mac, m.LocalEniId is { } id && _enis.TryGetValue(id, out var local) ? local.Slot : null))],
            [.. Edges],
            geometry,
            new HostFilterPlan([.. _routeTables], [.. _routeTables.Select((_, i) => "#" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                acls, [.. acls.Select((_, i) => _acls[i] is null ? "(unused)" : "#" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                [.. security], [.. timeouts])) { EdgeSet = EdgeSet };
    }

    /// <summary>Applies one delta (or full snapshot) to the card and the mirror.</summary>
    public void Apply(ICardEngine? card, HostDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var d = delta.Full ? DiffFull(delta) : delta;
        if (d.Settings is { } settings && settings != Settings)
        {
            card?.Configure(settings);
            Settings = settings;
        }

        var filtering = card?.Geometry.Filtering is not null;
        var filterCard = filtering ? card : null;
        // (0) filters the new state's ENI entries name: the route set (whole), changed ACLs.
        if (d.RouteTables is { } routeTables)
        {
            filterCard?.SetRouteTables([.. routeTables]);
            _routeTables = [.. routeTables];
        }
        foreach (var acl in d.SetAcls)
        {
            filterCard?.SetNetworkAcl(acl.Index, acl.Acl);
            while (_acls.Count <= acl.Index)
                _acls.Add(null);
            _acls[acl.Index] = acl.Acl;
        }
        var setFilters = d.SetFilters.ToDictionary(f => f.EniId, StringComparer.Ordinal);

        var arriving = d.SetEnis.Count(e => !_enis.ContainsKey(e.Id));
        if (arriving > _slots - _enis.Count)
            ApplyDepartures(card, filterCard, d);

        // A slot this update frees is still held until (3), so it is not reused by it.
        var newSlots = new Dictionary<string, int>(StringComparer.Ordinal);
        // (1) ENIs in.
        foreach (var eni in d.SetEnis)
        {
            int slot;
            if (_enis.TryGetValue(eni.Id, out var existing))
            {
                slot = existing.Slot;
            }
            else
            {
                slot = TakeLowestFreeSlot();
                if (slot < 0)
                {
                    ReleaseUnheldSlots(newSlots);
                    throw new CardTableFullException($"no free ENI slot for {eni.Id} ({_slots} slots)");
                }
            }
            newSlots[eni.Id] = slot;
            if (setFilters.Remove(eni.Id, out var filter))
                StageFilter(filterCard, slot, filter);
            card?.SetEni(slot, filtering ? eni.Entry : eni.Entry with { RouteTable = 0, Nacl = 0 });
        }
        // Filters of ENIs that stay as they are.
        foreach (var filter in setFilters.Values)
        {
            if (!_enis.TryGetValue(filter.EniId, out var held))
                throw new NitroCardException($"security rules for {filter.EniId}, which is not on the card");
            StageFilter(filterCard, held.Slot, filter);
        }
        int? SlotOf(string? id) => id is null ? null : newSlots.TryGetValue(id, out var s) ? s : _enis.TryGetValue(id, out var e) ? e.Slot : null;

        // (2) mappings.
        foreach (var key in d.RemoveMappings)
        {
            if (_mappings.Remove(key))
                card?.RemoveMapping(key);
        }
        foreach (var m in d.SetMappings)
        {
            _mappings[m.Key] = m;
            card?.SetMapping(new MappingEntry(m.Key.Vni, Ipv4Address.FromUInt32(m.Key.Ip), Ipv4Address.FromUInt32(m.UnderlayIp), m.Mac, SlotOf(m.LocalEniId)));
        }
        // (3) ENIs out.
        foreach (var id in d.RemoveEnis)
        {
            if (_enis.Remove(id, out var gone) && !newSlots.ContainsKey(id))
            {
                ReleaseSlot(gone.Slot);
                card?.SetEni(gone.Slot, null);
                filterCard?.SetSecurityRules(gone.Slot, null); // the shared rule array is not held by an empty slot
                _filters.Remove(id);
            }
        }
        foreach (var eni in d.SetEnis)
            _enis[eni.Id] = (newSlots[eni.Id], eni);
        // (4) edges.
        foreach (var edge in d.SetEdges)
        {
            if (_edges.Contains(edge))
                continue;
            var index = _edges.IndexOf(null);
            if (index < 0)
            {
                if (_edges.Count >= _edgeCapacity)
                    throw new CardTableFullException($"no free edge entry for {edge.Vni}/{edge.UnderlayIp} ({_edgeCapacity} entries)");
                _edges.Add(null);
                index = _edges.Count - 1;
            }
            _edges[index] = edge;
            card?.SetEdge(index, edge);
        }
        foreach (var edge in d.RemoveEdges)
        {
            var index = _edges.IndexOf(edge);
            if (index >= 0)
            {
                _edges[index] = null;
                card?.SetEdge(index, null);
            }
        }
        // (5) ACL numbers no longer used.
        foreach (var index in d.RemoveAcls)
        {
            if (index < _acls.Count && _acls[index] is not null)
            {
                filterCard?.SetNetworkAcl(index, null);
                _acls[index] = null;
            }
        }
        while (_acls.Count > 0 && _acls[^1] is null)
            _acls.RemoveAt(_acls.Count - 1);
        card?.Commit();
        // (6) the edge set, after the commit: a new edge's RX entries (4) are in before any flow is sent to it.
        if (d.EdgeSet is { } edgeSet && !edgeSet.SequenceEqual(EdgeSet))
        {
            card?.SetEdgeSet(edgeSet);
            EdgeSet = edgeSet;
        }
    }

    /// <summary>
    /// The first commit of an update that needs slots the card does not have free (see the class comment): the ENIs
    /// that leave, the mappings that pointed at them, one commit. The caller then applies the whole update; what this
    /// did is already in the mirror, so it is not repeated.
    /// </summary>
    private void ApplyDepartures(ICardEngine? card, ICardEngine? filterCard, HostDelta d)
    {
        var staying = d.SetEnis.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        var leaving = d.RemoveEnis.Where(id => _enis.ContainsKey(id) && !staying.Contains(id)).ToHashSet(StringComparer.Ordinal);
        var finalMappings = new Dictionary<MappingKey, HostMapping>();
        foreach (var m in d.SetMappings)
            finalMappings[m.Key] = m;
        foreach (var old in _mappings.Values.Where(m => m.LocalEniId is { } id && leaving.Contains(id)).ToList())
        {
            if (finalMappings.TryGetValue(old.Key, out var next) && (next.LocalEniId is null || (_enis.ContainsKey(next.LocalEniId) && !leaving.Contains(next.LocalEniId))))
            {
                _mappings[next.Key] = next;
                card?.SetMapping(new MappingEntry(next.Key.Vni, Ipv4Address.FromUInt32(next.Key.Ip), Ipv4Address.FromUInt32(next.UnderlayIp), next.Mac,
                    next.LocalEniId is null ? null : _enis[next.LocalEniId].Slot));
            }
            else
            {
                // Removed by the update, or its new value names an ENI that arrives in the second commit.
                _mappings.Remove(old.Key);
                card?.RemoveMapping(old.Key);
            }
        }
        foreach (var id in leaving)
        {
            _enis.Remove(id, out var gone);
            ReleaseSlot(gone.Slot);
            card?.SetEni(gone.Slot, null);
            filterCard?.SetSecurityRules(gone.Slot, null);
            _filters.Remove(id);
        }
        card?.Commit();
    }

    /// <summary>Marks the lowest slot no ENI holds as held and returns it; -1 when every slot is held.</summary>
    private int TakeLowestFreeSlot()
    {
        for (var word = _firstWordWithFree; word < _slotHeld.Length; word++)
        {
            var free = ~_slotHeld[word];
            if (free == 0)
                continue;
            var slot = (word * 64) + System.Numerics.BitOperations.TrailingZeroCount(free);
            _firstWordWithFree = word;
            if (slot >= _slots)
                return -1;
            _slotHeld[word] |= 1UL << (slot % 64);
            return slot;
        }
        _firstWordWithFree = _slotHeld.Length;
        return -1;
    }

    private void ReleaseSlot(int slot)
    {
        _slotHeld[slot / 64] &= ~(1UL << (slot % 64));
        _firstWordWithFree = Math.Min(_firstWordWithFree, slot / 64);
    }

    /// <summary>An update refused for a full card: the slots it had taken for ENIs not in the mirror are free again.</summary>
    private void ReleaseUnheldSlots(Dictionary<string, int> newSlots)
    {
        foreach (var (id, slot) in newSlots)
        {
            if (!_enis.ContainsKey(id))
                ReleaseSlot(slot);
        }
    }

    private void StageFilter(ICardEngine? card, int slot, HostEniFilter filter)
    {
        card?.SetSecurityRules(slot, filter.Rules);
        card?.SetConntrackTimeouts(slot, filter.Timeouts);
        _filters[filter.EniId] = filter;
    }

    /// <summary>A full snapshot as the delta from what the card holds now.</summary>
    private HostDelta DiffFull(HostDelta full)
    {
        var wantedEnis = full.SetEnis.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var setEnis = full.SetEnis.Where(e => !_enis.TryGetValue(e.Id, out var have) || have.Eni != e).ToList();
        var removeEnis = _enis.Keys.Where(id => !wantedEnis.ContainsKey(id)).ToList();
        var wantedMappings = new Dictionary<MappingKey, HostMapping>(full.SetMappings.Length);
        foreach (var m in full.SetMappings)
            wantedMappings[m.Key] = m;
        var setMappings = full.SetMappings.Where(m => !_mappings.TryGetValue(m.Key, out var have) || have != m || setEnis.Any(e => e.Id == m.LocalEniId)).ToList();
        var removeMappings = _mappings.Keys.Where(k => !wantedMappings.ContainsKey(k)).ToList();
        var wantedEdges = full.SetEdges.ToHashSet();
        var removeEdges = _edges.Where(e => e is not null && !wantedEdges.Contains(e)).Select(e => e!).ToList();
        var routeTables = full.RouteTables is { } tables && !FilterEquality.Same([.. tables], [.. _routeTables]) ? tables : (ImmutableArray<RouteTableSpec>?)null;
        var wantedAcls = full.SetAcls.ToDictionary(a => a.Index);
        var setAcls = full.SetAcls.Where(a => a.Index >= _acls.Count || !FilterEquality.Same(_acls[a.Index], a.Acl)).ToList();
        var removeAcls = Enumerable.Range(0, _acls.Count).Where(i => _acls[i] is not null && !wantedAcls.ContainsKey(i)).ToList();
        // A new ENI always gets its filters; one that stays only when they changed.
        var setFilters = full.SetFilters.Where(f => setEnis.Any(e => e.Id == f.EniId) || !_filters.TryGetValue(f.EniId, out var have) || !FilterEquality.Same(have, f)).ToList();
        return full with
        {
            RouteTables = routeTables,
            EdgeSet = full.EdgeSet ?? [],
            SetAcls = [.. setAcls],
            RemoveAcls = [.. removeAcls],
            SetFilters = [.. setFilters],
            Full = false,
            SetEnis = [.. setEnis],
            RemoveEnis = [.. removeEnis],
            SetMappings = [.. setMappings],
            RemoveMappings = [.. removeMappings],
            RemoveEdges = [.. removeEdges],
        };
    }
}
