namespace NitroCard.Card;

/// <summary>Per-ENI traffic counters.</summary>
/// <param name="TxPackets">Frames accepted from the ENI.</param>
/// <param name="TxBytes">Bytes of those frames.</param>
/// <param name="RxPackets">Frames delivered to the ENI (ARP replies included).</param>
/// <param name="RxBytes">Bytes of those frames.</param>
public readonly record struct EniCounters(ulong TxPackets, ulong TxBytes, ulong RxPackets, ulong RxBytes);
