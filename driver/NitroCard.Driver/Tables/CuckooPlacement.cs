using NitroCard.Driver.Hashing;

namespace NitroCard.Driver.Tables;

/// <summary>
/// The driver's shadow of the card's two-way cuckoo mapping table: which key sits in which
/// (way, bucket). The card only looks entries up; placing them is the driver's job.
/// Planning is separate from applying so a failed insert (table full) changes nothing.
/// </summary>
internal sealed class CuckooPlacement
{
    private const int Ways = 2;
    private const int MaxSearchNodes = 4096;
    private readonly MappingKey?[][] _slots;
    private readonly Dictionary<MappingKey, int> _index = [];

    public CuckooPlacement(int wayDepth)
    {
        if (wayDepth <= 0 || (wayDepth & (wayDepth - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(wayDepth), wayDepth, "must be a power of two");
        WayDepth = wayDepth;
        _slots = [new MappingKey?[wayDepth], new MappingKey?[wayDepth]];
    }

    public int WayDepth { get; }

    public int Count => _index.Count;

    public int Capacity => Ways * WayDepth;

    /// <summary>The flat table index (way * depth + bucket) of a key, if present.</summary>
    public bool TryGetIndex(MappingKey key, out int index) => _index.TryGetValue(key, out index);

    public bool Contains(MappingKey key) => _index.ContainsKey(key);

    public int Bucket(int way, MappingKey key) => CardHash.MappingBucket(way, key.Vni, key.Ip, WayDepth);

    /// <summary>
    /// Plans the insert of a new key: a list of moves, each (key, from index or -1, to index),
    /// ordered so that applying them one at a time keeps every key findable: the entry at the
    /// end of the cuckoo path moves into the free bucket first, the new key is written last.
    /// Returns null when no path is found (the table is full for this key).
    /// </summary>
    public IReadOnlyList<CuckooMove>? PlanInsert(MappingKey key)
    {
        if (_index.ContainsKey(key))
            throw new InvalidOperationException($"{key} is already placed");

        // Breadth-first search over displacement paths from the key's two buckets.
        var parents = new List<(int Index, int Parent)>();
        var visited = new HashSet<int>();
        for (var way = 0; way < Ways; way++)
        {
            var index = (way * WayDepth) + Bucket(way, key);
            if (visited.Add(index))
                parents.Add((index, -1));
        }

        for (var head = 0; head < parents.Count && parents.Count < MaxSearchNodes; head++)
        {
            var (index, _) = parents[head];
            var occupant = _slots[index / WayDepth][index % WayDepth];
            if (occupant is null)
                return BuildMoves(key, parents, head);
            var otherWay = 1 - (index / WayDepth);
            var alternate = (otherWay * WayDepth) + Bucket(otherWay, occupant.Value);
            if (visited.Add(alternate))
                parents.Add((alternate, head));
        }
        return null;
    }

    private List<CuckooMove> BuildMoves(MappingKey key, List<(int Index, int Parent)> parents, int freeNode)
    {
        // Walk from the free bucket back to the key's own bucket: each step moves the occupant
        // of the parent bucket into the (now free) child bucket.
        var moves = new List<CuckooMove>();
        var node = freeNode;
        while (parents[node].Parent >= 0)
        {
            var from = parents[parents[node].Parent].Index;
            var occupant = _slots[from / WayDepth][from % WayDepth]!.Value;
            moves.Add(new CuckooMove(occupant, from, parents[node].Index));
            node = parents[node].Parent;
        }
        moves.Add(new CuckooMove(key, -1, parents[node].Index));
        return moves;
    }

    /// <summary>Records moves produced by <see cref="PlanInsert"/> as done.</summary>
    public void Apply(IEnumerable<CuckooMove> moves)
    {
        foreach (var move in moves)
        {
            SetSlot(move.To, move.Key);
            if (move.From >= 0 && SlotAt(move.From) == move.Key)
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
            var current = SlotAt(index);
            if (current is { } k)
                _index.Remove(k);
            _slots[index / WayDepth][index % WayDepth] = previous;
            touched.Add(index);
        }
        foreach (var index in touched)
        {
            if (SlotAt(index) is { } k)
                _index[k] = index;
        }
    }

    private MappingKey? SlotAt(int index) => _slots[index / WayDepth][index % WayDepth];

    private void SetSlot(int index, MappingKey? key)
    {
        _journal?.Add((index, SlotAt(index)));
        _slots[index / WayDepth][index % WayDepth] = key;
    }

    private List<(int Index, MappingKey? Previous)>? _journal;
}

/// <summary>One step of a cuckoo insert: write <see cref="Key"/>'s entry at <see cref="To"/> (it was at <see cref="From"/>, or -1 when new).</summary>
internal readonly record struct CuckooMove(MappingKey Key, int From, int To);
