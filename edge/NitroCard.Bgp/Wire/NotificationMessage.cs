namespace NitroCard.Bgp.Wire;

/// <summary>NOTIFICATION (RFC 4271 §4.5).</summary>
/// <param name="Code">The error code.</param>
/// <param name="Subcode">The error subcode.</param>
/// <param name="Data">The diagnostic data.</param>
public sealed record NotificationMessage(BgpErrorCode Code, byte Subcode, ReadOnlyMemory<byte> Data) : BgpMessage
{
    /// <summary>A NOTIFICATION without data.</summary>
    public NotificationMessage(BgpErrorCode code, byte subcode)
        : this(code, subcode, ReadOnlyMemory<byte>.Empty)
    {
    }

    /// <inheritdoc/>
    public override BgpMessageType Type => BgpMessageType.Notification;

    /// <inheritdoc/>
    public override string ToString() => $"NOTIFICATION {Code}/{Subcode} data {Convert.ToHexString(Data.Span)}";
}
