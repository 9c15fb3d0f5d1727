using System.Diagnostics;
using Microsoft.Data.Sqlite;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Storage;

namespace NitroCard.Mapping.Tests;

/// <summary>
/// The SQLite store is owned by one process (an flock on <c>&lt;file&gt;.lock</c>, visible to other processes) and
/// refuses to start on a file it cannot use — held, corrupt, read-only, or holding a region that does not validate —
/// with a message naming the file.
/// </summary>
public sealed class SqliteStoreTests : IDisposable
{
    private static readonly string ExamplePath = Path.Combine(AppContext.BaseDirectory, "regions", "docs-example.json");
    private readonly TempDir _dir = new();

    [Fact]
    public async Task A_second_store_on_the_same_file_fails_at_once_naming_the_file_until_the_first_closes()
    {
        var path = _dir.File("region.db");
        await using (var first = await SqliteRegionStore.OpenAsync(path))
        {
            var e = await Assert.ThrowsAsync<RegionStoreException>(() => SqliteRegionStore.OpenAsync(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains("in use by another Mapping Service", e.Message, StringComparison.Ordinal);
        }
        await using var again = await SqliteRegionStore.OpenAsync(path);
    }

    [Fact]
    public async Task The_ownership_is_an_flock_that_other_processes_see_both_ways()
    {
        var path = _dir.File("region.db");
        await using (await SqliteRegionStore.OpenAsync(path))
            Assert.Equal(1, await FlockAsync(SqliteRegionStore.LockPath(path), "true")); // another process cannot take it

        // Another process holds it: the store does not start.
        // (flock waits for the lock, so our probes below cannot make it give up.)
        using var holder = Process.Start(new ProcessStartInfo("flock", [SqliteRegionStore.LockPath(path), "sleep", "30"]))!;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            RegionStoreException? refused = null;
            while (refused is null && DateTime.UtcNow < deadline)
            {
                try
                {
                    await (await SqliteRegionStore.OpenAsync(path)).DisposeAsync();
                    await Task.Delay(20); // the holder has not taken the lock yet
                }
                catch (RegionStoreException e)
                {
                    refused = e;
                }
            }
            Assert.NotNull(refused);
            Assert.Contains(path, refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            holder.Kill();
            await holder.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_store_edited_to_reference_a_missing_subnet_fails_to_start_naming_the_file_and_the_field()
    {
        var path = _dir.File("region.db");
        await using (var service = await MappingService.OpenAsync(await SqliteRegionStore.OpenAsync(path)))
            await service.ApplyAsync(await File.ReadAllTextAsync(ExamplePath));
        await using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await db.OpenAsync();
            await using var edit = db.CreateCommand();
            edit.CommandText = "UPDATE records SET json = replace(json, '\"subnet-a\"', '\"subnet-gone\"') WHERE key LIKE 'enis/%/eni-a1'";
            Assert.Equal(1, await edit.ExecuteNonQueryAsync());
        }
        var store = await SqliteRegionStore.OpenAsync(path);
        var e = await Assert.ThrowsAsync<RegionStoreException>(() => MappingService.OpenAsync(store));
        await store.DisposeAsync();
        Assert.StartsWith(path + ": the stored region is not valid: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("enis[eni-a1].subnet", e.Message, StringComparison.Ordinal);
        Assert.Contains("subnet-gone", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_store_fails_to_start_naming_the_file()
    {
        var path = _dir.File("region.db");
        await File.WriteAllBytesAsync(path, [.. Enumerable.Repeat((byte)'x', 8192)]);
        var e = await Assert.ThrowsAsync<RegionStoreException>(() => SqliteRegionStore.OpenAsync(path));
        Assert.StartsWith(path + ": cannot open the SQLite store (not a SQLite database, or corrupt", e.Message, StringComparison.Ordinal);
        // Nothing is left held: after the file is fixed the store opens.
        File.Delete(path);
        await using var fresh = await SqliteRegionStore.OpenAsync(path);
    }

    [SkippableFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_read_only_store_fails_to_start_naming_the_file()
    {
        Skip.If(Environment.IsPrivilegedProcess || OperatingSystem.IsWindows(), "root ignores file permissions, so a read-only file cannot be made here");
        var path = _dir.File("region.db");
        await using (await SqliteRegionStore.OpenAsync(path))
        {
        }
        File.SetUnixFileMode(path, UnixFileMode.UserRead);
        File.SetUnixFileMode(_dir.Path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var e = await Assert.ThrowsAsync<RegionStoreException>(() => SqliteRegionStore.OpenAsync(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.SetUnixFileMode(_dir.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static async Task<int> FlockAsync(string lockPath, string command)
    {
        using var process = Process.Start(new ProcessStartInfo("flock", ["-n", lockPath, command]))!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    public void Dispose() => _dir.Dispose();
}
