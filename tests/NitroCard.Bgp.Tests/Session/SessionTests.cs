using System.Net;
using NitroCard.Bgp.Session;
using NitroCard.Bgp.Tests.Wire;
using NitroCard.Bgp.Wire;
using static NitroCard.Bgp.Tests.Session.SessionFixture;

namespace NitroCard.Bgp.Tests.Session;

public class SessionTests
{
    [Fact]
    public void A_passive_session_goes_Active_OpenSent_OpenConfirm_Established_and_advertises_the_vpc()
    {
        using var f = new SessionFixture();
        f.Session.Start();
        Assert.Equal(BgpSessionState.Active, f.Session.State);
        Assert.True(f.Session.AcceptConnection(f.Connection));
        var open = Assert.IsType<OpenMessage>(Assert.Single(f.Connection.Messages));
        Assert.Equal((64512u, (ushort)30, EdgeId), (open.Asn, open.HoldTime, open.BgpIdentifier));
        f.Connection.Deliver(OpenMessage.Create(CustomerAsn, 90, CustomerId));
        Assert.IsType<KeepaliveMessage>(f.Connection.Messages[1]);
        Assert.Equal((ushort)30, f.Session.NegotiatedHoldTime);
        f.Connection.Deliver(KeepaliveMessage.Instance);
        Assert.Equal([BgpSessionState.Active, BgpSessionState.OpenSent, BgpSessionState.OpenConfirm, BgpSessionState.Established], f.States);

        var update = f.Connection.Last<UpdateMessage>();
        Assert.Equal([Vpc], update.Nlri);
        Assert.Equal(BgpOrigin.Igp, update.Attributes!.Origin);
        Assert.Equal("64512", update.Attributes.AsPath!.ToString());
        Assert.Equal(IPAddress.Parse("169.254.10.1"), update.Attributes.NextHop); // our end of the tunnel
        Assert.Null(update.Attributes.LocalPref);
    }

    [Fact]
    public void Keepalives_go_every_third_of_the_hold_time_and_the_peers_keep_the_session_up()
    {
        using var f = new SessionFixture().ToEstablished();
        int before = f.Connection.Count<KeepaliveMessage>();
        for (int i = 1; i <= 9; i++)
        {
            f.Time.Advance(TimeSpan.FromSeconds(10));
            f.Connection.Deliver(KeepaliveMessage.Instance);
            Assert.Equal(before + i, f.Connection.Count<KeepaliveMessage>());
        }

        Assert.Equal(BgpSessionState.Established, f.Session.State);
    }

    [Fact]
    public void The_smaller_hold_time_wins_and_keepalives_follow_it()
    {
        using var f = new SessionFixture().ToEstablished(OpenMessage.Create(CustomerAsn, 9, CustomerId));
        Assert.Equal((ushort)9, f.Session.NegotiatedHoldTime);
        int before = f.Connection.Count<KeepaliveMessage>();
        f.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(before + 1, f.Connection.Count<KeepaliveMessage>());
        f.Time.Advance(TimeSpan.FromSeconds(6));
        f.AssertNotified(BgpErrorCode.HoldTimerExpired, 0);
    }

    [Fact]
    public void Hold_time_zero_means_no_keepalives_and_no_hold_timer()
    {
        using var f = new SessionFixture().ToEstablished(OpenMessage.Create(CustomerAsn, 0, CustomerId));
        int before = f.Connection.Count<KeepaliveMessage>();
        f.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(before, f.Connection.Count<KeepaliveMessage>());
        Assert.Equal(BgpSessionState.Established, f.Session.State);
    }

    [Fact]
    public void Hold_timer_expiry_sends_hold_timer_expired_goes_Idle_and_withdraws_every_route()
    {
        using var f = new SessionFixture().ToEstablished().Learn(Site);
        f.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(BgpSessionState.Established, f.Session.State);
        f.Time.Advance(TimeSpan.FromSeconds(1));
        f.AssertNotified(BgpErrorCode.HoldTimerExpired, 0);
        Assert.Equal(Site, Assert.Single(f.Withdrawn).Prefix);
        Assert.Empty(f.Session.Routes);
        var down = Assert.Single(f.Downs);
        Assert.Equal(BgpErrorCode.HoldTimerExpired, down.Sent!.Code);
    }

    [Fact]
    public void A_peer_that_never_sends_its_open_meets_the_four_minute_hold_timer()
    {
        using var f = new SessionFixture();
        f.Session.Start();
        f.Session.AcceptConnection(f.Connection);
        f.Time.Advance(TimeSpan.FromMinutes(4));
        f.AssertNotified(BgpErrorCode.HoldTimerExpired, 0);
    }

    [Fact]
    public void After_an_error_the_session_starts_again_by_itself_but_not_after_Stop()
    {
        using var f = new SessionFixture().ToEstablished();
        f.Connection.PeerCloses();
        Assert.Equal(BgpSessionState.Idle, f.Session.State);
        Assert.False(f.Session.AcceptConnection(new FakeConnection()), "Idle refuses connections");
        f.Time.Advance(f.Session.Options.IdleHoldTime);
        Assert.Equal(BgpSessionState.Active, f.Session.State);
        f.Session.Stop();
        f.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(BgpSessionState.Idle, f.Session.State);
    }

    [Fact]
    public void Stop_sends_cease_administrative_shutdown()
    {
        using var f = new SessionFixture().ToEstablished().Learn(Site);
        f.Session.Stop();
        f.AssertNotified(BgpErrorCode.Cease, CeaseSubcode.AdministrativeShutdown);
        Assert.Single(f.Withdrawn);
    }

    [Fact]
    public void A_peer_notification_ends_the_session_without_an_answer()
    {
        using var f = new SessionFixture().ToEstablished().Learn(Site);
        f.Connection.Deliver(new NotificationMessage(BgpErrorCode.Cease, CeaseSubcode.AdministrativeReset));
        Assert.Equal(BgpSessionState.Idle, f.Session.State);
        Assert.Equal(0, f.Connection.Count<NotificationMessage>());
        Assert.Equal(CeaseSubcode.AdministrativeReset, f.Session.LastNotificationReceived!.Subcode);
        Assert.Equal(CeaseSubcode.AdministrativeReset, Assert.Single(f.Downs).Received!.Subcode);
        Assert.Empty(f.Session.Routes);
    }

    [Fact]
    public void A_peer_with_another_as_is_a_bad_peer_as()
    {
        using var f = new SessionFixture();
        f.Session.Start();
        f.Session.AcceptConnection(f.Connection);
        f.Connection.Deliver(OpenMessage.Create(65001, 30, CustomerId));
        f.AssertNotified(BgpErrorCode.OpenMessage, OpenErrorSubcode.BadPeerAs);
    }

    [Theory]
    [InlineData("03 FDE8 001E A9FE0A02 00", OpenErrorSubcode.UnsupportedVersionNumber)]
    [InlineData("04 FDE8 0002 A9FE0A02 00", OpenErrorSubcode.UnacceptableHoldTime)]
    [InlineData("04 FDE8 001E 00000000 00", OpenErrorSubcode.BadBgpIdentifier)]
    [InlineData("04 FDE8 001E A9FE0A02 04 09 02 0000", OpenErrorSubcode.UnsupportedOptionalParameter)]
    [InlineData("04 FDE8 001E A9FE0A02 08 02 06 01 04 0002 0001", OpenErrorSubcode.UnsupportedCapability)] // IPv6 unicast only
    public void A_bad_open_gets_its_open_message_error(string body, byte subcode)
    {
        using var f = new SessionFixture();
        f.Session.Start();
        f.Session.AcceptConnection(f.Connection);
        f.Connection.Deliver(Bytes.Message(BgpMessageType.Open, Bytes.Hex(body)));
        f.AssertNotified(BgpErrorCode.OpenMessage, subcode);
        Assert.Equal(1, f.Session.Counters.ProtocolErrors);
    }

    [Fact]
    public void A_bad_marker_is_a_header_error()
    {
        using var f = new SessionFixture().ToEstablished();
        byte[] wire = BgpCodec.Encode(KeepaliveMessage.Instance);
        wire[0] = 0;
        f.Connection.Deliver(wire);
        f.AssertNotified(BgpErrorCode.MessageHeader, HeaderErrorSubcode.ConnectionNotSynchronized);
    }

    [Fact]
    public void Messages_out_of_turn_are_fsm_errors()
    {
        using (var f = new SessionFixture())
        {
            f.Session.Start();
            f.Session.AcceptConnection(f.Connection);
            f.Connection.Deliver(KeepaliveMessage.Instance);
            f.AssertNotified(BgpErrorCode.FiniteStateMachine, FsmErrorSubcode.UnexpectedInOpenSent);
        }

        using (var f = new SessionFixture().ToOpenConfirm())
        {
            f.Connection.Deliver(new UpdateMessage([], CustomerPath(), [Site]));
            f.AssertNotified(BgpErrorCode.FiniteStateMachine, FsmErrorSubcode.UnexpectedInOpenConfirm);
        }

        using (var f = new SessionFixture().ToEstablished())
        {
            f.Connection.Deliver(OpenMessage.Create(CustomerAsn, 30, CustomerId));
            f.AssertNotified(BgpErrorCode.FiniteStateMachine, FsmErrorSubcode.UnexpectedInEstablished);
        }
    }

    [Fact]
    public void Routes_are_learned_replaced_and_withdrawn_with_events()
    {
        using var f = new SessionFixture().ToEstablished();
        var other = IPNetwork.Parse("198.51.100.0/24");
        f.Connection.Deliver(new UpdateMessage([], CustomerPath() with { MultiExitDisc = 10, Communities = [(65000u << 16) | 7] }, [Site, other]));
        Assert.Equal(2, f.Learned.Count);
        Assert.Equal(10u, f.Session.Routes[Site].MultiExitDisc);
        f.Connection.Deliver(new UpdateMessage([], CustomerPath(65000, 65010), [Site]));
        Assert.Equal(3, f.Learned.Count);
        Assert.Equal("65000 65010", f.Session.Routes[Site].AsPath!.ToString());
        f.Connection.Deliver(new UpdateMessage([Site], null, []));
        Assert.Equal(Site, Assert.Single(f.Withdrawn).Prefix);
        Assert.Equal([other], f.Session.Routes.Keys);
    }

    [Fact]
    public void Local_pref_from_an_external_peer_is_ignored()
    {
        using var f = new SessionFixture().ToEstablished();
        f.Connection.Deliver(new UpdateMessage([], CustomerPath() with { LocalPref = 500 }, [Site]));
        Assert.Null(f.Session.Routes[Site].LocalPref);
    }

    [Fact]
    public void A_path_with_our_own_as_is_ignored_as_a_loop()
    {
        using var f = new SessionFixture().ToEstablished();
        f.Connection.Deliver(new UpdateMessage([], CustomerPath(65000, 64512), [Site]));
        Assert.Empty(f.Session.Routes);
        Assert.Equal(1, f.Session.Counters.RoutesIgnored);
    }

    public static TheoryData<string, byte[], byte> UpdateErrors => new()
    {
        { "missing NEXT_HOP", [.. Bytes.Origin(), .. Bytes.AsPath4(CustomerAsn)], UpdateErrorSubcode.MissingWellKnownAttribute },
        { "NEXT_HOP 0.0.0.0", [.. Bytes.Origin(), .. Bytes.AsPath4(CustomerAsn), .. Bytes.NextHop("0.0.0.0")], UpdateErrorSubcode.InvalidNextHopAttribute },
        { "AS_PATH of another AS", [.. Bytes.Origin(), .. Bytes.AsPath4(65001), .. Bytes.NextHop("169.254.10.2")], UpdateErrorSubcode.MalformedAsPath },
        { "AS_PATH truncated", [.. Bytes.Origin(), 0x40, 2, 4, 2, 1, 0, 0, .. Bytes.NextHop("169.254.10.2")], UpdateErrorSubcode.MalformedAsPath },
        { "ORIGIN 9", [.. Bytes.Origin(9), .. Bytes.AsPath4(CustomerAsn), .. Bytes.NextHop("169.254.10.2")], UpdateErrorSubcode.InvalidOriginAttribute },
        { "attribute overrun", [.. Bytes.Origin(), .. Bytes.AsPath4(CustomerAsn), 0x40, 3, 9, 1, 2, 3, 4], UpdateErrorSubcode.MalformedAttributeList },
    };

    [Theory]
    [MemberData(nameof(UpdateErrors))]
    public void Under_rfc_4271_alone_an_update_error_is_its_notification(string what, byte[] attributes, byte subcode)
    {
        using var f = new SessionFixture(o => o with { RevisedErrorHandling = false }).ToEstablished().Learn(Site);
        f.Connection.Deliver(Bytes.Update(attributes));
        f.AssertNotified(BgpErrorCode.UpdateMessage, subcode);
        Assert.True(f.Session.Counters.ProtocolErrors >= 1, what);
        Assert.Empty(f.Session.Routes);
    }

    [Theory]
    [MemberData(nameof(UpdateErrors))]
    public void Under_rfc_7606_an_attribute_error_withdraws_the_updates_routes_and_the_session_stays(string what, byte[] attributes, byte subcode)
    {
        using var f = new SessionFixture().ToEstablished().Learn(Site).Learn(IPNetwork.Parse("198.51.100.0/24"));
        f.Connection.Deliver(Bytes.Update(attributes));
        Assert.True(BgpSessionState.Established == f.Session.State, what);
        Assert.Equal([IPNetwork.Parse("198.51.100.0/24")], f.Session.Routes.Keys);
        Assert.Equal(1, f.Session.Counters.TreatedAsWithdraw);
        Assert.Contains($"/{subcode}:", f.Session.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_without_a_route_to_withdraw_still_reset_under_rfc_7606()
    {
        using var f = new SessionFixture().ToEstablished();
        f.Connection.Deliver(Bytes.Update(Bytes.ValidAttributes, nlri: [40, 1, 2, 3, 4, 5]));
        f.AssertNotified(BgpErrorCode.UpdateMessage, UpdateErrorSubcode.InvalidNetworkField);
    }

    [Fact]
    public void A_discarded_attribute_keeps_the_route()
    {
        using var f = new SessionFixture().ToEstablished();
        f.Connection.Deliver(Bytes.Update([.. Bytes.Origin(), .. Bytes.AsPath4(CustomerAsn), .. Bytes.NextHop("169.254.10.2"), 0x40, 6, 1, 0]));
        Assert.Contains(Site, f.Session.Routes.Keys);
        Assert.Equal(1, f.Session.Counters.AttributesDiscarded);
    }

    [Fact]
    public void Changing_the_advertised_set_sends_the_difference()
    {
        using var f = new SessionFixture().ToEstablished();
        var second = IPNetwork.Parse("10.1.0.0/16");
        int before = f.Connection.Count<UpdateMessage>();
        f.Session.SetAdvertised([second]);
        var updates = f.Connection.Messages.OfType<UpdateMessage>().Skip(before).ToList();
        Assert.Equal(2, updates.Count);
        Assert.Equal([Vpc], updates[0].Withdrawn);
        Assert.Equal([second], updates[1].Nlri);
        f.Session.SetAdvertised([second]);
        Assert.Equal(before + 2, f.Connection.Count<UpdateMessage>());
    }

    [Fact]
    public void A_route_refresh_sends_everything_again()
    {
        using var f = new SessionFixture().ToEstablished();
        int before = f.Connection.Count<UpdateMessage>();
        f.Connection.Deliver(RouteRefreshMessage.Ipv4Unicast);
        Assert.Equal(before + 1, f.Connection.Count<UpdateMessage>());
        Assert.Equal([Vpc], f.Connection.Last<UpdateMessage>().Nlri);
    }

    [Fact]
    public void Toward_a_two_octet_peer_a_four_octet_asn_goes_as_AS_TRANS_with_AS4_PATH()
    {
        using var f = new SessionFixture(o => o with { LocalAsn = 4_200_000_000 });
        f.Session.Start();
        f.Session.AcceptConnection(f.Connection);
        Assert.Equal(OpenMessage.AsTrans, f.Connection.Last<OpenMessage>().MyAutonomousSystem);
        f.Connection.Deliver(new OpenMessage(4, (ushort)CustomerAsn, 30, CustomerId, []));
        f.Connection.FourOctetAs = false;
        f.Connection.Deliver(KeepaliveMessage.Instance);
        Assert.False(f.Session.FourOctetAs);
        byte[] raw = f.Connection.Sent.Last();
        Assert.True(raw.AsSpan().IndexOf(Bytes.Hex("40 02 04 02 01 5BA0")) > 0, "AS_PATH is AS_TRANS");
        Assert.Equal("4200000000", f.Connection.Last<UpdateMessage>().Attributes!.AsPath!.ToString());

        f.Connection.Deliver(new UpdateMessage([], CustomerPath(), [Site]));
        Assert.Equal("65000", f.Session.Routes[Site].AsPath!.ToString());
    }

    [Fact]
    public void An_internal_peer_gets_an_empty_path_and_local_pref()
    {
        using var f = new SessionFixture(o => o with { PeerAsn = 64512 });
        f.ToEstablished(OpenMessage.Create(64512, 30, CustomerId));
        var update = f.Connection.Last<UpdateMessage>();
        Assert.Empty(update.Attributes!.AsPath!.Segments);
        Assert.Equal(100u, update.Attributes.LocalPref);
    }

    [Fact]
    public void Random_bytes_from_the_peer_only_ever_cost_the_session()
    {
        var random = new Random(6793);
        for (int i = 0; i < 2000; i++)
        {
            using var f = new SessionFixture().ToEstablished();
            byte[] body = new byte[random.Next(0, 60)];
            random.NextBytes(body);
            f.Connection.Deliver(Bytes.Message((byte)random.Next(1, 7), body));
            Assert.True(f.Session.State is BgpSessionState.Established or BgpSessionState.Idle);
        }
    }

    [Fact]
    public void One_prefix_over_the_limit_is_cease_maximum_prefixes_with_the_limit_as_data()
    {
        using var f = new SessionFixture(o => o with { MaxPrefixes = 2 }).ToEstablished();
        f.Connection.Deliver(new UpdateMessage([], CustomerPath(), [Site, IPNetwork.Parse("198.51.100.0/24")]));
        f.Connection.Deliver(new UpdateMessage([], CustomerPath(65000, 65001), [Site])); // a replacement is not one more
        Assert.Equal(BgpSessionState.Established, f.Session.State);
        f.Connection.Deliver(new UpdateMessage([], CustomerPath(), [IPNetwork.Parse("203.0.113.0/24")]));
        f.AssertNotified(BgpErrorCode.Cease, CeaseSubcode.MaximumPrefixes);
        Assert.Equal(Bytes.Hex("0001 01 00000002"), f.Connection.Last<NotificationMessage>().Data.ToArray());
        Assert.Empty(f.Session.Routes);
    }
}
