namespace NitroCard.Simulation;

/// <summary>One input pcap: frames an ENI sends (Slot ≥ 0) or frames from the substrate (Slot = -1).</summary>
public sealed record SimulationInput(string Port, int Slot, string File);
