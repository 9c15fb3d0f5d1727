using NitroCard.Card.Punt;
using NitroCard.Card.Tables;
using NitroCard.Driver.Registers;
using NitroCard.Packets;

namespace NitroCard.Driver;

/// <summary>The punt path's registers (docs/card-punt.md): the per-slot punt entries, the token bucket, the counters.</summary>
public sealed partial class CardDriver
{
    /// <summary>Sets the per-ENI token bucket of the punt path (PUNT_LIMIT); every bucket starts full again.</summary>
    public void SetPuntLimit(PuntLimit limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        limit.Validate();
        _bus.Write(RegisterMap.PuntLimit, ((uint)limit.RefillLog2 << RegisterMap.PuntLimitRefillLog2Shift) | (uint)limit.Burst);
    }

    /// <summary>The punt counters of every slot (PUNT_ENI_COUNT).</summary>
    public IReadOnlyList<PuntSlotCounters> ReadPuntCounters()
    {
        var words = new uint[Geometry.EniSlots * 2];
        _bus.ReadBurst(RegisterMap.PuntEniCount, words);
        var counters = new PuntSlotCounters[Geometry.EniSlots];
        for (var slot = 0; slot < counters.Length; slot++)
            counters[slot] = new PuntSlotCounters(words[2 * slot], words[(2 * slot) + 1]);
        return counters;
    }

    /// <summary>Injected frames the card dropped for being longer than its injection queue (PUNT_INJECT_DROPS).</summary>
    public uint ReadInjectDrops() => _bus.Read(RegisterMap.PuntInjectDrops);

    // A slot's punt entry follows its ENI; written once the ENI table commit is done, so a slot never punts for an
    // ENI the table does not hold yet.
    private void WritePuntEntry(int slot, EniEntry? entry)
    {
        _bus.Write(RegisterMap.PuntEniAddr, entry?.Resolver is { } resolver ? Ipv4Address.ToUInt32(resolver) : 0);
        _bus.Write(RegisterMap.PuntEniSet, (uint)slot | (entry is null ? 0 : RegisterMap.PuntEniSetValidMask));
    }
}
