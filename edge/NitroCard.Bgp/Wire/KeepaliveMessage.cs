namespace NitroCard.Bgp.Wire;

/// <summary>KEEPALIVE (RFC 4271 §4.4): the header only.</summary>
public sealed record KeepaliveMessage : BgpMessage
{
    /// <summary>The one KEEPALIVE.</summary>
    public static readonly KeepaliveMessage Instance = new();

    /// <inheritdoc/>
    public override BgpMessageType Type => BgpMessageType.Keepalive;
}
