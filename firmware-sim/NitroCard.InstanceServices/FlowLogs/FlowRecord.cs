namespace NitroCard.InstanceServices.FlowLogs;

/// <summary>What the security groups and network ACLs decided for a flow.</summary>
public enum FlowAction
{
    /// <summary>Permitted.</summary>
    Accept,

    /// <summary>Denied.</summary>
    Reject,
}

/// <summary>
/// A flow record as the card's tracking table hands it to the firmware: one direction of one 5-tuple on one ENI slot,
/// the packets and bytes counted since the previous record of that flow (deltas), and the first and last packet times.
/// Addresses are 32-bit numbers (first octet most significant), as <c>NitroCard.Packets</c> uses them; ports are 0 for
/// protocols without them (ICMP).
/// </summary>
/// <param name="EniSlot">The ENI slot on the card.</param>
/// <param name="SourceAddress">Source IPv4 address.</param>
/// <param name="DestinationAddress">Destination IPv4 address.</param>
/// <param name="SourcePort">Source port.</param>
/// <param name="DestinationPort">Destination port.</param>
/// <param name="Protocol">IANA protocol number (6 TCP, 17 UDP, 1 ICMP).</param>
/// <param name="Packets">Packets since the previous record of this flow.</param>
/// <param name="Bytes">Bytes (IP total lengths) since the previous record.</param>
/// <param name="First">When the first of these packets was seen.</param>
/// <param name="Last">When the last of these packets was seen.</param>
/// <param name="Action">Accepted or rejected.</param>
public readonly record struct FlowRecord(
    int EniSlot,
    uint SourceAddress,
    uint DestinationAddress,
    ushort SourcePort,
    ushort DestinationPort,
    byte Protocol,
    ulong Packets,
    ulong Bytes,
    DateTimeOffset First,
    DateTimeOffset Last,
    FlowAction Action);
