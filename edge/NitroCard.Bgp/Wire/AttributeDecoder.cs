using System.Buffers.Binary;
using System.Net;

namespace NitroCard.Bgp.Wire;

/// <summary>
/// Decodes the path attributes of an UPDATE (RFC 4271 §4.3, §5.1, §6.3) and classifies each error by RFC 7606 §7.
/// Framing errors inside the attribute block do not throw: the NLRI was already located, so RFC 7606 §4 treats the
/// UPDATE as withdrawn; only unrecognized well-known attributes reset the session.
/// </summary>
internal static class AttributeDecoder
{
    public static PathAttributes Decode(ReadOnlySpan<byte> block, bool fourOctetAs, bool hasNlri, List<BgpError> errors)
    {
        var result = new PathAttributes();
        var seen = new HashSet<byte>();
        var communities = new List<uint>();
        var other = new List<OpaqueAttributeValue>();
        AsPath? as4Path = null;
        BgpAggregator? as4Aggregator = null;
        var remaining = block;
        while (remaining.Length > 0)
        {
            if (remaining.Length < 3)
            {
                errors.Add(new BgpError(BgpErrorCode.UpdateMessage, UpdateErrorSubcode.MalformedAttributeList, ReadOnlyMemory<byte>.Empty, "truncated attribute header", BgpErrorAction.TreatAsWithdraw));
                break;
            }

            byte flags = remaining[0];
            byte type = remaining[1];
            bool extended = (flags & AttributeFlags.ExtendedLength) != 0;
            int headerLength = extended ? 4 : 3;
            if (remaining.Length < headerLength)
            {
                errors.Add(new BgpError(BgpErrorCode.UpdateMessage, UpdateErrorSubcode.MalformedAttributeList, ReadOnlyMemory<byte>.Empty, "truncated attribute header", BgpErrorAction.TreatAsWithdraw));
                break;
            }

            int length = extended ? BinaryPrimitives.ReadUInt16BigEndian(remaining[2..]) : remaining[2];
            if (headerLength + length > remaining.Length)
            {
                errors.Add(new BgpError(BgpErrorCode.UpdateMessage, UpdateErrorSubcode.MalformedAttributeList, ReadOnlyMemory<byte>.Empty, $"attribute {type} of length {length} overruns the attribute list", BgpErrorAction.TreatAsWithdraw));
                break;
            }

            var whole = remaining[..(headerLength + length)];
            var value = whole[headerLength..];
            remaining = remaining[whole.Length..];
            if (!seen.Add(type))
            {
                // RFC 4271 §6.3 Malformed Attribute List; RFC 7606 §3(g): keep the first, discard the rest.
                errors.Add(new BgpError(BgpErrorCode.UpdateMessage, UpdateErrorSubcode.MalformedAttributeList, ReadOnlyMemory<byte>.Empty, $"attribute {type} repeated", BgpErrorAction.AttributeDiscard));
                continue;
            }

            var category = Category(type);
            if (category is null)
            {
                if ((flags & AttributeFlags.Optional) == 0)
                {
                    throw new BgpProtocolException(new BgpError(BgpErrorCode.UpdateMessage, UpdateErrorSubcode.UnrecognizedWellKnownAttribute, whole.ToArray(), $"unrecognized well-known attribute {type}"));
                }

                other.Add(new OpaqueAttributeValue(flags, type, value.ToArray()));
                continue;
            }

            var action = MalformedAction(type);
            if (!FlagsMatch(flags, category.Value))
            {
                errors.Add(new BgpError(BgpErrorCode.UpdateMessage, UpdateErrorSubcode.AttributeFlagsError, whole.ToArray(), $"attribute {type} with flags 0x{flags:x2}", action));
                continue;
            }

            byte[] wholeBytes = whole.ToArray();
            BgpError Bad(byte subcode, string reason) => new(BgpErrorCode.UpdateMessage, subcode, wholeBytes, reason, action);

            switch (type)
            {
                case AttributeType.Origin:
                    if (value.Length != 1)
                    {
                        errors.Add(Bad(UpdateErrorSubcode.AttributeLengthError, $"ORIGIN of length {value.Length}"));
                    }
                    else if (value[0] > (byte)BgpOrigin.Incomplete)
                    {
                        errors.Add(Bad(UpdateErrorSubcode.InvalidOriginAttribute, $"ORIGIN {value[0]}"));
                    }
                    else
                    {
                        result = result with { Origin = (BgpOrigin)value[0] };
                    }

                    break;
                case AttributeType.AsPath:
                    if (TryDecodeAsPath(value, fourOctetAs ? 4 : 2, out var path, out string? why))
                    {
                        result = result with { AsPath = path };
                    }
                    else
                    {
                        errors.Add(new BgpError(BgpErrorCode.UpdateMessage, UpdateErrorSubcode.MalformedAsPath, ReadOnlyMemory<byte>.Empty, why!, action));
                    }

                    break;
                case AttributeType.NextHop:
                    if (value.Length != 4)
                    {
                        errors.Add(Bad(UpdateErrorSubcode.AttributeLengthError, $"NEXT_HOP of length {value.Length}"));
                    }
                    else if (IsMartian(value))
                    {
                        errors.Add(Bad(UpdateErrorSubcode.InvalidNextHopAttribute, $"NEXT_HOP {new IPAddress(value)} is not a unicast host address"));
                    }
                    else
                    {
                        result = result with { NextHop = new IPAddress(value) };
                    }

                    break;
                case AttributeType.MultiExitDisc or AttributeType.LocalPref:
                    if (value.Length != 4)
                    {
                        errors.Add(Bad(UpdateErrorSubcode.AttributeLengthError, $"attribute {type} of length {value.Length}"));
                    }
                    else if (type == AttributeType.MultiExitDisc)
                    {
                        result = result with { MultiExitDisc = BinaryPrimitives.ReadUInt32BigEndian(value) };
                    }
                    else
                    {
                        result = result with { LocalPref = BinaryPrimitives.ReadUInt32BigEndian(value) };
                    }

                    break;
                case AttributeType.AtomicAggregate:
                    if (value.Length != 0)
                    {
                        errors.Add(Bad(UpdateErrorSubcode.AttributeLengthError, $"ATOMIC_AGGREGATE of length {value.Length}"));
                    }
                    else
                    {
                        result = result with { AtomicAggregate = true };
                    }

                    break;
                case AttributeType.Aggregator:
                    if (value.Length != (fourOctetAs ? 8 : 6))
                    {
                        errors.Add(Bad(UpdateErrorSubcode.AttributeLengthError, $"AGGREGATOR of length {value.Length}"));
                    }
                    else
                    {
                        uint asn = fourOctetAs ? BinaryPrimitives.ReadUInt32BigEndian(value) : BinaryPrimitives.ReadUInt16BigEndian(value);
                        result = result with { Aggregator = new BgpAggregator(asn, new IPAddress(value[^4..])) };
                    }

                    break;
                case AttributeType.Communities:
                    if (value.Length == 0 || value.Length % 4 != 0)
                    {
                        errors.Add(Bad(UpdateErrorSubcode.AttributeLengthError, $"COMMUNITIES of length {value.Length}"));
                    }
                    else
                    {
                        for (int i = 0; i < value.Length; i += 4)
                        {
                            communities.Add(BinaryPrimitives.ReadUInt32BigEndian(value[i..]));
                        }
                    }

                    break;
                case AttributeType.As4Path:
                    // RFC 6793 §6: between two NEW speakers AS4_PATH is discarded; a malformed one is discarded too.
                    if (!fourOctetAs)
                    {
                        if (TryDecodeAsPath(value, 4, out var four, out string? bad4) && four.Segments.All(s => s.Type is AsPathSegmentType.AsSequence or AsPathSegmentType.AsSet))
                        {
                            as4Path = four;
                        }
                        else
                        {
                            errors.Add(Bad(UpdateErrorSubcode.OptionalAttributeError, bad4 ?? "AS4_PATH with confederation segments"));
                        }
                    }

                    break;
                case AttributeType.As4Aggregator:
                    if (!fourOctetAs)
                    {
                        if (value.Length == 8)
                        {
                            as4Aggregator = new BgpAggregator(BinaryPrimitives.ReadUInt32BigEndian(value), new IPAddress(value[4..]));
                        }
                        else
                        {
                            errors.Add(Bad(UpdateErrorSubcode.AttributeLengthError, $"AS4_AGGREGATOR of length {value.Length}"));
                        }
                    }

                    break;
                default:
                    other.Add(new OpaqueAttributeValue(flags, type, value.ToArray()));
                    break;
            }
        }

        result = result with { Communities = communities, Other = other };
        if (!fourOctetAs)
        {
            result = MergeAs4(result, as4Path, as4Aggregator);
        }

        if (hasNlri)
        {
            foreach (byte required in new[] { AttributeType.Origin, AttributeType.AsPath, AttributeType.NextHop })
            {
                if (!seen.Contains(required))
                {
                    errors.Add(new BgpError(BgpErrorCode.UpdateMessage, UpdateErrorSubcode.MissingWellKnownAttribute, new[] { required }, $"well-known attribute {required} missing", BgpErrorAction.TreatAsWithdraw));
                }
            }
        }

        return result;
    }

    /// <summary>RFC 6793 §4.2.3: rebuild the 4-octet path from AS_PATH and AS4_PATH.</summary>
    private static PathAttributes MergeAs4(PathAttributes attributes, AsPath? as4Path, BgpAggregator? as4Aggregator)
    {
        if (attributes.Aggregator is { } aggregator && aggregator.Asn != OpenMessage.AsTrans)
        {
            return attributes; // AS4_AGGREGATOR and AS4_PATH are ignored
        }

        if (as4Aggregator is not null && attributes.Aggregator is not null)
        {
            attributes = attributes with { Aggregator = as4Aggregator };
        }

        if (as4Path is null || attributes.AsPath is not { } asPath || asPath.Length < as4Path.Length)
        {
            return attributes;
        }

        int keep = asPath.Length - as4Path.Length;
        var merged = new List<AsPathSegment>();
        foreach (var segment in asPath.Segments)
        {
            if (keep == 0)
            {
                break;
            }

            if (segment.Type == AsPathSegmentType.AsSequence)
            {
                int take = Math.Min(keep, segment.Asns.Count);
                merged.Add(segment with { Asns = segment.Asns.Take(take).ToArray() });
                keep -= take;
            }
            else if (segment.Type == AsPathSegmentType.AsSet)
            {
                merged.Add(segment);
                keep--;
            }
            else
            {
                merged.Add(segment);
            }
        }

        merged.AddRange(as4Path.Segments);
        return attributes with { AsPath = new AsPath(merged) };
    }

    internal static bool TryDecodeAsPath(ReadOnlySpan<byte> value, int asSize, out AsPath path, out string? why)
    {
        var segments = new List<AsPathSegment>();
        path = AsPath.Empty;
        while (value.Length > 0)
        {
            if (value.Length < 2)
            {
                why = "AS_PATH segment header truncated";
                return false;
            }

            byte type = value[0];
            int count = value[1];
            if (type is < (byte)AsPathSegmentType.AsSet or > (byte)AsPathSegmentType.ConfedSet)
            {
                why = $"AS_PATH segment type {type}";
                return false;
            }

            if (count == 0)
            {
                why = "AS_PATH segment of length 0"; // RFC 7606 §7.2
                return false;
            }

            if (2 + (count * asSize) > value.Length)
            {
                why = $"AS_PATH segment of {count} ASes overruns the attribute";
                return false;
            }

            var asns = new uint[count];
            for (int i = 0; i < count; i++)
            {
                var at = value[(2 + (i * asSize))..];
                asns[i] = asSize == 4 ? BinaryPrimitives.ReadUInt32BigEndian(at) : BinaryPrimitives.ReadUInt16BigEndian(at);
            }

            segments.Add(new AsPathSegment((AsPathSegmentType)type, asns));
            value = value[(2 + (count * asSize))..];
        }

        path = new AsPath(segments);
        why = null;
        return true;
    }

    /// <summary>0.0.0.0/8, 224.0.0.0/4 (multicast), 240.0.0.0/4 and the broadcast address are never a next hop.</summary>
    private static bool IsMartian(ReadOnlySpan<byte> address) => address[0] == 0 || address[0] >= 224;

    private enum Kind
    {
        WellKnown,
        OptionalNonTransitive,
        OptionalTransitive,
    }

    private static Kind? Category(byte type) => type switch
    {
        AttributeType.Origin or AttributeType.AsPath or AttributeType.NextHop or AttributeType.LocalPref or AttributeType.AtomicAggregate => Kind.WellKnown,
        AttributeType.MultiExitDisc or AttributeType.MpReachNlri or AttributeType.MpUnreachNlri => Kind.OptionalNonTransitive,
        AttributeType.Aggregator or AttributeType.Communities or AttributeType.As4Path or AttributeType.As4Aggregator => Kind.OptionalTransitive,
        _ => null,
    };

    private static bool FlagsMatch(byte flags, Kind kind)
    {
        bool optional = (flags & AttributeFlags.Optional) != 0;
        bool transitive = (flags & AttributeFlags.Transitive) != 0;
        bool partial = (flags & AttributeFlags.Partial) != 0;
        return kind switch
        {
            Kind.WellKnown => !optional && transitive && !partial,
            Kind.OptionalNonTransitive => optional && !transitive && !partial,
            _ => optional && transitive,
        };
    }

    /// <summary>RFC 7606 §7: what a malformed attribute of this type costs.</summary>
    private static BgpErrorAction MalformedAction(byte type) => type switch
    {
        AttributeType.AtomicAggregate or AttributeType.Aggregator or AttributeType.As4Path or AttributeType.As4Aggregator => BgpErrorAction.AttributeDiscard,
        AttributeType.MpReachNlri or AttributeType.MpUnreachNlri => BgpErrorAction.SessionReset,
        _ => BgpErrorAction.TreatAsWithdraw,
    };
}
