using NitroCard.Mapping.Storage;

namespace NitroCard.Mapping.Tests;

/// <summary>A real etcd for the store contract (<see cref="EtcdServer"/>); each test wipes the keys first.</summary>
public sealed class EtcdFixture : IDisposable
{
    private readonly EtcdServer _etcd = new();

    public string Url => _etcd.Url;

    public bool Available => _etcd.Available;

    /// <summary>A fresh store: each test uses etcd after wiping the keys.</summary>
    public async Task<IRegionStore> OpenFreshAsync()
    {
        var store = await EtcdRegionStore.OpenAsync(Url);
        await store.WipeForTestsAsync();
        return store;
    }

    public void Dispose() => _etcd.Dispose();
}
