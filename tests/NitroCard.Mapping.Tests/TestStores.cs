using NitroCard.Mapping.Hosting;
using NitroCard.Mapping.Storage;

namespace NitroCard.Mapping.Tests;

/// <summary>A real etcd for the store contract (<see cref="LocalEtcdCluster"/>, one member); each test wipes the keys first.</summary>
public sealed class EtcdFixture : IDisposable
{
    private readonly TempDir _dir = new("nitrocard-etcd-");
    private readonly LocalEtcdCluster? _etcd;

    public EtcdFixture()
    {
        if (LocalEtcdCluster.Available)
            _etcd = LocalEtcdCluster.StartAsync(_dir.Path, size: 1).GetAwaiter().GetResult();
    }

    /// <summary><c>etcd://127.0.0.1:&lt;client port&gt;</c> (empty when etcd is not installed).</summary>
    public string Url => _etcd?.Url ?? "";

    public bool Available => _etcd is not null;

    /// <summary>A fresh store: each test uses etcd after wiping the keys.</summary>
    public async Task<IRegionStore> OpenFreshAsync()
    {
        var store = await EtcdRegionStore.OpenAsync(Url);
        await store.WipeForTestsAsync();
        return store;
    }

    public void Dispose()
    {
        _etcd?.Dispose();
        _dir.Dispose();
    }
}
