using NitroCard.Packets;

namespace NitroCard.Simulation;

/// <summary>One input pcap: frames an ENI sends (Slot ≥ 0) or frames from the substrate (Slot = -1).</summary>
public sealed record SimulationInput(string Port, int Slot, string File)
{
    /// <summary>Opens a pcap and checks its file header; the caller disposes it.</summary>
    /// <exception cref="SimulationException">There is no such file.</exception>
    /// <exception cref="PcapFormatException">The file header is bad (the message names the file and the field).</exception>
    public static PcapReader OpenPcap(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path))
            throw new SimulationException($"{path}: no such pcap file");
        return new PcapReader(path);
    }
}
