using NitroCard.Ike.Crypto;
using NitroCard.Ike.Exchanges;
using NitroCard.Ike.Wire;

namespace NitroCard.Ike.Tests;

public class ExchangeTests
{
    [Fact]
    public void Sa_init_and_auth_establish_the_ike_sa_and_the_first_child()
    {
        using var pair = new Pair();
        var (a, b) = pair.Establish();
        Assert.Equal(4, pair.Delivered.Count); // IKE_SA_INIT and IKE_AUTH, two messages each
        Assert.Equal(a.SpiI, b.SpiI);
        Assert.Equal(a.SpiR, b.SpiR);
        Assert.Equal(IkeSuite.Gcm256Sha256Ecp256, a.Suite);
        Assert.Equal("b.example", System.Text.Encoding.ASCII.GetString(a.PeerId!.Data.Span));
        Assert.Equal("a.example", System.Text.Encoding.ASCII.GetString(b.PeerId!.Data.Span));
        Pair.AssertMirrored(Assert.Single(a.ChildSas), Assert.Single(b.ChildSas));
        var child = a.ChildSas[0];
        Assert.Equal(36, child.OutboundEncryptionKey.Length); // what EspSecurityAssociation takes: 32-byte key + salt
        Assert.False(child.UdpEncapsulation);
        Assert.False(a.NatLocal || a.NatRemote || b.NatLocal || b.NatRemote);
        Assert.Equal(500, a.Local.Port);
        Assert.Contains(pair.Events, e => e.Kind == IkeEventKind.ChildSaInstalled && ReferenceEquals(e.Sa, b));
        Assert.Equal(0, pair.B.HalfOpenCount);
    }

    public static TheoryData<string> SuiteNames() => [.. Suites.Keys];

    private static readonly Dictionary<string, (IkeSuite Ike, ChildSuite Child)> Suites = new()
    {
        ["gcm128-sha256-ecp256"] = (new IkeSuite(EncryptionId.AesGcm16, 128, PrfId.HmacSha256, IntegrityId.None, 19), ChildSuite.Gcm128),
        ["gcm256-sha384-ecp384"] = (new IkeSuite(EncryptionId.AesGcm16, 256, PrfId.HmacSha384, IntegrityId.None, 20), ChildSuite.Gcm256),
        ["gcm256-sha512-ecp521"] = (new IkeSuite(EncryptionId.AesGcm16, 256, PrfId.HmacSha512, IntegrityId.None, 21), ChildSuite.Gcm256),
        ["cbc256-sha256-modp2048"] = (IkeSuite.Cbc256Sha256Modp2048, new ChildSuite(EncryptionId.AesCbc, 256, IntegrityId.HmacSha256_128)),
        ["cbc128-sha384-modp3072"] = (new IkeSuite(EncryptionId.AesCbc, 128, PrfId.HmacSha384, IntegrityId.HmacSha384_192, 15), new ChildSuite(EncryptionId.AesCbc, 128, IntegrityId.HmacSha384_192)),
        ["cbc256-sha512-modp1024"] = (new IkeSuite(EncryptionId.AesCbc, 256, PrfId.HmacSha512, IntegrityId.HmacSha512_256, 2), new ChildSuite(EncryptionId.AesCbc, 256, IntegrityId.HmacSha512_256)),
    };

    [Theory]
    [MemberData(nameof(SuiteNames))]
    public void Every_suite_establishes(string name)
    {
        var (ike, child) = Suites[name];
        var a = Pair.Config("a") with { IkeProposals = [ike], ChildProposals = [child] };
        var b = Pair.Config("b") with { IkeProposals = [IkeSuite.Gcm256Sha256Ecp256, ike], ChildProposals = [ChildSuite.Gcm256, child] };
        using var pair = new Pair(a, b);
        var (sa, peer) = pair.Establish();
        Assert.Equal(ike, sa.Suite);
        Assert.Equal(ike, peer.Suite);
        Pair.AssertMirrored(Assert.Single(sa.ChildSas), Assert.Single(peer.ChildSas));
        Assert.Equal(child, sa.ChildSas[0].Suite);
    }

    [Fact]
    public void Responder_picks_the_first_initiator_proposal_it_accepts()
    {
        var a = Pair.Config("a") with { IkeProposals = [IkeSuite.Cbc256Sha256Modp2048, IkeSuite.Gcm256Sha256Ecp256] };
        var b = Pair.Config("b") with { IkeProposals = [IkeSuite.Gcm256Sha256Ecp256, IkeSuite.Cbc256Sha256Modp2048] };
        using var pair = new Pair(a, b);
        var (sa, _) = pair.Establish();
        Assert.Equal(IkeSuite.Cbc256Sha256Modp2048, sa.Suite);
    }

    [Fact]
    public void Wrong_psk_fails_with_authentication_failed()
    {
        using var pair = new Pair(Pair.Config("a", "wrong"), Pair.Config("b"));
        var sa = pair.A.Initiate(Pair.AddressB);
        pair.Pump();
        Assert.Equal(IkeSaState.Failed, sa.State);
        Assert.Equal(NotifyType.AuthenticationFailed, sa.FailureNotify);
        Assert.Empty(pair.A.Sas);
        Assert.Empty(pair.B.Sas);
        Assert.Equal(1, pair.B.Counters["auth.failed"]);
        Assert.Contains(pair.Events, e => e.Kind == IkeEventKind.Failed && e.Notify == NotifyType.AuthenticationFailed && pair.B.Sas.Count == 0);
        Assert.DoesNotContain(pair.Events, e => e.Kind == IkeEventKind.ChildSaInstalled);
    }

    [Fact]
    public void Wrong_remote_identity_fails_with_authentication_failed()
    {
        var b = Pair.Config("b") with { RemoteId = IkeIdentity.Fqdn("someone-else.example") };
        using var pair = new Pair(Pair.Config("a"), b);
        var sa = pair.A.Initiate(Pair.AddressB);
        pair.Pump();
        Assert.Equal(NotifyType.AuthenticationFailed, sa.FailureNotify);
    }

    [Fact]
    public void Initiator_checks_the_responder_identity()
    {
        using var good = new Pair(Pair.Config("a") with { RemoteId = IkeIdentity.Fqdn("b.example") }, Pair.Config("b"));
        good.Establish();
        using var pair = new Pair(Pair.Config("a") with { RemoteId = IkeIdentity.Fqdn("not-b.example") }, Pair.Config("b"));
        var sa = pair.A.Initiate(Pair.AddressB);
        pair.Pump();
        Assert.Equal(IkeSaState.Failed, sa.State);
        Assert.Equal(NotifyType.AuthenticationFailed, sa.FailureNotify);
    }

    [Fact]
    public void No_common_ike_proposal_gives_no_proposal_chosen()
    {
        var a = Pair.Config("a") with { IkeProposals = [IkeSuite.Cbc256Sha256Modp2048] };
        using var pair = new Pair(a, Pair.Config("b"));
        var sa = pair.A.Initiate(Pair.AddressB);
        pair.Pump();
        Assert.Equal(IkeSaState.Failed, sa.State);
        Assert.Equal(NotifyType.NoProposalChosen, sa.FailureNotify);
        Assert.Empty(pair.B.Sas);
        Assert.Equal(1, pair.B.Counters["init.no-proposal-chosen"]);
    }

    [Fact]
    public void No_common_child_proposal_keeps_the_ike_sa_and_reports_no_proposal_chosen()
    {
        var a = Pair.Config("a") with { ChildProposals = [new ChildSuite(EncryptionId.AesCbc, 128, IntegrityId.HmacSha256_128)] };
        using var pair = new Pair(a, Pair.Config("b"));
        var (sa, b) = pair.Establish();
        Assert.Empty(sa.ChildSas);
        Assert.Empty(b.ChildSas);
        Assert.Contains(pair.Events, e => e.Kind == IkeEventKind.Failed && e.Notify == NotifyType.NoProposalChosen && ReferenceEquals(e.Sa, sa));
    }

    [Fact]
    public void Wrong_ke_group_gets_invalid_ke_payload_then_succeeds_with_the_named_group()
    {
        var ecp384 = new IkeSuite(EncryptionId.AesGcm16, 256, PrfId.HmacSha256, IntegrityId.None, 20);
        var a = Pair.Config("a") with { IkeProposals = [IkeSuite.Gcm256Sha256Ecp256, ecp384] };
        var b = Pair.Config("b") with { IkeProposals = [ecp384] };
        using var pair = new Pair(a, b);
        var (sa, _) = pair.Establish();
        Assert.Equal(ecp384, sa.Suite);
        Assert.Equal(1, pair.B.Counters["init.invalid-ke"]);
        Assert.Equal(6, pair.Delivered.Count); // INIT, INVALID_KE, INIT again, response, AUTH x2
        IkeMessage.TryParse(pair.Delivered[1].Datagram.Message, out var refusal);
        Assert.Equal([0, 20], refusal!.Notify(NotifyType.InvalidKePayload)!.Data.ToArray());
    }

    [Fact]
    public void Responder_under_load_demands_a_cookie_and_the_initiator_echoes_it()
    {
        var b = Pair.Config("b") with { CookieThreshold = 0 };
        using var pair = new Pair(Pair.Config("a"), b);
        var (sa, _) = pair.Establish();
        Assert.Equal(1, pair.B.Counters["init.cookie-demanded"]);
        IkeMessage.TryParse(pair.Delivered[2].Datagram.Message, out var retry);
        Assert.Equal(NotifyType.Cookie, Assert.IsType<NotifyPayload>(retry!.Payloads[0]).NotifyType); // §2.6: first payload
        Assert.Single(sa.ChildSas);
    }

    [Fact]
    public void A_forged_cookie_is_refused_statelessly()
    {
        var b = Pair.Config("b") with { CookieThreshold = 0 };
        using var pair = new Pair(Pair.Config("a"), b);
        pair.A.Initiate(Pair.AddressB);
        pair.Drop = (fromA, d) => false;
        // Deliver the first INIT, then forge the retry's cookie.
        pair.Drop = (fromA, d) =>
        {
            if (!fromA || !IkeMessage.TryParse(d.Message, out var m).Equals(ParseStatus.Ok) || m!.Notify(NotifyType.Cookie) is null)
                return false;
            var forged = m with { Payloads = [NotifyPayload.Of(NotifyType.Cookie, new byte[33]), .. m.Payloads.Skip(1)] };
            pair.B.Receive(new IkeDatagram(d.Remote, d.Local, forged.Encode()));
            return true;
        };
        pair.Pump();
        Assert.Equal(0, pair.B.HalfOpenCount);
        Assert.Empty(pair.B.Sas);
        Assert.True(pair.B.Counters["init.cookie-demanded"] >= 2);
        Assert.Equal(NotifyType.Cookie, Assert.Single(pair.Events).Notify); // the initiator gives up after a few cookies
    }

    [Fact]
    public void Traffic_selectors_are_narrowed_by_the_responder()
    {
        var a = Pair.Config("a") with { LocalTrafficSelectors = Pair.Ts("10.0.0.0/8"), RemoteTrafficSelectors = Pair.Ts("0.0.0.0/0") };
        var b = Pair.Config("b") with { LocalTrafficSelectors = Pair.Ts("172.31.0.0/16"), RemoteTrafficSelectors = Pair.Ts("10.1.0.0/16", "10.2.0.0/16") };
        using var pair = new Pair(a, b);
        var (sa, peer) = pair.Establish();
        var child = Assert.Single(sa.ChildSas);
        Assert.Equal(Pair.Ts("10.1.0.0/16", "10.2.0.0/16").ToArray(), child.LocalTrafficSelectors.ToArray());
        Assert.Equal(Pair.Ts("172.31.0.0/16").ToArray(), child.RemoteTrafficSelectors.ToArray());
        Pair.AssertMirrored(child, Assert.Single(peer.ChildSas));
    }

    [Fact]
    public void Disjoint_traffic_selectors_give_ts_unacceptable()
    {
        var a = Pair.Config("a") with { LocalTrafficSelectors = Pair.Ts("10.0.0.0/8") };
        var b = Pair.Config("b") with { RemoteTrafficSelectors = Pair.Ts("192.168.0.0/16") };
        using var pair = new Pair(a, b);
        var (sa, peer) = pair.Establish();
        Assert.Empty(sa.ChildSas);
        Assert.Empty(peer.ChildSas);
        Assert.Contains(pair.Events, e => e.Notify == NotifyType.TsUnacceptable && ReferenceEquals(e.Sa, sa));
    }

    [Fact]
    public void Nat_is_detected_ike_floats_to_4500_and_esp_is_udp_encapsulated()
    {
        using var pair = new Pair(nat: true);
        var (a, b) = pair.Establish();
        Assert.True(a.NatLocal);
        Assert.False(a.NatRemote);
        Assert.True(b.NatRemote);
        Assert.False(b.NatLocal);
        Assert.Equal(4500, a.Local.Port);
        Assert.Equal(4500, a.Remote.Port);
        Assert.Equal(5500, b.Remote.Port); // the NAT's mapping of 4500
        Assert.True(pair.Delivered.Skip(2).All(d => d.Datagram.Local.Port == 4500));
        Assert.True(a.ChildSas[0].UdpEncapsulation);
        Assert.True(b.ChildSas[0].UdpEncapsulation);
    }

    [Fact]
    public void Forced_encapsulation_floats_without_a_nat_and_fakes_its_nat_detection_so_the_peer_encapsulates_too()
    {
        using var pair = new Pair(Pair.Config("a") with { ForceUdpEncapsulation = true }, Pair.Config("b"));
        var (a, b) = pair.Establish();
        Assert.Equal(4500, a.Local.Port);
        Assert.Equal(4500, b.Local.Port);
        Assert.True(a.ChildSas[0].UdpEncapsulation);
        Assert.True(b.ChildSas[0].UdpEncapsulation); // B saw A's faked NAT_DETECTION_SOURCE_IP, as from strongSwan's encap = yes
    }

    [Fact]
    public void Child_sa_rekey_by_the_initiator_replaces_and_deletes_the_old_child()
    {
        using var pair = new Pair();
        var (a, b) = pair.Establish();
        var old = a.ChildSas[0];
        a.RekeyChild(old);
        pair.Pump();
        var fresh = Assert.Single(a.ChildSas);
        Assert.NotSame(old, fresh);
        Assert.Equal(ChildSaState.Deleted, old.State);
        Pair.AssertMirrored(fresh, Assert.Single(b.ChildSas));
        Assert.NotEqual(old.InboundSpi, fresh.InboundSpi);
        Assert.NotEqual(old.OutboundEncryptionKey, fresh.OutboundEncryptionKey);
        Assert.Equal(2, pair.Events.Count(e => e.Kind == IkeEventKind.ChildSaDeleted));
    }

    [Fact]
    public void Child_sa_rekey_by_the_responder_with_pfs()
    {
        var pfs = ChildSuite.Gcm256 with { PfsGroup = 19 };
        using var pair = new Pair(Pair.Config("a") with { ChildProposals = [pfs] }, Pair.Config("b") with { ChildProposals = [pfs] });
        var (a, b) = pair.Establish();
        b.RekeyChild(b.ChildSas[0]);
        pair.Pump();
        Pair.AssertMirrored(Assert.Single(a.ChildSas), Assert.Single(b.ChildSas));
        Assert.True(pair.Delivered.Skip(4).Take(2).All(d => IkeMessage.TryParse(d.Datagram.Message, out _) == ParseStatus.Ok));
    }

    [Fact]
    public void Child_rekey_with_a_pfs_group_the_responder_does_not_accept_is_refused_and_the_child_kept()
    {
        var a = Pair.Config("a") with { ChildProposals = [ChildSuite.Gcm256 with { PfsGroup = 20 }] };
        var b = Pair.Config("b") with { ChildProposals = [ChildSuite.Gcm256 with { PfsGroup = 19 }] };
        using var pair = new Pair(a, b);
        var (sa, peer) = pair.Establish(); // IKE_AUTH ignores the group
        var child = sa.ChildSas[0];
        sa.RekeyChild(child);
        pair.Pump();
        Assert.Same(child, Assert.Single(sa.ChildSas));
        Assert.Equal(ChildSaState.Installed, child.State);
        Assert.Contains(pair.Events, e => e.Kind == IkeEventKind.Failed && e.Notify == NotifyType.NoProposalChosen);
        Assert.Single(peer.ChildSas);
    }

    [Fact]
    public void Simultaneous_child_rekey_leaves_exactly_one_child_on_each_side()
    {
        using var pair = new Pair();
        var (a, b) = pair.Establish();
        a.RekeyChild(a.ChildSas[0]);
        b.RekeyChild(b.ChildSas[0]); // both requests are on the wire before either is answered
        pair.Pump();
        Pair.AssertMirrored(Assert.Single(a.ChildSas), Assert.Single(b.ChildSas));
        Assert.Equal(1, pair.A.Counters["rekey-collision.won"] + pair.B.Counters["rekey-collision.won"]);
        Assert.Equal(1, pair.A.Counters["rekey-collision.lost"] + pair.B.Counters["rekey-collision.lost"]);
        // Four children were deleted on each side's view in total: the old one and the redundant new one.
        Assert.Equal(4, pair.Events.Count(e => e.Kind == IkeEventKind.ChildSaDeleted));
    }

    [Fact]
    public void Ike_sa_rekey_moves_the_children_and_deletes_the_old_sa()
    {
        using var pair = new Pair();
        var (a, b) = pair.Establish();
        var child = a.ChildSas[0];
        a.Rekey();
        pair.Pump();
        var newA = Assert.Single(pair.A.Sas);
        var newB = Assert.Single(pair.B.Sas);
        Assert.NotSame(a, newA);
        Assert.Equal(IkeSaState.Closed, a.State);
        Assert.Equal(IkeSaState.Closed, b.State);
        Assert.Same(newA, a.ReplacedBy);
        Assert.Equal(newA.SpiI, newB.SpiI);
        Assert.Equal(newA.SpiR, newB.SpiR);
        Assert.True(newA.IsOriginalInitiator);
        Assert.Same(child, Assert.Single(newA.ChildSas));
        Assert.Equal(ChildSaState.Installed, child.State);
        Pair.AssertMirrored(child, Assert.Single(newB.ChildSas));
        // The new SA works: a child rekey and a DPD over it.
        newB.RekeyChild(newB.ChildSas[0]);
        newA.SendDpd();
        pair.Pump();
        Pair.AssertMirrored(Assert.Single(newA.ChildSas), Assert.Single(newB.ChildSas));
        Assert.False(newA.RequestOutstanding);
    }

    [Fact]
    public void Ike_sa_rekey_by_the_responder_makes_it_the_new_original_initiator()
    {
        using var pair = new Pair();
        var (_, b) = pair.Establish();
        b.Rekey();
        pair.Pump();
        var newA = Assert.Single(pair.A.Sas);
        var newB = Assert.Single(pair.B.Sas);
        Assert.True(newB.IsOriginalInitiator);
        Assert.False(newA.IsOriginalInitiator);
        newA.RekeyChild(newA.ChildSas[0]);
        pair.Pump();
        Pair.AssertMirrored(Assert.Single(newA.ChildSas), Assert.Single(newB.ChildSas));
    }

    [Fact]
    public void Simultaneous_ike_rekey_leaves_one_ike_sa_on_each_side()
    {
        using var pair = new Pair();
        var (a, b) = pair.Establish();
        a.Rekey();
        b.Rekey();
        pair.Pump();
        var newA = Assert.Single(pair.A.Sas);
        var newB = Assert.Single(pair.B.Sas);
        Assert.Equal(newA.SpiI, newB.SpiI);
        Assert.Equal(newA.SpiR, newB.SpiR);
        Assert.Equal(IkeSaState.Established, newA.State);
        Pair.AssertMirrored(Assert.Single(newA.ChildSas), Assert.Single(newB.ChildSas));
        Assert.Equal(1, pair.A.Counters["rekey-collision.won"] + pair.B.Counters["rekey-collision.won"]);
        newA.SendDpd();
        pair.Pump();
        Assert.False(newA.RequestOutstanding);
    }

    [Fact]
    public void Dpd_after_idle_time_and_a_dead_peer_closes_the_sa()
    {
        var a = Pair.Config("a") with { DpdDelay = TimeSpan.FromSeconds(10), RetransmitTimeout = TimeSpan.FromSeconds(1), RetransmitTries = 3 };
        using var pair = new Pair(a, Pair.Config("b"));
        var (sa, _) = pair.Establish();
        pair.Time.Advance(TimeSpan.FromSeconds(11));
        pair.A.Poll();
        Assert.True(sa.RequestOutstanding);
        pair.Pump();
        Assert.False(sa.RequestOutstanding);
        Assert.Equal(IkeSaState.Established, sa.State);
        Assert.Equal(6, pair.Delivered.Count);
        // Now the peer goes silent.
        pair.Drop = (_, _) => true;
        for (var i = 0; i < 40 && sa.State == IkeSaState.Established; i++)
        {
            pair.Time.Advance(TimeSpan.FromSeconds(1));
            pair.A.Poll();
            pair.Pump();
        }
        Assert.Equal(IkeSaState.Failed, sa.State);
        Assert.Equal(3, pair.A.Counters["retransmit"]);
        Assert.Equal(1, pair.A.Counters["peer-dead"]);
        Assert.Empty(pair.A.Sas);
        Assert.Contains(pair.Events, e => e.Kind == IkeEventKind.ChildSaDeleted && ReferenceEquals(e.Sa, sa));
    }

    [Fact]
    public void Lost_request_is_retransmitted()
    {
        using var pair = new Pair();
        var dropped = false;
        pair.Drop = (fromA, d) =>
        {
            if (fromA && !dropped && IkeMessage.TryParse(d.Message, out var m) == ParseStatus.Ok && m!.Exchange == ExchangeType.IkeAuth)
                return dropped = true;
            return false;
        };
        var sa = pair.A.Initiate(Pair.AddressB);
        pair.Pump();
        Assert.Equal(IkeSaState.Authenticating, sa.State);
        pair.Time.Advance(TimeSpan.FromSeconds(2));
        pair.A.Poll();
        pair.Pump();
        Assert.Equal(IkeSaState.Established, sa.State);
        Assert.Equal(1, pair.A.Counters["retransmit"]);
    }

    [Fact]
    public void Lost_response_is_answered_again_from_the_cache()
    {
        using var pair = new Pair();
        var (a, b) = pair.Establish();
        var dropped = false;
        pair.Drop = (fromA, _) => !fromA && !dropped && (dropped = true);
        a.RekeyChild(a.ChildSas[0]);
        pair.Pump();
        Assert.True(a.RequestOutstanding);
        pair.Time.Advance(TimeSpan.FromSeconds(2));
        pair.A.Poll();
        pair.Pump();
        Assert.Equal(1, pair.B.Counters["retransmitted-request"]);
        Pair.AssertMirrored(Assert.Single(a.ChildSas), Assert.Single(b.ChildSas)); // B created the new child once
    }

    [Fact]
    public void Lost_init_response_is_answered_again_without_new_state()
    {
        using var pair = new Pair();
        var dropped = false;
        pair.Drop = (fromA, _) => !fromA && !dropped && (dropped = true);
        var sa = pair.A.Initiate(Pair.AddressB);
        pair.Pump();
        pair.Time.Advance(TimeSpan.FromSeconds(2));
        pair.A.Poll();
        pair.Pump();
        Assert.Equal(IkeSaState.Established, sa.State);
        Assert.Single(pair.B.Sas);
        Assert.Equal(1, pair.B.Counters["init.retransmitted-request"]);
    }

    [Fact]
    public void Old_and_future_message_ids_are_dropped()
    {
        using var pair = new Pair();
        var (a, b) = pair.Establish();
        var auth = pair.Delivered.First(d => d.FromA && IkeMessage.TryParse(d.Datagram.Message, out var m) == ParseStatus.Ok && m!.Exchange == ExchangeType.IkeAuth);
        a.SendDpd();
        pair.Pump();
        pair.B.Receive(new IkeDatagram(Pair.AddressB, Pair.AddressA, auth.Datagram.Message)); // id 1, two behind
        Assert.Equal(1, pair.B.Counters["message-id-outside-window"]);
        Assert.Equal(IkeSaState.Established, b.State);
    }

    [Fact]
    public void Delete_child_then_delete_ike_sa()
    {
        using var pair = new Pair();
        var (a, b) = pair.Establish();
        a.DeleteChildSas(a.ChildSas[0]);
        pair.Pump();
        Assert.Empty(a.ChildSas);
        Assert.Empty(b.ChildSas);
        b.Delete();
        pair.Pump();
        Assert.Equal(IkeSaState.Closed, a.State);
        Assert.Equal(IkeSaState.Closed, b.State);
        Assert.Empty(pair.A.Sas);
        Assert.Empty(pair.B.Sas);
    }

    [Fact]
    public void Deleting_the_ike_sa_deletes_its_children()
    {
        using var pair = new Pair();
        var (a, b) = pair.Establish();
        a.Delete();
        pair.Pump();
        Assert.Empty(pair.A.Sas);
        Assert.Empty(pair.B.Sas);
        Assert.Equal(IkeSaState.Closed, b.State);
        Assert.Empty(b.ChildSas);
        Assert.Equal(2, pair.Events.Count(e => e.Kind == IkeEventKind.ChildSaDeleted));
    }

    [Fact]
    public void Hostile_datagrams_are_counted_and_change_nothing()
    {
        using var pair = new Pair();
        var (a, b) = pair.Establish();
        var rng = new Random(4306);
        var samples = pair.Delivered.Select(d => d.Datagram.Message.ToArray()).ToList();
        for (var i = 0; i < 3000; i++)
        {
            var bytes = (byte[])samples[rng.Next(samples.Count)].Clone();
            switch (i % 3)
            {
                case 0:
                    bytes = bytes[..rng.Next(bytes.Length)];
                    break;
                case 1:
                    bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
                    break;
                default:
                    rng.NextBytes(bytes);
                    break;
            }
            pair.B.Receive(new IkeDatagram(Pair.AddressB, Pair.AddressA, bytes));
            pair.A.Receive(new IkeDatagram(Pair.AddressA, Pair.AddressB, bytes));
        }
        pair.Drop = (_, _) => false;
        while (pair.Pump() > 0)
        {
        }
        Assert.Equal(IkeSaState.Established, a.State);
        Assert.Equal(IkeSaState.Established, b.State);
        Assert.True(pair.B.Counters.All.Values.Sum() > 1000);
        a.RekeyChild(a.ChildSas[0]);
        pair.Pump();
        Pair.AssertMirrored(Assert.Single(a.ChildSas), Assert.Single(b.ChildSas));
    }

    [Fact]
    public void Tampered_sk_payload_is_counted_as_an_authentication_failure()
    {
        using var pair = new Pair();
        var (a, b) = pair.Establish();
        pair.Drop = (fromA, d) =>
        {
            if (!fromA)
                return false;
            var bytes = d.Message.ToArray();
            bytes[^1] ^= 1;
            pair.B.Receive(new IkeDatagram(d.Remote, d.Local, bytes));
            return true;
        };
        a.SendDpd();
        pair.Pump();
        Assert.Equal(1, pair.B.Counters["parse.AuthenticationFailed"]);
        pair.Drop = null;
        pair.Time.Advance(TimeSpan.FromSeconds(2));
        pair.A.Poll();
        pair.Pump();
        Assert.False(a.RequestOutstanding);
        Assert.Equal(IkeSaState.Established, b.State);
    }

    [Fact]
    public void Half_open_responder_sa_expires()
    {
        using var pair = new Pair();
        pair.Drop = (fromA, d) => fromA && IkeMessage.TryParse(d.Message, out var m) == ParseStatus.Ok && m!.Exchange == ExchangeType.IkeAuth;
        pair.A.Initiate(Pair.AddressB);
        pair.Pump();
        Assert.Equal(1, pair.B.HalfOpenCount);
        pair.Time.Advance(TimeSpan.FromSeconds(31));
        pair.B.Poll();
        Assert.Equal(0, pair.B.HalfOpenCount);
        Assert.Empty(pair.B.Sas);
    }

    [Fact]
    public void Unknown_spi_is_counted()
    {
        using var pair = new Pair();
        var bytes = new IkeMessage(1, 2, ExchangeType.Informational, HeaderBits.Initiator, 0, []).Encode();
        pair.B.Receive(new IkeDatagram(Pair.AddressB, Pair.AddressA, bytes));
        Assert.Equal(1, pair.B.Counters["unknown-spi"]);
    }

    [Fact]
    public void Lifetimes_rekey_the_child_and_the_ike_sa_by_themselves()
    {
        IkeConfig Timed(string who) => Pair.Config(who) with
        {
            ChildSaLifetime = TimeSpan.FromSeconds(100),
            IkeSaLifetime = TimeSpan.FromSeconds(300),
            RekeyMargin = TimeSpan.FromSeconds(20),
            RekeyFuzz = 0,
        };
        using var pair = new Pair(Timed("a"), Timed("b"));
        var (a, _) = pair.Establish();
        var first = a.ChildSas[0];
        pair.Time.Advance(TimeSpan.FromSeconds(79));
        pair.A.Poll();
        pair.B.Poll();
        Assert.Equal(ChildSaState.Installed, first.State);
        pair.Time.Advance(TimeSpan.FromSeconds(1));
        pair.A.Poll(); // both ends are due at once: a collision (§2.8.1) that must leave one child
        pair.B.Poll();
        pair.Pump();
        var second = Assert.Single(Assert.Single(pair.A.Sas).ChildSas);
        Assert.NotSame(first, second);
        Pair.AssertMirrored(second, Assert.Single(Assert.Single(pair.B.Sas).ChildSas));
        for (var t = 0; t < 220; t += 10)
        {
            pair.Time.Advance(TimeSpan.FromSeconds(10));
            pair.A.Poll();
            pair.B.Poll();
            pair.Pump();
        }
        var ikeA = Assert.Single(pair.A.Sas);
        var ikeB = Assert.Single(pair.B.Sas);
        Assert.NotSame(a, ikeA);
        Assert.Equal(IkeSaState.Established, ikeA.State);
        Assert.Equal(ikeA.SpiI, ikeB.SpiI);
        Pair.AssertMirrored(Assert.Single(ikeA.ChildSas), Assert.Single(ikeB.ChildSas));
        Assert.Equal(0, pair.A.Counters["child-sa-expired"] + pair.A.Counters["ike-sa-expired"]);
    }

    [Fact]
    public void A_child_that_cannot_be_rekeyed_is_deleted_at_the_end_of_its_lifetime()
    {
        var a = Pair.Config("a") with { ChildSaLifetime = TimeSpan.FromSeconds(100), RekeyMargin = TimeSpan.FromSeconds(20), RekeyFuzz = 0, ChildProposals = [ChildSuite.Gcm256 with { PfsGroup = 20 }] };
        var b = Pair.Config("b") with { ChildSaLifetime = null, ChildProposals = [ChildSuite.Gcm256 with { PfsGroup = 19 }] };
        using var pair = new Pair(a, b);
        var (sa, peer) = pair.Establish();
        for (var t = 0; t < 110; t += 5)
        {
            pair.Time.Advance(TimeSpan.FromSeconds(5));
            pair.A.Poll();
            pair.Pump();
        }
        Assert.Empty(sa.ChildSas);
        Assert.Empty(peer.ChildSas);
        Assert.Equal(1, pair.A.Counters["child-sa-expired"]);
        Assert.True(pair.Events.Count(e => e.Kind == IkeEventKind.Failed && e.Notify == NotifyType.NoProposalChosen) >= 2); // retried
        Assert.Equal(IkeSaState.Established, sa.State);
    }

    [Fact]
    public void Child_rekey_retries_with_the_pfs_group_an_invalid_ke_payload_names()
    {
        var a = Pair.Config("a") with { ChildProposals = [ChildSuite.Gcm256 with { PfsGroup = 19 }, ChildSuite.Gcm256 with { PfsGroup = 20 }] };
        var b = Pair.Config("b") with { ChildProposals = [ChildSuite.Gcm256 with { PfsGroup = 20 }] };
        using var pair = new Pair(a, b);
        var (sa, peer) = pair.Establish();
        sa.RekeyChild(sa.ChildSas[0]);
        pair.Pump();
        Assert.Equal(1, pair.A.Counters["rekey.invalid-ke-retry"]);
        var child = Assert.Single(sa.ChildSas);
        Assert.Equal((ushort?)20, child.Suite.PfsGroup);
        Pair.AssertMirrored(child, Assert.Single(peer.ChildSas));
    }

    [Fact]
    public void A_child_rekey_queued_behind_an_ike_rekey_is_done_by_the_new_ike_sa()
    {
        using var pair = new Pair();
        var (a, _) = pair.Establish();
        var child = a.ChildSas[0];
        a.Rekey();
        a.RekeyChild(child); // waits for the window behind the IKE rekey
        pair.Pump();
        var newA = Assert.Single(pair.A.Sas);
        var newB = Assert.Single(pair.B.Sas);
        Assert.NotSame(a, newA);
        var fresh = Assert.Single(newA.ChildSas);
        Assert.NotSame(child, fresh);
        Pair.AssertMirrored(fresh, Assert.Single(newB.ChildSas));
        Assert.DoesNotContain(pair.Events, e => e.Kind == IkeEventKind.Failed);
    }

    [Fact]
    public void A_child_rekey_crossing_the_peers_ike_rekey_ends_in_the_new_ike_sa()
    {
        using var pair = new Pair();
        var (a, b) = pair.Establish();
        var child = a.ChildSas[0];
        a.RekeyChild(child);
        b.Rekey(); // both requests are on the wire at once, on the old IKE SA
        pair.Pump();
        var newA = Assert.Single(pair.A.Sas);
        var newB = Assert.Single(pair.B.Sas);
        Assert.Equal(newA.SpiI, newB.SpiI);
        var fresh = Assert.Single(newA.ChildSas);
        Assert.NotSame(child, fresh);
        Assert.Equal(ChildSaState.Deleted, child.State);
        Pair.AssertMirrored(fresh, Assert.Single(newB.ChildSas));
        Assert.DoesNotContain(pair.Events, e => e.Kind == IkeEventKind.Failed);
    }

    [Fact]
    public void Ipv6_endpoints_and_traffic_selectors()
    {
        var time = new ManualTime();
        var wire = new Queue<IkeDatagram>();
        var addressA = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("2001:db8::a"), 500);
        var addressB = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("2001:db8::b"), 500);
        var configA = Pair.Config("a") with { LocalTrafficSelectors = Pair.Ts("2001:db8:1::/48"), RemoteTrafficSelectors = Pair.Ts("2001:db8:2::/48") };
        var configB = Pair.Config("b") with { LocalTrafficSelectors = Pair.Ts("2001:db8:2::/48"), RemoteTrafficSelectors = Pair.Ts("2001:db8:1::/48", "10.0.0.0/8") };
        using var a = new IkeEndpoint(configA, addressA, time, wire.Enqueue);
        using var b = new IkeEndpoint(configB, addressB, time, wire.Enqueue);
        var sa = a.Initiate(addressB);
        while (wire.TryDequeue(out var d))
            (d.Remote.Equals(addressB) ? b : a).Receive(new IkeDatagram(d.Remote, d.Local, d.Message));
        Assert.Equal(IkeSaState.Established, sa.State);
        Assert.False(sa.NatLocal || sa.NatRemote);
        var child = Assert.Single(sa.ChildSas);
        Assert.Equal(Pair.Ts("2001:db8:1::/48").ToArray(), child.LocalTrafficSelectors.ToArray());
        Pair.AssertMirrored(child, Assert.Single(Assert.Single(b.Sas).ChildSas));
    }
}
