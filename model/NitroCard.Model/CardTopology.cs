using System.Net;
using NitroCard.Driver;
using NitroCard.Driver.Simulation;
using NitroCard.Driver.Tables;

namespace NitroCard.Model;

/// <summary>An ENI programmed into a slot.</summary>
public sealed record LocalEni(int Slot, EniEntry Entry);

/// <summary>
/// The tables and settings of one card: what a test loads into every engine it compares, and what
/// <see cref="FrameGenerator"/> draws addresses from. <see cref="Mappings"/> holds the local ENIs'
/// own mappings (with <see cref="MappingEntry.LocalSlot"/>) as well as the remote ones.
/// </summary>
public sealed record CardTopology(
    CardSettings Settings,
    IReadOnlyList<LocalEni> Enis,
    IReadOnlyList<MappingEntry> Mappings,
    IReadOnlyList<EdgeEntry> Edges)
{
    /// <summary>Configures <paramref name="engine"/>, stages every table entry (edges at index 0, 1, ...) and commits.</summary>
    public void LoadInto(ICardEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        engine.Configure(Settings);
        foreach (var eni in Enis)
            engine.SetEni(eni.Slot, eni.Entry);
        foreach (var mapping in Mappings)
            engine.SetMapping(mapping);
        for (var i = 0; i < Edges.Count; i++)
            engine.SetEdge(i, Edges[i]);
        engine.Commit();
    }

    /// <summary>The MAC the sample topology gives (VNI, IP): 02:00, VNI low 16 bits, IP low 16 bits.</summary>
    public static MacAddress SampleMac(uint vni, IPAddress ip)
        => new(0x0200_0000_0000UL | ((ulong)(vni & 0xFFFF) << 16) | (Ipv4.ToUInt32(ip) & 0xFFFF));

    /// <summary>
    /// A small fixed topology with overlapping address plans. This card: underlay 192.0.2.10.
    /// VPC A (VNI 1001), subnets 10.0.1.0/24 and 10.0.2.0/24: local slot 0 10.0.1.10, slot 1 10.0.1.11,
    /// slot 2 10.0.2.10; remote 10.0.1.20 and 10.0.2.20 on 192.0.2.20, 10.0.1.30 on 192.0.2.30;
    /// edge 198.51.100.1. VPC B (VNI 2002), subnet 10.0.1.0/24: local slot 5 10.0.1.10, slot 6
    /// 10.0.1.12 (source/destination check off); remote 10.0.1.20 on 192.0.2.30, 10.0.1.40 on 192.0.2.20.
    /// </summary>
    public static CardTopology Sample()
    {
        const uint vpcA = 1001, vpcB = 2002;
        var underlay = IPAddress.Parse("192.0.2.10");
        var settings = new CardSettings(
            underlay,
            MacAddress.Parse("02:00:c0:00:02:0a"),
            MacAddress.Parse("02:00:c0:00:02:01"),
            MacAddress.Parse("02:00:00:00:00:01"));
        var subnetA1 = IPNetwork.Parse("10.0.1.0/24");
        var subnetA2 = IPNetwork.Parse("10.0.2.0/24");
        var subnetB = IPNetwork.Parse("10.0.1.0/24");

        var enis = new List<LocalEni>();
        var mappings = new List<MappingEntry>();
        void Local(int slot, uint vni, string ip, IPNetwork subnet, bool check = true)
        {
            var address = IPAddress.Parse(ip);
            var mac = SampleMac(vni, address);
            enis.Add(new LocalEni(slot, new EniEntry(vni, address, mac, subnet, check)));
            mappings.Add(new MappingEntry(vni, address, underlay, mac, slot));
        }
        void Remote(uint vni, string ip, string host)
        {
            var address = IPAddress.Parse(ip);
            mappings.Add(new MappingEntry(vni, address, IPAddress.Parse(host), SampleMac(vni, address)));
        }

        Local(0, vpcA, "10.0.1.10", subnetA1);
        Local(1, vpcA, "10.0.1.11", subnetA1);
        Local(2, vpcA, "10.0.2.10", subnetA2);
        Remote(vpcA, "10.0.1.20", "192.0.2.20");
        Remote(vpcA, "10.0.2.20", "192.0.2.20");
        Remote(vpcA, "10.0.1.30", "192.0.2.30");
        Local(5, vpcB, "10.0.1.10", subnetB);
        Local(6, vpcB, "10.0.1.12", subnetB, check: false);
        Remote(vpcB, "10.0.1.20", "192.0.2.30");
        Remote(vpcB, "10.0.1.40", "192.0.2.20");
        var edges = new List<EdgeEntry> { new(vpcA, IPAddress.Parse("198.51.100.1")) };
        return new CardTopology(settings, enis, mappings, edges);
    }
}
