using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Driver.Simulation;
using NitroCard.Model;
using NitroCard.Packets;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// RTL and model agree on filtered traffic (CardTopology.SampleWithFilters): the random mix of
/// FrameGenerator plus, every round, scripted conversations — a TCP handshake with a remote host
/// (SYN out, SYN-ACK in, a retransmitted ACK, FIN both ways, and every fourth round an RST), a TX-local
/// TCP flow between two tracked ENIs with its reply, UDP to port 53 and its reply, ICMP echo to the
/// internet edge, and traffic to blackholed prefixes — under rule changes and time passing.
/// </summary>
public class FilteringDifferentialTests
{
    private static readonly IPAddress A0 = IPAddress.Parse("10.0.1.10");     // slot 0, tracked
    private static readonly IPAddress A2 = IPAddress.Parse("10.0.2.10");     // slot 2, in tcp 80 from A0
    private static readonly IPAddress R20 = IPAddress.Parse("10.0.1.20");    // remote on 192.0.2.20
    private static readonly IPAddress R220 = IPAddress.Parse("10.0.2.20");   // remote on 192.0.2.20
    private static readonly uint Host20 = Ipv4Address.ToUInt32(IPAddress.Parse("192.0.2.20"));
    private const uint VpcA = 1001;

    [Fact]
    public void Rtl_and_model_agree_on_filtered_traffic_over_time()
    {
        using var rtl = new RtlCardEngine();
        using var model = new ModelCard(rtl.Geometry);
        var topology = CardTopology.SampleWithFilters();
        topology.LoadInto(rtl);
        topology.LoadInto(model);
        var engines = new ICardEngine[] { rtl, model };
        var random = new Random(20261128);
        var generator = new FrameGenerator(topology, 20261128);
        var underlay = Ipv4Address.ToUInt32(topology.Settings.UnderlayIp);
        var cardMac = topology.Settings.UnderlayMac.Value;
        var gateway = topology.Settings.GatewayMac.Value;
        ulong Mac(IPAddress ip) => CardTopology.SampleMac(VpcA, ip).Value;

        void Compare()
        {
            rtl.RunUntilIdle();
            model.RunUntilIdle();
            Assert.Equal(model.DrainHost().Select(f => (f.Slot, Convert.ToHexString(f.Data))), rtl.DrainHost().Select(f => (f.Slot, Convert.ToHexString(f.Data))));
            Assert.Equal(model.DrainNetwork().Select(f => Convert.ToHexString(f.Data)), rtl.DrainNetwork().Select(f => Convert.ToHexString(f.Data)));
            Assert.Equal(model.DrainAlarms(), rtl.DrainAlarms().Select(a => a with { Cycle = 0 }));
        }
        void Tx(int slot, byte[] frame)
        {
            foreach (var e in engines)
                e.PushHost(slot, frame);
            Compare();
        }
        void Rx(byte[] inner, uint outerSource)
        {
            var frame = VxlanHeader.Encapsulate(inner, cardMac, 0x02_00_c0_00_02_14UL, outerSource, underlay, VpcA);
            foreach (var e in engines)
                e.PushNetwork(frame);
            Compare();
        }

        ulong now = 1_000_000;
        for (var round = 0; round < 400; round++)
        {
            // Time advances by up to ~20 minutes a round, so UDP, ICMP and closed TCP entries age out.
            now += (ulong)random.NextInt64(1_200_000_000L);
            rtl.SetTime(now);
            model.SetTime(now);
            if (round % 50 == 49)
            {
                // A rule change mid-traffic: slot 0 loses its ssh rule, slot 1 stops being untracked.
                var rules = round % 100 == 49 ? new SecurityRules([], [FilterRule.AllTraffic]) : SecurityRules.AllowAll;
                foreach (var e in engines)
                {
                    e.SetSecurityRules(0, rules);
                    e.SetSecurityRules(1, rules);
                    e.Commit();
                }
            }
            var batch = generator.Take(250).ToList();
            foreach (var fromNetwork in new[] { false, true })
            {
                foreach (var frame in batch.Where(f => f.FromNetwork == fromNetwork))
                {
                    frame.PushTo(rtl);
                    frame.PushTo(model);
                }
                Compare();
            }

            // A TCP conversation of slot 0 with a remote host: handshake, a retransmit, teardown (or reset).
            var sport = (ushort)(40000 + (round % 20));
            var dport = (ushort)(round % 3 == 0 ? 22 : 5000 + (round % 7));
            Tx(0, Frames.Tcp(gateway, Mac(A0), A0, R20, sport, dport, 1, 0, TcpControl.Syn));
            Rx(Frames.Tcp(Mac(A0), Mac(R20), R20, A0, dport, sport, 9, 2, TcpControl.Syn | TcpControl.Ack), Host20);
            var ack = Frames.Tcp(gateway, Mac(A0), A0, R20, sport, dport, 2, 10, TcpControl.Ack);
            Tx(0, ack);
            Tx(0, ack);
            if (round % 4 == 3)
            {
                Rx(Frames.Tcp(Mac(A0), Mac(R20), R20, A0, dport, sport, 10, 2, TcpControl.Rst), Host20);
            }
            else
            {
                Tx(0, Frames.Tcp(gateway, Mac(A0), A0, R20, sport, dport, 2, 10, TcpControl.Fin | TcpControl.Ack));
                Rx(Frames.Tcp(Mac(A0), Mac(R20), R20, A0, dport, sport, 10, 3, TcpControl.Fin | TcpControl.Ack), Host20);
            }
            Tx(0, ack);

            // TX local: slot 0 -> slot 2 tcp 80 (slot 2 allows it from 10.0.1.10), and the reply.
            Tx(0, Frames.Tcp(gateway, Mac(A0), A0, A2, sport, 80, 1, 0, TcpControl.Syn));
            Tx(2, Frames.Tcp(gateway, Mac(A2), A2, A0, 80, sport, 5, 2, TcpControl.Syn | TcpControl.Ack));

            // UDP 53 from slot 2 to a remote and its reply; ICMP echo to the internet; blackholes.
            Tx(2, Frames.Udp(gateway, Mac(A2), A2, R220, sport, 53, new byte[24]));
            Rx(Frames.Udp(Mac(A2), Mac(R220), R220, A2, 53, sport, new byte[24]), Host20);
            Tx(0, Frames.IcmpEcho(gateway, Mac(A0), A0, IPAddress.Parse("198.18.0.9"), (ushort)round, 1));
            Tx(0, Frames.Udp(gateway, Mac(A0), A0, IPAddress.Parse("192.168.3.4"), sport, 7, new byte[8]));
            Tx(0, Frames.Udp(gateway, Mac(A0), A0, IPAddress.Parse(round % 2 == 0 ? "203.0.113.5" : "203.0.113.200"), sport, 7, new byte[8]));
        }
        var r = rtl.ReadCounters();
        var m = model.ReadCounters();
        Assert.Equal(m.Drops, r.Drops);
        Assert.Equal(m.Enis, r.Enis);
        Assert.Equal(m.Filters, r.Filters);   // CT_FREE is not compared: the sweeper's timing is the RTL's own
        foreach (var reason in new[] { DropReason.SgDeny, DropReason.NaclDeny, DropReason.Blackhole, DropReason.UnknownDestination })
            Assert.True(r[reason] > 0, $"no {reason.ToWireName()} in the mix");
        Assert.True(r.Filters[0].SgAllowedIn > 400, $"only {r.Filters[0].SgAllowedIn} packets into slot 0 allowed: the replies are not tracked");
    }
}
