using System.Net;
using NitroCard.Bgp.Session;
using NitroCard.Bgp.Wire;
using static NitroCard.Bgp.Tests.Session.SessionFixture;

namespace NitroCard.Bgp.Tests.Session;

public class ConnectAndCollisionTests
{
    private readonly Queue<TaskCompletionSource<IBgpConnection>> _attempts = new();

    private Task<IBgpConnection> Connect(CancellationToken cancellationToken)
    {
        var attempt = new TaskCompletionSource<IBgpConnection>();
        _attempts.Enqueue(attempt);
        return attempt.Task;
    }

    [Fact]
    public void An_active_session_connects_retries_on_the_connect_retry_timer_and_sends_open()
    {
        using var f = new SessionFixture(connector: Connect);
        f.Session.Start();
        Assert.Equal(BgpSessionState.Connect, f.Session.State);
        _attempts.Dequeue().SetException(new IOException("refused"));
        Assert.Equal(BgpSessionState.Active, f.Session.State);
        f.Time.Advance(f.Session.Options.ConnectRetryTime);
        Assert.Equal(BgpSessionState.Connect, f.Session.State);
        var outgoing = new FakeConnection();
        _attempts.Dequeue().SetResult(outgoing);
        Assert.Equal(BgpSessionState.OpenSent, f.Session.State);
        Assert.IsType<OpenMessage>(Assert.Single(outgoing.Messages));
    }

    [Fact]
    public void A_connect_attempt_that_hangs_is_tried_again_when_connect_retry_expires()
    {
        using var f = new SessionFixture(connector: Connect);
        f.Session.Start();
        var first = _attempts.Dequeue();
        f.Time.Advance(f.Session.Options.ConnectRetryTime);
        Assert.Single(_attempts);
        var late = new FakeConnection();
        first.SetResult(late); // the abandoned attempt completes after all
        Assert.True(late.Closed);
        Assert.Equal(BgpSessionState.Connect, f.Session.State);
    }

    [Fact]
    public void The_peers_connection_while_connecting_is_taken_and_the_attempt_dropped()
    {
        using var f = new SessionFixture(connector: Connect);
        f.Session.Start();
        Assert.True(f.Session.AcceptConnection(f.Connection));
        Assert.Equal(BgpSessionState.OpenSent, f.Session.State);
        var late = new FakeConnection();
        _attempts.Dequeue().SetResult(late);
        Assert.True(late.Closed);
    }

    [Theory]
    [InlineData("169.254.10.9", true)]  // peer's identifier higher: keep the connection the peer opened
    [InlineData("169.254.10.0", false)] // ours higher: keep the one we opened
    public void A_collision_keeps_the_connection_of_the_higher_bgp_identifier(string peerId, bool keepInbound)
    {
        using var f = new SessionFixture(connector: Connect);
        f.Session.Start();
        var outgoing = new FakeConnection("169.254.10.1:40001", "169.254.10.2:179");
        _attempts.Dequeue().SetResult(outgoing);
        var incoming = new FakeConnection("169.254.10.1:179", "169.254.10.2:40002");
        Assert.True(f.Session.AcceptConnection(incoming));
        Assert.IsType<OpenMessage>(Assert.Single(incoming.Messages));

        var peerOpen = OpenMessage.Create(CustomerAsn, 30, IPAddress.Parse(peerId));
        outgoing.Deliver(peerOpen);
        incoming.Deliver(peerOpen);

        var (kept, dropped) = keepInbound ? (incoming, outgoing) : (outgoing, incoming);
        Assert.True(dropped.Closed);
        var cease = dropped.Last<NotificationMessage>();
        Assert.Equal((BgpErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution), (cease.Code, cease.Subcode));
        Assert.False(kept.Closed);
        Assert.Equal(BgpSessionState.OpenConfirm, f.Session.State);
        kept.Deliver(KeepaliveMessage.Instance);
        Assert.Equal(BgpSessionState.Established, f.Session.State);
        Assert.Equal(1, f.Session.Counters.CollisionsResolved);
    }

    [Fact]
    public void The_second_connection_establishing_first_wins()
    {
        using var f = new SessionFixture(connector: Connect);
        f.Session.Start();
        var outgoing = new FakeConnection();
        _attempts.Dequeue().SetResult(outgoing);
        var incoming = new FakeConnection();
        f.Session.AcceptConnection(incoming);
        incoming.Deliver(OpenMessage.Create(CustomerAsn, 30, CustomerId));
        incoming.Deliver(KeepaliveMessage.Instance);
        Assert.Equal(BgpSessionState.Established, f.Session.State);
        Assert.True(outgoing.Closed);
        Assert.False(incoming.Closed);
    }

    [Fact]
    public void A_connection_while_established_is_refused_with_cease_collision()
    {
        using var f = new SessionFixture().ToEstablished();
        var another = new FakeConnection();
        Assert.False(f.Session.AcceptConnection(another));
        Assert.True(another.Closed);
        Assert.Equal(CeaseSubcode.ConnectionCollisionResolution, another.Last<NotificationMessage>().Subcode);
        Assert.Equal(BgpSessionState.Established, f.Session.State);
    }

    [Fact]
    public void A_connection_to_a_session_not_started_is_refused_with_cease_connection_rejected()
    {
        using var f = new SessionFixture();
        Assert.False(f.Session.AcceptConnection(f.Connection));
        Assert.Equal(CeaseSubcode.ConnectionRejected, f.Connection.Last<NotificationMessage>().Subcode);
    }

    [Fact]
    public void The_peer_closing_in_OpenSent_goes_Active_to_wait_again()
    {
        using var f = new SessionFixture();
        f.Session.Start();
        f.Session.AcceptConnection(f.Connection);
        f.Connection.PeerCloses();
        Assert.Equal(BgpSessionState.Active, f.Session.State);
    }
}
