using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.State;

namespace NitroCard.Mapping.Storage;

/// <summary>
/// Where the Mapping Service keeps the region: one object a key (<see cref="RecordKeys"/>), the version,
/// and the alarms. A commit is atomic: after a crash the store holds the version before or after it.
/// </summary>
public interface IRegionStore : IAsyncDisposable
{
    /// <summary>What the store is (for logs): a file path or an etcd URL.</summary>
    string Description { get; }

    /// <summary>Reads everything: the stored objects and the version (0 and nothing for a new store).</summary>
    Task<(long Version, IReadOnlyList<StoredRecord> Records)> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="writes"/> and the new version atomically.</summary>
    Task CommitAsync(long version, IReadOnlyList<StoreWrite> writes, CancellationToken cancellationToken);

    /// <summary>Stores alarms; one with the id of a stored alarm replaces it (a suppressed count grew).</summary>
    Task AppendAlarmsAsync(IReadOnlyList<AlarmRecord> alarms, CancellationToken cancellationToken);

    /// <summary>Deletes every alarm whose id is at most <paramref name="id"/> (retention).</summary>
    Task DeleteAlarmsThroughAsync(long id, CancellationToken cancellationToken);

    /// <summary>Every alarm, oldest first.</summary>
    Task<IReadOnlyList<AlarmRecord>> ReadAlarmsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Raised when another writer committed a newer version (stores shared by several service
    /// instances, such as etcd, report it through a watch); the service reloads.
    /// </summary>
    event Action<long>? ExternalChange;
}
