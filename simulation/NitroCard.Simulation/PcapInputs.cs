using NitroCard.Packets;

namespace NitroCard.Simulation;

/// <summary>
/// The pcaps a simulation reads, each offered to a target (a region's port, a card's slot): opened (file header
/// checked) as they are added, read a record at a time during the run, merged in timestamp order (ties keep the
/// order they were added in).
/// </summary>
/// <typeparam name="TTarget">Where an input's frames are offered.</typeparam>
public sealed class PcapInputs<TTarget> : IDisposable
{
    private readonly List<TTarget> _targets = [];
    private readonly List<PcapReader> _readers = [];

    public int Count => _readers.Count;

    /// <summary>Opens <paramref name="file"/>, whose frames go to <paramref name="target"/>.</summary>
    /// <exception cref="SimulationException">There is no such file.</exception>
    /// <exception cref="PcapFormatException">Its file header is bad (the message names the file and the field).</exception>
    public void Add(TTarget target, string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!File.Exists(file))
            throw new SimulationException($"{file}: no such pcap file");
        _readers.Add(new PcapReader(file));
        _targets.Add(target);
    }

    /// <summary>Every record of every input, in timestamp order, with its input's target.</summary>
    /// <exception cref="PcapFormatException">A record is bad or out of order (the message names the file, the record and the field).</exception>
    public IEnumerable<(TTarget Target, PcapRecord Record)> Records()
        => PcapMerge.Merge(_readers).Select(m => (_targets[m.Source], m.Record));

    public void Dispose()
    {
        foreach (var reader in _readers)
            reader.Dispose();
        _readers.Clear();
        _targets.Clear();
    }
}
