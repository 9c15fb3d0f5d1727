using System.Net;
using NitroCard.Bgp.Session;
using NitroCard.Bgp.Tests.Session;
using NitroCard.Bgp.Wire;
using static NitroCard.Bgp.Tests.Session.SessionFixture;

namespace NitroCard.Bgp.Tests;

/// <summary>Two tunnels of one VPN connection, each with its session, merged into the propagated routes.</summary>
public sealed class PropagatedRoutesTests : IDisposable
{
    private static readonly IPAddress Tunnel2Peer = IPAddress.Parse("169.254.20.2");

    private readonly SessionFixture _tunnel1 = new SessionFixture().ToEstablished();
    private readonly SessionFixture _tunnel2 = new SessionFixture(o => o with { PeerAddress = Tunnel2Peer });
    private readonly PropagatedRoutes _routes = new();
    private readonly List<PropagatedRouteChange> _changes = [];

    public PropagatedRoutesTests()
    {
        _tunnel2.ToEstablished(OpenMessage.Create(CustomerAsn, 30, Tunnel2Peer));
        _routes.Attach(_tunnel1.Session);
        _routes.Attach(_tunnel2.Session);
        _routes.Changed += (_, c) => _changes.Add(c);
    }

    public void Dispose()
    {
        _tunnel1.Dispose();
        _tunnel2.Dispose();
    }

    [Fact]
    public void The_shorter_as_path_wins_and_the_other_tunnel_takes_over_when_it_goes()
    {
        _tunnel1.Connection.Deliver(new UpdateMessage([], CustomerPath(65000, 65000), [Site])); // prepended: the backup
        Assert.Equal(CustomerId, _routes.Routes[Site].Neighbor);
        _tunnel2.Connection.Deliver(new UpdateMessage([], CustomerPath() with { NextHop = Tunnel2Peer }, [Site]));
        Assert.Equal(Tunnel2Peer, _routes.Routes[Site].Neighbor);

        _tunnel2.Time.Advance(TimeSpan.FromSeconds(30)); // tunnel 2's hold timer expires
        Assert.Equal(BgpSessionState.Idle, _tunnel2.Session.State);
        Assert.Equal(CustomerId, _routes.Routes[Site].Neighbor);

        _tunnel1.Connection.Deliver(new UpdateMessage([Site], null, []));
        Assert.Empty(_routes.Routes);
        Assert.Equal([CustomerId, Tunnel2Peer, CustomerId, null], _changes.Select(c => c.Route?.Neighbor));
    }

    [Fact]
    public void With_equal_paths_the_lower_med_wins_then_the_lower_bgp_identifier()
    {
        _tunnel2.Connection.Deliver(new UpdateMessage([], CustomerPath() with { NextHop = Tunnel2Peer }, [Site]));
        _tunnel1.Connection.Deliver(new UpdateMessage([], CustomerPath(), [Site]));
        Assert.Equal(CustomerId, _routes.Routes[Site].Neighbor); // 169.254.10.2 < 169.254.20.2
        _tunnel1.Connection.Deliver(new UpdateMessage([], CustomerPath() with { MultiExitDisc = 200 }, [Site]));
        Assert.Equal(Tunnel2Peer, _routes.Routes[Site].Neighbor); // no MED is the lowest MED
    }

    [Fact]
    public void Origin_igp_beats_incomplete()
    {
        _tunnel1.Connection.Deliver(new UpdateMessage([], CustomerPath() with { Origin = BgpOrigin.Incomplete }, [Site]));
        _tunnel2.Connection.Deliver(new UpdateMessage([], CustomerPath() with { NextHop = Tunnel2Peer }, [Site]));
        Assert.Equal(Tunnel2Peer, _routes.Routes[Site].Neighbor);
    }
}
