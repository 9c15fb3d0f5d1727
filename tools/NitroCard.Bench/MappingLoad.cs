using System.Diagnostics;
using NitroCard.Card;
using NitroCard.Card.Tables;
using NitroCard.Driver;
using NitroCard.Driver.Simulation;

namespace NitroCard.Bench;

/// <summary>One timed mapping-table load through the driver.</summary>
/// <param name="Label">What was loaded.</param>
/// <param name="Requested">Mappings staged.</param>
/// <param name="Loaded">Mappings the commit placed (0 when it was rejected).</param>
/// <param name="Elapsed">Wall-clock time of staging and <see cref="CardDriver.Commit"/>.</param>
/// <param name="CsrCycles">Card clock cycles the commit took (CSR writes, status polls, commits).</param>
/// <param name="TableEntries">Mappings on the card afterwards (random and topology ones).</param>
/// <param name="Failure">The driver's message when the commit was rejected.</param>
public sealed record LoadResult(string Label, int Requested, int Loaded, TimeSpan Elapsed, ulong CsrCycles, int TableEntries, string? Failure)
{
    public double EntriesPerSecond => Loaded / Elapsed.TotalSeconds;

    public double CyclesPerEntry => Loaded == 0 ? double.NaN : (double)CsrCycles / Loaded;
}

/// <summary>How full the driver can make the mapping table, found by loading random mappings until an insert fails.</summary>
/// <param name="Placed">Mappings on the card when the first insert failed.</param>
/// <param name="Slots">Entries the table has (ways × buckets).</param>
/// <param name="Load">The whole fill, timed (chunked commits).</param>
/// <param name="FirstFailure">The driver's message for the insert that did not fit.</param>
public sealed record CapacityResult(int Placed, int Slots, LoadResult Load, string FirstFailure)
{
    public double PercentOfSlots => 100.0 * Placed / Slots;
}

/// <summary>Cycles per packet at one table fill.</summary>
public sealed record FillResult(string Label, int TableEntries, int Capacity, int Slots, IReadOnlyList<SteadyState> Results)
{
    public double PercentOfCapacity => 100.0 * TableEntries / Capacity;

    public double PercentOfSlots => 100.0 * TableEntries / Slots;
}

/// <summary>Mapping-table programming through <see cref="CardDriver"/> into the Verilated card.</summary>
public static class MappingLoad
{
    /// <summary>Stages <paramref name="entries"/> and commits them in one <see cref="CardDriver.Commit"/>, timed.</summary>
    public static LoadResult Load(RtlCardEngine card, IReadOnlyList<MappingEntry> entries, string label)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(entries);
        var before = card.Driver.MappingCount;
        var cycles = card.Card.Cycle;
        var clock = Stopwatch.StartNew();
        string? failure = null;
        try
        {
            foreach (var entry in entries)
                card.Driver.AddMapping(entry);
            card.Driver.Commit();
        }
        catch (Exception e) when (e is NitroCardException or ArgumentException)
        {
            // A bench reports what the card or the driver refused (a full table, a duplicate key) instead of ending.
            failure = e.Message;
            card.Driver.DiscardStaged();
        }
        clock.Stop();
        return new LoadResult(label, entries.Count, card.Driver.MappingCount - before, clock.Elapsed, card.Card.Cycle - cycles, card.Driver.MappingCount, failure);
    }

    /// <summary>
    /// Loads random mappings in commits of up to <paramref name="chunk"/> entries, halving the
    /// chunk whenever a commit is rejected (a rejected commit changes nothing), until a single
    /// entry does not fit: that is the fill the driver's placement reaches for this key order.
    /// </summary>
    public static CapacityResult FillUntilFull(RtlCardEngine card, IEnumerable<MappingEntry> source, int chunk = 4096)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(source);
        using var keys = source.GetEnumerator();
        var pending = new List<MappingEntry>();
        var before = card.Driver.MappingCount;
        var cycles = card.Card.Cycle;
        var clock = Stopwatch.StartNew();
        string? failure = null;
        while (true)
        {
            while (pending.Count < chunk && keys.MoveNext())
                pending.Add(keys.Current);
            if (pending.Count == 0)
            {
                failure = "the key source ran out before the table was full";
                break;
            }
            try
            {
                foreach (var entry in pending.Take(chunk))
                    card.Driver.AddMapping(entry);
                card.Driver.Commit();
                pending.RemoveRange(0, Math.Min(chunk, pending.Count));
            }
            catch (NitroCardException e)
            {
                card.Driver.DiscardStaged();
                if (chunk == 1)
                {
                    failure = e.Message;
                    break;
                }
                chunk /= 2;
            }
        }
        clock.Stop();
        var placed = card.Driver.MappingCount;
        var load = new LoadResult("random mappings until the first insert fails", placed - before, placed - before, clock.Elapsed, card.Card.Cycle - cycles, placed, null);
        return new CapacityResult(placed, card.Geometry.MappingCapacity, load, failure ?? "");
    }
}
