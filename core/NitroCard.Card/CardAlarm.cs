using System.Net;

namespace NitroCard.Card;

/// <summary>One alarm from the card's alarm FIFO (docs/card-semantics.md, "Counters and alarms").</summary>
/// <param name="Cycle">Card cycle of the drop decision (the software model reports 0).</param>
/// <param name="Reason">Why the frame was dropped.</param>
/// <param name="Slot">ENI slot, or 0xFF when none applies.</param>
/// <param name="Vni">VNI, or 0.</param>
/// <param name="OuterSource">Outer IPv4 source of an RX frame, else 0.0.0.0.</param>
/// <param name="InnerSource">Inner IPv4 (or ARP sender) address.</param>
/// <param name="InnerDestination">Inner IPv4 (or ARP target) address.</param>
public sealed record CardAlarm(
    ulong Cycle,
    DropReason Reason,
    int Slot,
    uint Vni,
    IPAddress OuterSource,
    IPAddress InnerSource,
    IPAddress InnerDestination);
