using System.Globalization;
using Etcdserverpb;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NitroCard.Mapping.Storage;
using V3Electionpb;

namespace NitroCard.Mapping.Replication;

/// <summary>
/// One Mapping Service replica's part in etcd's election (the <c>v3election</c> API, nothing home-made): the replica
/// holds a lease it keeps alive and campaigns under <see cref="ElectionName"/> with its endpoint as the value. etcd
/// makes it the leader when every older candidate's key is gone; it stays leader while its lease lives. A replica
/// that cannot renew its lease within its TTL (killed, cut off from the quorum) stops writing at once, and its
/// key expires with the lease, which elects the next candidate. The store fences every write on the key won
/// (<see cref="EtcdRegionStore.TakeWriterAsync"/>), so a deposed leader that has not noticed yet cannot commit.
/// </summary>
public sealed class ReplicaElection : IAsyncDisposable
{
    /// <summary>The election's name (its keys are <c>/nitrocard/election/&lt;lease&gt;</c>).</summary>
    public const string ElectionName = "/nitrocard/election";

    private readonly EtcdRegionStore _store;
    private readonly Func<LeaderKey, CancellationToken, Task> _elected;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly TimeSpan _ttl;
    private Task _running = Task.CompletedTask;
    private volatile LeaderKey? _leadership;
    private volatile string? _knownLeader;

    /// <param name="store">The store the election runs on (its etcd cluster).</param>
    /// <param name="self">This replica's endpoint: the value of its campaign, what followers name as the leader.</param>
    /// <param name="leaseTtl">The lease's time to live: how long a dead leader keeps the leadership (etcd's minimum applies).</param>
    /// <param name="elected">Called when this replica wins, before it is <see cref="IsLeader"/>: the service catches up and takes the store.</param>
    /// <param name="logger">Where elections and lost leaderships are logged.</param>
    public ReplicaElection(EtcdRegionStore store, string self, TimeSpan leaseTtl, Func<LeaderKey, CancellationToken, Task> elected, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(self);
        ArgumentOutOfRangeException.ThrowIfLessThan(leaseTtl, TimeSpan.FromSeconds(1));
        _store = store;
        Self = self;
        _ttl = leaseTtl;
        _elected = elected;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>This replica's endpoint.</summary>
    public string Self { get; }

    /// <summary>True while this replica holds the leadership (and has renewed its lease within its TTL).</summary>
    public bool IsLeader => _leadership is not null;

    /// <summary>Raised when this replica's leadership state changes (true: elected).</summary>
    public event Action<bool>? LeadershipChanged;

    /// <summary>Starts campaigning (in the background, until disposed).</summary>
    public void Start() => _running = Task.Run(() => RunAsync(_closing.Token));

    /// <summary>The current leader's endpoint as etcd knows it, or the last one seen when etcd does not answer in time.</summary>
    public async Task<string?> LeaderAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_leadership is not null)
            return Self;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            var response = await _store.Client.LeaderAsync(ElectionName, cancellationToken: bounded.Token).ConfigureAwait(false);
            _knownLeader = response.Kv?.Value.ToStringUtf8();
        }
        catch (RpcException e) when (e.Status.Detail.Contains("no leader", StringComparison.Ordinal))
        {
            _knownLeader = null;   // etcd answered: nobody holds the election now
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // etcd did not answer: the last leader seen
        }
        return _knownLeader;
    }

    private async Task RunAsync(CancellationToken closing)
    {
        while (!closing.IsCancellationRequested)
        {
            long lease = 0;
            try
            {
                lease = (await _store.Client.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)Math.Ceiling(_ttl.TotalSeconds) }, cancellationToken: closing).ConfigureAwait(false)).ID;
                using var alive = CancellationTokenSource.CreateLinkedTokenSource(closing);
                var keeping = KeepAliveAsync(lease, alive);
                var campaign = await _store.Client.CampaignAsync(ElectionName, lease, Self, cancellationToken: alive.Token).ConfigureAwait(false);
                await _elected(campaign.Leader, alive.Token).ConfigureAwait(false);
                _leadership = campaign.Leader;
                _knownLeader = Self;
                ReplicaLog.Elected(_logger, Self, lease.ToString("x", CultureInfo.InvariantCulture));
                LeadershipChanged?.Invoke(true);
                await keeping.ConfigureAwait(false);   // returns when the lease is lost or the replica closes
            }
            catch (Exception e) when (!closing.IsCancellationRequested && e is RpcException or OperationCanceledException or IOException or InvalidDataException)
            {
                ReplicaLog.CampaignFailed(_logger, Self, e.Message);
            }
            catch (Exception e) when (closing.IsCancellationRequested && e is RpcException or OperationCanceledException)
            {
                // closing
            }
            finally
            {
                if (_knownLeader == Self)
                {
                    // Deposed (or the lease lost while elected): no longer name itself as the leader.
                    _leadership = null;
                    _knownLeader = null;
                    ReplicaLog.Deposed(_logger, Self);
                    LeadershipChanged?.Invoke(false);
                }
            }
            // The lease goes with the attempt (its key may still hold the election): the next campaign starts clean.
            if (lease != 0)
                await RevokeAsync(lease).ConfigureAwait(false);
            if (!closing.IsCancellationRequested)
                await Task.Delay(_ttl / 4, closing).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Renews the lease every third of its TTL; when a renewal has not succeeded for a whole TTL (or etcd says the lease
    /// is gone) the leadership is dropped and <paramref name="alive"/> cancelled, which also ends a campaign under way.
    /// </summary>
    private async Task KeepAliveAsync(long lease, CancellationTokenSource alive)
    {
        var renewed = DateTime.UtcNow;
        try
        {
            while (!alive.IsCancellationRequested)
            {
                await Task.Delay(_ttl / 3, alive.Token).ConfigureAwait(false);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(alive.Token);
                attempt.CancelAfter(_ttl / 3);
                long ttl = -1;
                try
                {
                    await _store.Client.LeaseKeepAlive(new LeaseKeepAliveRequest { ID = lease }, r => ttl = r.TTL, attempt.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!alive.IsCancellationRequested && e is RpcException or OperationCanceledException)
                {
                    // not renewed this time
                }
                if (ttl > 0)
                    renewed = DateTime.UtcNow;
                else if (ttl == 0 || DateTime.UtcNow - renewed >= _ttl)
                {
                    _leadership = null;
                    await alive.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // closing
        }
    }

    private async Task RevokeAsync(long lease)
    {
        // A clean stop (or a failed attempt) hands the leadership over at once instead of after the TTL.
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _store.Client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, cancellationToken: bounded.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            // etcd is gone: the lease expires on its own
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _closing.Dispose();
    }
}

internal static partial class ReplicaLog
{
    [LoggerMessage(20, LogLevel.Warning, "Replica {Self} is the leader (lease {Lease})")]
    public static partial void Elected(ILogger logger, string self, string lease);

    [LoggerMessage(21, LogLevel.Warning, "Replica {Self} lost the leadership (its lease could not be renewed)")]
    public static partial void Deposed(ILogger logger, string self);

    [LoggerMessage(22, LogLevel.Warning, "Replica {Self}: campaign failed ({Reason}); trying again")]
    public static partial void CampaignFailed(ILogger logger, string self, string reason);
}
