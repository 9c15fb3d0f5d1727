using System.Globalization;
using System.Text;
using System.Text.Json;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.State;

namespace NitroCard.Mapping.Storage;

/// <summary>
/// The etcd backend (<c>etcd://host:port</c>): one key per object under <c>/nitrocard/region/</c>,
/// the version under <c>/nitrocard/version</c>, alarms under <c>/nitrocard/alarms/</c>. A commit that fits in
/// one etcd transaction (<see cref="MaxTxnOps"/>) is one; a bigger one (an <c>apply</c> of a large region) goes
/// through a write-ahead log under <c>/nitrocard/wal/&lt;version&gt;/</c>: its parts are written first, then one
/// transaction marks the log committed together with the new version, then the records are written and the log
/// dropped. Readers overlay a committed log on the records and an interrupted commit is finished when the store
/// is opened, so every reader sees the version before or after a commit, never a mix, whatever step a crash hits.
/// A watch on the version key reports commits made by other service instances.
/// Every write of a commit is conditional: the stored version must be the one before it (two writers can never both
/// commit version N, so versions never repeat), and, once a replica holds the leadership (<see cref="TakeWriterAsync"/>),
/// its election key must still be the one it won (a deposed leader's late writes fail instead of overwriting newer ones).
/// A commit that etcd does not confirm within <see cref="CommitTimeout"/> (quorum lost, cluster unreachable) fails.
/// The URL may list every member of a cluster: <c>etcd://127.0.0.1:2379,127.0.0.1:22379,127.0.0.1:32379</c>.
/// </summary>
public sealed class EtcdRegionStore : IRegionStore
{
    private const string Root = "/nitrocard/";
    private const string RecordPrefix = Root + "region/";
    private const string VersionKey = Root + "version";
    private const string AlarmPrefix = Root + "alarms/";
    private const string WalPrefix = Root + "wal/";
    private const string WalCommitted = "committed";

    /// <summary>etcd's default limit of operations in one transaction; a larger commit goes through the log.</summary>
    public const int MaxTxnOps = 128;

    /// <summary>Bytes of writes per log part: well inside etcd's default 1.5 MiB request limit.</summary>
    private const int WalPartBytes = 512 * 1024;

    private readonly EtcdClient _client;
    private readonly CancellationTokenSource _closing = new();
    private long _lastWritten;

    /// <summary>The etcd revision the version watch has seen up to: a watch created again (its member died) resumes after it.</summary>
    private long _watchedRevision;
    private Compare? _fence;

    private EtcdRegionStore(string url, EtcdClient client)
    {
        Description = url;
        _client = client;
    }

    public string Description { get; }

    public event Action<long>? ExternalChange;

    /// <summary>How long etcd may take to confirm one commit, or to answer a load, before it fails (quorum lost or cluster unreachable).</summary>
    public TimeSpan CommitTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The etcd client (the replica election campaigns through it).</summary>
    internal EtcdClient Client => _client;

    /// <summary>The member addresses of an <c>etcd://host:port[,host:port...]</c> URL, as <c>http://host:port</c>.</summary>
    public static IReadOnlyList<string> Members(string url)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        const string Scheme = "etcd://";
        if (!url.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{url}: expected etcd://host:port[,host:port...]", nameof(url));
        var members = new List<string>();
        foreach (var member in url[Scheme.Length..].TrimEnd('/').Split(','))
        {
            if (!member.Contains(':', StringComparison.Ordinal) || !Uri.TryCreate("http://" + member, UriKind.Absolute, out var uri) || uri.Port <= 0 || uri.PathAndQuery != "/" || member.Contains('@', StringComparison.Ordinal))
                throw new ArgumentException($"{url}: '{member}' is not host:port (expected etcd://host:port[,host:port...])", nameof(url));
            members.Add($"http://{uri.Host}:{uri.Port}");
        }
        return members;
    }

    /// <param name="url"><c>etcd://host:port</c>, or every member of a cluster separated by commas.</param>
    /// <param name="watch">Report commits of other writers (<see cref="ExternalChange"/>).</param>
    /// <param name="recover">
    /// Finish or drop the logs of interrupted commits now. A replica that is not yet the leader passes false: it must
    /// not touch a log the leader may be writing; it recovers when it wins the election (<see cref="TakeWriterAsync"/>).
    /// </param>
    /// <param name="commitTimeout">The store's <see cref="CommitTimeout"/> (also how long etcd may take to answer here).</param>
    /// <param name="cancellationToken">Ends the attempt.</param>
    public static async Task<EtcdRegionStore> OpenAsync(string url, bool watch = true, bool recover = true, TimeSpan? commitTimeout = null, CancellationToken cancellationToken = default)
    {
        var client = new EtcdClient(string.Join(',', Members(url)), configureChannelOptions: o => o.Credentials = ChannelCredentials.Insecure);
        var store = new EtcdRegionStore(url, client) { CommitTimeout = commitTimeout ?? TimeSpan.FromSeconds(5) };
        // Fail now, naming the URL, when etcd is not there.
        try
        {
            using var reachable = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            reachable.CancelAfter(store.CommitTimeout);
            var reached = await client.GetAsync(VersionKey, cancellationToken: reachable.Token).ConfigureAwait(false);
            // The watch starts from here, before the service's first load: a commit between that load and the watch's
            // creation is reported, never lost (reported twice is harmless: the service compares versions).
            store._watchedRevision = reached.Header.Revision;
        }
        catch (Exception e) when (e is RpcException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            client.Dispose();
            var reason = e is RpcException r ? r.Status.Detail : $"no answer within {store.CommitTimeout.TotalSeconds:0.#} s";
            throw new RegionStoreException($"{url}: etcd is not reachable ({reason})", e);
        }
        if (recover)
            await store.FinishInterruptedCommitsAsync(cancellationToken).ConfigureAwait(false);
        if (watch)
            store.StartWatch();
        return store;
    }

    private void StartWatch()
    {
        _ = Task.Run(async () =>
        {
            while (!_closing.IsCancellationRequested)
            {
                try
                {
                    var from = Interlocked.Read(ref _watchedRevision) + 1;
                    await _client.WatchAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = ByteString.CopyFromUtf8(VersionKey), StartRevision = from } },
                        response =>
                        {
                            foreach (var e in response.Events)
                            {
                                if (e.Kv.ModRevision > Interlocked.Read(ref _watchedRevision))
                                    Interlocked.Exchange(ref _watchedRevision, e.Kv.ModRevision);
                                if (long.TryParse(e.Kv.Value.ToStringUtf8(), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                                    && version > Interlocked.Read(ref _lastWritten))
                                    ExternalChange?.Invoke(version);
                            }
                        }, cancellationToken: _closing.Token).ConfigureAwait(false);
                }
                catch (Exception) when (!_closing.IsCancellationRequested)
                {
                    await Task.Delay(500, _closing.Token).ConfigureAwait(false);
                }
                catch (Exception) when (_closing.IsCancellationRequested)
                {
                    return;
                }
            }
        });
    }

    public async Task<(long Version, IReadOnlyList<StoredRecord> Records)> LoadAsync(CancellationToken cancellationToken)
    {
        // A read needs the quorum too: bounded like a commit, so nothing waits on a cluster that cannot answer.
        return await BoundedAsync(LoadCoreAsync, "answer a read", "", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One operation on etcd bounded by <see cref="CommitTimeout"/>: past it, a <see cref="RegionStoreException"/> saying
    /// what etcd did not do (<paramref name="notDone"/>) and what follows (<paramref name="consequence"/>).
    /// </summary>
    private async Task BoundedAsync(Func<CancellationToken, Task> operation, string notDone, string consequence, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(CommitTimeout);
        try
        {
            await operation(bounded.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && (e is OperationCanceledException || e is RpcException { StatusCode: StatusCode.Cancelled or StatusCode.DeadlineExceeded }))
        {
            throw new RegionStoreException(string.Create(CultureInfo.InvariantCulture,
                $"{Description}: etcd did not {notDone} within {CommitTimeout.TotalSeconds:0.#} s (the cluster has lost its quorum or is unreachable){consequence}"), e);
        }
    }

    private async Task<T> BoundedAsync<T>(Func<CancellationToken, Task<T>> operation, string notDone, string consequence, CancellationToken cancellationToken)
    {
        T result = default!;
        // A statement lambda: a Func<CancellationToken, Task>, the overload above (an expression would pick this one again).
        Func<CancellationToken, Task> run = async ct => { result = await operation(ct).ConfigureAwait(false); };
        await BoundedAsync(run, notDone, consequence, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task<(long Version, IReadOnlyList<StoredRecord> Records)> LoadCoreAsync(CancellationToken cancellationToken)
    {
        // One revision for the records, the version and the log: a consistent snapshot.
        var range = await _client.GetRangeAsync(RecordPrefix, cancellationToken: cancellationToken).ConfigureAwait(false);
        var revision = range.Header.Revision;
        var versionResponse = await _client.GetAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(VersionKey), Revision = revision }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var version = versionResponse.Kvs.Count == 0 ? 0 : long.Parse(versionResponse.Kvs[0].Value.ToStringUtf8(), CultureInfo.InvariantCulture);
        var records = new Dictionary<string, StoredRecord>(range.Kvs.Count, StringComparer.Ordinal);
        foreach (var kv in range.Kvs)
        {
            var text = kv.Value.ToStringUtf8();
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            var key = kv.Key.ToStringUtf8()[RecordPrefix.Length..];
            records[key] = new StoredRecord(key, long.Parse(text.AsSpan(0, newline), CultureInfo.InvariantCulture), text[(newline + 1)..]);
        }
        foreach (var (_, writes) in await CommittedLogsAsync(revision, cancellationToken).ConfigureAwait(false))
        {
            foreach (var w in writes)
            {
                if (w.Json is null)
                    records.Remove(w.Key);
                else
                    records[w.Key] = new StoredRecord(w.Key, w.Seq, w.Json);
            }
        }
        Interlocked.Exchange(ref _lastWritten, version);
        return (version, [.. records.Values]);
    }

    public async Task CommitAsync(long version, IReadOnlyList<StoreWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        try
        {
            await BoundedAsync(ct => CommitCoreAsync(version, writes, ct), string.Create(CultureInfo.InvariantCulture, $"confirm version {version}"),
                "; the change is not acknowledged, and etcd may still apply it if its quorum returns: check before sending it again", cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw new RegionStoreException($"{Description}: etcd refused version {version} ({e.Status.Detail}); the change is not acknowledged", e);
        }
    }

    private async Task CommitCoreAsync(long version, IReadOnlyList<StoreWrite> writes, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastWritten, version);
        var versionOp = Put(VersionKey, version.ToString(CultureInfo.InvariantCulture));
        var before = Guard(version - 1);
        if (writes.Count < MaxTxnOps)
        {
            await TransactAsync([.. writes.Select(RecordOp), versionOp], before, version, cancellationToken).ConfigureAwait(false);
            return;
        }
        // The log: its parts, then the commit point (log marked committed + the version, one transaction).
        var log = LogKey(version);
        var parts = 0;
        foreach (var part in Parts(writes))
        {
            await TransactAsync([Put(log + parts.ToString("D6", CultureInfo.InvariantCulture), JsonSerializer.Serialize(part, StoreJsonContext.Default.ListStoreWrite))], before, version, cancellationToken).ConfigureAwait(false);
            parts++;
        }
        await TransactAsync([Put(log + WalCommitted, parts.ToString(CultureInfo.InvariantCulture)), versionOp], before, version, cancellationToken).ConfigureAwait(false);
        if (StopAfterLogForTests)
            return;
        await ApplyLogAsync(log, writes, Guard(version), version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The conditions of a write: the stored version is <paramref name="stored"/> and, for a leader, its election key
    /// is still the one it won.
    /// </summary>
    private Compare[] Guard(long? stored)
    {
        var guard = new List<Compare>(2);
        if (stored is { } v)
        {
            guard.Add(v == 0
                ? new Compare { Key = ByteString.CopyFromUtf8(VersionKey), Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Equal, Version = 0 }
                : new Compare { Key = ByteString.CopyFromUtf8(VersionKey), Target = Compare.Types.CompareTarget.Value, Result = Compare.Types.CompareResult.Equal, Value = ByteString.CopyFromUtf8(v.ToString(CultureInfo.InvariantCulture)) });
        }
        if (Volatile.Read(ref _fence) is { } fence)
            guard.Add(fence);
        return [.. guard];
    }

    /// <summary>
    /// Makes this store the leader's: from now on every write also requires <paramref name="leaderKey"/> (the key the
    /// replica's campaign created) to exist with the revision it won, and the logs of commits a previous leader left
    /// behind are finished or dropped.
    /// </summary>
    internal async Task TakeWriterAsync(ByteString leaderKey, long leaderRevision, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _fence, new Compare
        {
            Key = leaderKey,
            Target = Compare.Types.CompareTarget.Create,
            Result = Compare.Types.CompareResult.Equal,
            CreateRevision = leaderRevision,
        });
        await BoundedAsync(FinishInterruptedCommitsAsync, "finish the previous leader's interrupted commits", "", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Tests: end a big commit right after its commit point, as a crash there would.</summary>
    internal bool StopAfterLogForTests { get; set; }

    /// <summary>Writes a committed log's records (idempotent), then drops the log.</summary>
    private async Task ApplyLogAsync(string log, IReadOnlyList<StoreWrite> writes, Compare[] guard, long version, CancellationToken cancellationToken)
    {
        foreach (var chunk in writes.Chunk(MaxTxnOps))
            await TransactAsync([.. chunk.Select(RecordOp)], guard, version, cancellationToken).ConfigureAwait(false);
        await TransactAsync([new RequestOp
        {
            RequestDeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(log), RangeEnd = ByteString.CopyFromUtf8(EtcdClient.GetRangeEnd(log)) },
        }], guard, version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>On open: finishes committed logs a crash left behind and drops logs that never reached their commit point.</summary>
    private async Task FinishInterruptedCommitsAsync(CancellationToken cancellationToken)
    {
        var range = await _client.GetRangeAsync(WalPrefix, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (range.Kvs.Count == 0)
            return;
        var committed = await CommittedLogsAsync(range.Header.Revision, cancellationToken).ConfigureAwait(false);
        foreach (var (version, writes) in committed)
            await ApplyLogAsync(LogKey(version), writes, Guard(stored: null), version, cancellationToken).ConfigureAwait(false);
        var uncommitted = range.Kvs.Select(kv => LogVersion(kv.Key.ToStringUtf8())).Distinct().Where(v => !committed.Any(c => c.Version == v));
        foreach (var version in uncommitted)
            await _client.DeleteRangeAsync(LogKey(version), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The committed logs at <paramref name="revision"/>, oldest first, with their writes.</summary>
    private async Task<List<(long Version, List<StoreWrite> Writes)>> CommittedLogsAsync(long revision, CancellationToken cancellationToken)
    {
        var range = await _client.GetAsync(new RangeRequest
        {
            Key = ByteString.CopyFromUtf8(WalPrefix),
            RangeEnd = ByteString.CopyFromUtf8(EtcdClient.GetRangeEnd(WalPrefix)),
            Revision = revision,
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var result = new List<(long, List<StoreWrite>)>();
        foreach (var group in range.Kvs.GroupBy(kv => LogVersion(kv.Key.ToStringUtf8())).OrderBy(g => g.Key))
        {
            var marker = group.FirstOrDefault(kv => kv.Key.ToStringUtf8().EndsWith(WalCommitted, StringComparison.Ordinal));
            if (marker is null)
                continue; // never reached its commit point
            var parts = group.Where(kv => kv != marker).OrderBy(kv => kv.Key.ToStringUtf8(), StringComparer.Ordinal).ToList();
            if (parts.Count != int.Parse(marker.Value.ToStringUtf8(), CultureInfo.InvariantCulture))
                throw new InvalidDataException($"{Description}: the log of version {group.Key} is committed with {marker.Value.ToStringUtf8()} parts but holds {parts.Count}");
            result.Add((group.Key, [.. parts.SelectMany(kv => JsonSerializer.Deserialize(kv.Value.ToStringUtf8(), StoreJsonContext.Default.ListStoreWrite)!)]));
        }
        return result;
    }

    private static string LogKey(long version) => WalPrefix + version.ToString("D20", CultureInfo.InvariantCulture) + "/";

    private static long LogVersion(string key) => long.Parse(key.AsSpan(WalPrefix.Length, 20), CultureInfo.InvariantCulture);

    /// <summary>Writes cut into log parts of about <see cref="WalPartBytes"/>.</summary>
    private static IEnumerable<List<StoreWrite>> Parts(IReadOnlyList<StoreWrite> writes)
    {
        var part = new List<StoreWrite>();
        var bytes = 0;
        foreach (var w in writes)
        {
            var size = w.Key.Length + (w.Json?.Length ?? 0) + 32;
            if (part.Count > 0 && bytes + size > WalPartBytes)
            {
                yield return part;
                part = [];
                bytes = 0;
            }
            part.Add(w);
            bytes += size;
        }
        if (part.Count > 0)
            yield return part;
    }

    private static RequestOp RecordOp(StoreWrite w)
    {
        var key = ByteString.CopyFromUtf8(RecordPrefix + w.Key);
        return w.Json is null
            ? new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = key } }
            : new RequestOp { RequestPut = new PutRequest { Key = key, Value = ByteString.CopyFromUtf8(string.Create(CultureInfo.InvariantCulture, $"{w.Seq}\n{w.Json}")) } };
    }

    private static RequestOp Put(string key, string value)
        => new() { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) } };

    /// <summary>One transaction of a commit of <paramref name="version"/>: its operations if every condition holds, else a refusal.</summary>
    private async Task TransactAsync(IEnumerable<RequestOp> ops, Compare[] guard, long version, CancellationToken cancellationToken)
    {
        var txn = new TxnRequest();
        txn.Compare.AddRange(guard);
        txn.Success.AddRange(ops);
        var response = await _client.TransactionAsync(txn, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!response.Succeeded)
        {
            throw new RegionStoreException(guard.Any(g => g.Target == Compare.Types.CompareTarget.Create)
                ? string.Create(CultureInfo.InvariantCulture, $"{Description}: version {version} not committed: this replica is no longer the leader, or another writer committed first; the change is not acknowledged")
                : string.Create(CultureInfo.InvariantCulture, $"{Description}: version {version} not committed: another writer committed that version first; the change is not acknowledged"));
        }
    }

    /// <summary>An unconditional transaction (alarms).</summary>
    private Task TransactAsync(IEnumerable<RequestOp> ops, CancellationToken cancellationToken) => TransactAsync(ops, [], 0, cancellationToken);

    public Task AppendAlarmsAsync(IReadOnlyList<AlarmRecord> alarms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alarms);
        return BoundedAsync(ct => AppendAlarmsCoreAsync(alarms, ct), string.Create(CultureInfo.InvariantCulture, $"store {alarms.Count} alarms"), "", cancellationToken);
    }

    private async Task AppendAlarmsCoreAsync(IReadOnlyList<AlarmRecord> alarms, CancellationToken cancellationToken)
    {
        foreach (var chunk in alarms.Chunk(MaxTxnOps))
        {
            var txn = new TxnRequest();
            foreach (var a in chunk)
            {
                txn.Success.Add(new RequestOp
                {
                    RequestPut = new PutRequest
                    {
                        Key = ByteString.CopyFromUtf8(AlarmPrefix + a.Id.ToString("D12", CultureInfo.InvariantCulture)),
                        Value = ByteString.CopyFrom(JsonSerializer.Serialize(a, AlarmJsonContext.Default.AlarmRecord), Encoding.UTF8),
                    },
                });
            }
            await _client.TransactionAsync(txn, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    public Task DeleteAlarmsThroughAsync(long id, CancellationToken cancellationToken)
        => BoundedAsync(ct => TransactAsync([new RequestOp
        {
            RequestDeleteRange = new DeleteRangeRequest
            {
                Key = ByteString.CopyFromUtf8(AlarmPrefix),
                RangeEnd = ByteString.CopyFromUtf8(AlarmPrefix + (id + 1).ToString("D12", CultureInfo.InvariantCulture)),
            },
        }], ct), "delete old alarms", "", cancellationToken);

    public async Task<IReadOnlyList<AlarmRecord>> ReadAlarmsAsync(CancellationToken cancellationToken)
    {
        var range = await _client.GetRangeAsync(AlarmPrefix, cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. range.Kvs.OrderBy(kv => kv.Key.ToStringUtf8(), StringComparer.Ordinal)
            .Select(kv => JsonSerializer.Deserialize(kv.Value.ToStringUtf8(), AlarmJsonContext.Default.AlarmRecord)!)];
    }

    /// <summary>Tests: keys under the log prefix.</summary>
    internal async Task<int> LogKeysForTestsAsync()
        => (await _client.GetRangeAsync(WalPrefix).ConfigureAwait(false)).Kvs.Count;

    /// <summary>Deletes every key of the service (tests share one etcd).</summary>
    internal async Task WipeForTestsAsync()
    {
        await _client.DeleteRangeAsync(Root).ConfigureAwait(false);
        Interlocked.Exchange(ref _lastWritten, 0);
    }

    public ValueTask DisposeAsync()
    {
        _closing.Cancel();
        _client.Dispose();
        _closing.Dispose();
        return ValueTask.CompletedTask;
    }
}
