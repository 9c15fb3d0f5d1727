using NitroCard.Region;

namespace NitroCard.Simulation;

/// <summary>
/// An output directory that changes only when a run succeeds: files are written into a hidden temporary directory
/// beside it and moved into place by <see cref="Commit"/>; disposing without a commit deletes the temporary
/// directory, so a run that fails part-way (a bad record, a full disk) leaves the output directory as it was.
/// </summary>
public sealed class StagedOutputDirectory : IDisposable
{
    private readonly string _target;
    private bool _committed;

    /// <param name="target">The directory the files end up in (created at <see cref="Commit"/> if missing).</param>
    /// <exception cref="SimulationException"><paramref name="target"/> is a file, or no directory above it exists.</exception>
    public StagedOutputDirectory(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = Path.GetFullPath(target);
        if (System.IO.File.Exists(_target))
            throw new SimulationException($"{_target}: is a file, not a directory");
        // The nearest existing ancestor holds the temporary directory: on the same file system as the target
        // (so the moves are renames), and no missing parent is created before the run has succeeded.
        var anchor = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(_target)) ?? _target;
        while (!Directory.Exists(anchor))
            anchor = Path.GetDirectoryName(anchor) ?? throw new SimulationException($"{_target}: no existing parent directory");
        Staging = Path.Combine(anchor, $".{Path.GetFileName(Path.TrimEndingDirectorySeparator(_target))}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Staging);
    }

    /// <summary>The temporary directory the run writes into.</summary>
    public string Staging { get; }

    /// <summary>The path of an output file named from input (an ENI id, a port): refused if it would leave the directory.</summary>
    public string File(string fileName) => SafePath.Under(Staging, fileName);

    /// <summary>Moves every staged file into the target, replacing files of the same name; other files there stay.</summary>
    public void Commit()
    {
        if (!Directory.Exists(_target))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_target)!);
            Directory.Move(Staging, _target);
        }
        else
        {
            foreach (var staged in Directory.EnumerateFiles(Staging))
                System.IO.File.Move(staged, SafePath.Under(_target, Path.GetFileName(staged)), overwrite: true);
            Directory.Delete(Staging);
        }
        _committed = true;
    }

    public void Dispose()
    {
        if (!_committed && Directory.Exists(Staging))
            Directory.Delete(Staging, recursive: true);
    }
}
