using System.Net;
using NitroCard.Card;
using NitroCard.Card.Tables;

namespace NitroCard.Region.Tests;

public sealed class RegionCompilerTests
{
    private static readonly RegionTopology ThreeVpcs = RegionLoader.Load(RegionFiles.PathOf(RegionFiles.ThreeVpcs));
    private static readonly RegionTopology Docs = RegionLoader.Load(RegionFiles.PathOf(RegionFiles.DocsExample));

    private static IPAddress Ip(string text) => IPAddress.Parse(text);

    private static MacAddress Mac(string text) => MacAddress.Parse(text);

    [Fact]
    public void Settings_use_the_defaults_when_the_file_gives_none()
    {
        var plan = RegionCompiler.ForHost(Docs, "host-a", CardGeometry.Default);

        Assert.Equal(
            new CardSettings(Ip("192.0.2.11"), Mac("02:4e:c0:00:02:0b"), Mac("02:4e:00:00:00:01"), Mac("02:4e:47:57:00:01"), uint.MaxValue),
            plan.Settings);
    }

    [Fact]
    public void Settings_use_the_files_macs_when_given()
    {
        var a = RegionCompiler.ForHost(ThreeVpcs, "host-a");
        var b = RegionCompiler.ForHost(ThreeVpcs, "host-b");

        Assert.Equal(Mac("02:4e:c0:00:02:0b"), a.Settings.UnderlayMac);
        Assert.Equal(Mac("02:4e:00:00:0b:0b"), b.Settings.UnderlayMac);
        Assert.Equal(Ip("192.0.2.12"), b.Settings.UnderlayIp);
        Assert.All([a, b], p => Assert.Equal(Mac("02:4e:00:00:00:fe"), p.Settings.UnderlayNextHopMac));
        Assert.All([a, b], p => Assert.Equal(Mac("02:4e:47:57:00:02"), p.Settings.GatewayMac));
    }

    [Fact]
    public void Local_enis_become_slots_in_file_order()
    {
        var plan = RegionCompiler.ForHost(ThreeVpcs, "host-a");

        Assert.Equal(
            new[]
            {
                // Resolver: the VPC base + 2 (both VPCs have DNS support by default).
                new EniSlot(0, "eni-red-1", "vpc-red", "subnet-red-a", new EniEntry(1001, Ip("10.0.1.10"), Mac("02:00:00:00:01:01"), IPNetwork.Parse("10.0.1.0/24"), true, Resolver: Ip("10.0.0.2"))),
                new EniSlot(1, "eni-red-3", "vpc-red", "subnet-red-a", new EniEntry(1001, Ip("10.0.1.12"), Mac("02:00:00:00:01:03"), IPNetwork.Parse("10.0.1.0/24"), true, Resolver: Ip("10.0.0.2"))),
                new EniSlot(2, "eni-green-1", "vpc-green", "subnet-green-a", new EniEntry(3003, Ip("172.16.0.4"), Mac("02:00:00:00:03:01"), IPNetwork.Parse("172.16.0.0/20"), true, RouteTable: 1, Nacl: 1, Resolver: Ip("172.16.0.2"))),  // the card's second route table; the default ACL after red's acl-1
            },
            plan.Enis.Select(e => e with { Services = null }).ToArray());
        // What the instance services get (EniServiceInfo) is checked in Each_eni_carries_what_its_instance_services_need.
        Assert.Equal(2, plan.SlotOf("eni-green-1"));
        Assert.Null(plan.SlotOf("eni-red-2"));
    }

    [Fact]
    public void Each_eni_carries_what_its_instance_services_need()
    {
        var plan = RegionCompiler.ForHost(ThreeVpcs, "host-a");
        var red = plan.Enis[0].Services!;
        Assert.Equal(RegionDefaults.InstanceIdOf("eni-red-1"), red.InstanceId);
        Assert.Equal(0, red.DeviceIndex);
        Assert.Equal(new InstanceMetadataOptions(), red.MetadataOptions);
        Assert.Equal(IPNetwork.Parse("10.0.0.0/16"), red.VpcCidr);
        Assert.True(red.EnableDnsSupport);
        Assert.False(red.EnableDnsHostnames);
        Assert.Equal(RegionDefaults.RegionName, red.RegionName);
        Assert.Equal(RegionDefaults.AvailabilityZoneOf(RegionDefaults.RegionName), red.AvailabilityZone);
        Assert.Equal(RegionDefaults.AccountId, red.AccountId);
        Assert.Equal(IPNetwork.Parse("172.16.0.0/16"), plan.Enis[2].Services!.VpcCidr);
    }

    [Fact]
    public void An_enis_services_compare_by_value_so_an_unchanged_region_pushes_no_change()
    {
        var eni = Docs.Vpcs.SelectMany(v => v.Enis).First(e => !e.SecurityGroups.IsEmpty);
        var first = RegionCompiler.ForHost(Docs, eni.Host).Enis.Single(e => e.EniId == eni.Id).Services!;
        // Copies of the VPCs: a plan's parts are kept per VPC object, so the same objects would give the same instance.
        var copy = Docs with { Vpcs = [.. Docs.Vpcs.Select(v => v with { })] };
        var again = RegionCompiler.ForHost(copy, eni.Host).Enis.Single(e => e.EniId == eni.Id).Services!;

        Assert.Equal(eni.SecurityGroups, first.SecurityGroups);
        Assert.NotSame(first, again);
        Assert.Equal(first, again);
        Assert.Equal(first.GetHashCode(), again.GetHashCode());
        Assert.NotEqual(first, again with { SecurityGroups = [.. first.SecurityGroups, "sg-other"] });
    }

    [Fact]
    public void Source_dest_check_follows_the_file()
    {
        var plan = RegionCompiler.ForHost(ThreeVpcs, "host-b");

        var slot = Assert.Single(plan.Enis, e => e.EniId == "eni-red-2");
        Assert.False(slot.Entry.SourceDestCheck);
    }

    [Fact]
    public void Mappings_hold_every_eni_of_the_hosts_vpcs_with_local_slots()
    {
        var plan = RegionCompiler.ForHost(ThreeVpcs, "host-a");

        Assert.Equal(
            new[]
            {
                new MappingEntry(1001, Ip("10.0.1.10"), Ip("192.0.2.11"), Mac("02:00:00:00:01:01"), 0),
                new MappingEntry(1001, Ip("10.0.1.11"), Ip("192.0.2.12"), Mac("02:00:00:00:01:02"), null),
                new MappingEntry(1001, Ip("10.0.1.12"), Ip("192.0.2.11"), Mac("02:00:00:00:01:03"), 1),
                new MappingEntry(3003, Ip("172.16.0.4"), Ip("192.0.2.11"), Mac("02:00:00:00:03:01"), 2),
            },
            plan.Mappings.ToArray());
        Assert.Equal(new[] { new HostVpc("vpc-red", 1001), new HostVpc("vpc-green", 3003) }, plan.Vpcs.ToArray());
    }

    [Fact]
    public void Edges_are_each_hosted_vpc_times_each_edge()
    {
        var plan = RegionCompiler.ForHost(ThreeVpcs, "host-a");

        Assert.Equal(
            new[]
            {
                new EdgeEntry(1001, Ip("192.0.2.250")),
                new EdgeEntry(1001, Ip("192.0.2.251")),
                new EdgeEntry(3003, Ip("192.0.2.250")),
                new EdgeEntry(3003, Ip("192.0.2.251")),
            },
            plan.Edges.ToArray());
    }

    [Fact]
    public void A_host_gets_nothing_of_a_vpc_it_has_no_eni_in()
    {
        // vpc-blue (VNI 2002) uses the same 10.0.1.10 and 10.0.1.11 as vpc-red but has no ENI on host-a.
        var a = RegionCompiler.ForHost(ThreeVpcs, "host-a");
        Assert.DoesNotContain(a.Mappings, m => m.Vni == 2002);
        Assert.DoesNotContain(a.Edges, e => e.Vni == 2002);
        Assert.DoesNotContain(a.Vpcs, v => v.VpcId == "vpc-blue");
        Assert.DoesNotContain(a.Mappings, m => m.Mac == Mac("02:00:00:00:02:01") || m.Mac == Mac("02:00:00:00:02:02"));

        // host-c has one ENI of vpc-blue only: it learns vpc-blue and nothing else.
        var c = RegionCompiler.ForHost(ThreeVpcs, "host-c");
        Assert.Equal(new[] { new HostVpc("vpc-blue", 2002) }, c.Vpcs.ToArray());
        Assert.Equal(
            new[]
            {
                new MappingEntry(2002, Ip("10.0.1.10"), Ip("192.0.2.12"), Mac("02:00:00:00:02:01"), null),
                new MappingEntry(2002, Ip("10.0.1.11"), Ip("192.0.2.13"), Mac("02:00:00:00:02:02"), 0),
            },
            c.Mappings.ToArray());
        Assert.Equal(new[] { new EdgeEntry(2002, Ip("192.0.2.250")), new EdgeEntry(2002, Ip("192.0.2.251")) }, c.Edges.ToArray());
    }

    [Fact]
    public void Every_hosts_state_is_exactly_its_vpcs()
    {
        foreach (var region in new[] { ThreeVpcs, Docs })
        {
            foreach (var host in region.Hosts)
            {
                var plan = RegionCompiler.ForHost(region, host.Name);
                var hosted = region.Vpcs.Where(v => v.Enis.Any(e => e.Host == host.Name)).ToList();
                var vnis = hosted.Select(v => v.Vni).ToHashSet();

                Assert.Equal(hosted.Select(v => new HostVpc(v.Id, v.Vni)).ToArray(), plan.Vpcs.ToArray());
                Assert.All(plan.Enis, e => Assert.Contains(e.Entry.Vni, vnis));
                Assert.All(plan.Edges, e => Assert.Contains(e.Vni, vnis));
                Assert.Equal(hosted.Sum(v => v.Enis.Length), plan.Mappings.Length);
                Assert.Equal(hosted.Count * region.Edges.Length, plan.Edges.Length);
                Assert.Equal(plan.Mappings.Length, plan.Mappings.Select(m => m.Key).Distinct().Count());
                Assert.Equal(
                    plan.Enis.Select(e => e.Slot).ToArray(),
                    plan.Mappings.Where(m => m.LocalSlot is not null).Select(m => m.LocalSlot!.Value).Order().ToArray());
                Assert.All(
                    plan.Mappings.Where(m => m.LocalSlot is not null),
                    m => Assert.Equal(plan.Settings.UnderlayIp, m.UnderlayIp));
            }
        }
    }

    [Fact]
    public void Overlapping_vpcs_on_one_host_are_kept_apart_by_vni()
    {
        var plan = RegionCompiler.ForHost(Docs, "host-a");

        Assert.Equal(new[] { "eni-a1", "eni-b1" }, plan.Enis.Select(e => e.EniId).ToArray());
        Assert.Equal(plan.Enis[0].Entry.Ip, plan.Enis[1].Entry.Ip);
        Assert.Equal(new[] { 1001u, 1002u }, plan.Enis.Select(e => e.Entry.Vni).ToArray());
        var same = plan.Mappings.Where(m => m.Ip.Equals(Ip("10.0.1.10"))).ToList();
        Assert.Equal(new[] { (1001u, (int?)0), (1002u, (int?)1) }, same.Select(m => (m.Vni, m.LocalSlot)).ToArray());
    }

    [Fact]
    public void Unknown_host_names_the_known_hosts()
    {
        var e = Assert.Throws<RegionException>(() => RegionCompiler.ForHost(Docs, "host-z"));

        Assert.Contains("host-z is not a host of the region (hosts: host-a, host-b)", e.Message, StringComparison.Ordinal);
        Assert.Contains("docs-example.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_region_built_in_memory_is_rejected()
    {
        var broken = Docs with { Hosts = [Docs.Hosts[0]] };

        var e = Assert.Throws<RegionException>(() => RegionCompiler.ForHost(broken, "host-a"));

        Assert.Contains("vpcs[0].enis[1].host: host-b is not a host of the region", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_prints_aligned_tables()
    {
        var text = RegionCompiler.ForHost(ThreeVpcs, "host-a").Describe();
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();

        Assert.StartsWith("host host-a", lines[0], StringComparison.Ordinal);
        Assert.Contains("  underlay ip   192.0.2.11", lines);
        Assert.Contains("  alarm mask    0xffffffff", lines);
        Assert.Contains("eni slots (3 of 64)", lines);
        Assert.Contains("mappings (4 of 65536)", lines);
        Assert.Contains("edges (4 of 8)", lines);

        // Every row of the ENI table starts its columns where the header's do.
        var header = lines.FindIndex(l => l.StartsWith("  slot", StringComparison.Ordinal));
        var ipColumn = lines[header].IndexOf(" ip ", StringComparison.Ordinal) + 1;
        var macColumn = lines[header].IndexOf(" mac ", StringComparison.Ordinal) + 1;
        Assert.Equal("10.0.1.10", lines[header + 1].Substring(ipColumn, 9));
        Assert.Equal("172.16.0.4", lines[header + 3].Substring(ipColumn, 10));
        Assert.Equal("02:00:00:00:03:01", lines[header + 3].Substring(macColumn, 17));

        var mappingHeader = lines.FindIndex(l => l.StartsWith("  vni   ip", StringComparison.Ordinal));
        var slotColumn = lines[mappingHeader].IndexOf("local slot", StringComparison.Ordinal);
        Assert.Equal("-", lines[mappingHeader + 2][slotColumn..]);
        Assert.Equal("2", lines[mappingHeader + 4][slotColumn..]);
        Assert.DoesNotContain(lines, l => l.EndsWith(' '));
    }
}
