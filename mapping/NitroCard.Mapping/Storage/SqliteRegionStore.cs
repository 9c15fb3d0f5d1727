using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.State;

namespace NitroCard.Mapping.Storage;

/// <summary>
/// The embedded store: one SQLite file (WAL), nothing to start. Survives a restart with no loss. Owned by one
/// process: <c>&lt;file&gt;.lock</c> beside it is held open exclusively (an flock on Linux) for the store's
/// lifetime, so a second service on the same file fails at once instead of committing the same versions.
/// </summary>
public sealed class SqliteRegionStore : IRegionStore
{
    private readonly SqliteConnection _connection;
    private readonly FileStream _lock;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private SqliteRegionStore(string path, SqliteConnection connection, FileStream lockFile)
    {
        Description = path;
        _connection = connection;
        _lock = lockFile;
    }

    /// <summary>The lock file that marks the store's owner.</summary>
    public static string LockPath(string path) => Path.GetFullPath(path) + ".lock";

    public string Description { get; }

#pragma warning disable CS0067 // one process owns a SQLite file: nobody else writes it
    public event Action<long>? ExternalChange;
#pragma warning restore CS0067

    public static async Task<SqliteRegionStore> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var lockFile = Own(full);
        SqliteConnection? connection = null;
        try
        {
            var directory = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(directory))
                Directory.CreateDirectory(directory);
            connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = """
                    PRAGMA journal_mode = WAL;
                    PRAGMA synchronous = FULL;
                    CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, seq INTEGER NOT NULL, json TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    CREATE TABLE IF NOT EXISTS alarms (id INTEGER PRIMARY KEY, json TEXT NOT NULL);
                    BEGIN IMMEDIATE;
                    COMMIT;
                    """;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            return new SqliteRegionStore(path, connection, lockFile);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            if (connection is not null)
                await connection.DisposeAsync().ConfigureAwait(false);
            await lockFile.DisposeAsync().ConfigureAwait(false);
            throw new RegionStoreException($"{path}: cannot open the SQLite store ({Reason(e)})", e);
        }
    }

    /// <summary>Takes the store's lock file, or says who cannot share it.</summary>
    private static FileStream Own(string full)
    {
        var lockPath = full + ".lock";
        try
        {
            // FileShare.None is an exclusive flock on Unix: held until this process closes it or exits (also on kill -9).
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new RegionStoreException($"{full}: the store is in use by another Mapping Service ({lockPath} is locked); one process owns a SQLite store", e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or DirectoryNotFoundException)
        {
            throw new RegionStoreException($"{full}: cannot create the store's lock file {lockPath} ({e.Message})", e);
        }
    }

    private static string Reason(Exception e) => e switch
    {
        SqliteException { SqliteErrorCode: 26 } => "not a SQLite database, or corrupt",
        SqliteException { SqliteErrorCode: 11 } => "the database file is corrupt",
        SqliteException { SqliteErrorCode: 8 } => "the file or its directory is read-only",
        SqliteException { SqliteErrorCode: 14 } => "the file cannot be opened (missing directory or permissions)",
        _ => e.Message,
    } + (e is SqliteException s ? $"; SQLite: {s.Message}" : "");

    public async Task<(long Version, IReadOnlyList<StoredRecord> Records)> LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long version = 0;
            await using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT value FROM meta WHERE name = 'version'";
                if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long v)
                    version = v;
            }
            var records = new List<StoredRecord>();
            await using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT key, seq, json FROM records";
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    records.Add(new StoredRecord(reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
            }
            return (version, records);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task CommitAsync(long version, IReadOnlyList<StoreWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var upsert = _connection.CreateCommand();
            upsert.Transaction = transaction;
            upsert.CommandText = "INSERT INTO records (key, seq, json) VALUES ($key, $seq, $json) ON CONFLICT(key) DO UPDATE SET seq = excluded.seq, json = excluded.json";
            var key = upsert.Parameters.Add("$key", SqliteType.Text);
            var seq = upsert.Parameters.Add("$seq", SqliteType.Integer);
            var json = upsert.Parameters.Add("$json", SqliteType.Text);
            await using var delete = _connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM records WHERE key = $key";
            var deleteKey = delete.Parameters.Add("$key", SqliteType.Text);
            foreach (var write in writes)
            {
                if (write.Json is null)
                {
                    deleteKey.Value = write.Key;
                    await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    key.Value = write.Key;
                    seq.Value = write.Seq;
                    json.Value = write.Json;
                    await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            await using (var meta = _connection.CreateCommand())
            {
                meta.Transaction = transaction;
                meta.CommandText = "INSERT INTO meta (name, value) VALUES ('version', $v) ON CONFLICT(name) DO UPDATE SET value = excluded.value";
                meta.Parameters.AddWithValue("$v", version);
                await meta.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task AppendAlarmsAsync(IReadOnlyList<AlarmRecord> alarms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alarms);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var insert = _connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT OR REPLACE INTO alarms (id, json) VALUES ($id, $json)";
            var id = insert.Parameters.Add("$id", SqliteType.Integer);
            var json = insert.Parameters.Add("$json", SqliteType.Text);
            foreach (var alarm in alarms)
            {
                id.Value = alarm.Id;
                json.Value = JsonSerializer.Serialize(alarm, AlarmJsonContext.Default.AlarmRecord);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task DeleteAlarmsThroughAsync(long id, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var delete = _connection.CreateCommand();
            delete.CommandText = "DELETE FROM alarms WHERE id <= $id";
            delete.Parameters.AddWithValue("$id", id);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<AlarmRecord>> ReadAlarmsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var alarms = new List<AlarmRecord>();
            await using var command = _connection.CreateCommand();
            command.CommandText = "SELECT json FROM alarms ORDER BY id";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                alarms.Add(JsonSerializer.Deserialize(reader.GetString(0), AlarmJsonContext.Default.AlarmRecord)!);
            return alarms;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
        SqliteConnection.ClearAllPools();
        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    internal static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
