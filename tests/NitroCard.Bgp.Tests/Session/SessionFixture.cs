using System.Net;
using Microsoft.Extensions.Time.Testing;
using NitroCard.Bgp.Session;
using NitroCard.Bgp.Wire;

namespace NitroCard.Bgp.Tests.Session;

/// <summary>A session on a fake clock, with the events it raised.</summary>
internal sealed class SessionFixture : IDisposable
{
    public static readonly IPAddress EdgeId = IPAddress.Parse("169.254.10.1");
    public static readonly IPAddress CustomerId = IPAddress.Parse("169.254.10.2");
    public static readonly IPNetwork Vpc = IPNetwork.Parse("10.0.0.0/16");
    public static readonly IPNetwork Site = IPNetwork.Parse("192.0.2.0/24");
    public const uint CustomerAsn = 65000;

    public SessionFixture(Func<BgpSessionOptions, BgpSessionOptions>? configure = null, Func<CancellationToken, Task<IBgpConnection>>? connector = null)
    {
        var options = new BgpSessionOptions { PeerAddress = CustomerId, PeerAsn = CustomerAsn, RouterId = EdgeId, Passive = connector is null };
        Session = new BgpSession(configure?.Invoke(options) ?? options, Time, connector);
        Session.StateChanged += (_, e) => States.Add(e.New);
        Session.RouteLearned += (_, e) => Learned.Add(e);
        Session.RouteWithdrawn += (_, e) => Withdrawn.Add(e);
        Session.SessionDown += (_, e) => Downs.Add(e);
        Session.SetAdvertised([Vpc]);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));

    public BgpSession Session { get; }

    public FakeConnection Connection { get; } = new();

    public List<BgpSessionState> States { get; } = [];

    public List<BgpRoute> Learned { get; } = [];

    public List<BgpRoute> Withdrawn { get; } = [];

    public List<BgpSessionDown> Downs { get; } = [];

    public static PathAttributes CustomerPath(params uint[] path) => new()
    {
        Origin = BgpOrigin.Igp,
        AsPath = AsPath.Sequence(path.Length == 0 ? [CustomerAsn] : path),
        NextHop = CustomerId,
    };

    /// <summary>Start, accept the connection, exchange OPENs.</summary>
    public SessionFixture ToOpenConfirm(OpenMessage? peerOpen = null)
    {
        Session.Start();
        Assert.True(Session.AcceptConnection(Connection));
        Connection.Deliver(peerOpen ?? OpenMessage.Create(CustomerAsn, 30, CustomerId));
        Assert.Equal(BgpSessionState.OpenConfirm, Session.State);
        return this;
    }

    public SessionFixture ToEstablished(OpenMessage? peerOpen = null)
    {
        ToOpenConfirm(peerOpen);
        Connection.Deliver(KeepaliveMessage.Instance);
        Assert.Equal(BgpSessionState.Established, Session.State);
        return this;
    }

    public SessionFixture Learn(IPNetwork prefix)
    {
        Connection.Deliver(new UpdateMessage([], CustomerPath(), [prefix]));
        Assert.Contains(prefix, Session.Routes.Keys);
        return this;
    }

    public void AssertNotified(BgpErrorCode code, byte subcode)
    {
        var notification = Connection.Last<NotificationMessage>();
        Assert.Equal((code, subcode), (notification.Code, notification.Subcode));
        Assert.True(Connection.Closed, "the connection is closed after the NOTIFICATION");
        Assert.Equal(BgpSessionState.Idle, Session.State);
    }

    public void Dispose() => Session.Dispose();
}
