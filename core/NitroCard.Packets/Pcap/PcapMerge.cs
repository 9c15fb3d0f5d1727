namespace NitroCard.Packets;

/// <summary>A record of one of the inputs of a <see cref="PcapMerge"/>.</summary>
/// <param name="Source">The index of the reader it came from.</param>
/// <param name="Record">The record.</param>
public readonly record struct MergedRecord(int Source, PcapRecord Record);

/// <summary>
/// Merges several pcap files into one stream in timestamp order, reading each a record at a time, so memory does
/// not grow with the files' length. Equal timestamps keep the readers' order, then each file's order. Each file
/// must itself be in timestamp order: a record earlier than its predecessor is a <see cref="PcapFormatException"/>
/// naming the file and the record (a merge that holds one record per file cannot sort a file).
/// </summary>
public static class PcapMerge
{
    /// <summary>Every record of <paramref name="readers"/>, lazily; the caller keeps and disposes the readers.</summary>
    public static IEnumerable<MergedRecord> Merge(IReadOnlyList<PcapReader> readers)
    {
        ArgumentNullException.ThrowIfNull(readers);
        return MergeIterator(readers);
    }

    private static IEnumerable<MergedRecord> MergeIterator(IReadOnlyList<PcapReader> readers)
    {
        var heads = new PriorityQueue<MergedRecord, (long Timestamp, int Source)>();
        for (var source = 0; source < readers.Count; source++)
            Advance(readers, source, previous: null, heads);
        while (heads.TryDequeue(out var next, out _))
        {
            yield return next;
            Advance(readers, next.Source, next.Record, heads);
        }
    }

    private static void Advance(IReadOnlyList<PcapReader> readers, int source, PcapRecord? previous,
        PriorityQueue<MergedRecord, (long, int)> heads)
    {
        var reader = readers[source];
        if (reader.Read() is not { } record)
            return;
        if (previous is not null && record.TimestampMicroseconds < previous.TimestampMicroseconds)
        {
            throw new PcapFormatException(
                $"{reader.Name}: record {reader.RecordsRead}: timestamp {record.TimestampMicroseconds} µs is earlier than record " +
                $"{reader.RecordsRead - 1}'s {previous.TimestampMicroseconds} µs; inputs must be in time order (sort the file with reordercap)");
        }
        heads.Enqueue(new MergedRecord(source, record), (record.TimestampMicroseconds, source));
    }
}
