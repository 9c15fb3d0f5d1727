using System.Buffers.Binary;
using System.Net;
using NitroCard.Card;
using NitroCard.Packets;
using static NitroCard.Rtl.Tests.TestHost;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// The card's contract (docs/card-semantics.md), clock by clock on the Verilated RTL and, with
/// the same expectations, on the software model. Expected frames are built here from the spec,
/// not from either implementation.
/// </summary>
public class CardBehaviourTests
{
    private static byte[] Ping(TestEni from, ulong dstMac, IPAddress dst, int payload = 32, byte ttl = 64)
        => Frames.IcmpEcho(dstMac, from.Mac.Value, from.Ip, dst, 7, 1, new byte[payload], ttl: ttl);

    private static byte[] WithMacs(byte[] frame, MacAddress dst, MacAddress src)
    {
        var copy = (byte[])frame.Clone();
        dst.Write(copy);
        src.Write(copy.AsSpan(6));
        return copy;
    }

    /// <summary>The exact VXLAN frame the spec says the card sends for an inner frame.</summary>
    private static byte[] Encapsulated(byte[] inner, IPAddress outerDst, uint vni)
    {
        var ip = inner.AsSpan(14);
        var proto = ip[9];
        var ports = proto is 6 or 17 ? (BinaryPrimitives.ReadUInt16BigEndian(ip[20..]), BinaryPrimitives.ReadUInt16BigEndian(ip[22..])) : ((ushort)0, (ushort)0);
        var sport = FlowHash.SourcePort(new FlowTuple(BinaryPrimitives.ReadUInt32BigEndian(ip[12..]), BinaryPrimitives.ReadUInt32BigEndian(ip[16..]), proto, ports.Item1, ports.Item2));
        var frame = new byte[inner.Length + 50];
        NextHopMac.Write(frame);
        UnderlayMacA.Write(frame.AsSpan(6));
        frame[12] = 0x08;
        var outer = frame.AsSpan(14);
        outer[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(outer[2..], (ushort)(inner.Length + 36));
        BinaryPrimitives.WriteUInt16BigEndian(outer[6..], 0x4000);
        outer[8] = 64;
        outer[9] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(outer[12..], Ipv4Address.ToUInt32(UnderlayA));
        BinaryPrimitives.WriteUInt32BigEndian(outer[16..], Ipv4Address.ToUInt32(outerDst));
        var sum = 0u;
        for (var i = 0; i < 20; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(outer[i..]);
        while (sum > 0xFFFF)
            sum = (sum & 0xFFFF) + (sum >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(outer[10..], (ushort)~sum);
        var udp = frame.AsSpan(34);
        BinaryPrimitives.WriteUInt16BigEndian(udp, sport);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 4789);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(inner.Length + 16));
        frame[42] = 0x08;
        frame[46] = (byte)(vni >> 16);
        frame[47] = (byte)(vni >> 8);
        frame[48] = (byte)vni;
        inner.CopyTo(frame.AsSpan(50));
        return frame;
    }

    /// <summary>A VXLAN frame as host B (or anyone) would send it to this card.</summary>
    private static byte[] FromSubstrate(byte[] inner, IPAddress outerSrc, uint vni, IPAddress? outerDst = null)
        => VxlanHeader.Encapsulate(inner, UnderlayMacA.Value, 0x02_4e_c0_00_02_0c, Ipv4Address.ToUInt32(outerSrc), Ipv4Address.ToUInt32(outerDst ?? UnderlayA), vni);

    private static void AssertDropped(Outcome outcome, DropReason reason, int slot, uint vni)
    {
        Assert.Empty(outcome.Host);
        Assert.Empty(outcome.Network);
        var alarm = Assert.Single(outcome.Alarms);
        Assert.Equal(reason, alarm.Reason);
        Assert.Equal(slot, alarm.Slot);
        Assert.Equal(vni, alarm.Vni);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Arp_for_the_subnet_router_is_answered_with_the_gateway_mac(string engine)
    {
        using var host = new TestHost(engine);
        var outcome = host.SendFromEni(BlueA1, Frames.ArpRequest(BlueA1.Mac.Value, BlueA1.Ip, IPAddress.Parse("10.0.1.1")));
        var reply = Assert.Single(outcome.Host);
        Assert.Equal(BlueA1.Slot, reply.Slot);
        Assert.Equal(Frames.ArpReply(GatewayMac.Value, IPAddress.Parse("10.0.1.1"), BlueA1.Mac.Value, BlueA1.Ip), reply.Data);
        Assert.Empty(outcome.Alarms);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Arp_for_an_eni_in_the_subnet_is_answered_with_its_mac_from_the_mapping(string engine)
    {
        using var host = new TestHost(engine);
        var outcome = host.SendFromEni(BlueA1, Frames.Pad(Frames.ArpRequest(BlueA1.Mac.Value, BlueA1.Ip, BlueB1.Ip)));
        var reply = Assert.Single(outcome.Host);
        Assert.Equal(Frames.ArpReply(BlueB1.Mac.Value, BlueB1.Ip, BlueA1.Mac.Value, BlueA1.Ip), reply.Data);
        // Red asks for the same address and gets red's ENI, not blue's.
        var red = host.SendFromEni(RedA1, Frames.ArpRequest(RedA1.Mac.Value, RedA1.Ip, RedB1.Ip));
        Assert.Equal(Frames.ArpReply(RedB1.Mac.Value, RedB1.Ip, RedA1.Mac.Value, RedA1.Ip), Assert.Single(red.Host).Data);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Arp_for_an_unknown_address_or_itself_is_not_answered(string engine)
    {
        using var host = new TestHost(engine);
        AssertDropped(host.SendFromEni(BlueA1, Frames.ArpRequest(BlueA1.Mac.Value, BlueA1.Ip, IPAddress.Parse("10.0.1.77"))), DropReason.UnknownDestination, 0, BlueVni);
        AssertDropped(host.SendFromEni(BlueA1, Frames.ArpRequest(BlueA1.Mac.Value, BlueA1.Ip, BlueA1.Ip)), DropReason.Unsupported, 0, BlueVni);
        AssertDropped(host.SendFromEni(BlueA1, Frames.ArpRequest(BlueA1.Mac.Value, IPAddress.Parse("10.0.1.99"), BlueB1.Ip)), DropReason.SourceCheck, 0, BlueVni);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Same_host_same_subnet_is_switched_locally_with_the_sender_mac(string engine)
    {
        using var host = new TestHost(engine);
        var frame = Ping(BlueA1, BlueA3.Mac.Value, BlueA3.Ip);
        var outcome = host.SendFromEni(BlueA1, frame);
        var delivered = Assert.Single(outcome.Host);
        Assert.Equal(BlueA3.Slot, delivered.Slot);
        Assert.Equal(WithMacs(frame, BlueA3.Mac, BlueA1.Mac), delivered.Data);
        Assert.Empty(outcome.Network);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Same_host_across_subnets_is_delivered_from_the_gateway_mac_with_ttl_unchanged(string engine)
    {
        using var host = new TestHost(engine);
        var frame = Ping(BlueA1, GatewayMac.Value, BlueA2.Ip, ttl: 1);
        var delivered = Assert.Single(host.SendFromEni(BlueA1, frame).Host);
        Assert.Equal(BlueA2.Slot, delivered.Slot);
        Assert.Equal(WithMacs(frame, BlueA2.Mac, GatewayMac), delivered.Data);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Cross_host_traffic_is_encapsulated_exactly_per_the_wire_format(string engine)
    {
        using var host = new TestHost(engine);
        var frame = Frames.Udp(BlueB1.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, BlueB1.Ip, 12345, 80, new byte[100]);
        var outcome = host.SendFromEni(BlueA1, frame);
        var sent = Assert.Single(outcome.Network);
        Assert.Equal(Encapsulated(WithMacs(frame, BlueB1.Mac, BlueA1.Mac), UnderlayB, BlueVni), sent.Data);
        Assert.True(Ipv4Header.ChecksumValid(sent.Data.AsSpan(14, 20)));
        Assert.Empty(outcome.Host);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Overlapping_vpcs_stay_apart_by_vni(string engine)
    {
        using var host = new TestHost(engine);
        var red = Ping(RedA1, RedB1.Mac.Value, RedB1.Ip);
        var sent = Assert.Single(host.SendFromEni(RedA1, red).Network);
        Assert.Equal(Encapsulated(red, UnderlayB, RedVni), sent.Data);

        // RX: the same inner addresses with VNI 1002 reach red's ENI (slot 2), with 1001 blue's (slot 0).
        var toRed = FromSubstrate(Ping(RedB1, RedA1.Mac.Value, RedA1.Ip), UnderlayB, RedVni);
        Assert.Equal(RedA1.Slot, Assert.Single(host.SendFromNetwork(toRed).Host).Slot);
        var toBlue = FromSubstrate(Ping(BlueB1, BlueA1.Mac.Value, BlueA1.Ip), UnderlayB, BlueVni);
        Assert.Equal(BlueA1.Slot, Assert.Single(host.SendFromNetwork(toBlue).Host).Slot);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Valid_vxlan_is_decapsulated_and_delivered_with_the_eni_mac_as_destination(string engine)
    {
        using var host = new TestHost(engine);
        var inner = Ping(BlueB1, 0x02_11_22_33_44_55, BlueA1.Ip);
        var outer = Frames.Pad(FromSubstrate(inner, UnderlayB, BlueVni), inner.Length + 50 + 7);
        var delivered = Assert.Single(host.SendFromNetwork(outer).Host);
        Assert.Equal(BlueA1.Slot, delivered.Slot);
        var expected = (byte[])inner.Clone();
        BlueA1.Mac.Write(expected);
        Assert.Equal(expected, delivered.Data);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Spoofed_outer_source_is_dropped_and_alarmed_with_every_field(string engine)
    {
        using var host = new TestHost(engine);
        var rogue = IPAddress.Parse("192.0.2.66");
        var outcome = host.SendFromNetwork(FromSubstrate(Ping(BlueB1, BlueA1.Mac.Value, BlueA1.Ip), rogue, BlueVni));
        Assert.Empty(outcome.Host);
        var alarm = Assert.Single(outcome.Alarms);
        Assert.Equal(DropReason.SpoofedSource, alarm.Reason);
        Assert.Equal(BlueA1.Slot, alarm.Slot);
        Assert.Equal(BlueVni, alarm.Vni);
        Assert.Equal(rogue, alarm.OuterSource);
        Assert.Equal(BlueB1.Ip, alarm.InnerSource);
        Assert.Equal(BlueA1.Ip, alarm.InnerDestination);
        if (engine == "rtl")
            Assert.NotEqual(0UL, alarm.Cycle);
        Assert.Equal(1UL, host.Card.ReadCounters()[DropReason.SpoofedSource]);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void An_edge_may_send_any_inner_source_of_its_vni_but_not_another(string engine)
    {
        using var host = new TestHost(engine);
        var fromInternet = Frames.IcmpEcho(BlueA1.Mac.Value, GatewayMac.Value, IPAddress.Parse("203.0.113.5"), BlueA1.Ip, 1, 1);
        Assert.Single(host.SendFromNetwork(FromSubstrate(fromInternet, EdgeIp, BlueVni)).Host);
        var redFromInternet = Frames.IcmpEcho(RedA1.Mac.Value, GatewayMac.Value, IPAddress.Parse("203.0.113.5"), RedA1.Ip, 1, 1);
        var outcome = host.SendFromNetwork(FromSubstrate(redFromInternet, EdgeIp, RedVni));
        Assert.Equal(DropReason.SpoofedSource, Assert.Single(outcome.Alarms).Reason);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Rx_for_an_address_not_on_this_host_is_not_on_host(string engine)
    {
        using var host = new TestHost(engine);
        var toRemote = FromSubstrate(Ping(BlueA1, BlueB1.Mac.Value, BlueB1.Ip), UnderlayB, BlueVni);
        var outcome = host.SendFromNetwork(toRemote);
        Assert.Equal(DropReason.NotOnHost, Assert.Single(outcome.Alarms).Reason);
        Assert.Equal(0xFF, outcome.Alarms[0].Slot);
        var wrongCard = FromSubstrate(Ping(BlueB1, BlueA1.Mac.Value, BlueA1.Ip), UnderlayB, BlueVni, outerDst: UnderlayC);
        Assert.Equal(DropReason.NotOnHost, Assert.Single(host.SendFromNetwork(wrongCard).Alarms).Reason);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Tx_source_check_catches_a_forged_ip_a_forged_mac_and_an_empty_slot(string engine)
    {
        using var host = new TestHost(engine);
        var forgedIp = Frames.IcmpEcho(BlueB1.Mac.Value, BlueA1.Mac.Value, IPAddress.Parse("10.0.1.99"), BlueB1.Ip, 1, 1);
        AssertDropped(host.SendFromEni(BlueA1, forgedIp), DropReason.SourceCheck, 0, BlueVni);
        var forgedMac = Frames.IcmpEcho(BlueB1.Mac.Value, 0x02_66_66_66_66_66, BlueA1.Ip, BlueB1.Ip, 1, 1);
        AssertDropped(host.SendFromEni(BlueA1, forgedMac), DropReason.SourceCheck, 0, BlueVni);
        AssertDropped(host.SendFromSlot(9, Ping(BlueA1, BlueB1.Mac.Value, BlueB1.Ip)), DropReason.SourceCheck, 9, 0);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Tx_malformed_unsupported_ttl_and_unknown_destination_are_dropped(string engine)
    {
        using var host = new TestHost(engine);
        var good = Ping(BlueA1, BlueB1.Mac.Value, BlueB1.Ip);

        var badChecksum = (byte[])good.Clone();
        badChecksum[24] ^= 0xFF;
        AssertDropped(host.SendFromEni(BlueA1, badChecksum), DropReason.Malformed, 0, BlueVni);
        AssertDropped(host.SendFromEni(BlueA1, good[..30]), DropReason.Malformed, 0, BlueVni);
        AssertDropped(host.SendFromEni(BlueA1, good[..(good.Length - 1)]), DropReason.Malformed, 0, BlueVni);
        AssertDropped(host.SendFromEni(BlueA1, good[..13]), DropReason.Malformed, 0, BlueVni);

        var ipv6 = (byte[])good.Clone();
        ipv6[12] = 0x86;
        ipv6[13] = 0xDD;
        AssertDropped(host.SendFromEni(BlueA1, ipv6), DropReason.Unsupported, 0, BlueVni);

        AssertDropped(host.SendFromEni(BlueA1, Ping(BlueA1, BlueB1.Mac.Value, BlueB1.Ip, ttl: 0)), DropReason.TtlExpired, 0, BlueVni);
        AssertDropped(host.SendFromEni(BlueA1, Ping(BlueA1, GatewayMac.Value, IPAddress.Parse("10.0.1.77"))), DropReason.UnknownDestination, 0, BlueVni);

        var counters = host.Card.ReadCounters();
        Assert.Equal(4UL, counters[DropReason.Malformed]);
        Assert.Equal(1UL, counters[DropReason.Unsupported]);
        Assert.Equal(0UL, counters.Enis[0].TxPackets);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void An_empty_frame_on_either_port_is_malformed_and_the_next_frame_crosses(string engine)
    {
        using var host = new TestHost(engine);
        AssertDropped(host.SendFromEni(BlueA1, []), DropReason.Malformed, 0, BlueVni);
        var fromNetwork = host.SendFromNetwork([]);
        Assert.Empty(fromNetwork.Host);
        Assert.Empty(fromNetwork.Network);
        Assert.Equal(DropReason.Malformed, Assert.Single(fromNetwork.Alarms).Reason);
        Assert.Single(host.SendFromEni(BlueA1, Ping(BlueA1, BlueB1.Mac.Value, BlueB1.Ip)).Network);
        Assert.Equal(2UL, host.Card.ReadCounters()[DropReason.Malformed]);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Every_frame_size_from_60_bytes_to_the_mtu_crosses_and_one_byte_more_is_mtu_exceeded(string engine)
    {
        using var host = new TestHost(engine);
        int[] sizes = [60, 63, 64, 65, 77, 78, 127, 128, 129, 1514, 4096, 9000, 9014, 9015];
        foreach (var size in sizes)
        {
            var frame = Frames.Pad(Frames.Udp(BlueB1.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, BlueB1.Ip, 1, 2, new byte[Math.Max(0, size - 42)]), size);
            var sent = Assert.Single(host.SendFromEni(BlueA1, frame).Network);
            Assert.Equal(Encapsulated(frame, UnderlayB, BlueVni), sent.Data);

            var local = Frames.Pad(Frames.Udp(BlueA3.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, BlueA3.Ip, 1, 2, new byte[Math.Max(0, size - 42)]), size);
            Assert.Equal(local, Assert.Single(host.SendFromEni(BlueA1, local).Host).Data);

            var inner = Frames.Pad(Frames.Udp(BlueA1.Mac.Value, BlueB1.Mac.Value, BlueB1.Ip, BlueA1.Ip, 1, 2, new byte[Math.Max(0, size - 42)]), size);
            Assert.Equal(inner, Assert.Single(host.SendFromNetwork(FromSubstrate(inner, UnderlayB, BlueVni)).Host).Data);
        }
        var tooBig = Frames.Udp(BlueB1.Mac.Value, BlueA1.Mac.Value, BlueA1.Ip, BlueB1.Ip, 1, 2, new byte[9001 - 27]);
        Assert.Equal(9016, tooBig.Length);
        AssertDropped(host.SendFromEni(BlueA1, tooBig), DropReason.MtuExceeded, 0, BlueVni);
        var huge = Frames.Pad(tooBig, 20_000);
        AssertDropped(host.SendFromEni(BlueA1, huge), DropReason.MtuExceeded, 0, BlueVni);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Counters_count_accepted_and_delivered_frames_per_eni(string engine)
    {
        using var host = new TestHost(engine);
        var local = Ping(BlueA1, BlueA3.Mac.Value, BlueA3.Ip);
        var remote = Ping(BlueA1, BlueB1.Mac.Value, BlueB1.Ip, payload: 100);
        host.SendFromEni(BlueA1, local);
        host.SendFromEni(BlueA1, remote);
        var counters = host.Card.ReadCounters();
        Assert.Equal(new EniCounters(2, (ulong)(local.Length + remote.Length), 0, 0), counters.Enis[BlueA1.Slot]);
        Assert.Equal(new EniCounters(0, 0, 1, (ulong)local.Length), counters.Enis[BlueA3.Slot]);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Alarm_mask_silences_a_reason_but_the_counter_still_counts(string engine)
    {
        using var host = new TestHost(engine);
        host.Card.Configure(new CardSettings(UnderlayA, UnderlayMacA, NextHopMac, GatewayMac, AlarmMask: ~(1u << (int)DropReason.UnknownDestination)));
        var outcome = host.SendFromEni(BlueA1, Ping(BlueA1, GatewayMac.Value, IPAddress.Parse("10.0.1.77")));
        Assert.Empty(outcome.Alarms);
        Assert.Equal(1UL, host.Card.ReadCounters()[DropReason.UnknownDestination]);
    }

    [Theory]
    [MemberData(nameof(Engines), MemberType = typeof(TestHost))]
    public void Staged_table_changes_are_invisible_until_commit(string engine)
    {
        using var host = new TestHost(engine);
        var frame = Ping(BlueA1, BlueB1.Mac.Value, BlueB1.Ip);
        host.Card.SetMapping(BlueB1.Mapping(UnderlayC));
        Assert.Equal(Encapsulated(frame, UnderlayB, BlueVni), Assert.Single(host.SendFromEni(BlueA1, frame).Network).Data);
        host.Card.Commit();
        Assert.Equal(Encapsulated(frame, UnderlayC, BlueVni), Assert.Single(host.SendFromEni(BlueA1, frame).Network).Data);
        host.Card.RemoveMapping(BlueB1.Mapping(UnderlayC).Key);
        host.Card.Commit();
        AssertDropped(host.SendFromEni(BlueA1, frame), DropReason.UnknownDestination, 0, BlueVni);
    }
}
