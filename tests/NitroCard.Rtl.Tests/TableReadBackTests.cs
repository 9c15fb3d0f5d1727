using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;
using NitroCard.Driver.Registers;
using NitroCard.Driver.Simulation;

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
}
