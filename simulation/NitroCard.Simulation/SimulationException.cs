namespace NitroCard.Simulation;

/// <summary>
/// A simulation refused its inputs or its output directory (a missing pcap, an output path that is a file or has no
/// existing parent, an ENI whose file would overwrite another output). The message is written for the user and names
/// the file; nothing in the output directory changed.
/// </summary>
public sealed class SimulationException : Exception
{
    public SimulationException()
    {
    }

    public SimulationException(string message)
        : base(message)
    {
    }

    public SimulationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
