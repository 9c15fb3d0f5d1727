using NitroCard.Card;
using NitroCard.Packets;
using static NitroCard.Model.Tests.TestBench;

namespace NitroCard.Model.Tests;

/// <summary>docs/card-semantics.md "TX" / "ARP": the card answers ARP requests from instances.</summary>
public class ModelCardArpTests
{
    private static readonly ulong Eni0Mac = Mac(VpcA, "10.0.1.10");

    private static byte[] Request(string target, string sender = "10.0.1.10", ulong? senderMac = null)
        => Frames.ArpRequest(senderMac ?? Eni0Mac, Ip(sender), Ip(target));

    [Fact]
    public void Request_for_the_subnet_router_is_answered_with_the_gateway_mac()
    {
        var request = Request("10.0.1.1");
        var bench = new TestBench().Tx(0, request);
        Assert.Empty(bench.Network);
        Assert.Empty(bench.Alarms);
        var reply = Assert.Single(bench.Host);
        Assert.Equal(0, reply.Slot);
        byte[] expected =
        [
            0x02, 0x00, 0x03, 0xe9, 0x01, 0x0a, // to the requester
            0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // from the gateway MAC
            0x08, 0x06,
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02,
            0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 10, 0, 1, 1, // sender: gateway MAC, requested IP
            0x02, 0x00, 0x03, 0xe9, 0x01, 0x0a, 10, 0, 1, 10, // target: the requester
        ];
        Assert.Equal(expected, reply.Data);
        Assert.Equal(new EniCounters(1, 42, 1, 42), bench.Counters.Enis[0]);
    }

    [Fact]
    public void Request_for_the_router_of_the_second_subnet_is_answered()
    {
        var request = Frames.ArpRequest(Mac(VpcA, "10.0.2.10"), Ip("10.0.2.10"), Ip("10.0.2.1"));
        var reply = Assert.Single(new TestBench().Tx(2, request).Host);
        Assert.Equal(GatewayMac, ArpPacket.SenderMac(reply.Data.AsSpan(14)));
        Assert.Equal(Ipv4Address.Parse("10.0.2.1"), ArpPacket.SenderIp(reply.Data.AsSpan(14)));
    }

    [Theory]
    [InlineData("10.0.1.11")] // local ENI
    [InlineData("10.0.1.20")] // remote ENI
    public void Request_for_an_eni_in_the_subnet_is_answered_with_its_mac(string target)
    {
        var bench = new TestBench().Tx(0, Request(target));
        var reply = Assert.Single(bench.Host).Data;
        Assert.Equal(42, reply.Length);
        var arp = reply.AsSpan(14);
        Assert.Equal(Eni0Mac, EthernetHeader.Destination(reply));
        Assert.Equal(Mac(VpcA, target), EthernetHeader.Source(reply));
        Assert.Equal(ArpPacket.OpReply, ArpPacket.Opcode(arp));
        Assert.Equal(Mac(VpcA, target), ArpPacket.SenderMac(arp));
        Assert.Equal(Ipv4Address.Parse(target), ArpPacket.SenderIp(arp));
        Assert.Equal(Eni0Mac, ArpPacket.TargetMac(arp));
        Assert.Equal(Ipv4Address.Parse("10.0.1.10"), ArpPacket.TargetIp(arp));
    }

    [Fact]
    public void Padded_request_gets_a_42_byte_reply_and_counts_both_lengths()
    {
        var request = Frames.Pad(Request("10.0.1.1"), 60, 0x5A);
        var bench = new TestBench().Tx(0, request);
        Assert.Equal(42, Assert.Single(bench.Host).Data.Length);
        Assert.Equal(new EniCounters(1, 60, 1, 42), bench.Counters.Enis[0]);
    }

    [Fact]
    public void Address_probe_with_sender_ip_zero_is_answered()
    {
        var request = Request("10.0.1.20", sender: "0.0.0.0");
        var reply = Assert.Single(new TestBench().Tx(0, request).Host).Data;
        Assert.Equal(0u, ArpPacket.TargetIp(reply.AsSpan(14)));
    }

    [Fact]
    public void Gratuitous_arp_is_unsupported()
    {
        var bench = new TestBench().Tx(0, Request("10.0.1.10"));
        bench.AssertTxAlarm(DropReason.Unsupported, 0, VpcA, "10.0.1.10", "10.0.1.10");
    }

    [Fact]
    public void Duplicate_address_probe_for_the_own_address_is_unsupported()
    {
        new TestBench().Tx(0, Request("10.0.1.10", sender: "0.0.0.0")).AssertTxAlarm(DropReason.Unsupported, 0, VpcA, "0.0.0.0", "10.0.1.10");
    }

    [Theory]
    [InlineData("10.0.1.77")] // in the subnet, no mapping
    [InlineData("10.0.2.20")] // mapped, but outside the requester's subnet
    [InlineData("10.0.2.1")] // another subnet's router
    [InlineData("10.0.1.40")] // only VPC B has it
    public void Request_for_an_unknown_or_off_subnet_address_is_unknown_destination(string target)
    {
        new TestBench().Tx(0, Request(target)).AssertTxAlarm(DropReason.UnknownDestination, 0, VpcA, "10.0.1.10", target);
    }

    [Fact]
    public void Arp_reply_from_an_instance_is_unsupported()
    {
        var frame = Frames.ArpReply(Eni0Mac, Ip("10.0.1.10"), GatewayMac, Ip("10.0.1.1"));
        new TestBench().Tx(0, frame).AssertTxAlarm(DropReason.Unsupported, 0, VpcA, "10.0.1.10", "10.0.1.1");
    }

    [Fact]
    public void Short_arp_is_malformed()
    {
        var frame = Request("10.0.1.1")[..41];
        // sender IP (28..31) fits, target IP (38..41) does not.
        new TestBench().Tx(0, frame).AssertTxAlarm(DropReason.Malformed, 0, VpcA, "10.0.1.10", "0.0.0.0");
    }

    [Theory]
    [InlineData(15, 2)] // htype
    [InlineData(16, 0x86)] // ptype
    [InlineData(18, 8)] // hlen
    [InlineData(19, 16)] // plen
    public void Arp_with_other_hardware_or_protocol_is_malformed(int offset, byte value)
    {
        var frame = Request("10.0.1.1");
        frame[offset] = value;
        new TestBench().Tx(0, frame).AssertTxAlarm(DropReason.Malformed, 0, VpcA, "10.0.1.10", "10.0.1.1");
    }

    [Fact]
    public void Arp_header_is_checked_before_the_opcode()
    {
        var frame = Request("10.0.1.1");
        frame[15] = 6;
        frame[21] = 2;
        new TestBench().Tx(0, frame).AssertDropped(DropReason.Malformed);
    }

    [Fact]
    public void Arp_sender_mac_that_is_not_the_enis_is_source_check()
    {
        var frame = Request("10.0.1.1");
        EthernetHeader.WriteMac(frame.AsSpan(22), Mac(VpcA, "10.0.1.11"));
        new TestBench().Tx(0, frame).AssertTxAlarm(DropReason.SourceCheck, 0, VpcA, "10.0.1.10", "10.0.1.1");
    }

    [Fact]
    public void Arp_sender_ip_that_is_not_the_enis_is_source_check()
    {
        new TestBench().Tx(0, Request("10.0.1.1", sender: "10.0.1.99")).AssertTxAlarm(DropReason.SourceCheck, 0, VpcA, "10.0.1.99", "10.0.1.1");
    }

    [Fact]
    public void Arp_sender_ip_is_checked_even_when_the_eni_disables_the_source_check()
    {
        var frame = Frames.ArpRequest(Mac(VpcB, "10.0.1.12"), Ip("10.0.1.99"), Ip("10.0.1.1"));
        new TestBench().Tx(6, frame).AssertTxAlarm(DropReason.SourceCheck, 6, VpcB, "10.0.1.99", "10.0.1.1");
    }

    [Fact]
    public void Arp_with_the_wrong_ethernet_source_is_source_check()
    {
        var frame = Request("10.0.1.1");
        EthernetHeader.WriteSource(frame, GatewayMac);
        new TestBench().Tx(0, frame).AssertTxAlarm(DropReason.SourceCheck, 0, VpcA, "10.0.1.10", "10.0.1.1");
    }

    [Fact]
    public void Arp_in_vpc_b_answers_from_vpc_b_mappings()
    {
        var frame = Frames.ArpRequest(Mac(VpcB, "10.0.1.10"), Ip("10.0.1.10"), Ip("10.0.1.20"));
        var reply = Assert.Single(new TestBench().Tx(5, frame).Host);
        Assert.Equal(5, reply.Slot);
        Assert.Equal(Mac(VpcB, "10.0.1.20"), ArpPacket.SenderMac(reply.Data.AsSpan(14)));
    }
}
