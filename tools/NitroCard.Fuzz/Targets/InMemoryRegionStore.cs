using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.State;
using NitroCard.Mapping.Storage;

namespace NitroCard.Fuzz.Targets;

/// <summary>A region store in memory, starting from a snapshot: every fuzz input gets a service over the same region.</summary>
internal sealed class InMemoryRegionStore(long version, IReadOnlyList<StoredRecord> records) : IRegionStore
{
    private readonly Dictionary<string, StoredRecord> _records = records.ToDictionary(r => r.Key, StringComparer.Ordinal);
    private readonly List<AlarmRecord> _alarms = [];
    private long _version = version;

    public string Description => "memory";

    /// <summary>The version and records now (the snapshot the next store starts from).</summary>
    public (long Version, IReadOnlyList<StoredRecord> Records) Snapshot() => (_version, [.. _records.Values]);

    public Task<(long Version, IReadOnlyList<StoredRecord> Records)> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(Snapshot());

    public Task CommitAsync(long version, IReadOnlyList<StoreWrite> writes, CancellationToken cancellationToken)
    {
        foreach (var w in writes)
        {
            if (w.Json is null)
                _records.Remove(w.Key);
            else
                _records[w.Key] = new StoredRecord(w.Key, w.Seq, w.Json);
        }
        _version = version;
        return Task.CompletedTask;
    }

    public Task AppendAlarmsAsync(IReadOnlyList<AlarmRecord> alarms, CancellationToken cancellationToken)
    {
        foreach (var a in alarms)
        {
            _alarms.RemoveAll(x => x.Id == a.Id);
            _alarms.Add(a);
        }
        return Task.CompletedTask;
    }

    public Task DeleteAlarmsThroughAsync(long id, CancellationToken cancellationToken)
    {
        _alarms.RemoveAll(a => a.Id <= id);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AlarmRecord>> ReadAlarmsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<AlarmRecord>>([.. _alarms]);

#pragma warning disable CS0067 // one writer: never raised
    public event Action<long>? ExternalChange;
#pragma warning restore CS0067

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
