using NitroCard.Driver;
using NitroCard.Driver.Simulation;
using NitroCard.Driver.Tables;
using NitroCard.Mapping.Distribution;

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
/// </para>
/// Without an engine it only keeps the mirror (agents without cards, for scale runs).
/// </summary>
public sealed class CardProgrammer
{
    private readonly Dictionary<string, (int Slot, HostEni Eni)> _enis = new(StringComparer.Ordinal);
    private readonly Dictionary<MappingKey, HostMapping> _mappings = [];
    private readonly List<EdgeEntry?> _edges = [];
    private readonly int _slots;
    private readonly int _edgeCapacity;

    public CardProgrammer(CardGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        _slots = geometry.EniSlots;
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

        var freed = new HashSet<int>(d.RemoveEnis.Where(_enis.ContainsKey).Select(id => _enis[id].Slot));
        var used = new HashSet<int>(_enis.Values.Select(v => v.Slot));
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
                slot = 0;
                while (slot < _slots && (used.Contains(slot) || freed.Contains(slot)))
                    slot++;
                if (slot >= _slots)
                    throw new NitroCardException($"no free ENI slot for {eni.Id} ({_slots} slots)");
                used.Add(slot);
            }
            newSlots[eni.Id] = slot;
            card?.SetEni(slot, eni.Entry);
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
            card?.SetMapping(new MappingEntry(m.Key.Vni, Ipv4.FromUInt32(m.Key.Ip), Ipv4.FromUInt32(m.UnderlayIp), m.Mac, SlotOf(m.LocalEniId)));
        }
        // (3) ENIs out.
        foreach (var id in d.RemoveEnis)
        {
            if (_enis.Remove(id, out var gone) && !newSlots.ContainsKey(id))
                card?.SetEni(gone.Slot, null);
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
                    throw new NitroCardException($"no free edge entry for {edge.Vni}/{edge.UnderlayIp} ({_edgeCapacity} entries)");
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
        card?.Commit();
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
        return full with
        {
            Full = false,
            SetEnis = [.. setEnis],
            RemoveEnis = [.. removeEnis],
            SetMappings = [.. setMappings],
            RemoveMappings = [.. removeMappings],
            RemoveEdges = [.. removeEdges],
        };
    }
}
