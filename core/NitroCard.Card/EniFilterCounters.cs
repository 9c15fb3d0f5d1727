namespace NitroCard.Card;

/// <summary>Per-ENI filtering counters (ENI_SG_COUNT; ENA's allowed/denied and conntrack_allowance_exceeded).</summary>
/// <param name="SgAllowedIn">Frames the ingress security group stage let through (tracked, untracked or new).</param>
/// <param name="SgDeniedIn">Frames the ingress stage dropped (sg-deny or conntrack-full).</param>
/// <param name="SgAllowedOut">Frames the egress stage let through.</param>
/// <param name="SgDeniedOut">Frames the egress stage dropped.</param>
/// <param name="ConntrackAllowanceExceeded">New flows dropped because the tracking table had no room.</param>
public readonly record struct EniFilterCounters(ulong SgAllowedIn, ulong SgDeniedIn, ulong SgAllowedOut, ulong SgDeniedOut, ulong ConntrackAllowanceExceeded);
