namespace NitroCard.Card;

/// <summary>A frame the Verilated card sent on one of its output ports.</summary>
/// <param name="Data">The whole Ethernet frame (no FCS).</param>
/// <param name="Slot">The ENI slot from <c>tuser</c> on the host port; -1 on the network port.</param>
/// <param name="Cycle">The card's cycle count right after the rising edge that took the frame's last beat.</param>
public sealed record CardFrame(byte[] Data, int Slot, ulong Cycle);
