using System.Buffers.Binary;
using NitroCard.Card;
using NitroCard.Packets;
using static NitroCard.Model.Tests.TestBench;

namespace NitroCard.Model.Tests;

/// <summary>docs/card-semantics.md "TX": every drop reason in check order, local switching, encapsulation.</summary>
public class ModelCardTxTests
{
    [Fact]
    public void Engine_identifies_as_model_with_default_geometry()
    {
        using var card = new ModelCard();
        Assert.Equal("model", card.Name);
        Assert.Equal(CardGeometry.Default, card.Geometry);
        Assert.Equal(9015, card.Geometry.MaxInnerFrame);
    }

    // ---- drops, in check order --------------------------------------------------------------

    [Fact]
    public void Frame_one_byte_over_max_inner_frame_is_mtu_exceeded()
    {
        var frame = UdpOfTotalLength(VpcA, "10.0.1.10", "10.0.1.20", 9002);
        Assert.Equal(9016, frame.Length);
        var bench = new TestBench().Tx(0, frame);
        bench.AssertTxAlarm(DropReason.MtuExceeded, 0, VpcA, "10.0.1.10", "10.0.1.20");
    }

    [Fact]
    public void Largest_legal_frame_9015_bytes_passes()
    {
        var frame = UdpOfTotalLength(VpcA, "10.0.1.10", "10.0.1.20", 9001);
        Assert.Equal(9015, frame.Length);
        var bench = new TestBench().Tx(0, frame);
        var sent = Assert.Single(bench.Network);
        Assert.Equal(9065, sent.Data.Length);
        Assert.Equal(new EniCounters(1, 9015, 0, 0), bench.Counters.Enis[0]);
    }

    [Fact]
    public void Mtu_check_comes_before_every_other_check()
    {
        // Unprogrammed slot and garbage content: still mtu-exceeded, alarm VNI 0 (slot not valid).
        var frame = new byte[9016];
        var bench = new TestBench().Tx(3, frame);
        bench.AssertTxAlarm(DropReason.MtuExceeded, 3, 0, "0.0.0.0", "0.0.0.0");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(13)]
    public void Frame_shorter_than_an_ethernet_header_is_malformed(int length)
    {
        var frame = UdpOfTotalLength(VpcA, "10.0.1.10", "10.0.1.20", 40)[..length];
        var bench = new TestBench().Tx(0, frame);
        bench.AssertTxAlarm(DropReason.Malformed, 0, VpcA, "0.0.0.0", "0.0.0.0");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(255)]
    public void Frame_from_an_unprogrammed_slot_is_source_check(int slot)
    {
        var bench = new TestBench().Tx(slot, Udp(VpcA, "10.0.1.10", "10.0.1.20"));
        bench.AssertTxAlarm(DropReason.SourceCheck, slot, 0, "10.0.1.10", "10.0.1.20");
    }

    [Fact]
    public void Frame_whose_source_mac_is_not_the_enis_is_source_check()
    {
        var frame = Udp(VpcA, "10.0.1.10", "10.0.1.20");
        EthernetHeader.WriteSource(frame, Mac(VpcA, "10.0.1.11"));
        var bench = new TestBench().Tx(0, frame);
        bench.AssertTxAlarm(DropReason.SourceCheck, 0, VpcA, "10.0.1.10", "10.0.1.20");
    }

    [Theory]
    [InlineData(EthernetHeader.TypeIpv6)]
    [InlineData(EthernetHeader.TypeVlan)]
    [InlineData(0x88CC)]
    public void Ethertype_other_than_ipv4_or_arp_is_unsupported(ushort etherType)
    {
        var frame = Frames.Pad(EthernetHeader.Build(GatewayMac, Mac(VpcA, "10.0.1.10"), etherType, Payload(40)));
        var bench = new TestBench().Tx(0, frame);
        var alarm = bench.AssertDropped(DropReason.Unsupported);
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(26)), Ipv4Address.ToUInt32(alarm.InnerSource));
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(30)), Ipv4Address.ToUInt32(alarm.InnerDestination));
    }

    [Fact]
    public void Ipv4_frame_shorter_than_34_bytes_is_malformed_and_alarm_takes_fields_that_fit()
    {
        var frame = Udp(VpcA, "10.0.1.10", "10.0.1.20")[..31];
        var bench = new TestBench().Tx(0, frame);
        // bytes 26..29 (source) fit in 31 bytes, 30..33 (destination) do not.
        bench.AssertTxAlarm(DropReason.Malformed, 0, VpcA, "10.0.1.10", "0.0.0.0");
    }

    [Theory]
    [InlineData(0x65)] // version 6
    [InlineData(0x44)] // IHL 4
    [InlineData(0x40)] // IHL 0
    public void Bad_version_or_short_ihl_is_malformed_even_with_a_valid_checksum(byte versionIhl)
    {
        var frame = Udp(VpcA, "10.0.1.10", "10.0.1.20");
        frame[14] = versionIhl;
        FixChecksum(frame);
        new TestBench().Tx(0, frame).AssertTxAlarm(DropReason.Malformed, 0, VpcA, "10.0.1.10", "10.0.1.20");
    }

    [Fact]
    public void Ipv4_options_are_unsupported()
    {
        var frame = Udp(VpcA, "10.0.1.10", "10.0.1.20");
        frame[14] = 0x46;
        FixChecksum(frame);
        new TestBench().Tx(0, frame).AssertTxAlarm(DropReason.Unsupported, 0, VpcA, "10.0.1.10", "10.0.1.20");
    }

    [Fact]
    public void Options_are_reported_before_the_checksum_is_checked()
    {
        var frame = Udp(VpcA, "10.0.1.10", "10.0.1.20");
        frame[14] = 0x46; // checksum now wrong too
        new TestBench().Tx(0, frame).AssertDropped(DropReason.Unsupported);
    }

    [Fact]
    public void Bad_header_checksum_is_malformed()
    {
        var frame = Udp(VpcA, "10.0.1.10", "10.0.1.20");
        frame[24] ^= 0x01;
        new TestBench().Tx(0, frame).AssertTxAlarm(DropReason.Malformed, 0, VpcA, "10.0.1.10", "10.0.1.20");
    }

    [Theory]
    [InlineData(19)]
    [InlineData(0)]
    [InlineData(47)] // 14 + 47 > 60
    public void Total_length_that_disagrees_with_the_frame_is_malformed(int totalLength)
    {
        var frame = Udp(VpcA, "10.0.1.10", "10.0.1.20"); // 60 bytes, total length 46
        Assert.Equal(60, frame.Length);
        SetUInt16(frame, 16, totalLength);
        FixChecksum(frame);
        new TestBench().Tx(0, frame).AssertTxAlarm(DropReason.Malformed, 0, VpcA, "10.0.1.10", "10.0.1.20");
    }

    [Fact]
    public void Source_ip_that_is_not_the_enis_is_source_check()
    {
        var frame = Frames.Udp(GatewayMac, Mac(VpcA, "10.0.1.10"), Ip("10.0.1.99"), Ip("10.0.1.20"), 1, 2, Payload(10));
        new TestBench().Tx(0, frame).AssertTxAlarm(DropReason.SourceCheck, 0, VpcA, "10.0.1.99", "10.0.1.20");
    }

    [Fact]
    public void Source_ip_check_is_skipped_when_the_eni_disables_it()
    {
        // Slot 6 (VPC B, 10.0.1.12) has the source/destination check off.
        var frame = Frames.Udp(GatewayMac, Mac(VpcB, "10.0.1.12"), Ip("172.16.0.1"), Ip("10.0.1.10"), 1, 2, Payload(10));
        var bench = new TestBench().Tx(6, frame);
        var delivered = Assert.Single(bench.Host);
        Assert.Equal(5, delivered.Slot);
    }

    [Fact]
    public void Ttl_zero_is_ttl_expired()
    {
        var frame = Udp(VpcA, "10.0.1.10", "10.0.1.20", ttl: 0);
        new TestBench().Tx(0, frame).AssertTxAlarm(DropReason.TtlExpired, 0, VpcA, "10.0.1.10", "10.0.1.20");
    }

    [Fact]
    public void Ttl_check_comes_after_the_source_check()
    {
        var frame = Frames.Udp(GatewayMac, Mac(VpcA, "10.0.1.10"), Ip("10.0.1.99"), Ip("10.0.1.20"), 1, 2, Payload(10), ttl: 0);
        new TestBench().Tx(0, frame).AssertDropped(DropReason.SourceCheck);
    }

    [Fact]
    public void Unmapped_destination_is_unknown_destination()
    {
        var frame = Udp(VpcA, "10.0.1.10", "10.0.3.3");
        new TestBench().Tx(0, frame).AssertTxAlarm(DropReason.UnknownDestination, 0, VpcA, "10.0.1.10", "10.0.3.3");
    }

    [Fact]
    public void Ttl_one_is_forwarded_and_not_decremented()
    {
        var frame = Udp(VpcA, "10.0.1.10", "10.0.1.11", ttl: 1);
        var bench = new TestBench().Tx(0, frame);
        var delivered = Assert.Single(bench.Host);
        Assert.Equal(1, delivered.Data[22]);
        Assert.Equal(frame.AsSpan(12).ToArray(), delivered.Data.AsSpan(12).ToArray());
    }

    // ---- local switching --------------------------------------------------------------------

    [Fact]
    public void Same_host_same_subnet_is_switched_locally_with_the_senders_mac()
    {
        var frame = Udp(VpcA, "10.0.1.10", "10.0.1.11", payload: 100, destinationMac: Mac(VpcA, "10.0.1.11"));
        var bench = new TestBench().Tx(0, frame);
        Assert.Empty(bench.Network);
        Assert.Empty(bench.Alarms);
        var delivered = Assert.Single(bench.Host);
        Assert.Equal(1, delivered.Slot);
        Assert.Equal(0UL, delivered.Cycle);
        Assert.Equal(Mac(VpcA, "10.0.1.11"), EthernetHeader.Destination(delivered.Data));
        Assert.Equal(Mac(VpcA, "10.0.1.10"), EthernetHeader.Source(delivered.Data));
        Assert.Equal(frame.AsSpan(12).ToArray(), delivered.Data.AsSpan(12).ToArray());
        var counters = bench.Counters;
        Assert.Equal(new EniCounters(1, (ulong)frame.Length, 0, 0), counters.Enis[0]);
        Assert.Equal(new EniCounters(0, 0, 1, (ulong)frame.Length), counters.Enis[1]);
        Assert.All(counters.Drops, d => Assert.Equal(0UL, d));
    }

    [Fact]
    public void Same_host_across_subnets_gets_the_gateway_mac_as_source()
    {
        var frame = Udp(VpcA, "10.0.1.10", "10.0.2.10");
        var bench = new TestBench().Tx(0, frame);
        var delivered = Assert.Single(bench.Host);
        Assert.Equal(2, delivered.Slot);
        Assert.Equal(Mac(VpcA, "10.0.2.10"), EthernetHeader.Destination(delivered.Data));
        Assert.Equal(GatewayMac, EthernetHeader.Source(delivered.Data));
        Assert.Equal(frame.AsSpan(12).ToArray(), delivered.Data.AsSpan(12).ToArray());
    }

    [Fact]
    public void Padding_is_carried_unchanged_on_local_delivery()
    {
        var frame = Frames.Pad(Udp(VpcA, "10.0.1.10", "10.0.1.11", payload: 2), 64, 0xA5);
        var bench = new TestBench().Tx(0, frame);
        var delivered = Assert.Single(bench.Host);
        Assert.Equal(64, delivered.Data.Length);
        Assert.Equal(frame.AsSpan(12).ToArray(), delivered.Data.AsSpan(12).ToArray());
        Assert.Equal(64UL, bench.Counters.Enis[1].RxBytes);
    }

    [Fact]
    public void Frame_to_its_own_address_is_delivered_back_to_the_same_slot()
    {
        var frame = Udp(VpcA, "10.0.1.10", "10.0.1.10");
        var bench = new TestBench().Tx(0, frame);
        var delivered = Assert.Single(bench.Host);
        Assert.Equal(0, delivered.Slot);
        Assert.Equal(new EniCounters(1, 60, 1, 60), bench.Counters.Enis[0]);
    }

    // ---- encapsulation -------------------------------------------------------------------

    [Fact]
    public void Cross_host_frame_is_encapsulated_byte_for_byte()
    {
        var frame = Udp(VpcA, "10.0.1.10", "10.0.1.20", payload: 30, sourcePort: 40000, destinationPort: 80);
        var len = frame.Length;
        var bench = new TestBench().Tx(0, frame);
        Assert.Empty(bench.Host);
        var sent = Assert.Single(bench.Network);
        Assert.Equal(-1, sent.Slot);
        var d = sent.Data;
        Assert.Equal(len + 50, d.Length);

        var port = FlowHash.SourcePort(new FlowTuple(Ipv4Address.ToUInt32(Ip("10.0.1.10")), Ipv4Address.ToUInt32(Ip("10.0.1.20")), 17, 40000, 80));
        Assert.InRange(port, 49152, 65535);
        byte[] expected =
        [
            0x02, 0x00, 0xc0, 0x00, 0x02, 0x01, // next-hop MAC
            0x02, 0x00, 0xc0, 0x00, 0x02, 0x0a, // underlay MAC
            0x08, 0x00,
            0x45, 0x00, (byte)((len + 36) >> 8), (byte)(len + 36),
            0x00, 0x00, 0x40, 0x00, // id 0, DF
            64, 17, 0x00, 0x00, // TTL, UDP, checksum (checked below)
            192, 0, 2, 10,
            192, 0, 2, 20,
            (byte)(port >> 8), (byte)port, 0x12, 0xB5, // 4789
            (byte)((len + 16) >> 8), (byte)(len + 16), 0x00, 0x00,
            0x08, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE9, 0x00, // VNI 1001
        ];
        var outer = d.AsSpan(0, 50).ToArray();
        Assert.True(Ipv4Checksum.VerifyHeader(outer.AsSpan(14, 20)));
        outer[24] = 0;
        outer[25] = 0;
        Assert.Equal(expected, outer);
        Assert.Equal(Ipv4Checksum.ComputeHeader(d.AsSpan(14, 20)), BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(24)));

        // Inner: destination MAC = mapping's MAC, source = ENI's (same subnet), everything else unchanged.
        var inner = d.AsSpan(50);
        Assert.Equal(Mac(VpcA, "10.0.1.20"), EthernetHeader.Destination(inner));
        Assert.Equal(Mac(VpcA, "10.0.1.10"), EthernetHeader.Source(inner));
        Assert.Equal(frame.AsSpan(12).ToArray(), inner[12..].ToArray());
        Assert.Equal(new EniCounters(1, (ulong)len, 0, 0), bench.Counters.Enis[0]);
    }

    [Fact]
    public void Packets_vxlan_builder_matches_the_model_encapsulation()
    {
        var frame = Frames.Tcp(GatewayMac, Mac(VpcA, "10.0.1.10"), Ip("10.0.1.10"), Ip("10.0.2.20"), 33000, 443, 1, 0, TcpControl.Syn);
        var bench = new TestBench().Tx(0, frame);
        var sent = Assert.Single(bench.Network).Data;
        var inner = (byte[])frame.Clone();
        EthernetHeader.WriteDestination(inner, Mac(VpcA, "10.0.2.20"));
        EthernetHeader.WriteSource(inner, GatewayMac); // across subnets
        var expected = VxlanHeader.Encapsulate(inner, NextHopMac, UnderlayMac, Ipv4Address.Parse("192.0.2.10"), Ipv4Address.Parse("192.0.2.20"), VpcA);
        Assert.Equal(expected, sent);
    }

    [Fact]
    public void Flow_hash_uses_zero_ports_for_fragments_and_non_tcp_udp()
    {
        var src = Ipv4Address.Parse("10.0.1.10");
        var dst = Ipv4Address.Parse("10.0.1.20");
        var udp = UdpHeader.Build(src, dst, 1234, 5678, Payload(20));
        var fragment = Frames.Ipv4(GatewayMac, Mac(VpcA, "10.0.1.10"), new Ipv4Fields(src, dst, 17) { MoreFragments = true }, udp);
        var icmp = Frames.IcmpEcho(GatewayMac, Mac(VpcA, "10.0.1.10"), Ip("10.0.1.10"), Ip("10.0.1.20"), 7, 1, Payload(8));
        var whole = Frames.Ipv4(GatewayMac, Mac(VpcA, "10.0.1.10"), new Ipv4Fields(src, dst, 17), udp);

        var bench = new TestBench();
        bench.Card.PushHost(0, fragment);
        bench.Card.PushHost(0, icmp);
        bench.Card.PushHost(0, whole);
        bench.Run();
        Assert.Equal(3, bench.Network.Count);
        ushort Port(int i) => BinaryPrimitives.ReadUInt16BigEndian(bench.Network[i].Data.AsSpan(34));
        Assert.Equal(FlowHash.SourcePort(new FlowTuple(src, dst, 17, 0, 0)), Port(0));
        Assert.Equal(FlowHash.SourcePort(new FlowTuple(src, dst, 1, 0, 0)), Port(1));
        Assert.Equal(FlowHash.SourcePort(new FlowTuple(src, dst, 17, 1234, 5678)), Port(2));
    }

    [Fact]
    public void Padding_is_carried_inside_the_tunnel()
    {
        var frame = Frames.Pad(Udp(VpcA, "10.0.1.10", "10.0.1.20", payload: 1), 70, 0xEE);
        var bench = new TestBench().Tx(0, frame);
        var sent = Assert.Single(bench.Network).Data;
        Assert.Equal(120, sent.Length);
        Assert.Equal(106, BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(16)));
        Assert.Equal(86, BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(38)));
        Assert.Equal(frame.AsSpan(12).ToArray(), sent.AsSpan(62).ToArray());
        Assert.Equal(70UL, bench.Counters.Enis[0].TxBytes);
    }

    [Fact]
    public void Overlapping_address_plans_are_isolated_by_vni()
    {
        // 10.0.1.10 exists in both VPCs (slots 0 and 5); 10.0.1.20 lives on host B in VPC A, host C in VPC B.
        var bench = new TestBench();
        bench.Card.PushHost(0, Udp(VpcA, "10.0.1.10", "10.0.1.20"));
        bench.Card.PushHost(5, Udp(VpcB, "10.0.1.10", "10.0.1.20"));
        bench.Run();
        Assert.Equal(2, bench.Network.Count);
        Assert.Equal(Ipv4Address.Parse("192.0.2.20"), Ipv4Header.Destination(bench.Network[0].Data.AsSpan(14)));
        Assert.Equal(VpcA, VxlanHeader.Vni(bench.Network[0].Data.AsSpan(42)));
        Assert.Equal(Ipv4Address.Parse("192.0.2.30"), Ipv4Header.Destination(bench.Network[1].Data.AsSpan(14)));
        Assert.Equal(VpcB, VxlanHeader.Vni(bench.Network[1].Data.AsSpan(42)));
        Assert.Equal(Mac(VpcB, "10.0.1.20"), EthernetHeader.Destination(bench.Network[1].Data.AsSpan(50)));
    }

    [Fact]
    public void Address_that_only_another_vpc_has_is_unknown_destination()
    {
        // 10.0.1.40 is mapped in VPC B only; 10.0.1.11 is a local ENI of VPC A only.
        new TestBench().Tx(0, Udp(VpcA, "10.0.1.10", "10.0.1.40")).AssertTxAlarm(DropReason.UnknownDestination, 0, VpcA, "10.0.1.10", "10.0.1.40");
        new TestBench().Tx(5, Udp(VpcB, "10.0.1.10", "10.0.1.11")).AssertTxAlarm(DropReason.UnknownDestination, 5, VpcB, "10.0.1.10", "10.0.1.11");
    }

    [Fact]
    public void Outputs_keep_input_order_per_port()
    {
        var bench = new TestBench();
        for (var i = 0; i < 10; i++)
            bench.Card.PushHost(0, Udp(VpcA, "10.0.1.10", i % 2 == 0 ? "10.0.1.20" : "10.0.1.11", payload: 20 + i));
        bench.Run();
        Assert.Equal(5, bench.Network.Count);
        Assert.Equal(5, bench.Host.Count);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(50 + 14 + 20 + 8 + 20 + (2 * i), bench.Network[i].Data.Length);
            Assert.Equal(14 + 20 + 8 + 21 + (2 * i), bench.Host[i].Data.Length);
        }
    }
}
