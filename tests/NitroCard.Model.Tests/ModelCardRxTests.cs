using System.Buffers.Binary;
using System.Net;
using NitroCard.Card;
using NitroCard.Card.Tables;
using NitroCard.Packets;
using static NitroCard.Model.Tests.TestBench;

namespace NitroCard.Model.Tests;

/// <summary>docs/card-semantics.md "RX": decapsulation, anti-spoofing, every RX drop reason in check order.</summary>
public class ModelCardRxTests
{
    /// <summary>10.0.1.20 (VPC A, on host B) → 10.0.1.10 (slot 0), as host B's card sends it.</summary>
    private static byte[] Inner(int payload = 18, string source = "10.0.1.20", string destination = "10.0.1.10", uint vni = VpcA, byte ttl = 64)
        => Frames.Udp(Mac(vni, destination), Mac(vni, source), Ip(source), Ip(destination), 5000, 6000, Payload(payload), ttl);

    private static byte[] Valid(int payload = 18) => Vxlan(VpcA, Inner(payload), HostB);

    private static void AssertRxAlarm(TestBench bench, DropReason reason, byte[] frame, int slot = 0xFF)
    {
        var alarm = bench.AssertDropped(reason);
        uint Field(int offset) => frame.Length >= offset + 4 ? BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(offset)) : 0;
        var vni = frame.Length >= 49 ? (uint)((frame[46] << 16) | (frame[47] << 8) | frame[48]) : 0;
        Assert.Equal(new CardAlarm(0, reason, slot, vni, Ipv4Address.FromUInt32(Field(26)), Ipv4Address.FromUInt32(Field(76)), Ipv4Address.FromUInt32(Field(80))), alarm);
        foreach (var eni in bench.Counters.Enis)
            Assert.Equal(default, eni);
    }

    // ---- delivery -------------------------------------------------------------------------

    [Fact]
    public void Valid_frame_is_decapsulated_and_delivered_with_the_enis_mac()
    {
        var inner = Inner(payload: 40);
        EthernetHeader.WriteDestination(inner, 0x0200_dead_beef); // the card replaces it
        var bench = new TestBench().Rx(Vxlan(VpcA, inner, HostB));
        Assert.Empty(bench.Network);
        Assert.Empty(bench.Alarms);
        var delivered = Assert.Single(bench.Host);
        Assert.Equal(0, delivered.Slot);
        Assert.Equal(inner.Length, delivered.Data.Length);
        Assert.Equal(Mac(VpcA, "10.0.1.10"), EthernetHeader.Destination(delivered.Data));
        Assert.Equal(inner.AsSpan(6).ToArray(), delivered.Data.AsSpan(6).ToArray());
        Assert.Equal(new EniCounters(0, 0, 1, (ulong)inner.Length), bench.Counters.Enis[0]);
        Assert.All(bench.Counters.Drops, d => Assert.Equal(0UL, d));
    }

    [Fact]
    public void Outer_padding_is_discarded_and_inner_padding_kept()
    {
        var inner = Frames.Pad(Inner(payload: 2), 60, 0x77); // 44 bytes of IPv4 + 2 of payload, padded
        var frame = Frames.Pad(Vxlan(VpcA, inner, HostB), 110 + 20, 0x99);
        var bench = new TestBench().Rx(frame);
        var delivered = Assert.Single(bench.Host);
        Assert.Equal(60, delivered.Data.Length);
        Assert.Equal(inner.AsSpan(6).ToArray(), delivered.Data.AsSpan(6).ToArray());
        Assert.Equal(60UL, bench.Counters.Enis[0].RxBytes);
    }

    [Fact]
    public void Largest_inner_frame_passes_and_one_more_byte_is_mtu_exceeded()
    {
        var inner = Frames.Udp(Mac(VpcA, "10.0.1.10"), Mac(VpcA, "10.0.1.20"), Ip("10.0.1.20"), Ip("10.0.1.10"), 1, 2, Payload(9001 - 28));
        Assert.Equal(9015, inner.Length);
        var bench = new TestBench().Rx(Vxlan(VpcA, inner, HostB));
        Assert.Equal(9015, Assert.Single(bench.Host).Data.Length);

        var oversized = Frames.Pad(Vxlan(VpcA, inner, HostB), 9066);
        AssertRxAlarm(new TestBench().Rx(oversized), DropReason.MtuExceeded, oversized);
    }

    [Fact]
    public void Spoofed_source_is_dropped_with_an_alarm_naming_the_local_slot()
    {
        // 10.0.1.20 lives on host B, the frame comes from host C.
        var frame = Vxlan(VpcA, Inner(), HostC);
        var bench = new TestBench().Rx(frame);
        var alarm = bench.AssertDropped(DropReason.SpoofedSource);
        Assert.Equal(new CardAlarm(0, DropReason.SpoofedSource, 0, VpcA, HostC, Ip("10.0.1.20"), Ip("10.0.1.10")), alarm);
    }

    [Fact]
    public void Unmapped_inner_source_is_spoofed()
    {
        var frame = Vxlan(VpcA, Inner(source: "10.0.1.99"), HostB);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.SpoofedSource, frame, slot: 0);
    }

    [Fact]
    public void Edge_may_send_any_inner_source_for_its_vni()
    {
        var inner = Frames.Tcp(Mac(VpcA, "10.0.1.10"), GatewayMac, Ip("203.0.113.7"), Ip("10.0.1.10"), 443, 50000, 9, 10, TcpControl.Syn | TcpControl.Ack);
        var bench = new TestBench().Rx(Vxlan(VpcA, inner, Edge));
        Assert.Equal(0, Assert.Single(bench.Host).Slot);
    }

    [Fact]
    public void Edge_of_another_vni_is_spoofed()
    {
        var inner = Frames.Udp(Mac(VpcB, "10.0.1.10"), GatewayMac, Ip("203.0.113.7"), Ip("10.0.1.10"), 1, 2, Payload(20));
        var frame = Vxlan(VpcB, inner, Edge);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.SpoofedSource, frame, slot: 5);
    }

    [Fact]
    public void Edge_entry_cleared_stops_the_exception()
    {
        var bench = new TestBench();
        bench.Card.SetEdge(0, null);
        bench.Card.Commit();
        var inner = Frames.Udp(Mac(VpcA, "10.0.1.10"), GatewayMac, Ip("203.0.113.7"), Ip("10.0.1.10"), 1, 2, Payload(20));
        bench.Rx(Vxlan(VpcA, inner, Edge)).AssertDropped(DropReason.SpoofedSource);
    }

    [Fact]
    public void Overlapping_addresses_are_delivered_by_vni()
    {
        var bench = new TestBench();
        bench.Card.PushNetwork(Vxlan(VpcA, Inner(vni: VpcA), HostB)); // 10.0.1.20 on B in VPC A
        bench.Card.PushNetwork(Vxlan(VpcB, Inner(vni: VpcB), HostC)); // 10.0.1.20 on C in VPC B
        bench.Run();
        Assert.Equal(new[] { 0, 5 }, bench.Host.Select(f => f.Slot));
        Assert.Equal(Mac(VpcB, "10.0.1.10"), EthernetHeader.Destination(bench.Host[1].Data));
    }

    [Fact]
    public void Right_address_wrong_host_for_that_vni_is_spoofed()
    {
        // VPC B's 10.0.1.20 lives on host C; host B (owner of VPC A's 10.0.1.20) may not send it.
        var frame = Vxlan(VpcB, Inner(vni: VpcB), HostB);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.SpoofedSource, frame, slot: 5);
    }

    [Fact]
    public void Inner_destination_that_only_another_vpc_has_here_is_not_on_host()
    {
        // 10.0.1.11 is a local ENI of VPC A only.
        var frame = Vxlan(VpcB, Inner(destination: "10.0.1.11", vni: VpcB), HostC);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.NotOnHost, frame);
    }

    [Fact]
    public void Remote_inner_destination_is_not_on_host()
    {
        var frame = Vxlan(VpcA, Inner(destination: "10.0.1.30"), HostB);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.NotOnHost, frame);
    }

    [Fact]
    public void Local_mapping_to_an_empty_or_mismatched_slot_is_not_on_host()
    {
        var bench = new TestBench();
        bench.Card.SetMapping(new MappingEntry(VpcA, Ip("10.0.1.50"), Underlay, new MacAddress(Mac(VpcA, "10.0.1.50")), LocalSlot: 7)); // slot 7 empty
        bench.Card.SetMapping(new MappingEntry(VpcA, Ip("10.0.1.51"), Underlay, new MacAddress(Mac(VpcA, "10.0.1.51")), LocalSlot: 1)); // slot 1 is 10.0.1.11
        bench.Card.SetMapping(new MappingEntry(VpcA, Ip("10.0.1.52"), Underlay, new MacAddress(Mac(VpcA, "10.0.1.52")), LocalSlot: 5)); // slot 5 is VPC B
        bench.Card.Commit();
        foreach (var destination in new[] { "10.0.1.50", "10.0.1.51", "10.0.1.52" })
            bench.Card.PushNetwork(Vxlan(VpcA, Inner(destination: destination), HostB));
        bench.Run();
        Assert.Empty(bench.Host);
        Assert.Equal(3UL, bench.Counters[DropReason.NotOnHost]);
        Assert.All(bench.Alarms, a => Assert.Equal((DropReason.NotOnHost, 0xFF), (a.Reason, a.Slot)));
    }

    [Fact]
    public void Outer_destination_that_is_not_this_card_is_not_on_host()
    {
        var frame = Vxlan(VpcA, Inner(), HostB, outerDestination: HostC);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.NotOnHost, frame);
    }

    // ---- drops in check order -------------------------------------------------------------

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    public void Frame_shorter_than_an_ethernet_header_is_malformed(int length)
    {
        var frame = Valid()[..length];
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Malformed, frame);
    }

    [Fact]
    public void Outer_ethertype_other_than_ipv4_is_unsupported()
    {
        var frame = Valid();
        SetUInt16(frame, 12, EthernetHeader.TypeIpv6);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Unsupported, frame);
    }

    [Fact]
    public void Outer_ipv4_shorter_than_34_bytes_is_malformed()
    {
        var frame = Valid()[..33];
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Malformed, frame);
    }

    [Theory]
    [InlineData(0x55, DropReason.Malformed)]
    [InlineData(0x44, DropReason.Malformed)]
    [InlineData(0x47, DropReason.Unsupported)]
    public void Outer_version_and_ihl_are_checked(byte versionIhl, DropReason reason)
    {
        var frame = Valid();
        frame[14] = versionIhl;
        FixChecksum(frame);
        AssertRxAlarm(new TestBench().Rx(frame), reason, frame);
    }

    [Fact]
    public void Outer_bad_checksum_is_malformed()
    {
        var frame = Valid();
        frame[25] ^= 0x80;
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Malformed, frame);
    }

    [Theory]
    [InlineData(19)]
    [InlineData(200)]
    public void Outer_total_length_that_disagrees_with_the_frame_is_malformed(int totalLength)
    {
        var frame = Valid();
        SetUInt16(frame, 16, totalLength);
        FixChecksum(frame);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Malformed, frame);
    }

    [Fact]
    public void Outer_destination_is_checked_before_the_protocol()
    {
        var frame = Vxlan(VpcA, Inner(), HostB, outerDestination: HostC);
        frame[23] = 6;
        FixChecksum(frame);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.NotOnHost, frame);
    }

    [Fact]
    public void Non_udp_substrate_traffic_is_unsupported()
    {
        var frame = Valid();
        frame[23] = 47;
        FixChecksum(frame);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Unsupported, frame);
    }

    [Fact]
    public void Udp_frame_shorter_than_42_bytes_is_malformed()
    {
        // Total length 20 (no UDP header in the datagram), padded to 41 bytes.
        var packet = Ipv4Header.Build(new Ipv4Fields(Ipv4Address.Parse("192.0.2.20"), Ipv4Address.Parse("192.0.2.10"), 17), []);
        var frame = Frames.Pad(EthernetHeader.Build(UnderlayMac, NextHopMac, EthernetHeader.TypeIpv4, packet), 41);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Malformed, frame);
    }

    [Fact]
    public void Udp_to_another_port_is_unsupported()
    {
        var frame = Valid();
        SetUInt16(frame, 36, 4790);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Unsupported, frame);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void Udp_length_that_disagrees_with_the_ip_total_length_is_malformed(int delta)
    {
        var frame = Valid();
        SetUInt16(frame, 38, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(38)) + delta);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Malformed, frame);
    }

    [Fact]
    public void Vxlan_header_cut_short_is_malformed()
    {
        // A consistent outer IPv4/UDP whose datagram holds only 5 VXLAN bytes: 47 bytes in all.
        var udp = UdpHeader.Build(Ipv4Address.Parse("192.0.2.20"), Ipv4Address.Parse("192.0.2.10"), 50000, 4789, [0x08, 0, 0, 0, 0], withChecksum: false);
        var packet = Ipv4Header.Build(new Ipv4Fields(Ipv4Address.Parse("192.0.2.20"), Ipv4Address.Parse("192.0.2.10"), 17), udp);
        var frame = EthernetHeader.Build(UnderlayMac, NextHopMac, EthernetHeader.TypeIpv4, packet);
        Assert.Equal(47, frame.Length);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Malformed, frame);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x0C)]
    [InlineData(0x88)]
    public void Vxlan_flags_other_than_i_are_malformed(byte flags)
    {
        var frame = Valid();
        frame[42] = flags;
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Malformed, frame);
    }

    [Fact]
    public void Vxlan_reserved_bytes_are_not_checked()
    {
        var frame = Valid();
        frame[43] = 0xFF;
        frame[44] = 0xFF;
        frame[45] = 0xFF;
        frame[49] = 0xFF;
        Assert.Single(new TestBench().Rx(frame).Host);
    }

    [Fact]
    public void Inner_frame_shorter_than_an_ethernet_header_is_malformed()
    {
        var inner = Inner()[..13];
        var frame = Vxlan(VpcA, inner, HostB);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Malformed, frame);
    }

    [Fact]
    public void Inner_arp_is_unsupported()
    {
        var inner = Frames.ArpRequest(Mac(VpcA, "10.0.1.20"), Ip("10.0.1.20"), Ip("10.0.1.10"));
        var frame = Vxlan(VpcA, inner, HostB);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Unsupported, frame);
    }

    [Fact]
    public void Inner_ipv4_checks_run_against_the_inner_length()
    {
        // Inner total length claims 4 more bytes than the inner frame holds; outer padding would cover it.
        var inner = Inner();
        SetUInt16(inner, 16, inner.Length - 14 + 4);
        FixChecksum(inner);
        var frame = Frames.Pad(Vxlan(VpcA, inner, HostB), inner.Length + 50 + 8);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Malformed, frame);
    }

    [Fact]
    public void Inner_bad_checksum_is_malformed()
    {
        var inner = Inner();
        inner[24] ^= 0x01;
        var frame = Vxlan(VpcA, inner, HostB);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Malformed, frame);
    }

    [Fact]
    public void Inner_options_are_unsupported()
    {
        var inner = Inner();
        inner[14] = 0x46;
        FixChecksum(inner);
        var frame = Vxlan(VpcA, inner, HostB);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Unsupported, frame);
    }

    [Fact]
    public void Inner_ipv4_shorter_than_34_bytes_is_malformed()
    {
        var inner = Inner()[..30];
        var frame = Vxlan(VpcA, inner, HostB);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.Malformed, frame);
    }

    [Fact]
    public void Inner_ttl_zero_is_ttl_expired()
    {
        var frame = Vxlan(VpcA, Inner(ttl: 0), HostB);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.TtlExpired, frame);
    }

    [Fact]
    public void Ttl_is_checked_before_the_destination_and_the_source()
    {
        var frame = Vxlan(VpcA, Inner(ttl: 0, source: "10.0.1.99", destination: "10.0.1.98"), HostC);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.TtlExpired, frame);
    }

    [Fact]
    public void Destination_is_checked_before_the_source()
    {
        var frame = Vxlan(VpcA, Inner(source: "10.0.1.99", destination: "10.0.1.98"), HostC);
        AssertRxAlarm(new TestBench().Rx(frame), DropReason.NotOnHost, frame);
    }

    [Fact]
    public void Alarm_fields_come_from_byte_positions_whatever_the_content()
    {
        // 60 bytes of an IPv6 outer frame: unsupported; VNI bytes 46..48 and outer source 26..29 fit, inner fields do not.
        var frame = new byte[60];
        for (var i = 0; i < frame.Length; i++)
            frame[i] = (byte)i;
        SetUInt16(frame, 12, EthernetHeader.TypeIpv6);
        var alarm = new TestBench().Rx(frame).AssertDropped(DropReason.Unsupported);
        Assert.Equal(new CardAlarm(0, DropReason.Unsupported, 0xFF, 0x2E2F30, IPAddress.Parse("26.27.28.29"), IPAddress.Any, IPAddress.Any), alarm);
    }
}
