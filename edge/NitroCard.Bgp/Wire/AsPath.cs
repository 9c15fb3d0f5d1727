using System.Globalization;

namespace NitroCard.Bgp.Wire;

/// <summary>AS_PATH segment types (RFC 4271 §4.3; confederation types RFC 5065 §3).</summary>
public enum AsPathSegmentType : byte
{
    /// <summary>An unordered set of ASes (an aggregate).</summary>
    AsSet = 1,

    /// <summary>An ordered sequence of ASes.</summary>
    AsSequence = 2,

    /// <summary>Confederation sequence (RFC 5065); never valid from an external peer.</summary>
    ConfedSequence = 3,

    /// <summary>Confederation set (RFC 5065); never valid from an external peer.</summary>
    ConfedSet = 4,
}

/// <summary>One AS_PATH segment.</summary>
/// <param name="Type">The segment type.</param>
/// <param name="Asns">The ASes (1 to 255 of them).</param>
public sealed record AsPathSegment(AsPathSegmentType Type, IReadOnlyList<uint> Asns)
{
    /// <summary>Segments equal by type and content.</summary>
    public bool Equals(AsPathSegment? other) => other is not null && Type == other.Type && Asns.SequenceEqual(other.Asns);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, Asns.Count, Asns.Count > 0 ? Asns[0] : 0);

    /// <inheritdoc/>
    public override string ToString()
    {
        var list = string.Join(' ', Asns.Select(a => a.ToString(CultureInfo.InvariantCulture)));
        return Type switch
        {
            AsPathSegmentType.AsSet => "{" + list + "}",
            AsPathSegmentType.ConfedSequence => "(" + list + ")",
            AsPathSegmentType.ConfedSet => "[" + list + "]",
            _ => list,
        };
    }
}

/// <summary>An AS_PATH (RFC 4271 §5.1.2), as 4-octet ASNs.</summary>
/// <param name="Segments">The segments in order.</param>
public sealed record AsPath(IReadOnlyList<AsPathSegment> Segments)
{
    /// <summary>The empty path (a route originated inside the AS, sent to an internal peer).</summary>
    public static readonly AsPath Empty = new([]);

    /// <summary>A path of one AS_SEQUENCE.</summary>
    public static AsPath Sequence(params uint[] asns) => asns.Length == 0 ? Empty : new([new AsPathSegment(AsPathSegmentType.AsSequence, asns)]);

    /// <summary>The first AS of the path when it starts with an AS_SEQUENCE (the neighbor AS, §5.1.2), else null.</summary>
    public uint? FirstAs => Segments.Count > 0 && Segments[0].Type == AsPathSegmentType.AsSequence && Segments[0].Asns.Count > 0 ? Segments[0].Asns[0] : null;

    /// <summary>The path length as route selection counts it: an AS_SET counts one, confederation segments none (RFC 4271 §9.1.2.2).</summary>
    public int Length => Segments.Sum(s => s.Type switch
    {
        AsPathSegmentType.AsSequence => s.Asns.Count,
        AsPathSegmentType.AsSet => 1,
        _ => 0,
    });

    /// <summary>Every AS the path mentions.</summary>
    public IEnumerable<uint> AllAsns => Segments.SelectMany(s => s.Asns);

    /// <summary>Paths equal segment by segment.</summary>
    public bool Equals(AsPath? other) => other is not null && Segments.SequenceEqual(other.Segments);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Segments.Count, Segments.Count > 0 ? Segments[0].GetHashCode() : 0);

    /// <summary>The path as BIRD and Cisco print it: "64512 {65001 65002}".</summary>
    public override string ToString() => string.Join(' ', Segments.Select(s => s.ToString()));
}
