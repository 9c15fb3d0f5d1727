using System.Net;

namespace NitroCard.Bgp.Wire;

/// <summary>ORIGIN values (RFC 4271 §4.3, §5.1.1).</summary>
public enum BgpOrigin : byte
{
    /// <summary>Interior to the originating AS.</summary>
    Igp = 0,

    /// <summary>Learned by EGP.</summary>
    Egp = 1,

    /// <summary>Learned some other way.</summary>
    Incomplete = 2,
}

/// <summary>Path attribute type codes (RFC 4271 §5; RFC 1997; RFC 4760; RFC 6793).</summary>
public static class AttributeType
{
    /// <summary>ORIGIN, well-known mandatory.</summary>
    public const byte Origin = 1;

    /// <summary>AS_PATH, well-known mandatory.</summary>
    public const byte AsPath = 2;

    /// <summary>NEXT_HOP, well-known mandatory.</summary>
    public const byte NextHop = 3;

    /// <summary>MULTI_EXIT_DISC, optional non-transitive.</summary>
    public const byte MultiExitDisc = 4;

    /// <summary>LOCAL_PREF, well-known (internal peers only).</summary>
    public const byte LocalPref = 5;

    /// <summary>ATOMIC_AGGREGATE, well-known discretionary.</summary>
    public const byte AtomicAggregate = 6;

    /// <summary>AGGREGATOR, optional transitive.</summary>
    public const byte Aggregator = 7;

    /// <summary>COMMUNITIES, optional transitive (RFC 1997).</summary>
    public const byte Communities = 8;

    /// <summary>MP_REACH_NLRI, optional non-transitive (RFC 4760).</summary>
    public const byte MpReachNlri = 14;

    /// <summary>MP_UNREACH_NLRI, optional non-transitive (RFC 4760).</summary>
    public const byte MpUnreachNlri = 15;

    /// <summary>AS4_PATH, optional transitive (RFC 6793).</summary>
    public const byte As4Path = 17;

    /// <summary>AS4_AGGREGATOR, optional transitive (RFC 6793).</summary>
    public const byte As4Aggregator = 18;
}

/// <summary>Attribute Flags bits (RFC 4271 §4.3).</summary>
public static class AttributeFlags
{
    /// <summary>Optional (1) or well-known (0).</summary>
    public const byte Optional = 0x80;

    /// <summary>Transitive.</summary>
    public const byte Transitive = 0x40;

    /// <summary>Partial.</summary>
    public const byte Partial = 0x20;

    /// <summary>Extended Length: the length field is two octets.</summary>
    public const byte ExtendedLength = 0x10;
}

/// <summary>AGGREGATOR (RFC 4271 §5.1.7): the AS and speaker that formed the aggregate.</summary>
/// <param name="Asn">The aggregating AS.</param>
/// <param name="Address">The aggregating speaker's address.</param>
public sealed record BgpAggregator(uint Asn, IPAddress Address);

/// <summary>A path attribute we do not interpret, kept as received.</summary>
/// <param name="Flags">The attribute flags.</param>
/// <param name="TypeCode">The type code.</param>
/// <param name="Value">The value.</param>
public sealed record OpaqueAttributeValue(byte Flags, byte TypeCode, ReadOnlyMemory<byte> Value);

/// <summary>The path attributes of an UPDATE (RFC 4271 §4.3, §5.1), IPv4 unicast.</summary>
public sealed record PathAttributes
{
    /// <summary>ORIGIN.</summary>
    public BgpOrigin? Origin { get; init; }

    /// <summary>AS_PATH with 4-octet ASNs (on a 2-octet session, rebuilt from AS4_PATH as RFC 6793 §4.2.3 says).</summary>
    public AsPath? AsPath { get; init; }

    /// <summary>NEXT_HOP.</summary>
    public IPAddress? NextHop { get; init; }

    /// <summary>MULTI_EXIT_DISC.</summary>
    public uint? MultiExitDisc { get; init; }

    /// <summary>LOCAL_PREF.</summary>
    public uint? LocalPref { get; init; }

    /// <summary>ATOMIC_AGGREGATE is present.</summary>
    public bool AtomicAggregate { get; init; }

    /// <summary>AGGREGATOR with a 4-octet AS.</summary>
    public BgpAggregator? Aggregator { get; init; }

    /// <summary>COMMUNITIES (RFC 1997), each as a 32-bit value (AS in the high half).</summary>
    public IReadOnlyList<uint> Communities { get; init; } = [];

    /// <summary>Attributes we carry without interpreting (unknown optional ones, multiprotocol ones).</summary>
    public IReadOnlyList<OpaqueAttributeValue> Other { get; init; } = [];

    /// <summary>Attributes that equal each other field by field (lists by content).</summary>
    public bool Equals(PathAttributes? other) =>
        other is not null && Origin == other.Origin && Equals(AsPath, other.AsPath) && Equals(NextHop, other.NextHop)
        && MultiExitDisc == other.MultiExitDisc && LocalPref == other.LocalPref && AtomicAggregate == other.AtomicAggregate
        && Equals(Aggregator, other.Aggregator) && Communities.SequenceEqual(other.Communities)
        && Other.Count == other.Other.Count
        && Other.Zip(other.Other).All(p => p.First.Flags == p.Second.Flags && p.First.TypeCode == p.Second.TypeCode && p.First.Value.Span.SequenceEqual(p.Second.Value.Span));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Origin, AsPath, NextHop, MultiExitDisc, LocalPref, AtomicAggregate, Communities.Count);

    /// <inheritdoc/>
    public override string ToString() =>
        $"origin {Origin} as-path [{AsPath}] next-hop {NextHop}"
        + (MultiExitDisc is { } med ? $" med {med}" : "")
        + (LocalPref is { } lp ? $" local-pref {lp}" : "")
        + (Communities.Count > 0 ? " communities " + string.Join(' ', Communities.Select(c => $"{c >> 16}:{c & 0xFFFF}")) : "");
}
