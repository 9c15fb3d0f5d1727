using System.Net;

namespace NitroCard.Bgp.Session;

/// <summary>One neighbor's session settings. The defaults are AWS Site-to-Site VPN's: ASN 64512, hold time 30 s
/// (keepalive every 10 s, a third of the hold time).</summary>
public sealed record BgpSessionOptions
{
    /// <summary>The Amazon side ASN of a virtual private gateway when none is chosen.</summary>
    public const uint DefaultLocalAsn = 64512;

    /// <summary>The peer's address (the customer gateway's tunnel inside address).</summary>
    public required IPAddress PeerAddress { get; init; }

    /// <summary>The AS the peer must announce in its OPEN (RFC 4271 §6.2 Bad Peer AS otherwise).</summary>
    public required uint PeerAsn { get; init; }

    /// <summary>Our AS.</summary>
    public uint LocalAsn { get; init; } = DefaultLocalAsn;

    /// <summary>Our BGP Identifier.</summary>
    public required IPAddress RouterId { get; init; }

    /// <summary>The hold time we propose; the session uses the smaller of ours and the peer's (§4.2), keepalives every third.</summary>
    public ushort HoldTime { get; init; } = 30;

    /// <summary>The hold time while waiting for the peer's OPEN (§8: "a large value", 4 minutes suggested).</summary>
    public TimeSpan OpenHoldTime { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>How long before another outgoing connection attempt (§10 ConnectRetryTime).</summary>
    public TimeSpan ConnectRetryTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>After an error the session goes Idle and, unless stopped, starts again after this long (the
    /// automatic start of §8.1.1 with its IdleHoldTimer).</summary>
    public TimeSpan IdleHoldTime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether the session restarts by itself after an error (not after <see cref="BgpSession.Stop"/>).</summary>
    public bool AutomaticRestart { get; init; } = true;

    /// <summary>Only wait for the peer to connect (§8.1.1 PassiveTcpEstablishment).</summary>
    public bool Passive { get; init; }

    /// <summary>The NEXT_HOP for what we advertise; null: our end of the connection (the tunnel inside address).</summary>
    public IPAddress? NextHop { get; init; }

    /// <summary>RFC 7606 revised error handling: attribute errors withdraw the UPDATE's routes instead of resetting the
    /// session. Off: RFC 4271 §6.3, every UPDATE error is a NOTIFICATION.</summary>
    public bool RevisedErrorHandling { get; init; } = true;

    /// <summary>The most prefixes the peer may announce; one more ends the session with Cease/Maximum Number of
    /// Prefixes Reached (RFC 4486 §4). Null: no limit. (AWS's VPN quota is 100 routes from a customer gateway.)</summary>
    public int? MaxPrefixes { get; init; }

    /// <summary>Whether the peer is in our own AS (internal BGP).</summary>
    public bool IsInternal => PeerAsn == LocalAsn;
}
