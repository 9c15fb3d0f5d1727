using System.Net;
using NitroCard.Bgp.Wire;

namespace NitroCard.Bgp.Session;

/// <summary>A state change of a session.</summary>
/// <param name="Old">The state before.</param>
/// <param name="New">The state after.</param>
public sealed record BgpStateChange(BgpSessionState Old, BgpSessionState New);

/// <summary>A route in the Adj-RIB-In, or one just withdrawn from it.</summary>
/// <param name="Prefix">The destination.</param>
/// <param name="Attributes">Its path attributes (for a withdrawal, the ones it had).</param>
public sealed record BgpRoute(IPNetwork Prefix, PathAttributes Attributes);

/// <summary>Why an established session went down; every route it had learned has been withdrawn.</summary>
/// <param name="Reason">What happened.</param>
/// <param name="Sent">The NOTIFICATION we sent, if any.</param>
/// <param name="Received">The NOTIFICATION the peer sent, if any.</param>
public sealed record BgpSessionDown(string Reason, NotificationMessage? Sent, NotificationMessage? Received);

/// <summary>What a session has counted (every protocol error is counted, whatever came of it).</summary>
public sealed record BgpSessionCounters
{
    /// <summary>Messages received.</summary>
    public long MessagesReceived { get; internal set; }

    /// <summary>Messages sent.</summary>
    public long MessagesSent { get; internal set; }

    /// <summary>UPDATEs received.</summary>
    public long UpdatesReceived { get; internal set; }

    /// <summary>UPDATEs sent.</summary>
    public long UpdatesSent { get; internal set; }

    /// <summary>KEEPALIVEs received.</summary>
    public long KeepalivesReceived { get; internal set; }

    /// <summary>KEEPALIVEs sent.</summary>
    public long KeepalivesSent { get; internal set; }

    /// <summary>NOTIFICATIONs sent.</summary>
    public long NotificationsSent { get; internal set; }

    /// <summary>NOTIFICATIONs received.</summary>
    public long NotificationsReceived { get; internal set; }

    /// <summary>Protocol errors found in what the peer sent (malformed messages and attributes, FSM errors).</summary>
    public long ProtocolErrors { get; internal set; }

    /// <summary>UPDATEs whose prefixes were treated as withdrawn (RFC 7606).</summary>
    public long TreatedAsWithdraw { get; internal set; }

    /// <summary>Attributes discarded (RFC 7606).</summary>
    public long AttributesDiscarded { get; internal set; }

    /// <summary>Routes ignored: our AS in the path (loop), or our own address as NEXT_HOP.</summary>
    public long RoutesIgnored { get; internal set; }

    /// <summary>Transitions into Established.</summary>
    public long EstablishedTransitions { get; internal set; }

    /// <summary>Connection collisions resolved (§6.8).</summary>
    public long CollisionsResolved { get; internal set; }

    /// <summary>Incoming connections refused (session Idle or already established).</summary>
    public long ConnectionsRefused { get; internal set; }
}
