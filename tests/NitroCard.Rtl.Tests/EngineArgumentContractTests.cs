using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;
using NitroCard.Packets;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// The two engines refuse the same mistake the same way: a caller's mistake is the BCL's argument exception of the
/// same type with the same message on the RTL and on the model, a table the card cannot hold is a
/// <see cref="CardTableFullException"/>, and a refused call stages nothing (the next commit changes no frame's fate).
/// </summary>
public class EngineArgumentContractTests
{
    private static readonly MappingEntry Remote = TestHost.BlueB1.Mapping(TestHost.UnderlayB) with { Ip = IPAddress.Parse("10.0.1.99") };

    public static TheoryData<string, Type, Action<ICardEngine>> Mistakes => new()
    {
        { "ENI slot past the card", typeof(ArgumentOutOfRangeException), card => card.SetEni(card.Geometry.EniSlots, TestHost.BlueA1.Entry) },
        { "negative ENI slot", typeof(ArgumentOutOfRangeException), card => card.SetEni(-1, null) },
        { "VNI 0", typeof(ArgumentOutOfRangeException), card => card.SetEni(5, TestHost.BlueA1.Entry with { Vni = 0 }) },
        { "VNI past 24 bits", typeof(ArgumentOutOfRangeException), card => card.SetMapping(Remote with { Vni = 1 << 24 }) },
        { "ENI outside its subnet", typeof(ArgumentException), card => card.SetEni(5, TestHost.BlueA1.Entry with { Ip = IPAddress.Parse("10.0.9.1") }) },
        { "IPv6 ENI address", typeof(ArgumentException), card => card.SetEni(5, TestHost.BlueA1.Entry with { Ip = IPAddress.IPv6Loopback }) },
        { "route table past 255", typeof(ArgumentOutOfRangeException), card => card.SetEni(5, TestHost.BlueA1.Entry with { RouteTable = 256 }) },
        { "ACL past the card", typeof(ArgumentOutOfRangeException), card => card.SetEni(5, TestHost.BlueA1.Entry with { Nacl = card.Geometry.Filtering!.NaclCount }) },
        { "multicast mapping", typeof(ArgumentException), card => card.SetMapping(Remote with { Ip = IPAddress.Parse("224.0.0.5") }) },
        { "IPv6 underlay", typeof(ArgumentException), card => card.SetMapping(Remote with { UnderlayIp = IPAddress.IPv6Loopback }) },
        { "local slot past the card", typeof(ArgumentOutOfRangeException), card => card.SetMapping(Remote with { LocalSlot = card.Geometry.EniSlots }) },
        { "null mapping", typeof(ArgumentNullException), card => card.SetMapping(null!) },
        { "removing an absent key", typeof(ArgumentException), card => card.RemoveMapping(Remote.Key) },
        { "edge index past the card", typeof(ArgumentOutOfRangeException), card => card.SetEdge(card.Geometry.EdgeEntries, null) },
        { "edge with an IPv6 underlay", typeof(ArgumentException), card => card.SetEdge(1, new EdgeEntry(TestHost.BlueVni, IPAddress.IPv6Loopback)) },
        { "ACL index past the card", typeof(ArgumentOutOfRangeException), card => card.SetNetworkAcl(card.Geometry.Filtering!.NaclCount, null) },
        { "ACL rule number used twice", typeof(ArgumentException), card => card.SetNetworkAcl(0, new NetworkAcl([new(5, FilterRule.AllTraffic, true), new(5, FilterRule.AllTraffic, false)], [])) },
        { "route table twice the same prefix", typeof(ArgumentException), card => card.SetRouteTables([new RouteTableSpec(null, [new(IPNetwork.Parse("10.9.0.0/16"), RouteKind.Blackhole), new(IPNetwork.Parse("10.9.0.0/16"), RouteKind.Blackhole)])]) },
        { "security rules of a slot past the card", typeof(ArgumentOutOfRangeException), card => card.SetSecurityRules(card.Geometry.EniSlots, null) },
        { "conntrack timeout outside AWS's range", typeof(ArgumentException), card => card.SetConntrackTimeouts(0, new ConntrackTimeouts(Udp: 29)) },
        { "host frame from slot 256", typeof(ArgumentOutOfRangeException), card => card.PushHost(256, new byte[64]) },
        { "host frame from slot -1", typeof(ArgumentOutOfRangeException), card => card.PushHost(-1, new byte[64]) },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Both_engines_refuse_a_mistake_with_the_same_argument_exception_and_stage_nothing(string what, Type expected, Action<ICardEngine> mistake)
    {
        using var rtl = new TestHost("rtl");
        using var model = new TestHost("model");

        var fromRtl = Assert.Throws(expected, () => mistake(rtl.Card));
        var fromModel = Assert.Throws(expected, () => mistake(model.Card));

        Assert.Equal(fromRtl.Message, fromModel.Message);
        Assert.False(string.IsNullOrWhiteSpace(fromRtl.Message), what);
        foreach (var host in new[] { rtl, model })
        {
            // Nothing was staged: committing now leaves BlueA1 -> BlueB1 forwarded as before.
            host.Card.Commit();
            var ping = Frames.IcmpEcho(TestHost.BlueB1.Mac.Value, TestHost.BlueA1.Mac.Value, TestHost.BlueA1.Ip, TestHost.BlueB1.Ip, 7, 1, new byte[32]);
            Assert.Single(host.SendFromEni(TestHost.BlueA1, ping).Network);
        }
    }

    [Fact]
    public void Both_engines_refuse_a_route_set_the_bank_cannot_hold_as_a_full_table()
    {
        using var rtl = new TestHost("rtl");
        using var model = new TestHost("model");
        var capacity = rtl.Card.Geometry.Filtering!.RouteCapacity;
        // Every blackhole /32 inside the local range splits an interval in two: far more intervals than a bank holds.
        var routes = Enumerable.Range(0, capacity).Select(i => new RouteSpec(IPNetwork.Parse($"100.{i / 256}.{i % 256}.1/32"), RouteKind.Blackhole)).ToList();
        var tables = new RouteTableSpec?[] { new(null, routes) };

        var fromRtl = Assert.Throws<CardTableFullException>(() => rtl.Card.SetRouteTables(tables));
        var fromModel = Assert.Throws<CardTableFullException>(() => model.Card.SetRouteTables(tables));

        Assert.Equal(fromRtl.Message, fromModel.Message);
        Assert.IsAssignableFrom<NitroCardException>(fromRtl);
    }
}
