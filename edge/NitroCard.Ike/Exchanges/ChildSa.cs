using System.Collections.Immutable;
using System.Net;
using NitroCard.Ike.Crypto;

namespace NitroCard.Ike.Exchanges;

/// <summary>Life of a child SA.</summary>
public enum ChildSaState
{
    /// <summary>Keys installed, carrying traffic.</summary>
    Installed,

    /// <summary>A CREATE_CHILD_SA rekeying it is outstanding.</summary>
    Rekeying,

    /// <summary>Replaced by a new child SA; still accepts inbound packets until deleted (§2.8).</summary>
    Rekeyed,

    /// <summary>Gone.</summary>
    Deleted,
}

/// <summary>
/// An ESP SA pair negotiated by IKE: everything the edge's ESP needs. For AES-GCM the encryption keys are the AES key
/// followed by the 4-byte salt — exactly what <c>EspSecurityAssociation(spi, keyWithSalt)</c> takes (outbound with
/// <see cref="OutboundSpi"/>, inbound with <see cref="InboundSpi"/>).
/// </summary>
public sealed class ChildSa
{
    internal ChildSa(uint inboundSpi, uint outboundSpi, ChildSuite suite, byte[] inboundKey, byte[] inboundIntegrityKey, byte[] outboundKey, byte[] outboundIntegrityKey,
        ImmutableArray<Wire.TrafficSelector> local, ImmutableArray<Wire.TrafficSelector> remote, bool udp, IPEndPoint localEndpoint, IPEndPoint remoteEndpoint,
        byte[] ni, byte[] nr, bool weInitiated)
    {
        InboundSpi = inboundSpi;
        OutboundSpi = outboundSpi;
        Suite = suite;
        InboundEncryptionKey = inboundKey;
        InboundIntegrityKey = inboundIntegrityKey;
        OutboundEncryptionKey = outboundKey;
        OutboundIntegrityKey = outboundIntegrityKey;
        LocalTrafficSelectors = local;
        RemoteTrafficSelectors = remote;
        UdpEncapsulation = udp;
        LocalEndpoint = localEndpoint;
        RemoteEndpoint = remoteEndpoint;
        Ni = ni;
        Nr = nr;
        WeInitiated = weInitiated;
    }

    /// <summary>The SPI the peer puts on ESP to us (we chose it).</summary>
    public uint InboundSpi { get; }

    /// <summary>The SPI we put on ESP to the peer.</summary>
    public uint OutboundSpi { get; }

    public ChildSuite Suite { get; }

    public byte[] InboundEncryptionKey { get; }

    public byte[] InboundIntegrityKey { get; }

    public byte[] OutboundEncryptionKey { get; }

    public byte[] OutboundIntegrityKey { get; }

    /// <summary>Narrowed selectors of our side.</summary>
    public ImmutableArray<Wire.TrafficSelector> LocalTrafficSelectors { get; }

    /// <summary>Narrowed selectors of the peer's side.</summary>
    public ImmutableArray<Wire.TrafficSelector> RemoteTrafficSelectors { get; }

    /// <summary>ESP goes in UDP 4500 (RFC 3948) between <see cref="LocalEndpoint"/> and <see cref="RemoteEndpoint"/>.</summary>
    public bool UdpEncapsulation { get; }

    public IPEndPoint LocalEndpoint { get; }

    public IPEndPoint RemoteEndpoint { get; }

    public ChildSaState State { get; internal set; }

    /// <summary>When it was installed (lifetimes count from here).</summary>
    public DateTimeOffset InstalledAt { get; internal set; }

    /// <summary>When a rekey is due (installation + lifetime − margin − fuzz); null without a lifetime.</summary>
    internal DateTimeOffset? RekeyAt { get; set; }

    /// <summary>The hard end of its lifetime; null without one.</summary>
    internal DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>The nonces of the exchange that created it (for §2.8.1 collision resolution).</summary>
    internal byte[] Ni { get; }

    internal byte[] Nr { get; }

    /// <summary>True when we initiated the exchange that created it.</summary>
    internal bool WeInitiated { get; }

    /// <summary>While rekeying: the child the peer's colliding rekey created here (we answered it).</summary>
    internal ChildSa? CollidingPeerRekey { get; set; }

    public override string ToString() => $"ESP {Suite} in {InboundSpi:x8} out {OutboundSpi:x8} {string.Join(',', LocalTrafficSelectors)} === {string.Join(',', RemoteTrafficSelectors)}{(UdpEncapsulation ? " UDP" : "")}";
}
