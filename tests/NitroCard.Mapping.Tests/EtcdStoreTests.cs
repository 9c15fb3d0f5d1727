using System.Globalization;
using NitroCard.Mapping.State;
using NitroCard.Mapping.Storage;

namespace NitroCard.Mapping.Tests;

/// <summary>
/// The etcd store's atomicity for commits larger than one etcd transaction (the write-ahead log): a reader sees
/// the version before or after, and a crash right after the commit point loses nothing.
/// </summary>
public sealed class EtcdStoreTests(EtcdFixture etcd) : IClassFixture<EtcdFixture>
{
    private const int Big = EtcdRegionStore.MaxTxnOps * 3 + 7;

    private static List<StoreWrite> Writes(int count, string text, int skip = 0)
        => [.. Enumerable.Range(skip, count).Select(i => new StoreWrite(RecordKeys.Eni("vpc-1", "eni-" + i.ToString("D5", CultureInfo.InvariantCulture)), i, text + i.ToString(CultureInfo.InvariantCulture)))];

    private static Dictionary<string, string> Map(IReadOnlyList<StoredRecord> records) => records.ToDictionary(r => r.Key, r => r.Json, StringComparer.Ordinal);

    [SkippableFact]
    public async Task A_commit_bigger_than_a_transaction_is_all_there_after_a_crash_at_its_commit_point()
    {
        Skip.IfNot(etcd.Available, "etcd is not installed (/usr/bin/etcd, Debian etcd-server; build.ps1 installs it as root)");
        var writer = (EtcdRegionStore)await etcd.OpenFreshAsync();
        await writer.CommitAsync(1, Writes(Big, "v1-"), CancellationToken.None);
        var (v1, records1) = await writer.LoadAsync(CancellationToken.None);
        Assert.Equal(1, v1);
        Assert.Equal(Big, records1.Count);

        // Version 2 rewrites every record but the first ten, deletes those, and adds more; the writer "crashes"
        // right after the commit point: the records themselves are still version 1's.
        var v2Writes = Writes(Big - 10, "v2-", skip: 10);
        v2Writes.AddRange(Writes(10, "").Select(w => w with { Json = null }));
        v2Writes.AddRange(Writes(50, "v2-", skip: Big));
        writer.StopAfterLogForTests = true;
        await writer.CommitAsync(2, v2Writes, CancellationToken.None);
        var expected = Map(records1);
        foreach (var w in v2Writes)
        {
            if (w.Json is null)
                expected.Remove(w.Key);
            else
                expected[w.Key] = w.Json;
        }

        // A reader overlays the committed log.
        var (v2, seen) = await writer.LoadAsync(CancellationToken.None);
        Assert.Equal(2, v2);
        Assert.Equal(expected, Map(seen));
        await writer.DisposeAsync();

        // Opening the store finishes the commit; the log is gone and the records alone say version 2.
        await using var reopened = await EtcdRegionStore.OpenAsync(etcd.Url, watch: false);
        var (v2Again, after) = await reopened.LoadAsync(CancellationToken.None);
        Assert.Equal(2, v2Again);
        Assert.Equal(expected, Map(after));
        Assert.Equal(0, await reopened.LogKeysForTestsAsync());
    }

    [Fact]
    public void A_store_url_names_every_member_and_a_bad_one_is_named()
    {
        Assert.Equal(["http://127.0.0.1:2379", "http://127.0.0.1:22379"], EtcdRegionStore.Members("etcd://127.0.0.1:2379,127.0.0.1:22379"));
        Assert.Equal(["http://localhost:2379"], EtcdRegionStore.Members("etcd://localhost:2379/"));
        var bad = Assert.Throws<ArgumentException>(() => EtcdRegionStore.Members("etcd://127.0.0.1:2379,127.0.0.1"));
        Assert.StartsWith("etcd://127.0.0.1:2379,127.0.0.1: '127.0.0.1' is not host:port", bad.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => EtcdRegionStore.Members("http://127.0.0.1:2379"));
    }

    [SkippableFact]
    public async Task Two_writers_cannot_both_commit_one_version_the_second_is_refused_and_nothing_of_it_is_stored()
    {
        Skip.IfNot(etcd.Available, "etcd is not installed (/usr/bin/etcd, Debian etcd-server; build.ps1 installs it as root)");
        await using var first = await etcd.OpenFreshAsync();
        await using var second = await EtcdRegionStore.OpenAsync(etcd.Url, watch: false);
        await first.CommitAsync(1, Writes(3, "first-"), CancellationToken.None);
        var refused = await Assert.ThrowsAsync<RegionStoreException>(() => second.CommitAsync(1, Writes(3, "second-"), CancellationToken.None));
        Assert.Contains("version 1 not committed: another writer committed that version first", refused.Message, StringComparison.Ordinal);
        // A big commit (through the log) is refused the same way, at its first part.
        await Assert.ThrowsAsync<RegionStoreException>(() => second.CommitAsync(1, Writes(Big, "second-"), CancellationToken.None));
        var (version, records) = await first.LoadAsync(CancellationToken.None);
        Assert.Equal(1, version);
        Assert.All(records, r => Assert.StartsWith("first-", r.Json, StringComparison.Ordinal));
        Assert.Equal(0, await ((EtcdRegionStore)first).LogKeysForTestsAsync());
        // The next version after the stored one goes through.
        await second.CommitAsync(2, Writes(1, "second-"), CancellationToken.None);
    }

    [SkippableFact]
    public async Task A_deposed_leader_cannot_commit_once_its_election_key_is_gone()
    {
        Skip.IfNot(etcd.Available, "etcd is not installed (/usr/bin/etcd, Debian etcd-server; build.ps1 installs it as root)");
        var store = (EtcdRegionStore)await etcd.OpenFreshAsync();
        await using var _ = store;
        var lease = await store.Client.LeaseGrantAsync(new Etcdserverpb.LeaseGrantRequest { TTL = 10 });
        var won = await store.Client.CampaignAsync(NitroCard.Mapping.Replication.ReplicaElection.ElectionName, lease.ID, "https://127.0.0.1:1/");
        await store.TakeWriterAsync(won.Leader.Key, won.Leader.Rev, CancellationToken.None);
        await store.CommitAsync(1, Writes(2, "leader-"), CancellationToken.None);

        // The lease ends (as when the leader's process dies and its TTL runs out): its key goes, another may win.
        await store.Client.LeaseRevokeAsync(new Etcdserverpb.LeaseRevokeRequest { ID = lease.ID });
        var refused = await Assert.ThrowsAsync<RegionStoreException>(() => store.CommitAsync(2, Writes(2, "late-"), CancellationToken.None));
        Assert.Contains("this replica is no longer the leader", refused.Message, StringComparison.Ordinal);
        var (version, records) = await store.LoadAsync(CancellationToken.None);
        Assert.Equal(1, version);
        Assert.All(records, r => Assert.StartsWith("leader-", r.Json, StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Alarms_are_replaced_by_id_and_deleted_through_an_id_for_retention()
    {
        Skip.IfNot(etcd.Available, "etcd is not installed (/usr/bin/etcd, Debian etcd-server; build.ps1 installs it as root)");
        await using var store = await etcd.OpenFreshAsync();
        static NitroCard.Mapping.Alarms.AlarmRecord Alarm(long id, long? suppressed = null)
            => new(id, DateTimeOffset.UnixEpoch, "card", "host-a", "spoofed-source", "m", Suppressed: suppressed);
        await store.AppendAlarmsAsync([.. Enumerable.Range(1, 12).Select(i => Alarm(i))], CancellationToken.None);
        await store.AppendAlarmsAsync([Alarm(12, suppressed: 7)], CancellationToken.None);
        await store.DeleteAlarmsThroughAsync(10, CancellationToken.None);
        var left = await store.ReadAlarmsAsync(CancellationToken.None);
        Assert.Equal([11L, 12L], left.Select(a => a.Id));
        Assert.Equal(7, left[1].Suppressed);
    }
}
