namespace NitroCard.Bgp.Wire;

/// <summary>What a receiver does about an error (RFC 7606 §2).</summary>
public enum BgpErrorAction
{
    /// <summary>Send the NOTIFICATION and close the session (RFC 4271 §6).</summary>
    SessionReset,

    /// <summary>Under RFC 7606, treat the UPDATE's NLRI as withdrawn and keep the session (§2).</summary>
    TreatAsWithdraw,

    /// <summary>Under RFC 7606, drop the attribute and keep the route (§2).</summary>
    AttributeDiscard,
}

/// <summary>
/// A protocol error: the NOTIFICATION that RFC 4271 §6 prescribes for it, and what RFC 7606 does instead.
/// </summary>
/// <param name="Code">The NOTIFICATION error code.</param>
/// <param name="Subcode">The NOTIFICATION error subcode.</param>
/// <param name="Data">The NOTIFICATION data field.</param>
/// <param name="Reason">A human readable cause.</param>
/// <param name="Action">The RFC 7606 action (<see cref="BgpErrorAction.SessionReset"/> for everything outside UPDATE attributes).</param>
public sealed record BgpError(BgpErrorCode Code, byte Subcode, ReadOnlyMemory<byte> Data, string Reason, BgpErrorAction Action = BgpErrorAction.SessionReset)
{
    /// <summary>The NOTIFICATION message that reports this error.</summary>
    public NotificationMessage ToNotification() => new(Code, Subcode, Data);

    /// <inheritdoc/>
    public override string ToString() => $"{Code}/{Subcode}: {Reason}";
}
