namespace NitroCard.Bgp.Session;

/// <summary>The session states of RFC 4271 §8.2.2.</summary>
public enum BgpSessionState
{
    /// <summary>Refuses connections; waits for a start event.</summary>
    Idle,

    /// <summary>Waiting for the outgoing TCP connection to complete.</summary>
    Connect,

    /// <summary>Waiting for the peer to connect (or for the ConnectRetry timer to try again).</summary>
    Active,

    /// <summary>OPEN sent, waiting for the peer's OPEN.</summary>
    OpenSent,

    /// <summary>OPENs exchanged, waiting for the peer's KEEPALIVE.</summary>
    OpenConfirm,

    /// <summary>Exchanging UPDATEs.</summary>
    Established,
}
