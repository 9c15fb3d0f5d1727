using System.Collections.Immutable;
using NitroCard.Card;

namespace NitroCard.Mapping.Distribution;

/// <summary>The counters a host's agent reports (every drop reason, then its ENIs by id in slot order).</summary>
/// <param name="Drops">Drops by reason name, in the card's reason order.</param>
/// <param name="Enis">Packets and bytes per ENI id, in slot order.</param>
/// <param name="AlarmOverflow">Alarms lost because the card's FIFO was full.</param>
public sealed record HostCounters(ImmutableArray<KeyValuePair<string, ulong>> Drops, ImmutableArray<KeyValuePair<string, EniCounters>> Enis, ulong AlarmOverflow)
{
    /// <summary>A card's counters with its slots named by the ENI ids the agent programmed into them.</summary>
    public static HostCounters From(CardCounters counters, IReadOnlyDictionary<string, int> slots)
    {
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(slots);
        return new(
            [.. counters.Drops.Select((count, reason) => KeyValuePair.Create(((DropReason)reason).ToWireName(), count))],
            [.. slots.OrderBy(s => s.Value).Select(s => KeyValuePair.Create(s.Key, counters.Enis[s.Value]))],
            counters.AlarmOverflow);
    }
}
