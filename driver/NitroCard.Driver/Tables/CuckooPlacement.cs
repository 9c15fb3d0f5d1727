using NitroCard.Card.Hashing;
using NitroCard.Card.Tables;

namespace NitroCard.Driver.Tables;

/// <summary>
/// The driver's shadow of the card's two-way cuckoo mapping table: which key sits in which
/// (way, bucket, slot). Each way holds <c>wayDepth</c> entries in buckets of
/// <c>bucketSlots</c>; a key may live in any slot of its bucket in either way. The card only
/// looks entries up; placing them is the driver's job. Planning is separate from applying so a
/// failed insert (table full) changes nothing.
/// </summary>
internal sealed class CuckooPlacement
{
    private const int Ways = 2;
    private const int MaxSearchNodes = 8192;
    private readonly MappingKey?[] _slots;
    private readonly Dictionary<MappingKey, int> _index = [];
    private List<(int Index, MappingKey? Previous)>? _journal;

    public CuckooPlacement(int wayDepth, int bucketSlots = 1)
    {
        if (wayDepth <= 0 || (wayDepth & (wayDepth - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(wayDepth), wayDepth, "must be a power of two");
        if (bucketSlots <= 0 || (bucketSlots & (bucketSlots - 1)) != 0 || bucketSlots > wayDepth)
            throw new ArgumentOutOfRangeException(nameof(bucketSlots), bucketSlots, "must be a power of two no larger than the way");
        WayDepth = wayDepth;
        BucketSlots = bucketSlots;
        _slots = new MappingKey?[Ways * wayDepth];
    }

    /// <summary>Entries per way.</summary>
    public int WayDepth { get; }

    /// <summary>Entries per bucket.</summary>
    public int BucketSlots { get; }

    public int Count => _index.Count;

    public int Capacity => _slots.Length;

    /// <summary>The flat table index (way * depth + bucket * slots + slot) of a key, if present.</summary>
    public bool TryGetIndex(MappingKey key, out int index) => _index.TryGetValue(key, out index);

    public bool Contains(MappingKey key) => _index.ContainsKey(key);

    /// <summary>Whether no key sits at a flat table index.</summary>
    public bool IsFree(int index) => _slots[index] is null;

    /// <summary>Flat index of slot 0 of the key's bucket in a way.</summary>
    public int BucketStart(int way, MappingKey key)
        => (way * WayDepth) + (CardHash.MappingBucket(way, key.Vni, key.Ip, WayDepth / BucketSlots) * BucketSlots);

    /// <summary>
    /// Plans the insert of a new key: a list of moves, each (key, from index or -1, to index),
    /// ordered so that applying them one at a time keeps every key findable: the entry at the
    /// end of the cuckoo path moves into the free slot first, the new key is written last.
    /// Returns null when no path is found (the table is full for this key).
    /// </summary>
    public IReadOnlyList<CuckooMove>? PlanInsert(MappingKey key)
    {
        if (_index.ContainsKey(key))
            throw new InvalidOperationException($"{key} is already placed");

        // Breadth-first search over displacement paths. A node is a slot; its parent is the slot
        // whose occupant would move into it.
        var nodes = new List<(int Index, int Parent)>();
        var visitedBuckets = new HashSet<int>();
        for (var way = 0; way < Ways; way++)
            AddBucket(BucketStart(way, key), -1);

        for (var head = 0; head < nodes.Count; head++)
        {
            var (index, _) = nodes[head];
            var occupant = _slots[index];
            if (occupant is null)
                return BuildMoves(key, nodes, head);
            if (nodes.Count < MaxSearchNodes)
                AddBucket(BucketStart(1 - (index / WayDepth), occupant.Value), head);
        }
        return null;

        void AddBucket(int start, int parent)
        {
            if (!visitedBuckets.Add(start))
                return;
            // Free slots first, so the search ends at the shallowest free slot.
            for (var s = 0; s < BucketSlots; s++)
            {
                if (_slots[start + s] is null)
                    nodes.Add((start + s, parent));
            }
            for (var s = 0; s < BucketSlots; s++)
            {
                if (_slots[start + s] is not null)
                    nodes.Add((start + s, parent));
            }
        }
    }

    private List<CuckooMove> BuildMoves(MappingKey key, List<(int Index, int Parent)> nodes, int freeNode)
    {
        // Walk from the free slot back to the key's own bucket: each step moves the occupant
        // of the parent slot into the (now free) child slot.
        var moves = new List<CuckooMove>();
        var node = freeNode;
        while (nodes[node].Parent >= 0)
        {
            var from = nodes[nodes[node].Parent].Index;
            moves.Add(new CuckooMove(_slots[from]!.Value, from, nodes[node].Index));
            node = nodes[node].Parent;
        }
        moves.Add(new CuckooMove(key, -1, nodes[node].Index));
        return moves;
    }

    /// <summary>Records moves produced by <see cref="PlanInsert"/> as done.</summary>
    public void Apply(IEnumerable<CuckooMove> moves)
    {
        foreach (var move in moves)
        {
            SetSlot(move.To, move.Key);
            if (move.From >= 0 && _slots[move.From] == move.Key)
                SetSlot(move.From, null);
            _index[move.Key] = move.To;
        }
    }

    public int Remove(MappingKey key)
    {
        if (!_index.Remove(key, out var index))
            throw new InvalidOperationException($"{key} is not placed");
        SetSlot(index, null);
        return index;
    }

    /// <summary>Starts recording changes so <see cref="Rollback"/> can undo them (one batch).</summary>
    public void BeginBatch() => _journal = [];

    /// <summary>Keeps the batch's changes.</summary>
    public void EndBatch() => _journal = null;

    /// <summary>Undoes every change since <see cref="BeginBatch"/>.</summary>
    public void Rollback()
    {
        if (_journal is null)
            return;
        var journal = _journal;
        _journal = null;
        var touched = new HashSet<int>();
        for (var i = journal.Count - 1; i >= 0; i--)
        {
            var (index, previous) = journal[i];
            if (_slots[index] is { } current)
                _index.Remove(current);
            _slots[index] = previous;
            touched.Add(index);
        }
        foreach (var index in touched)
        {
            if (_slots[index] is { } k)
                _index[k] = index;
        }
    }

    private void SetSlot(int index, MappingKey? key)
    {
        _journal?.Add((index, _slots[index]));
        _slots[index] = key;
    }
}

/// <summary>One step of a cuckoo insert: write <see cref="Key"/>'s entry at <see cref="To"/> (it was at <see cref="From"/>, or -1 when new).</summary>
internal readonly record struct CuckooMove(MappingKey Key, int From, int To);
