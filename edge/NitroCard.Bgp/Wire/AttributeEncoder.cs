namespace NitroCard.Bgp.Wire;

/// <summary>Encodes path attributes in type-code order (RFC 4271 §5: order is free; ascending is conventional).</summary>
internal static class AttributeEncoder
{
    private const byte WellKnown = AttributeFlags.Transitive;
    private const byte OptionalTransitive = AttributeFlags.Optional | AttributeFlags.Transitive;
    private const byte OptionalNonTransitive = AttributeFlags.Optional;

    public static void Encode(Writer w, PathAttributes attributes, bool fourOctetAs)
    {
        if (attributes.Origin is { } origin)
        {
            Attribute(w, WellKnown, AttributeType.Origin, [(byte)origin]);
        }

        bool needsAs4Path = false;
        if (attributes.AsPath is { } path)
        {
            needsAs4Path = !fourOctetAs && path.AllAsns.Any(a => a > ushort.MaxValue);
            Attribute(w, WellKnown, AttributeType.AsPath, AsPathValue(path, fourOctetAs ? 4 : 2));
        }

        if (attributes.NextHop is { } nextHop)
        {
            Attribute(w, WellKnown, AttributeType.NextHop, BgpCodec.Ipv4Bytes(nextHop));
        }

        if (attributes.MultiExitDisc is { } med)
        {
            Attribute(w, OptionalNonTransitive, AttributeType.MultiExitDisc, U32(med));
        }

        if (attributes.LocalPref is { } localPref)
        {
            Attribute(w, WellKnown, AttributeType.LocalPref, U32(localPref));
        }

        if (attributes.AtomicAggregate)
        {
            Attribute(w, WellKnown, AttributeType.AtomicAggregate, []);
        }

        bool needsAs4Aggregator = false;
        if (attributes.Aggregator is { } aggregator)
        {
            var value = new Writer();
            if (fourOctetAs)
            {
                value.U32(aggregator.Asn);
            }
            else
            {
                needsAs4Aggregator = aggregator.Asn > ushort.MaxValue;
                value.U16(needsAs4Aggregator ? OpenMessage.AsTrans : (ushort)aggregator.Asn);
            }

            value.Bytes(BgpCodec.Ipv4Bytes(aggregator.Address));
            Attribute(w, OptionalTransitive, AttributeType.Aggregator, value.ToArray());
        }

        if (attributes.Communities.Count > 0)
        {
            var value = new Writer();
            foreach (uint community in attributes.Communities)
            {
                value.U32(community);
            }

            Attribute(w, OptionalTransitive, AttributeType.Communities, value.ToArray());
        }

        if (needsAs4Path)
        {
            Attribute(w, OptionalTransitive, AttributeType.As4Path, AsPathValue(attributes.AsPath!, 4));
        }

        if (needsAs4Aggregator)
        {
            var value = new Writer();
            value.U32(attributes.Aggregator!.Asn);
            value.Bytes(BgpCodec.Ipv4Bytes(attributes.Aggregator.Address));
            Attribute(w, OptionalTransitive, AttributeType.As4Aggregator, value.ToArray());
        }

        foreach (var raw in attributes.Other)
        {
            Attribute(w, raw.Flags, raw.TypeCode, raw.Value.Span);
        }
    }

    private static byte[] U32(uint value)
    {
        var w = new Writer();
        w.U32(value);
        return w.ToArray();
    }

    /// <summary>AS_PATH segments of at most 255 ASes; with 2-octet ASNs, larger ones become AS_TRANS (RFC 6793 §4.2.2).</summary>
    private static byte[] AsPathValue(AsPath path, int asSize)
    {
        var w = new Writer();
        foreach (var segment in path.Segments)
        {
            for (int start = 0; start < segment.Asns.Count; start += 255)
            {
                int count = Math.Min(255, segment.Asns.Count - start);
                w.U8((byte)segment.Type);
                w.U8((byte)count);
                for (int i = start; i < start + count; i++)
                {
                    uint asn = segment.Asns[i];
                    if (asSize == 4)
                    {
                        w.U32(asn);
                    }
                    else
                    {
                        w.U16(asn > ushort.MaxValue ? OpenMessage.AsTrans : (ushort)asn);
                    }
                }
            }
        }

        return w.ToArray();
    }

    private static void Attribute(Writer w, byte flags, byte type, ReadOnlySpan<byte> value)
    {
        bool extended = value.Length > byte.MaxValue;
        w.U8(extended ? (byte)(flags | AttributeFlags.ExtendedLength) : (byte)(flags & ~AttributeFlags.ExtendedLength));
        w.U8(type);
        if (extended)
        {
            w.U16(checked((ushort)value.Length));
        }
        else
        {
            w.U8((byte)value.Length);
        }

        w.Bytes(value);
    }
}
