using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.FlowRecords;
using NitroCard.Driver.Simulation;
using NitroCard.Model;
using NitroCard.Packets;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// RTL and model agree on filtered traffic (CardTopology.SampleWithFilters): the random mix of
/// FrameGenerator plus, every round, scripted conversations — a TCP handshake with a remote host
/// (SYN out, SYN-ACK in, a retransmitted ACK, FIN both ways, and every fourth round an RST), a TX-local
/// TCP flow between two tracked ENIs with its reply, UDP to port 53 and its reply, ICMP echo to the
/// internet edge, and traffic to blackholed prefixes — under rule changes and time passing. Slots 0, 1 and 2 have
/// flow records on (docs/card-flow-records.md; slot 1 is untracked, so its flows have count-only entries, and
/// it is tracked between rule changes): with an interval longer than the run, the expiry and reject
/// records, whose content does not depend on when the sweeper passes, are compared as sets at the end (after
/// one whole RTL sweep pass); with a short interval, after a whole sweep pass at each time step.
/// </summary>
public class FilteringDifferentialTests
{
    private static readonly IPAddress A0 = IPAddress.Parse("10.0.1.10");     // slot 0, tracked
    private static readonly IPAddress A1 = IPAddress.Parse("10.0.1.11");     // slot 1, untracked
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
        // Records on slots 0, 1 (untracked) and 2, never due for an interval within the run (400 rounds of at most 20 minutes).
        const uint longInterval = 1_000_000;
        foreach (var source in new IFlowRecordSource[] { rtl, model })
        {
            foreach (var slot in new[] { 0, 1, 2 })
                source.SetFlowRecordInterval(slot, longInterval);
        }
        var rtlRecords = new List<CardFlowRecord>();
        var modelRecords = new List<CardFlowRecord>();
        var random = new Random(20261128);
        var generator = new FrameGenerator(topology, 20261128);
        var underlay = Ipv4Address.ToUInt32(topology.Settings.UnderlayIp);
        var cardMac = topology.Settings.UnderlayMac.Value;
        var gateway = topology.Settings.GatewayMac.Value;
        ulong Mac(IPAddress ip) => CardTopology.SampleMac(VpcA, ip).Value;
        var outerDestinations = new HashSet<uint>();

        void Compare()
        {
            rtl.RunUntilIdle();
            model.RunUntilIdle();
            Assert.Equal(model.DrainHost().Select(f => (f.Slot, Convert.ToHexString(f.Data))), rtl.DrainHost().Select(f => (f.Slot, Convert.ToHexString(f.Data))));
            var sent = model.DrainNetwork();
            Assert.Equal(sent.Select(f => Convert.ToHexString(f.Data)), rtl.DrainNetwork().Select(f => Convert.ToHexString(f.Data)));
            foreach (var f in sent)
                outerDestinations.Add(Ipv4Header.Destination(f.Data.AsSpan(14)));
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
            if (round % 100 == 0)
            {
                // The edge set changes under traffic (docs/card-edges.md): none, three edges, one dead, back to none.
                IPAddress[] edges = (round / 100) switch
                {
                    1 => [IPAddress.Parse("192.0.2.241"), IPAddress.Parse("192.0.2.242"), IPAddress.Parse("192.0.2.243")],
                    2 => [IPAddress.Parse("192.0.2.241"), IPAddress.Parse("192.0.2.243")],
                    _ => [],
                };
                foreach (var e in engines)
                    e.SetEdgeSet(edges);
            }
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
            rtlRecords.AddRange(rtl.DrainFlowRecords());
            modelRecords.AddRange(model.DrainFlowRecords());
        }
        // The run's idle cycles are far fewer than a sweep pass, so most expired entries are swept here: drained as
        // the pass goes (one record a cycle at most, 256 cycles a drain: the FIFO holds 513).
        for (var cycles = 0UL; cycles < SweepPassCycles(rtl); cycles += 256)
        {
            rtl.Card.Step(256);
            rtlRecords.AddRange(rtl.DrainFlowRecords());
        }
        modelRecords.AddRange(model.DrainFlowRecords());
        Assert.Equal(0UL, rtl.FlowRecordOverflows);
        Assert.Equal(0UL, model.FlowRecordOverflows);
        Assert.Equal(Sorted(modelRecords), Sorted(rtlRecords));
        Assert.Contains(rtlRecords, x => x.Cause == FlowRecordCause.Expired && x.Slot == 2);
        Assert.Contains(rtlRecords, x => x.Cause == FlowRecordCause.Expired && x.Slot == 0 && x.Packets > 1);
        Assert.Contains(rtlRecords, x => x.Cause == FlowRecordCause.Rejected && x.Slot == 0);
        Assert.Contains(rtlRecords, x => x.Cause == FlowRecordCause.Expired && x.Slot == 1 && x.Packets > 1);
        Assert.Contains(rtlRecords, x => x.Cause == FlowRecordCause.Rejected && x.Slot == 1);   // while slot 1 is tracked
        Assert.DoesNotContain(rtlRecords, x => x.Slot is not (0 or 1 or 2));
        var r = rtl.ReadCounters();
        var m = model.ReadCounters();
        Assert.Equal(m.Drops, r.Drops);
        Assert.Equal(m.Enis, r.Enis);
        Assert.Equal(m.Filters, r.Filters);   // CT_FREE is not compared: the sweeper's timing is the RTL's own
        foreach (var reason in new[] { DropReason.SgDeny, DropReason.NaclDeny, DropReason.Blackhole, DropReason.UnknownDestination })
            Assert.True(r[reason] > 0, $"no {reason.ToWireName()} in the mix");
        Assert.True(r.Filters[0].SgAllowedIn > 400, $"only {r.Filters[0].SgAllowedIn} packets into slot 0 allowed: the replies are not tracked");
        foreach (var edge in new[] { "192.0.2.241", "192.0.2.242", "192.0.2.243" })
            Assert.Contains(Ipv4Address.Parse(edge), outerDestinations);
    }

    /// <summary>
    /// Interval records: slots 0, 1 (untracked: count-only entries) and 2 with a 5-second interval, time moving 2 s a step for 40 s (unanswered UDP expires after 30 s). At each step a whole RTL
    /// sweep pass (and the model's sweep) runs before the step's traffic, so both see every flow at the same time.
    /// </summary>
    [Fact]
    public void Rtl_and_model_agree_on_flow_records_with_a_short_interval()
    {
        using var rtl = new RtlCardEngine();
        using var model = new ModelCard(rtl.Geometry);
        var topology = CardTopology.SampleWithFilters();
        topology.LoadInto(rtl);
        topology.LoadInto(model);
        var engines = new ICardEngine[] { rtl, model };
        foreach (var source in new IFlowRecordSource[] { rtl, model })
        {
            foreach (var slot in new[] { 0, 1, 2 })
                source.SetFlowRecordInterval(slot, 5);
        }
        var generator = new FrameGenerator(topology, 20261207);
        var underlay = Ipv4Address.ToUInt32(topology.Settings.UnderlayIp);
        var cardMac = topology.Settings.UnderlayMac.Value;
        var gateway = topology.Settings.GatewayMac.Value;
        ulong Mac(IPAddress ip) => CardTopology.SampleMac(VpcA, ip).Value;
        void Run()
        {
            rtl.RunUntilIdle();
            model.RunUntilIdle();
            Assert.Equal(model.DrainHost().Count, rtl.DrainHost().Count);
            Assert.Equal(model.DrainNetwork().Count, rtl.DrainNetwork().Count);
            Assert.Equal(model.DrainAlarms().Count, rtl.DrainAlarms().Count);
        }
        void Tx(int slot, byte[] frame)
        {
            foreach (var e in engines)
                e.PushHost(slot, frame);
        }
        void Rx(byte[] inner)
        {
            var frame = VxlanHeader.Encapsulate(inner, cardMac, 0x02_00_c0_00_02_14UL, Host20, underlay, VpcA);
            foreach (var e in engines)
                e.PushNetwork(frame);
        }

        var causes = new HashSet<FlowRecordCause>();
        var untrackedIntervals = 0;
        var total = 0;
        ulong now = 1_000_000;
        for (var step = 0; step < 20; step++)
        {
            now += 2_000_000;
            rtl.SetTime(now);
            model.SetTime(now);
            SweepPass(rtl);
            var rtlRecords = rtl.DrainFlowRecords();
            Assert.Equal(Sorted(model.DrainFlowRecords()), Sorted(rtlRecords));
            total += rtlRecords.Count;
            foreach (var record in rtlRecords)
                causes.Add(record.Cause);
            untrackedIntervals += rtlRecords.Count(r => r.Slot == 1 && r.Cause == FlowRecordCause.Interval);

            // Long-lived flows (the same ports every step) with bytes both ways, and short ones.
            Tx(0, Frames.Tcp(gateway, Mac(A0), A0, R20, 40000, 22, 1, 0, TcpControl.Ack, new byte[100 + step]));
            Rx(Frames.Tcp(Mac(A0), Mac(R20), R20, A0, 22, 40000, 9, 2, TcpControl.Ack, new byte[300]));
            Tx(0, Frames.Tcp(gateway, Mac(A0), A0, A2, 41000, 80, 1, 0, TcpControl.Ack, new byte[step]));
            Tx(2, Frames.Tcp(gateway, Mac(A2), A2, A0, 80, 41000, 5, 2, TcpControl.Ack, new byte[1000]));
            Tx(2, Frames.Udp(gateway, Mac(A2), A2, R220, (ushort)(3000 + step), 53, new byte[24]));
            Rx(Frames.Udp(Mac(A2), Mac(R220), R220, A2, 53, (ushort)(3000 + step), new byte[60]));
            Tx(2, Frames.Udp(gateway, Mac(A2), A2, R220, (ushort)(4000 + step), 53, new byte[40]));   // no reply: expires after 30 s
            Tx(0, Frames.IcmpEcho(gateway, Mac(A0), A0, IPAddress.Parse("198.18.0.9"), 7, (ushort)step));
            Rx(Frames.Tcp(Mac(A0), Mac(R20), R20, A0, 5000, (ushort)(42000 + step), 9, 2, TcpControl.Syn));   // sg-deny
            Tx(1, Frames.Tcp(gateway, Mac(A1), A1, R20, 43000, 8443, 1, 0, TcpControl.Ack, new byte[50 + step]));   // untracked, long-lived
            Rx(Frames.Tcp(Mac(A1), Mac(R20), R20, A1, 8443, 43000, 9, 2, TcpControl.Ack, new byte[200]));
            Tx(1, Frames.Udp(gateway, Mac(A1), A1, R220, (ushort)(5000 + step), 123, new byte[48]));            // untracked, expires after 30 s
            Run();
            foreach (var frame in generator.Take(100))
            {
                frame.PushTo(rtl);
                frame.PushTo(model);
            }
            Run();
        }
        Assert.Equal(0UL, rtl.FlowRecordOverflows);
        Assert.Equal(0UL, model.FlowRecordOverflows);
        Assert.Contains(FlowRecordCause.Interval, causes);
        Assert.Contains(FlowRecordCause.Expired, causes);
        Assert.Contains(FlowRecordCause.Rejected, causes);
        Assert.True(untrackedIntervals >= 6, $"only {untrackedIntervals} interval records of the untracked slot");
        Assert.True(total > 50, $"only {total} flow records");
    }

    /// <summary>Idle cycles for the RTL sweeper to visit every tracking bucket: one a cycle, and a cycle more per record beyond one a bucket.</summary>
    private static void SweepPass(RtlCardEngine rtl) => rtl.Card.Step(SweepPassCycles(rtl));

    private static ulong SweepPassCycles(RtlCardEngine rtl) => (ulong)rtl.Geometry.Filtering!.ConntrackBuckets + 8192;

    private static List<string> Sorted(IEnumerable<CardFlowRecord> records) => [.. records.Select(r => r.ToString()).Order(StringComparer.Ordinal)];
}
