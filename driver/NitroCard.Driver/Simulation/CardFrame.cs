namespace NitroCard.Driver.Simulation;

/// <summary>A frame a card emitted.</summary>
/// <param name="Data">The frame bytes (no FCS).</param>
/// <param name="Slot">ENI slot (host port <c>tuser</c>), or -1 for the network port.</param>
/// <param name="Cycle">Cycle at which its last beat left the card (0 from the model).</param>
public sealed record CardFrame(byte[] Data, int Slot, ulong Cycle);
