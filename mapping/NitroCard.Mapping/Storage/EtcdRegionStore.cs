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

    private EtcdRegionStore(string url, EtcdClient client)
    {
        Description = url;
        _client = client;
    }

    public string Description { get; }

    public event Action<long>? ExternalChange;

    public static async Task<EtcdRegionStore> OpenAsync(string url, bool watch = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        var uri = new Uri(url);
        var client = new EtcdClient($"http://{uri.Host}:{uri.Port}", configureChannelOptions: o => o.Credentials = ChannelCredentials.Insecure);
        var store = new EtcdRegionStore(url, client);
        // Fail now, naming the URL, when etcd is not there.
        try
        {
            await client.GetAsync(VersionKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            client.Dispose();
            throw new IOException($"{url}: etcd is not reachable ({e.Status.Detail})", e);
        }
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
                    await _client.WatchAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = ByteString.CopyFromUtf8(VersionKey) } },
                        response =>
                        {
                            foreach (var e in response.Events)
                            {
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
        Interlocked.Exchange(ref _lastWritten, version);
        var versionOp = Put(VersionKey, version.ToString(CultureInfo.InvariantCulture));
        if (writes.Count < MaxTxnOps)
        {
            await TransactAsync([.. writes.Select(RecordOp), versionOp], cancellationToken).ConfigureAwait(false);
            return;
        }
        // The log: its parts, then the commit point (log marked committed + the version, one transaction).
        var log = LogKey(version);
        var parts = 0;
        foreach (var part in Parts(writes))
        {
            await TransactAsync([Put(log + parts.ToString("D6", CultureInfo.InvariantCulture), JsonSerializer.Serialize(part, StoreJsonContext.Default.ListStoreWrite))], cancellationToken).ConfigureAwait(false);
            parts++;
        }
        await TransactAsync([Put(log + WalCommitted, parts.ToString(CultureInfo.InvariantCulture)), versionOp], cancellationToken).ConfigureAwait(false);
        if (StopAfterLogForTests)
            return;
        await ApplyLogAsync(log, writes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Tests: end a big commit right after its commit point, as a crash there would.</summary>
    internal bool StopAfterLogForTests { get; set; }

    /// <summary>Writes a committed log's records (idempotent), then drops the log.</summary>
    private async Task ApplyLogAsync(string log, IReadOnlyList<StoreWrite> writes, CancellationToken cancellationToken)
    {
        foreach (var chunk in writes.Chunk(MaxTxnOps))
            await TransactAsync([.. chunk.Select(RecordOp)], cancellationToken).ConfigureAwait(false);
        await _client.DeleteRangeAsync(log, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>On open: finishes committed logs a crash left behind and drops logs that never reached their commit point.</summary>
    private async Task FinishInterruptedCommitsAsync(CancellationToken cancellationToken)
    {
        var range = await _client.GetRangeAsync(WalPrefix, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (range.Kvs.Count == 0)
            return;
        var committed = await CommittedLogsAsync(range.Header.Revision, cancellationToken).ConfigureAwait(false);
        foreach (var (version, writes) in committed)
            await ApplyLogAsync(LogKey(version), writes, cancellationToken).ConfigureAwait(false);
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

    private async Task TransactAsync(IEnumerable<RequestOp> ops, CancellationToken cancellationToken)
    {
        var txn = new TxnRequest();
        txn.Success.AddRange(ops);
        await _client.TransactionAsync(txn, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task AppendAlarmsAsync(IReadOnlyList<AlarmRecord> alarms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alarms);
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
        => TransactAsync([new RequestOp
        {
            RequestDeleteRange = new DeleteRangeRequest
            {
                Key = ByteString.CopyFromUtf8(AlarmPrefix),
                RangeEnd = ByteString.CopyFromUtf8(AlarmPrefix + (id + 1).ToString("D12", CultureInfo.InvariantCulture)),
            },
        }], cancellationToken);

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
