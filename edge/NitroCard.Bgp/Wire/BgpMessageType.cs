namespace NitroCard.Bgp.Wire;

/// <summary>The Type octet of the BGP message header (RFC 4271 §4.1; ROUTE-REFRESH RFC 2918 §3).</summary>
public enum BgpMessageType : byte
{
    /// <summary>OPEN (RFC 4271 §4.2).</summary>
    Open = 1,

    /// <summary>UPDATE (RFC 4271 §4.3).</summary>
    Update = 2,

    /// <summary>NOTIFICATION (RFC 4271 §4.5).</summary>
    Notification = 3,

    /// <summary>KEEPALIVE (RFC 4271 §4.4).</summary>
    Keepalive = 4,

    /// <summary>ROUTE-REFRESH (RFC 2918 §3).</summary>
    RouteRefresh = 5,
}
