using System.Collections.Immutable;
using System.Net;
using System.Text;
using NitroCard.Ike.Exchanges;

namespace NitroCard.Ike.Tests;

/// <summary>A clock the test moves.</summary>
internal sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>
/// Two IKE endpoints on an in-process wire: datagrams queue in order and are delivered by <see cref="Pump"/>.
/// Optionally a NAT rewrites the initiator's address and port, and a filter drops datagrams.
/// </summary>
internal sealed class Pair : IDisposable
{
    public static readonly IPEndPoint AddressA = new(IPAddress.Parse("198.51.100.1"), 500);
    public static readonly IPEndPoint AddressB = new(IPAddress.Parse("198.51.100.2"), 500);
    private static readonly IPAddress NatOutside = IPAddress.Parse("203.0.113.7");

    private readonly Queue<(bool FromA, IkeDatagram Datagram)> _wire = new();

    public Pair(IkeConfig? a = null, IkeConfig? b = null, bool nat = false)
    {
        Nat = nat;
        A = new IkeEndpoint(a ?? Config("a"), AddressA, Time, d => _wire.Enqueue((true, d)), Events.Add);
        B = new IkeEndpoint(b ?? Config("b"), AddressB, Time, d => _wire.Enqueue((false, d)), Events.Add);
    }

    public ManualTime Time { get; } = new();

    public IkeEndpoint A { get; }

    public IkeEndpoint B { get; }

    public bool Nat { get; }

    public List<IkeEvent> Events { get; } = [];

    /// <summary>Datagrams delivered, in order (from A?, the IKE message).</summary>
    public List<(bool FromA, IkeDatagram Datagram)> Delivered { get; } = [];

    /// <summary>Return true to drop a datagram (from A?, datagram).</summary>
    public Func<bool, IkeDatagram, bool>? Drop { get; set; }

    public static IkeConfig Config(string who, string psk = "correct horse battery staple") => new()
    {
        PreSharedKey = [.. Encoding.ASCII.GetBytes(psk)],
        LocalId = IkeIdentity.Fqdn(who + ".example"),
        DpdDelay = null,
        IkeSaLifetime = null,
        ChildSaLifetime = null,
    };

    /// <summary>Delivers queued datagrams (and the ones they cause) until the wire is quiet.</summary>
    public int Pump(int max = 200)
    {
        var n = 0;
        while (_wire.Count > 0 && n++ < max)
        {
            var (fromA, d) = _wire.Dequeue();
            if (Drop?.Invoke(fromA, d) == true)
                continue;
            Delivered.Add((fromA, d));
            if (fromA)
            {
                // A's datagram arrives at B; behind a NAT its source becomes NatOutside:port+1000.
                var source = Nat ? new IPEndPoint(NatOutside, d.Local.Port + 1000) : d.Local;
                B.Receive(new IkeDatagram(d.Remote, source, d.Message));
            }
            else
            {
                var destination = Nat ? new IPEndPoint(AddressA.Address, d.Remote.Port - 1000) : d.Remote;
                A.Receive(new IkeDatagram(destination, d.Local, d.Message));
            }
        }
        return n;
    }

    public (IkeSa A, IkeSa B) Establish()
    {
        var sa = A.Initiate(Nat ? new IPEndPoint(AddressB.Address, 500) : AddressB);
        Pump();
        Assert.Equal(IkeSaState.Established, sa.State);
        var b = Assert.Single(B.Sas);
        Assert.Equal(IkeSaState.Established, b.State);
        return (sa, b);
    }

    public static void AssertMirrored(ChildSa a, ChildSa b)
    {
        Assert.Equal(a.InboundSpi, b.OutboundSpi);
        Assert.Equal(a.OutboundSpi, b.InboundSpi);
        Assert.Equal(a.Suite, b.Suite);
        Assert.Equal(a.OutboundEncryptionKey, b.InboundEncryptionKey);
        Assert.Equal(a.InboundEncryptionKey, b.OutboundEncryptionKey);
        Assert.Equal(a.OutboundIntegrityKey, b.InboundIntegrityKey);
        Assert.Equal(a.InboundIntegrityKey, b.OutboundIntegrityKey);
        Assert.NotEqual(a.InboundEncryptionKey, a.OutboundEncryptionKey);
        Assert.Equal(a.LocalTrafficSelectors.ToArray(), b.RemoteTrafficSelectors.ToArray());
        Assert.Equal(a.RemoteTrafficSelectors.ToArray(), b.LocalTrafficSelectors.ToArray());
        Assert.Equal(ChildSaState.Installed, a.State);
        Assert.Equal(ChildSaState.Installed, b.State);
    }

    public static ImmutableArray<Wire.TrafficSelector> Ts(params string[] prefixes) => [.. prefixes.Select(Wire.TrafficSelector.FromPrefix)];

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
