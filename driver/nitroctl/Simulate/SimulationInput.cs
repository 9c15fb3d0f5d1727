namespace NitroCard.Cli.Simulate;

/// <summary>One input pcap: frames an ENI sends (Slot ≥ 0) or frames from the substrate (Slot = -1).</summary>
internal sealed record SimulationInput(string Port, int Slot, string File);
