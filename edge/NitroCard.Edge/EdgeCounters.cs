namespace NitroCard.Edge;

/// <summary>The edge's counters by name (<c>rx.internet</c>, <c>nat.outbound</c>, <c>drop.no-public-ip</c>, …); absent names are 0.</summary>
public sealed class EdgeCounters
{
    private readonly SortedDictionary<string, long> _values = new(StringComparer.Ordinal);

    /// <summary>A counter's value (0 when never counted).</summary>
    public long this[string name] => _values.TryGetValue(name, out var v) ? v : 0;

    /// <summary>Every counter counted at least once, by name.</summary>
    public IReadOnlyDictionary<string, long> All => _values;

    internal void Add(string name, long by = 1)
    {
        _values.TryGetValue(name, out var v);
        _values[name] = v + by;
    }
}
