using System.Net;
using NitroCard.Bgp.Session;
using NitroCard.Bgp.Tests.Speaker;
using NitroCard.Bgp.Wire;
using Xunit.Abstractions;

namespace NitroCard.Bgp.Tests.Interop;

/// <summary>Our speaker (the edge, AS 64512) against BIRD 2 (the customer's router, AS 65000) over loopback TCP.</summary>
public class BirdInteropTests(ITestOutputHelper output)
{
    private static readonly IPAddress Edge = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Customer = IPAddress.Parse("127.0.0.3");
    private static readonly IPNetwork Vpc = IPNetwork.Parse("10.0.0.0/16");
    private static readonly IPNetwork[] Site = [IPNetwork.Parse("192.0.2.0/24"), IPNetwork.Parse("198.51.100.0/24")];

    private static string Config(int birdPort, int edgePort, string edgeAsn = "64512", string extra = "", string export = "export where source = RTS_STATIC;") => $$"""
        router id {{Customer}};
        log stderr all;
        debug protocols { states, events };
        protocol device { }
        protocol static customer_site {
          ipv4;
          route 192.0.2.0/24 blackhole;
          route 198.51.100.0/24 blackhole;
        }
        protocol bgp aws {
          local {{Customer}} port {{birdPort}} as 65000;
          neighbor {{Edge}} port {{edgePort}} as {{edgeAsn}};
          strict bind yes;
          multihop;
          hold time 30;
          keepalive time 10;
          connect retry time 1;
          error wait time 1, 2;
          {{extra}}
          ipv4 { import all; {{export}} };
        }
        """;

    private static BgpSpeaker Speaker(int edgePort, int birdPort, uint localAsn = 64512, uint peerAsn = 65000) => new(new BgpSpeakerOptions
    {
        LocalAsn = localAsn,
        RouterId = Edge,
        LocalAddress = Edge,
        ListenPort = edgePort,
        Neighbors = [new BgpNeighbor { Address = Customer, PeerAsn = peerAsn, Port = birdPort }],
        ConnectRetryTime = TimeSpan.FromSeconds(1),
        IdleHoldTime = TimeSpan.FromMilliseconds(500),
    });

    [SkippableFact]
    public async Task Bird_and_our_speaker_exchange_routes_and_bird_going_away_withdraws_them()
    {
        Skip.IfNot(BirdRouter.Installed, "BIRD 2 is not installed (/usr/sbin/bird, /usr/sbin/birdc): apt-get install bird2");
        int edgePort = Ports.Free(Edge);
        int birdPort = Ports.Free(Customer);
        await using var speaker = Speaker(edgePort, birdPort);
        speaker.SetAdvertised([Vpc]);
        var session = speaker.Sessions[Customer];
        var withdrawn = new List<IPNetwork>();
        session.RouteWithdrawn += (_, r) => { lock (withdrawn) { withdrawn.Add(r.Prefix); } };
        speaker.Start();
        using var bird = new BirdRouter(Config(birdPort, edgePort));
        try
        {
            await Wait.Until(() => session.State == BgpSessionState.Established, 30, () => "our session with BIRD is Established");
            await Wait.Until(() => Site.All(session.Routes.ContainsKey), 20, () => "we learned BIRD's static routes");
            foreach (var prefix in Site)
            {
                var route = session.Routes[prefix];
                Assert.Equal("65000", route.AsPath!.ToString());
                Assert.Equal(Customer, route.NextHop);
                Assert.Equal(BgpOrigin.Igp, route.Origin);
            }

            Assert.True(session.FourOctetAs, "BIRD announces 4-octet AS support");
            Assert.Equal((ushort)30, session.NegotiatedHoldTime);
            await Wait.Until(() => bird.Control("show protocols aws").Contains("Established", StringComparison.Ordinal), 20, () => "birdc show protocols says Established");
            await Wait.Until(() => bird.Control("show route").Contains("10.0.0.0/16", StringComparison.Ordinal), 20, () => "BIRD's table has the VPC CIDR");
            // On loopback BIRD cannot resolve the (multihop) next hop 127.0.0.2 (it refuses 127/8 routes as host
            // scope), so it lists the route as unreachable; the attributes are what we check.
            string all = bird.Control("show route 10.0.0.0/16 all");
            output.WriteLine(all);
            Assert.Contains("BGP.as_path: 64512", all, StringComparison.Ordinal);
            Assert.Contains($"BGP.next_hop: {Edge}", all, StringComparison.Ordinal);

            // The customer disables the session: BIRD sends Cease, we withdraw everything it told us.
            output.WriteLine(bird.Control("disable aws"));
            await Wait.Until(() => session.Routes.Count == 0, 20, () => "disable withdraws BIRD's routes on our side");
            // The session raises its events after the step that removed the routes, outside its lock: wait for them too.
            await Wait.Until(() => { lock (withdrawn) { return withdrawn.Count >= Site.Length; } }, 20, () => "the withdrawals are raised");
            Assert.Equal(BgpErrorCode.Cease, session.LastNotificationReceived?.Code);
            lock (withdrawn)
            {
                Assert.Equal(Site.OrderBy(p => p.ToString()), withdrawn.OrderBy(p => p.ToString()));
            }

            // Enabled again, the session comes back by itself (our automatic restart, BIRD's connect).
            output.WriteLine(bird.Control("enable aws"));
            await Wait.Until(() => Site.All(session.Routes.ContainsKey), 30, () => "the routes come back after enable");

            // BIRD dies without a word: the kernel closes the TCP connection, and the routes go.
            bird.KillBird();
            await Wait.Until(() => session.Routes.Count == 0, 20, () => "killing BIRD withdraws its routes on our side");
            Assert.NotEqual(BgpSessionState.Established, session.State);
            Assert.Equal(0, session.Counters.ProtocolErrors);
        }
        finally
        {
            output.WriteLine("--- bird log ---");
            output.WriteLine(bird.Log);
            output.WriteLine($"--- our session: {session.State}, last error {session.LastError}, counters {session.Counters}");
        }
    }

    [SkippableFact]
    public async Task A_four_octet_asn_and_birds_shorter_hold_time_are_negotiated()
    {
        Skip.IfNot(BirdRouter.Installed, "BIRD 2 is not installed (/usr/sbin/bird, /usr/sbin/birdc): apt-get install bird2");
        int edgePort = Ports.Free(Edge);
        int birdPort = Ports.Free(Customer);
        await using var speaker = Speaker(edgePort, birdPort, localAsn: 4_200_000_001);
        speaker.SetAdvertised([Vpc]);
        var session = speaker.Sessions[Customer];
        speaker.Start();
        using var bird = new BirdRouter(Config(birdPort, edgePort, edgeAsn: "4200000001").Replace("hold time 30;", "hold time 9;", StringComparison.Ordinal).Replace("keepalive time 10;", "keepalive time 3;", StringComparison.Ordinal));
        try
        {
            await Wait.Until(() => session.State == BgpSessionState.Established, 30, () => "Established with BIRD");
            Assert.Equal((ushort)9, session.NegotiatedHoldTime);
            await Wait.Until(() => bird.Control("show route 10.0.0.0/16 all").Contains("BGP.as_path: 4200000001", StringComparison.Ordinal), 20, () => "BIRD sees our 4-octet AS in the path");
            long before = session.Counters.KeepalivesReceived;
            await Task.Delay(TimeSpan.FromSeconds(10)); // longer than the hold time: both sides' keepalives hold the session
            Assert.Equal(BgpSessionState.Established, session.State);
            Assert.True(session.Counters.KeepalivesReceived >= before + 2, $"BIRD keeps sending keepalives ({session.Counters.KeepalivesReceived - before})");
            Assert.Equal(1, session.Counters.EstablishedTransitions);
        }
        finally
        {
            output.WriteLine(bird.Log);
        }
    }

    [SkippableFact]
    public async Task Without_as4_bird_and_we_speak_two_octet_paths_and_its_med_and_communities_arrive()
    {
        Skip.IfNot(BirdRouter.Installed, "BIRD 2 is not installed (/usr/sbin/bird, /usr/sbin/birdc): apt-get install bird2");
        int edgePort = Ports.Free(Edge);
        int birdPort = Ports.Free(Customer);
        await using var speaker = Speaker(edgePort, birdPort);
        speaker.SetAdvertised([Vpc]);
        var session = speaker.Sessions[Customer];
        speaker.Start();
        const string export = "export filter { if source = RTS_STATIC then { bgp_med = 50; bgp_community.add((65000, 100)); accept; } reject; };";
        using var bird = new BirdRouter(Config(birdPort, edgePort, extra: "enable as4 off;", export: export));
        try
        {
            await Wait.Until(() => Site.All(session.Routes.ContainsKey), 30, () => "we learn BIRD's routes");
            Assert.False(session.FourOctetAs);
            var route = session.Routes[Site[0]];
            Assert.Equal("65000", route.AsPath!.ToString());
            Assert.Equal(50u, route.MultiExitDisc);
            Assert.Equal([(65000u << 16) | 100], route.Communities);
            await Wait.Until(() => bird.Control("show route 10.0.0.0/16 all").Contains("BGP.as_path: 64512", StringComparison.Ordinal), 20, () => "BIRD has our route with a 2-octet path");
        }
        finally
        {
            output.WriteLine(bird.Log);
        }
    }

    [SkippableTheory]
    [InlineData(64513u, 65000u)] // BIRD expects another AS from us: BIRD sends Bad Peer AS
    [InlineData(64512u, 65001u)] // we expect another AS from BIRD: we send Bad Peer AS
    public async Task A_wrong_peer_as_on_either_side_is_a_bad_peer_as_notification(uint birdExpects, uint weExpect)
    {
        Skip.IfNot(BirdRouter.Installed, "BIRD 2 is not installed (/usr/sbin/bird, /usr/sbin/birdc): apt-get install bird2");
        int edgePort = Ports.Free(Edge);
        int birdPort = Ports.Free(Customer);
        await using var speaker = Speaker(edgePort, birdPort, peerAsn: weExpect);
        var session = speaker.Sessions[Customer];
        speaker.Start();
        using var bird = new BirdRouter(Config(birdPort, edgePort, edgeAsn: birdExpects.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        try
        {
            await Wait.Until(() => (birdExpects != 64512 ? session.LastNotificationReceived : session.LastNotificationSent) is { Code: BgpErrorCode.OpenMessage, Subcode: OpenErrorSubcode.BadPeerAs }, 30, () => "a Bad Peer AS NOTIFICATION");
            await Wait.Until(() => bird.Control("show protocols all aws").Contains("Bad peer AS", StringComparison.OrdinalIgnoreCase), 20, () => "BIRD reports Bad peer AS");
            Assert.NotEqual(BgpSessionState.Established, session.State);
            Assert.Equal(0, session.Counters.EstablishedTransitions);
        }
        finally
        {
            output.WriteLine(bird.Control("show protocols all aws"));
            output.WriteLine(bird.Log);
        }
    }
}
