using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Hashing;
using NitroCard.Card.Tables;
using NitroCard.Driver;
using NitroCard.Driver.Registers;
using NitroCard.Driver.Simulation;
using NitroCard.Packets;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// The RTL's table read-back (TABLE_OP_READ through TBL_RDATA, docs/card-filtering.md): what the driver committed reads
/// back field for field from the Verilated card, for every table the driver can index without the card's hashing, and
/// a read the card must refuse sets the error bit. Aimed at read paths the forwarding tests never take
/// (docs/benchmarks/rtl-coverage.md).
/// </summary>
public sealed class TableReadBackTests
{
    private const int Slot = 5;
    private const int Acl = 1;
    private static readonly IPAddress EdgeIp = IPAddress.Parse("192.0.2.250");

    [Fact]
    public void Committed_entries_read_back_field_for_field()
    {
        using var engine = new RtlCardEngine();
        var driver = engine.Driver;
        var geometry = engine.Geometry;
        var filters = geometry.Filtering!;
        driver.Configure(new CardSettings(IPAddress.Parse("192.0.2.11"), MacAddress.Parse("02:4e:c0:00:02:0b"),
            MacAddress.Parse("02:4e:00:00:00:01"), MacAddress.Parse("02:4e:47:57:00:01")));
        driver.SetEni(Slot, new EniEntry(1001, IPAddress.Parse("10.0.1.10"), MacAddress.Parse("02:00:0a:01:01:0a"),
            IPNetwork.Parse("10.0.1.0/24"), SourceDestCheck: false, Nacl: Acl));
        driver.SetEdge(1, new EdgeEntry(1001, EdgeIp));
        driver.SetNetworkAcl(Acl, new NetworkAcl(
            Ingress: [new NetworkAclRule(100, FilterRule.ForTcp(IPNetwork.Parse("198.51.100.0/24"), 443, 444), Allow: false)],
            Egress: [new NetworkAclRule(100, FilterRule.AllTraffic, Allow: true)]));
        driver.SetSecurityRules(Slot, new SecurityRules(
            Ingress: [FilterRule.ForUdp(IPNetwork.Parse("203.0.113.0/24"), 53, 53)],
            Egress: [FilterRule.AllTraffic]));
        driver.SetConntrackTimeouts(Slot, new ConntrackTimeouts(TcpEstablished: 3_600, UdpStream: 120, Udp: 45));
        driver.Commit();

        var eni = driver.ReadEntry(TableId.Eni, Slot);
        Assert.Equal(1u, TableLayout.Eni.Valid.Read(eni));
        Assert.Equal(0u, TableLayout.Eni.SrcDstCheck.Read(eni));
        Assert.Equal(24u, TableLayout.Eni.SubnetLen.Read(eni));
        Assert.Equal((uint)Acl, TableLayout.Eni.Nacl.Read(eni));
        Assert.Equal(1001u, TableLayout.Eni.Vni.Read(eni));
        Assert.Equal(0x0A00_010Au, TableLayout.Eni.Ip.Read(eni));
        Assert.Equal(0x0A00_0100u, TableLayout.Eni.Subnet.Read(eni));
        Assert.Equal(0x0200u, TableLayout.Eni.MacHi.Read(eni));
        Assert.Equal(0x0A01_010Au, TableLayout.Eni.MacLo.Read(eni));
        Assert.Equal(1u, TableLayout.Eni.SgInCount.Read(eni));
        Assert.Equal(1u, TableLayout.Eni.SgOutCount.Read(eni));

        var edge = driver.ReadEntry(TableId.Edge, 1);
        Assert.Equal(1u, TableLayout.Edge.Valid.Read(edge));
        Assert.Equal(1001u, TableLayout.Edge.Vni.Read(edge));
        Assert.Equal(0xC000_02FAu, TableLayout.Edge.UnderlayIp.Read(edge));
        Assert.Equal(0u, TableLayout.Edge.Valid.Read(driver.ReadEntry(TableId.Edge, 2)));

        // NACL index: (acl * 2 + direction) * NACL_RULES + position; direction 0 ingress, 1 egress.
        var ingress = driver.ReadEntry(TableId.Nacl, Acl * 2 * filters.NaclRules);
        Assert.Equal(1u, TableLayout.Nacl.Valid.Read(ingress));
        Assert.Equal(0u, TableLayout.Nacl.Allow.Read(ingress));
        Assert.Equal(0u, TableLayout.Nacl.AnyProtocol.Read(ingress));
        Assert.Equal(6u, TableLayout.Nacl.Protocol.Read(ingress));
        Assert.Equal(24u, TableLayout.Nacl.CidrLen.Read(ingress));
        Assert.Equal(0xC633_6400u, TableLayout.Nacl.Cidr.Read(ingress));
        Assert.Equal(443u, TableLayout.Nacl.P1Lo.Read(ingress));
        Assert.Equal(444u, TableLayout.Nacl.P1Hi.Read(ingress));
        var egress = driver.ReadEntry(TableId.Nacl, (Acl * 2 + 1) * filters.NaclRules);
        Assert.Equal(1u, TableLayout.Nacl.Valid.Read(egress));
        Assert.Equal(1u, TableLayout.Nacl.Allow.Read(egress));
        Assert.Equal(1u, TableLayout.Nacl.AnyProtocol.Read(egress));
        Assert.Equal(0u, TableLayout.Nacl.CidrLen.Read(egress));

        // The ENI's security group ranges point at the rules the driver placed.
        var sgIn = driver.ReadEntry(TableId.SgRule, (int)TableLayout.Eni.SgInBase.Read(eni));
        Assert.Equal(1u, TableLayout.SgRule.Valid.Read(sgIn));
        Assert.Equal(17u, TableLayout.SgRule.Protocol.Read(sgIn));
        Assert.Equal(0xCB00_7100u, TableLayout.SgRule.Cidr.Read(sgIn));
        Assert.Equal(24u, TableLayout.SgRule.CidrLen.Read(sgIn));
        Assert.Equal(53u, TableLayout.SgRule.P1Lo.Read(sgIn));
        Assert.Equal(53u, TableLayout.SgRule.P1Hi.Read(sgIn));
        var sgOut = driver.ReadEntry(TableId.SgRule, (int)TableLayout.Eni.SgOutBase.Read(eni));
        Assert.Equal(1u, TableLayout.SgRule.Valid.Read(sgOut));
        Assert.Equal(1u, TableLayout.SgRule.AnyProtocol.Read(sgOut));

        var timeouts = driver.ReadEntry(TableId.EniConntrack, Slot);
        Assert.Equal(3_600u, TableLayout.EniConntrack.TcpEstablished.Read(timeouts));
        Assert.Equal(120u, TableLayout.EniConntrack.UdpStream.Read(timeouts));
    }

    [Fact]
    public void A_read_outside_a_table_is_refused_and_the_card_stays_usable()
    {
        using var engine = new RtlCardEngine();
        var driver = engine.Driver;
        var refused = Assert.Throws<NitroCardException>(() => driver.ReadEntry(TableId.Eni, engine.Geometry.EniSlots + 1));
        Assert.Contains("rejected Read of Eni", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0u, TableLayout.Eni.Valid.Read(driver.ReadEntry(TableId.Eni, 0)));
    }

    /// <summary>
    /// A load through posted table writes (docs/registers.md, "Posted table writes") leaves the card exactly as the
    /// checked path does: every ENI slot, edge, security rule of the loaded ranges and every mapping bucket a loaded or
    /// removed key hashes to reads back the same words, with every mapping found where the card's lookup probes,
    /// and in under 60% of the card cycles.
    /// </summary>
    [Fact]
    public void Posted_table_writes_read_back_identical_to_checked_ones()
    {
        const int Mappings = 1_500;
        var posted = LoadAndReadBack(TableWriteMode.Posted, Mappings);
        var checkedPath = LoadAndReadBack(TableWriteMode.Checked, Mappings);
        Assert.Equal(checkedPath.Words.Count, posted.Words.Count);
        for (var i = 0; i < posted.Words.Count; i++)
            Assert.True(checkedPath.Words[i].SequenceEqual(posted.Words[i]), $"read-back {i} differs: {string.Join(',', posted.Words[i])} posted, {string.Join(',', checkedPath.Words[i])} checked");
        // Checked: 10 writes and a status read per entry; posted: the changed words (most of them here), TBL_INDEX and TBL_CMD.
        Assert.True(5 * posted.Cycles < 3 * checkedPath.Cycles, $"{posted.Cycles} card cycles posted, {checkedPath.Cycles} checked");
    }

    private static (List<uint[]> Words, ulong Cycles) LoadAndReadBack(TableWriteMode mode, int mappings)
    {
        using var engine = new RtlCardEngine(mode);
        var driver = engine.Driver;
        var geometry = engine.Geometry;
        static MappingEntry Mapping(int n) => new(
            (uint)(2000 + (n % 3)), Ipv4Address.FromUInt32(0x0A00_0000u + (uint)n), Ipv4Address.FromUInt32(0xC000_0200u + (uint)(n % 7)),
            new MacAddress(0x0200_0000_0000UL + (ulong)n * 0x1_0001UL), n % 11 == 0 ? (n % 2 == 0 ? 0 : 3) : null);
        var start = engine.Card.Cycle;
        for (var slot = 0; slot < 4; slot++)
        {
            driver.SetEni(slot, new EniEntry((uint)(2000 + slot), Ipv4Address.FromUInt32(0x0A01_0000u + (uint)slot),
                new MacAddress(0x0200_0A01_0000UL + (ulong)slot), IPNetwork.Parse("10.1.0.0/16")));
            driver.SetSecurityRules(slot, new SecurityRules(
                Ingress: [FilterRule.ForTcp(IPNetwork.Parse($"198.51.100.{slot * 16}/28"), 22, (ushort)(22 + slot))],
                Egress: [FilterRule.AllTraffic]));
        }
        for (var n = 0; n < mappings; n++)
            driver.AddMapping(Mapping(n));
        driver.SetEdge(1, new EdgeEntry(2001, EdgeIp));
        driver.Commit();
        for (var n = 0; n < mappings; n += 5)
            driver.RemoveMapping(Mapping(n).Key);
        for (var n = 1; n < mappings; n += 5)
            driver.SetMapping(Mapping(n) with { UnderlayIp = EdgeIp });
        driver.SetEni(2, null);
        driver.Commit();
        var cycles = engine.Card.Cycle - start;

        var words = new List<uint[]>();
        for (var slot = 0; slot < geometry.EniSlots; slot++)
            words.Add(driver.ReadEntry(TableId.Eni, slot));
        for (var edge = 0; edge < geometry.EdgeEntries; edge++)
            words.Add(driver.ReadEntry(TableId.Edge, edge));
        for (var rule = 0; rule < 16; rule++)
            words.Add(driver.ReadEntry(TableId.SgRule, rule));
        var buckets = geometry.MappingWayDepth / geometry.MappingBucketSlots;
        for (var n = 0; n < mappings; n++)
        {
            var key = Mapping(n).Key;
            var found = false;
            for (var way = 0; way < 2; way++)
            {
                var first = (way * geometry.MappingWayDepth) + (CardHash.MappingBucket(way, key.Vni, key.Ip, buckets) * geometry.MappingBucketSlots);
                for (var slot = 0; slot < geometry.MappingBucketSlots; slot++)
                {
                    var entry = driver.ReadEntry(TableId.Mapping, first + slot);
                    words.Add(entry);
                    found |= TableLayout.Mapping.Valid.Read(entry) == 1 && TableLayout.Mapping.Vni.Read(entry) == key.Vni && TableLayout.Mapping.Ip.Read(entry) == key.Ip;
                }
            }
            Assert.Equal(n % 5 != 0, found);
        }
        return (words, cycles);
    }
}
