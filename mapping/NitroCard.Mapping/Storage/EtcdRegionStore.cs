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
/// the version under <c>/nitrocard/version</c>, alarms under <c>/nitrocard/alarms/</c>. A commit is one
/// etcd transaction. A watch on the version key reports commits made by other service instances.
/// </summary>
public sealed class EtcdRegionStore : IRegionStore
{
    private const string Root = "/nitrocard/";
    private const string RecordPrefix = Root + "region/";
    private const string VersionKey = Root + "version";
    private const string AlarmPrefix = Root + "alarms/";

    /// <summary>etcd's default limit of operations in one transaction; larger commits are split (each part atomic, the version written last).</summary>
    public const int MaxTxnOps = 128;

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
        var versionResponse = await _client.GetAsync(VersionKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        var version = versionResponse.Kvs.Count == 0 ? 0 : long.Parse(versionResponse.Kvs[0].Value.ToStringUtf8(), CultureInfo.InvariantCulture);
        var range = await _client.GetRangeAsync(RecordPrefix, cancellationToken: cancellationToken).ConfigureAwait(false);
        var records = new List<StoredRecord>(range.Kvs.Count);
        foreach (var kv in range.Kvs)
        {
            var text = kv.Value.ToStringUtf8();
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            records.Add(new StoredRecord(kv.Key.ToStringUtf8()[RecordPrefix.Length..], long.Parse(text.AsSpan(0, newline), CultureInfo.InvariantCulture), text[(newline + 1)..]));
        }
        Interlocked.Exchange(ref _lastWritten, version);
        return (version, records);
    }

    public async Task CommitAsync(long version, IReadOnlyList<StoreWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        Interlocked.Exchange(ref _lastWritten, version);
        var ops = new List<RequestOp>(writes.Count + 1);
        foreach (var w in writes)
        {
            var key = ByteString.CopyFromUtf8(RecordPrefix + w.Key);
            ops.Add(w.Json is null
                ? new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = key } }
                : new RequestOp { RequestPut = new PutRequest { Key = key, Value = ByteString.CopyFromUtf8(string.Create(CultureInfo.InvariantCulture, $"{w.Seq}\n{w.Json}")) } });
        }
        ops.Add(new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(VersionKey), Value = ByteString.CopyFromUtf8(version.ToString(CultureInfo.InvariantCulture)) } });
        for (var start = 0; start < ops.Count; start += MaxTxnOps)
        {
            var txn = new TxnRequest();
            txn.Success.AddRange(ops.Skip(start).Take(MaxTxnOps));
            await _client.TransactionAsync(txn, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
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

    public async Task<IReadOnlyList<AlarmRecord>> ReadAlarmsAsync(CancellationToken cancellationToken)
    {
        var range = await _client.GetRangeAsync(AlarmPrefix, cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. range.Kvs.OrderBy(kv => kv.Key.ToStringUtf8(), StringComparer.Ordinal)
            .Select(kv => JsonSerializer.Deserialize(kv.Value.ToStringUtf8(), AlarmJsonContext.Default.AlarmRecord)!)];
    }

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
