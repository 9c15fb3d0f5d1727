using NitroCard.Packets;

namespace NitroCard.Simulation;

/// <summary>
/// The pcaps a region simulation reads, each offered on a port: opened (file header checked) as they are added, read a
/// record at a time during the run, merged in timestamp order (ties keep the order they were added in).
/// </summary>
public sealed class PcapInputs : IDisposable
{
    private readonly List<string> _ports = [];
    private readonly List<PcapReader> _readers = [];

    public int Count => _readers.Count;

    /// <summary>Opens <paramref name="file"/> for <paramref name="port"/>.</summary>
    /// <exception cref="SimulationException">There is no such file.</exception>
    /// <exception cref="PcapFormatException">Its file header is bad (the message names the file and the field).</exception>
    public void Add(string port, string file)
    {
        ArgumentNullException.ThrowIfNull(port);
        _readers.Add(SimulationInput.OpenPcap(file));
        _ports.Add(port);
    }

    /// <summary>Every record of every input, in timestamp order, with the port it is offered on.</summary>
    /// <exception cref="PcapFormatException">A record is bad or out of order (the message names the file, the record and the field).</exception>
    public IEnumerable<(string Port, PcapRecord Record)> Records()
        => PcapMerge.Merge(_readers).Select(m => (_ports[m.Source], m.Record));

    public void Dispose()
    {
        foreach (var reader in _readers)
            reader.Dispose();
        _readers.Clear();
    }
}
