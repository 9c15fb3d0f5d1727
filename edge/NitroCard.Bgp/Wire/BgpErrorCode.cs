namespace NitroCard.Bgp.Wire;

/// <summary>NOTIFICATION error codes (RFC 4271 §4.5; FSM subcodes RFC 6608; Cease subcodes RFC 4486; ROUTE-REFRESH RFC 7313 §5).</summary>
public enum BgpErrorCode : byte
{
    /// <summary>Message Header Error (§6.1); subcodes in <see cref="HeaderErrorSubcode"/>.</summary>
    MessageHeader = 1,

    /// <summary>OPEN Message Error (§6.2); subcodes in <see cref="OpenErrorSubcode"/>.</summary>
    OpenMessage = 2,

    /// <summary>UPDATE Message Error (§6.3); subcodes in <see cref="UpdateErrorSubcode"/>.</summary>
    UpdateMessage = 3,

    /// <summary>Hold Timer Expired (§6.5).</summary>
    HoldTimerExpired = 4,

    /// <summary>Finite State Machine Error (§6.6); subcodes in <see cref="FsmErrorSubcode"/>.</summary>
    FiniteStateMachine = 5,

    /// <summary>Cease (§6.7); subcodes in <see cref="CeaseSubcode"/>.</summary>
    Cease = 6,

    /// <summary>ROUTE-REFRESH Message Error (RFC 7313 §5).</summary>
    RouteRefreshMessage = 7,
}

/// <summary>Message Header Error subcodes (RFC 4271 §4.5, §6.1).</summary>
public static class HeaderErrorSubcode
{
    /// <summary>The marker is not all ones.</summary>
    public const byte ConnectionNotSynchronized = 1;

    /// <summary>The Length field is out of range for the message type; the data is the Length field.</summary>
    public const byte BadMessageLength = 2;

    /// <summary>The Type field is not a known type; the data is the Type field.</summary>
    public const byte BadMessageType = 3;
}

/// <summary>OPEN Message Error subcodes (RFC 4271 §4.5, §6.2; Unsupported Capability RFC 5492 §5).</summary>
public static class OpenErrorSubcode
{
    /// <summary>A recognized optional parameter is malformed (§6.2).</summary>
    public const byte Unspecific = 0;

    /// <summary>The version is not 4; the data is the largest version we support (2 octets).</summary>
    public const byte UnsupportedVersionNumber = 1;

    /// <summary>The peer's AS is not the one configured.</summary>
    public const byte BadPeerAs = 2;

    /// <summary>The BGP Identifier is not valid.</summary>
    public const byte BadBgpIdentifier = 3;

    /// <summary>An optional parameter type is not recognized.</summary>
    public const byte UnsupportedOptionalParameter = 4;

    /// <summary>The Hold Time is 1 or 2 seconds.</summary>
    public const byte UnacceptableHoldTime = 6;

    /// <summary>A capability we require is missing; the data lists it (RFC 5492 §5).</summary>
    public const byte UnsupportedCapability = 7;
}

/// <summary>UPDATE Message Error subcodes (RFC 4271 §4.5, §6.3).</summary>
public static class UpdateErrorSubcode
{
    /// <summary>The attribute list or withdrawn routes do not fit the message, or an attribute repeats.</summary>
    public const byte MalformedAttributeList = 1;

    /// <summary>A well-known attribute type we do not know; the data is the attribute.</summary>
    public const byte UnrecognizedWellKnownAttribute = 2;

    /// <summary>ORIGIN, AS_PATH or NEXT_HOP is missing; the data is its type code.</summary>
    public const byte MissingWellKnownAttribute = 3;

    /// <summary>An attribute's flags conflict with its type; the data is the attribute.</summary>
    public const byte AttributeFlagsError = 4;

    /// <summary>An attribute's length is wrong for its type; the data is the attribute.</summary>
    public const byte AttributeLengthError = 5;

    /// <summary>ORIGIN is not IGP, EGP or INCOMPLETE; the data is the attribute.</summary>
    public const byte InvalidOriginAttribute = 6;

    /// <summary>NEXT_HOP is not a valid unicast address; the data is the attribute.</summary>
    public const byte InvalidNextHopAttribute = 8;

    /// <summary>A recognized optional attribute has a bad value; the data is the attribute.</summary>
    public const byte OptionalAttributeError = 9;

    /// <summary>An NLRI or withdrawn prefix is syntactically wrong.</summary>
    public const byte InvalidNetworkField = 10;

    /// <summary>AS_PATH is malformed, or does not start with the peer's AS on an external session.</summary>
    public const byte MalformedAsPath = 11;
}

/// <summary>Finite State Machine Error subcodes (RFC 6608 §3).</summary>
public static class FsmErrorSubcode
{
    /// <summary>Unspecified error.</summary>
    public const byte Unspecified = 0;

    /// <summary>Unexpected message in OpenSent.</summary>
    public const byte UnexpectedInOpenSent = 1;

    /// <summary>Unexpected message in OpenConfirm.</summary>
    public const byte UnexpectedInOpenConfirm = 2;

    /// <summary>Unexpected message in Established.</summary>
    public const byte UnexpectedInEstablished = 3;
}

/// <summary>Cease subcodes (RFC 4486 §4).</summary>
public static class CeaseSubcode
{
    /// <summary>Maximum number of prefixes reached.</summary>
    public const byte MaximumPrefixes = 1;

    /// <summary>Administrative shutdown (the session was stopped).</summary>
    public const byte AdministrativeShutdown = 2;

    /// <summary>The peer was deconfigured.</summary>
    public const byte PeerDeconfigured = 3;

    /// <summary>Administrative reset.</summary>
    public const byte AdministrativeReset = 4;

    /// <summary>The connection was refused (unknown peer, or a session not started).</summary>
    public const byte ConnectionRejected = 5;

    /// <summary>Other configuration change.</summary>
    public const byte OtherConfigurationChange = 6;

    /// <summary>Connection collision resolution (RFC 4271 §6.8).</summary>
    public const byte ConnectionCollisionResolution = 7;

    /// <summary>Out of resources.</summary>
    public const byte OutOfResources = 8;
}

/// <summary>ROUTE-REFRESH Message Error subcodes (RFC 7313 §5).</summary>
public static class RouteRefreshErrorSubcode
{
    /// <summary>The ROUTE-REFRESH message is not 23 octets long.</summary>
    public const byte InvalidMessageLength = 1;
}
