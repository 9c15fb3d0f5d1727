using System.Net;
using NitroCard.Card;
using NitroCard.Card.FlowRecords;
using NitroCard.Card.Hashing;
using NitroCard.Packets;
using static NitroCard.Model.Tests.TestBench;

namespace NitroCard.Model.Tests;

/// <summary>
/// docs/card-flow-records.md on the model, with <see cref="CardTopology.SampleWithFilters"/>: per-direction counts
/// of tracked flows, interval and expiry records from the sweeper, reject records, the record FIFO's overflow.
/// </summary>
public sealed class ModelCardFlowRecordTests : IDisposable
{
    private const ulong Second = 1_000_000;

    private readonly ModelCard _card;

    public ModelCardFlowRecordTests() : this(CardGeometry.Default)
    {
    }

    private ModelCardFlowRecordTests(CardGeometry geometry)
    {
        _card = new ModelCard(geometry);
        CardTopology.SampleWithFilters().LoadInto(_card);
    }

    public void Dispose() => _card.Dispose();

    private static uint A(string ip) => Ipv4Address.ToUInt32(IPAddress.Parse(ip));

    private static byte[] Tcp(string src, string dst, ushort sport, ushort dport, TcpControl flags, int payload = 0)
        => Frames.Tcp(GatewayMac, Mac(VpcA, src), Ip(src), Ip(dst), sport, dport, 1, 1, flags, Payload(payload));

    private static byte[] TcpIn(string src, string dst, ushort sport, ushort dport, TcpControl flags, int payload = 0)
        => Vxlan(VpcA, Frames.Tcp(0x02_00_00_00_00_99, 0x02_00_00_00_00_98, Ip(src), Ip(dst), sport, dport, 2, 2, flags, Payload(payload)), HostB);

    private ModelCardFlowRecordTests At(ulong seconds, ulong micros = 0)
    {
        _card.SetTime((seconds * Second) + micros);
        return this;
    }

    private ModelCardFlowRecordTests Tx(int slot, byte[] frame)
    {
        _card.PushHost(slot, frame);
        return Run();
    }

    private ModelCardFlowRecordTests Rx(byte[] frame)
    {
        _card.PushNetwork(frame);
        return Run();
    }

    private ModelCardFlowRecordTests Run()
    {
        _card.RunUntilIdle();
        _card.DrainHost();
        _card.DrainNetwork();
        _card.DrainAlarms();
        return this;
    }

    [Fact]
    public void Each_direction_of_a_flow_is_recorded_on_the_interval_with_the_bytes_the_eni_counters_count()
    {
        _card.SetFlowRecordInterval(0, 60);
        At(100).Tx(0, Tcp("10.0.1.10", "10.0.1.20", 40000, 5000, TcpControl.Syn));
        At(101).Rx(TcpIn("10.0.1.20", "10.0.1.10", 5000, 40000, TcpControl.Syn | TcpControl.Ack, payload: 7));
        At(102).Tx(0, Tcp("10.0.1.10", "10.0.1.20", 40000, 5000, TcpControl.Ack, payload: 100));
        var eni = _card.ReadCounters().Enis[0];

        At(159, 999_999);
        Assert.Empty(_card.DrainFlowRecords());
        At(160);
        var records = _card.DrainFlowRecords();
        Assert.Equal(
        [
            new CardFlowRecord(0, A("10.0.1.10"), A("10.0.1.20"), 40000, 5000, 6, 2, eni.TxBytes, 100 * Second, 102 * Second, false, FlowRecordCause.Interval),
            new CardFlowRecord(0, A("10.0.1.20"), A("10.0.1.10"), 5000, 40000, 6, 1, eni.RxBytes, 100 * Second, 102 * Second, false, FlowRecordCause.Interval),
        ], records);
        Assert.Equal(2UL, eni.TxPackets);
        Assert.Equal(1UL, eni.RxPackets);

        // Counts restart: the next record holds only what came after, from its own first packet.
        Assert.Empty(_card.DrainFlowRecords());
        var ack = Tcp("10.0.1.10", "10.0.1.20", 40000, 5000, TcpControl.Ack, payload: 10);
        At(170).Tx(0, ack);
        At(229);
        Assert.Empty(_card.DrainFlowRecords());
        At(230);
        Assert.Equal(
            [new CardFlowRecord(0, A("10.0.1.10"), A("10.0.1.20"), 40000, 5000, 6, 1, (ulong)ack.Length, 170 * Second, 170 * Second, false, FlowRecordCause.Interval)],
            _card.DrainFlowRecords());
        Assert.Equal(0UL, _card.FlowRecordOverflows);
    }

    [Fact]
    public void A_frame_between_two_enis_of_the_card_is_recorded_at_the_sender_and_at_the_receiver()
    {
        _card.SetFlowRecordInterval(0, 10);
        _card.SetFlowRecordInterval(2, 10);
        var frame = Tcp("10.0.1.10", "10.0.2.10", 41000, 80, TcpControl.Syn, payload: 20);
        At(5).Tx(0, frame);
        At(15);
        var records = _card.DrainFlowRecords().OrderBy(r => r.Slot).ToList();
        var len = (ulong)frame.Length;
        Assert.Equal(
        [
            new CardFlowRecord(0, A("10.0.1.10"), A("10.0.2.10"), 41000, 80, 6, 1, len, 5 * Second, 5 * Second, false, FlowRecordCause.Interval),
            new CardFlowRecord(2, A("10.0.1.10"), A("10.0.2.10"), 41000, 80, 6, 1, len, 5 * Second, 5 * Second, false, FlowRecordCause.Interval),
        ], records);
        Assert.Equal(len, _card.ReadCounters().Enis[2].RxBytes);
    }

    [Fact]
    public void Security_group_and_acl_drops_are_recorded_at_once_as_rejected()
    {
        _card.SetFlowRecordInterval(0, 600);
        // No inbound rule for tcp 40001 and no tracked flow: sg-deny at slot 0.
        var denied = TcpIn("10.0.1.20", "10.0.1.10", 5000, 40001, TcpControl.Syn);
        At(7).Rx(denied);
        // ACL 0 ingress rule 110 denies everything from 10.0.2.20 (another subnet): nacl-deny at slot 0.
        var acl = TcpIn("10.0.2.20", "10.0.1.10", 6000, 22, TcpControl.Syn, payload: 3);
        At(8).Rx(acl);
        // ACL 0 egress rule 100 denies udp 9999 out of the subnet: nacl-deny at the sender.
        var egress = Udp(VpcA, "10.0.1.10", "10.0.2.20", sourcePort: 1234, destinationPort: 9999);
        At(9).Tx(0, egress);
        var counters = _card.ReadCounters();
        Assert.Equal(1UL, counters[DropReason.SgDeny]);
        Assert.Equal(2UL, counters[DropReason.NaclDeny]);
        Assert.Equal(
        [
            new CardFlowRecord(0, A("10.0.1.20"), A("10.0.1.10"), 5000, 40001, 6, 1, (ulong)(denied.Length - VxlanHeader.Overhead), 7 * Second, 7 * Second, true, FlowRecordCause.Rejected),
            new CardFlowRecord(0, A("10.0.2.20"), A("10.0.1.10"), 6000, 22, 6, 1, (ulong)(acl.Length - VxlanHeader.Overhead), 8 * Second, 8 * Second, true, FlowRecordCause.Rejected),
            new CardFlowRecord(0, A("10.0.1.10"), A("10.0.2.20"), 1234, 9999, 17, 1, (ulong)egress.Length, 9 * Second, 9 * Second, true, FlowRecordCause.Rejected),
        ], _card.DrainFlowRecords());
    }

    [Fact]
    public void No_records_for_a_slot_with_records_off()
    {
        _card.SetFlowRecordInterval(0, 60);
        _card.SetFlowRecordInterval(0, 0);
        At(100).Tx(0, Tcp("10.0.1.10", "10.0.1.20", 40000, 5000, TcpControl.Syn));
        At(101).Rx(TcpIn("10.0.1.20", "10.0.1.10", 5000, 40001, TcpControl.Syn));
        At(100 + 432_001);
        _card.Sweep();
        Assert.Empty(_card.DrainFlowRecords());
        Assert.Equal(1UL, _card.ReadCounters()[DropReason.SgDeny]);
    }

    [Fact]
    public void An_icmp_flow_is_recorded_without_ports()
    {
        _card.SetFlowRecordInterval(0, 60);
        var echo = Frames.IcmpEcho(GatewayMac, Mac(VpcA, "10.0.1.10"), Ip("10.0.1.10"), Ip("10.0.1.20"), 77, 1, Payload(56));
        At(1).Tx(0, echo);
        At(61);
        Assert.Equal(
            [new CardFlowRecord(0, A("10.0.1.10"), A("10.0.1.20"), 0, 0, 1, 1, (ulong)echo.Length, Second, Second, false, FlowRecordCause.Interval)],
            _card.DrainFlowRecords());
    }

    [Fact]
    public void The_sweeper_records_an_expired_flow_before_freeing_it()
    {
        // Slot 2: UDP timeout 30 s; the interval (600 s) never comes first.
        _card.SetFlowRecordInterval(2, 600);
        var query = Udp(VpcA, "10.0.2.10", "10.0.1.20", sourcePort: 3333, destinationPort: 53);
        At(1000).Tx(2, query);
        At(1001).Tx(2, query);
        var capacity = (ulong)_card.Geometry.Filtering!.ConntrackCapacity;
        Assert.Equal(capacity - 1, _card.ReadCounters().ConntrackFree);
        At(1031);
        Assert.Empty(_card.DrainFlowRecords());
        At(1031, 1);
        Assert.Equal(
            [new CardFlowRecord(2, A("10.0.2.10"), A("10.0.1.20"), 3333, 53, 17, 2, 2 * (ulong)query.Length, 1000 * Second, 1001 * Second, false, FlowRecordCause.Expired)],
            _card.DrainFlowRecords());
        Assert.Equal(capacity, _card.ReadCounters().ConntrackFree);
    }

    [Fact]
    public void A_new_flow_taking_the_way_of_an_expired_one_records_the_expired_flow_first()
    {
        var t = new ModelCardFlowRecordTests(CardGeometry.Default with { Filtering = FilterGeometry.Default with { ConntrackBucketsLog2 = 2, ConntrackWays = 1 } });
        t._card.SetFlowRecordInterval(2, 600);
        var local = A("10.0.2.10");
        var remote = A("10.0.1.20");
        var target = CardHash.ConntrackBucket(17, local, remote, 3000, 53, 4);
        var other = (ushort)Enumerable.Range(3001, 1000).First(p => CardHash.ConntrackBucket(17, local, remote, (ushort)p, 53, 4) == target);
        var first = Udp(VpcA, "10.0.2.10", "10.0.1.20", sourcePort: 3000, destinationPort: 53);
        t.At(1000).Tx(2, first);
        // 31 s later the first flow is not live (UDP 30 s) but not swept: the second flow takes its way.
        t.At(1031).Tx(2, Udp(VpcA, "10.0.2.10", "10.0.1.20", sourcePort: other, destinationPort: 53));
        Assert.Equal(2UL, t._card.ReadCounters().Filters[2].SgAllowedOut);
        Assert.Equal(4UL - 1, t._card.ReadCounters().ConntrackFree);
        Assert.Equal(
            [new CardFlowRecord(2, local, remote, 3000, 53, 17, 1, (ulong)first.Length, 1000 * Second, 1000 * Second, false, FlowRecordCause.Expired)],
            t._card.DrainFlowRecords());
    }

    [Fact]
    public void An_untracked_flow_is_counted_in_a_count_only_entry_and_recorded_like_a_tracked_one()
    {
        // Slot 1 allows all both ways (untracked): with records on its flows get count-only entries.
        _card.SetFlowRecordInterval(1, 60);
        var capacity = (ulong)_card.Geometry.Filtering!.ConntrackCapacity;
        At(100).Tx(1, Tcp("10.0.1.11", "10.0.1.20", 40000, 5000, TcpControl.Syn));
        At(101).Rx(TcpIn("10.0.1.20", "10.0.1.11", 5000, 40000, TcpControl.Syn | TcpControl.Ack, payload: 7));
        At(102).Tx(1, Tcp("10.0.1.11", "10.0.1.20", 40000, 5000, TcpControl.Ack, payload: 100));
        var counters = _card.ReadCounters();
        Assert.Equal(capacity - 1, counters.ConntrackFree);
        var eni = counters.Enis[1];
        At(160);
        Assert.Equal(
        [
            new CardFlowRecord(1, A("10.0.1.11"), A("10.0.1.20"), 40000, 5000, 6, 2, eni.TxBytes, 100 * Second, 102 * Second, false, FlowRecordCause.Interval),
            new CardFlowRecord(1, A("10.0.1.20"), A("10.0.1.11"), 5000, 40000, 6, 1, eni.RxBytes, 100 * Second, 102 * Second, false, FlowRecordCause.Interval),
        ], _card.DrainFlowRecords());
        Assert.Equal((3UL, 0UL), (counters.Filters[1].SgAllowedOut + counters.Filters[1].SgAllowedIn, counters.Filters[1].SgDeniedIn));
    }

    [Fact]
    public void Untracked_flows_of_a_slot_with_records_off_take_no_entry()
    {
        _card.SetFlowRecordInterval(0, 60);
        At(100).Tx(1, Tcp("10.0.1.11", "10.0.1.20", 40000, 5000, TcpControl.Syn));
        Assert.Equal((ulong)_card.Geometry.Filtering!.ConntrackCapacity, _card.ReadCounters().ConntrackFree);
        At(1000);
        Assert.Empty(_card.DrainFlowRecords());
    }

    [Fact]
    public void An_untracked_packet_that_finds_no_free_way_passes_uncounted_and_is_counted_as_an_overflow()
    {
        var t = new ModelCardFlowRecordTests(CardGeometry.Default with { Filtering = FilterGeometry.Default with { ConntrackBucketsLog2 = 2, ConntrackWays = 1 } });
        t._card.SetFlowRecordInterval(1, 60);
        var remote = A("10.0.1.20");
        var target = CardHash.ConntrackBucket(6, A("10.0.1.10"), remote, 40000, 5000, 4);
        var port = (ushort)Enumerable.Range(41000, 1000).First(p => CardHash.ConntrackBucket(6, A("10.0.1.11"), remote, (ushort)p, 5000, 4) == target);
        t.At(10).Tx(0, Tcp("10.0.1.10", "10.0.1.20", 40000, 5000, TcpControl.Syn));   // slot 0's tracked flow takes the way
        t._card.PushHost(1, Tcp("10.0.1.11", "10.0.1.20", port, 5000, TcpControl.Syn));
        t._card.RunUntilIdle();
        Assert.Single(t._card.DrainNetwork());
        Assert.Equal(1UL, t._card.FlowRecordOverflows);
        Assert.Equal(1UL, t._card.ReadCounters().Filters[1].SgAllowedOut);
        t.At(100);
        Assert.Empty(t._card.DrainFlowRecords());
    }

    [Fact]
    public void Records_beyond_the_fifo_depth_are_counted_as_overflows()
    {
        var t = new ModelCardFlowRecordTests(CardGeometry.Default with { FlowRecordDepth = 2 });
        t._card.SetFlowRecordInterval(0, 60);
        for (var i = 0; i < 3; i++)
            t.At(10 + (ulong)i).Rx(TcpIn("10.0.1.20", "10.0.1.10", 5000, (ushort)(40001 + i), TcpControl.Syn));
        var records = t._card.DrainFlowRecords();
        Assert.Equal([40001, 40002], records.Select(r => (int)r.DestinationPort));
        Assert.Equal(1UL, t._card.FlowRecordOverflows);
        t.At(20).Rx(TcpIn("10.0.1.20", "10.0.1.10", 5000, 40009, TcpControl.Syn));
        Assert.Single(t._card.DrainFlowRecords());
        Assert.Equal(1UL, t._card.FlowRecordOverflows);
    }

    [Fact]
    public void An_interval_beyond_40_bits_of_microseconds_saturates_as_on_the_card()
    {
        _card.SetFlowRecordInterval(0, uint.MaxValue);
        const ulong maxMicros = (1UL << 40) - 1;
        var ack = Tcp("10.0.1.10", "10.0.1.20", 40000, 5000, TcpControl.Ack);
        // Kept alive (established TCP: 432,000 s) without moving its first packet.
        foreach (var t in new ulong[] { 1, 400_001, 800_001 })
            At(t).Tx(0, ack);
        _card.SetTime(Second + maxMicros - 1);
        Assert.Empty(_card.DrainFlowRecords());
        _card.SetTime(Second + maxMicros);
        var record = Assert.Single(_card.DrainFlowRecords());
        Assert.Equal((FlowRecordCause.Interval, 3U, Second, 800_001 * Second), (record.Cause, record.Packets, record.FirstMicros, record.LastMicros));
    }

    [Fact]
    public void A_slot_outside_the_card_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _card.SetFlowRecordInterval(-1, 60));
        Assert.Throws<ArgumentOutOfRangeException>(() => _card.SetFlowRecordInterval(_card.Geometry.EniSlots, 60));
    }
}
