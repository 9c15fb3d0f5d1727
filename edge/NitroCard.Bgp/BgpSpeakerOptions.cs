using System.Net;
using NitroCard.Bgp.Session;

namespace NitroCard.Bgp;

/// <summary>One configured neighbor of a <see cref="BgpSpeaker"/>.</summary>
public sealed record BgpNeighbor
{
    /// <summary>The neighbor's address (its tunnel inside address); connections from any other address are refused.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>The neighbor's AS.</summary>
    public required uint PeerAsn { get; init; }

    /// <summary>The neighbor's TCP port for our outgoing connections.</summary>
    public int Port { get; init; } = BgpSpeakerOptions.BgpPort;

    /// <summary>Only accept the neighbor's connections, never connect out.</summary>
    public bool Passive { get; init; }

    /// <summary>The hold time we propose to this neighbor (AWS: 30 s).</summary>
    public ushort HoldTime { get; init; } = 30;

    /// <summary>The NEXT_HOP for what we advertise to it; null: our end of the connection.</summary>
    public IPAddress? NextHop { get; init; }

    /// <summary>The most prefixes it may announce (see <see cref="BgpSessionOptions.MaxPrefixes"/>); null: no limit.</summary>
    public int? MaxPrefixes { get; init; }
}

/// <summary>A speaker: our AS and identifier, where we listen, and the neighbors.</summary>
public sealed record BgpSpeakerOptions
{
    /// <summary>The BGP port (RFC 4271 §8.2.1).</summary>
    public const int BgpPort = 179;

    /// <summary>Our AS (AWS's default Amazon side ASN).</summary>
    public uint LocalAsn { get; init; } = BgpSessionOptions.DefaultLocalAsn;

    /// <summary>Our BGP Identifier.</summary>
    public required IPAddress RouterId { get; init; }

    /// <summary>The address we listen on and connect from (the edge's tunnel inside address); null: any.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>The port we listen on: 179, or 0 for any free port (tests); null: do not listen.</summary>
    public int? ListenPort { get; init; } = BgpPort;

    /// <summary>The network namespace the speaker's sockets live in (e.g. <c>/run/netns/edge</c>); null: the process's.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The neighbors, one session each.</summary>
    public IReadOnlyList<BgpNeighbor> Neighbors { get; init; } = [];

    /// <summary>How long between outgoing connection attempts.</summary>
    public TimeSpan ConnectRetryTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a session that failed waits before starting again.</summary>
    public TimeSpan IdleHoldTime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>RFC 7606 revised error handling (see <see cref="BgpSessionOptions.RevisedErrorHandling"/>).</summary>
    public bool RevisedErrorHandling { get; init; } = true;
}
