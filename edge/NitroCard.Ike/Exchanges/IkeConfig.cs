using System.Collections.Immutable;
using System.Net;
using NitroCard.Ike.Crypto;
using NitroCard.Ike.Wire;

namespace NitroCard.Ike.Exchanges;

/// <summary>An identity (RFC 7296 §3.5): the type and its data.</summary>
public sealed record IkeIdentity(IdType Type, ImmutableArray<byte> Data)
{
    public static IkeIdentity Address(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? IdType.Ipv4Address : IdType.Ipv6Address, [.. address.GetAddressBytes()]);
    }

    public static IkeIdentity Fqdn(string name) => new(IdType.Fqdn, [.. System.Text.Encoding.ASCII.GetBytes(name)]);

    internal IdPayload ToPayload(bool initiator) => new(initiator, Type, Data.ToArray());

    internal bool Matches(IdPayload id) => id.IdType == Type && id.Data.Span.SequenceEqual(Data.AsSpan());

    public override string ToString() => Type switch
    {
        IdType.Ipv4Address or IdType.Ipv6Address => new IPAddress(Data.AsSpan()).ToString(),
        IdType.Fqdn or IdType.Rfc822Address => System.Text.Encoding.ASCII.GetString(Data.AsSpan()),
        _ => $"{Type}:{Convert.ToHexString(Data.AsSpan())}",
    };
}

/// <summary>One peer's policy: identities, the shared key, proposals, traffic selectors and timers.</summary>
public sealed record IkeConfig
{
    /// <summary>The shared key of AUTH (RFC 7296 §2.15).</summary>
    public required ImmutableArray<byte> PreSharedKey { get; init; }

    /// <summary>Our identity (IDi or IDr).</summary>
    public required IkeIdentity LocalId { get; init; }

    /// <summary>The identity the peer must present; null accepts any identity that proves the shared key.</summary>
    public IkeIdentity? RemoteId { get; init; }

    /// <summary>IKE SA suites, preferred first (initiator: one proposal each; responder: what it accepts).</summary>
    public ImmutableArray<IkeSuite> IkeProposals { get; init; } = [IkeSuite.Gcm256Sha256Ecp256];

    /// <summary>Child SA suites, preferred first.</summary>
    public ImmutableArray<ChildSuite> ChildProposals { get; init; } = [ChildSuite.Gcm256];

    /// <summary>Our side's traffic (TSi as initiator, TSr as responder).</summary>
    public ImmutableArray<TrafficSelector> LocalTrafficSelectors { get; init; } = [TrafficSelector.FromPrefix("0.0.0.0/0")];

    /// <summary>The peer's traffic.</summary>
    public ImmutableArray<TrafficSelector> RemoteTrafficSelectors { get; init; } = [TrafficSelector.FromPrefix("0.0.0.0/0")];

    /// <summary>First retransmission timeout of a request (RFC 7296 §2.1); doubles each time.</summary>
    public TimeSpan RetransmitTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Retransmissions before the peer is declared dead and the IKE SA closed.</summary>
    public int RetransmitTries { get; init; } = 5;

    /// <summary>Idle time after which a liveness check (empty INFORMATIONAL, §1.4) is sent; null: never.</summary>
    public TimeSpan? DpdDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Half-open responder SAs at or above which IKE_SA_INIT requests must carry a COOKIE (§2.6); 0 = always.</summary>
    public int CookieThreshold { get; init; } = 16;

    /// <summary>How long a responder keeps a half-open SA (IKE_SA_INIT answered, no IKE_AUTH yet).</summary>
    public TimeSpan HalfOpenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>IKE SA lifetime (AWS's phase 1 default: 8 h); it is rekeyed before, and deleted at the end if it was not.</summary>
    public TimeSpan? IkeSaLifetime { get; init; } = TimeSpan.FromSeconds(28800);

    /// <summary>Child SA lifetime (AWS's phase 2 default: 1 h); rekeyed before, deleted at the end if it was not.</summary>
    public TimeSpan? ChildSaLifetime { get; init; } = TimeSpan.FromSeconds(3600);

    /// <summary>How long before the end of a lifetime the rekey starts (AWS's <c>rekeyMarginTimeSeconds</c> default: 270 s).</summary>
    public TimeSpan RekeyMargin { get; init; } = TimeSpan.FromSeconds(270);

    /// <summary>
    /// Random extra margin as a fraction of <see cref="RekeyMargin"/> (AWS's rekey fuzz: 100 %), so that the two ends
    /// seldom start the same rekey at once; collisions are resolved anyway (§2.8.1). 0 makes the times exact.
    /// </summary>
    public double RekeyFuzz { get; init; } = 1.0;

    /// <summary>Encapsulate ESP in UDP and float IKE to 4500 even without a NAT (what kernel-libipsec peers do anyway).</summary>
    public bool ForceUdpEncapsulation { get; init; }
}
