namespace NitroCard.Bgp.Wire;

/// <summary>A decoded BGP message (RFC 4271 §4).</summary>
public abstract record BgpMessage
{
    /// <summary>The header's Type.</summary>
    public abstract BgpMessageType Type { get; }
}
