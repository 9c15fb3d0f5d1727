namespace NitroCard.Mapping.Alarms;

/// <summary>
/// A region-wide alarm: a refused host (identity or VPC it does not host) or a drop a card raised.
/// </summary>
/// <param name="Id">Sequence number in the region.</param>
/// <param name="Time">When the service recorded it.</param>
/// <param name="Kind"><c>authorization</c>, <c>card</c> or <c>firmware</c> (an agent could not apply a version).</param>
/// <param name="Host">The host the alarm is about (the identity presented, or the card's host).</param>
/// <param name="Reason">For example <c>identity-mismatch</c>, <c>vpc-not-on-host</c>, or a card drop reason such as <c>spoofed-source</c>.</param>
/// <param name="Message">What happened, naming the hosts involved.</param>
/// <param name="ClaimedHost">The host name a refused subscriber claimed.</param>
/// <param name="Vni">The VNI (card alarms).</param>
/// <param name="Slot">The ENI slot (card alarms; 255: none).</param>
/// <param name="OuterSource">Outer IPv4 source (card alarms).</param>
/// <param name="InnerSource">Inner IPv4 source (card alarms).</param>
/// <param name="InnerDestination">Inner IPv4 destination (card alarms).</param>
/// <param name="Cycle">The card cycle (card alarms from the RTL).</param>
/// <param name="Suppressed">How many more alarms of this host and reason arrived after this one within its rate-limit window
/// and were not stored (<see cref="AlarmLimiter"/>): "N more suppressed".</param>
public sealed record AlarmRecord(
    long Id,
    DateTimeOffset Time,
    string Kind,
    string Host,
    string Reason,
    string Message,
    string? ClaimedHost = null,
    uint? Vni = null,
    int? Slot = null,
    string? OuterSource = null,
    string? InnerSource = null,
    string? InnerDestination = null,
    ulong? Cycle = null,
    long? Suppressed = null)
{
    public const string AuthorizationKind = "authorization";
    public const string CardKind = "card";
    public const string FirmwareKind = "firmware";
}
