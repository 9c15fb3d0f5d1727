using System.Collections.Immutable;
using System.Globalization;
using Google.Protobuf;
using NitroCard.Card;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.State;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Mapping.Tests;

/// <summary>
/// <see cref="DeltaBuilder.Deltas"/> numbers each host's route tables and ACLs first and, when the numbering stays, compiles
/// only the VPCs a change touches into slots. Its deltas must be, byte for byte, the difference of each host's whole plans
/// (<see cref="RegionCompiler.ForHost"/> before and after): on seeded random valid changes of a region whose VPCs have
/// several subnets, route tables and network ACLs, so that changes move hosts' table numbering as well as leaving it.
/// </summary>
public sealed class HostDeltaTests
{
    private static readonly CardGeometry Geometry = CardGeometry.Default with { EniSlots = 10, EdgeEntries = 8 };

    private const int VpcCount = 8;

    /// <summary>
    /// <see cref="IncrementalApplyTests.BaseRegion"/> with a third subnet in each VPC, a route table of its own on the first
    /// two subnets (the third has the VPC's implicit one) and a network ACL on the first subnet of every odd VPC, so a host's
    /// table numbers depend on which subnets its ENIs first use, VPC by VPC.
    /// </summary>
    private static RegionTopology TabledRegion()
    {
        var region = IncrementalApplyTests.BaseRegion();
        return region with
        {
            Vpcs = [.. region.Vpcs.Select((vpc, v) => vpc with
            {
                Subnets = [.. vpc.Subnets.Select((s, k) => s with { RouteTable = RouteTableId(v, k) }), new Subnet($"subnet-{v}-2", "10.0.2.0/24")],
                RouteTables =
                [
                    new RouteTable(RouteTableId(v, 0), [new Route("198.51.100.0/24", RouteTargets.Blackhole)]),
                    new RouteTable(RouteTableId(v, 1), [new Route("203.0.113.0/24", RouteTargets.Blackhole)]),
                ],
                NetworkAcls = [.. vpc.NetworkAcls, .. v % 2 == 1 ? [OddAcl(v)] : ImmutableArray<RegionNetworkAcl>.Empty],
            })],
        };
    }

    private static string RouteTableId(int vpc, int table) => string.Create(CultureInfo.InvariantCulture, $"rtb-{vpc}-{table}");

    private static RegionNetworkAcl OddAcl(int vpc) => new(string.Create(CultureInfo.InvariantCulture, $"acl-odd-{vpc}"))
    {
        Subnets = [$"subnet-{vpc}-0"],
        Ingress = [new RegionAclRule(100, "tcp", 22, 22, "198.51.100.0/24", "deny"), new RegionAclRule(200, "-1", null, null, "0.0.0.0/0", "allow")],
        Egress = [new RegionAclRule(100, "-1", null, null, "0.0.0.0/0", "allow")],
    };

    /// <summary>One to three edits of the tables and the subnets ENIs use: what moves a host's route table and ACL numbers.</summary>
    private static RegionTopology MutateTables(RegionTopology region, Random random)
    {
        var vpcs = region.Vpcs.ToBuilder();
        var edits = 1 + random.Next(3);
        for (var n = 0; n < edits; n++)
        {
            var v = random.Next(vpcs.Count);
            var vpc = vpcs[v];
            switch (random.Next(5))
            {
                case 0 when !vpc.Enis.IsEmpty:
                    // An ENI to another subnet of its VPC, with an address there.
                    var i = random.Next(vpc.Enis.Length);
                    var k = random.Next(3);
                    vpcs[v] = vpc with
                    {
                        Enis = vpc.Enis.SetItem(i, vpc.Enis[i] with
                        {
                            Subnet = $"subnet-{v}-{k}",
                            Ip = string.Create(CultureInfo.InvariantCulture, $"10.0.{k}.{100 + i}"),
                        }),
                    };
                    break;
                case 1:
                    // A route table's routes.
                    var t = random.Next(vpc.RouteTables.Length);
                    vpcs[v] = vpc with
                    {
                        RouteTables = vpc.RouteTables.SetItem(t, vpc.RouteTables[t] with
                        {
                            Routes = [.. vpc.RouteTables[t].Routes, new Route(string.Create(CultureInfo.InvariantCulture, $"192.0.2.{4 * random.Next(64)}/30"), RouteTargets.Blackhole)],
                        }),
                    };
                    break;
                case 2:
                    // A subnet's route table: another of the VPC's, or the implicit one.
                    var s = random.Next(vpc.Subnets.Length);
                    var table = random.Next(3);
                    vpcs[v] = vpc with { Subnets = vpc.Subnets.SetItem(s, vpc.Subnets[s] with { RouteTable = table < 2 ? RouteTableId(v, table) : null }) };
                    break;
                case 3:
                    // The ACL of the VPC's subnets: moved to another subnet, or removed.
                    vpcs[v] = vpc with
                    {
                        NetworkAcls = random.Next(3) == 0 ? [] : [OddAcl(v) with { Subnets = [$"subnet-{v}-{random.Next(3)}"] }],
                    };
                    break;
                default:
                    // Several ENIs of the VPC to one host (a host may gain or lose the VPC).
                    var host = "host-" + random.Next(6).ToString(CultureInfo.InvariantCulture);
                    vpcs[v] = vpc with { Enis = [.. vpc.Enis.Select(e => random.Next(3) == 0 ? e with { Host = host } : e)] };
                    break;
            }
        }
        return region with { Vpcs = vpcs.ToImmutable() };
    }

    [Fact]
    public void Every_host_delta_is_the_difference_of_its_whole_plans_before_and_after()
    {
        var region = TabledRegion();
        Assert.Empty(RegionValidator.Validate(region, Geometry));
        var random = new Random(10);
        int compared = 0, renumbered = 0, kept = 0;
        for (var trial = 0; trial < 400; trial++)
        {
            var next = random.Next(2) == 0 ? MutateTables(region, random) : IncrementalApplyTests.Mutate(region, random);
            if (!RegionValidator.Validate(next, Geometry).IsEmpty)
                continue; // refusals are IncrementalApplyTests' business
            var apply = IncrementalApply.Find(region, next);
            Assert.NotNull(apply);
            var state = RegionState.From(region, 1);
            var (enis, vpcs) = apply.Changes(region);
            var before = RegionBefore.Capture(state, enis.Select(c => c.VpcId).Concat(vpcs).Distinct(StringComparer.Ordinal), replacing: false);
            state.ReplaceVpcs(apply.Region, apply.Changed, 2);
            var deltas = DeltaBuilder.Deltas(state, new RegionChange(2, enis, false) { Vpcs = vpcs }, before, Geometry);

            foreach (var host in region.Hosts.Select(h => h.Name))
            {
                var oldPlan = RegionCompiler.ForHost(region, host, Geometry);
                var newPlan = RegionCompiler.ForHost(apply.Region, host, Geometry);
                var expected = DeltaBuilder.Diff(oldPlan, newPlan, 2);
                if (!deltas.TryGetValue(host, out var delta))
                {
                    Assert.True(expected.Size == 0, $"trial {trial}: {host} was sent nothing, but its plan changed ({expected.Size} entries)");
                    continue;
                }
                Assert.True(
                    DeltaCodec.ToMessage(expected).ToByteArray().AsSpan().SequenceEqual(DeltaCodec.ToMessage(delta).ToByteArray()),
                    $"trial {trial}: {host}: expected {DeltaCodec.ToMessage(expected)}, got {DeltaCodec.ToMessage(delta)}");
                compared++;
                var numberingKept = oldPlan.Filters.RouteTableIds.SequenceEqual(newPlan.Filters.RouteTableIds) && oldPlan.Filters.AclIds.SequenceEqual(newPlan.Filters.AclIds);
                if (numberingKept)
                    kept++;
                else
                    renumbered++;
                // The numbering alone, before any slot is compiled, tells the two kinds of host apart as the whole plans do.
                Assert.Equal(numberingKept, RegionCompiler.NumberTables(region, host, region.Vpcs).SameNumbers(RegionCompiler.NumberTables(apply.Region, host, apply.Region.Vpcs)));
                AssertMappingsDiffed(oldPlan, newPlan, delta, $"trial {trial}: {host}");
            }
            region = apply.Region;
        }
        // Both kinds of host are seen often: those whose table numbering the change kept, and those it moved.
        Assert.True(kept > 400 && renumbered > 100, $"{compared} deltas compared: {kept} kept their table numbering, {renumbered} had it moved");
    }

    /// <summary>
    /// The delta's mappings are those of the plans' mappings as the service sends them (<see cref="HostMapping"/>, the local
    /// owner named by ENI id) that are new or differ, in the new plan's order, and the keys of the old plan's that are gone,
    /// in its order: <see cref="DeltaBuilder.Diff"/> compares the plans' entries in place, without making these.
    /// </summary>
    private static void AssertMappingsDiffed(HostCardPlan oldPlan, HostCardPlan newPlan, HostDelta delta, string what)
    {
        static List<HostMapping> Sent(HostCardPlan plan) => [.. plan.Mappings.Select(m => new HostMapping(m.Key, Ipv4Address.ToUInt32(m.UnderlayIp), m.Mac,
            m.LocalSlot is { } slot ? plan.Enis[slot].EniId : null, plan.PublicIps.GetValueOrDefault(m.Key)))];
        var before = Sent(oldPlan).ToDictionary(m => m.Key);
        var after = Sent(newPlan);
        var afterKeys = after.Select(m => m.Key).ToHashSet();
        Assert.True(after.Where(m => !before.TryGetValue(m.Key, out var o) || o != m).SequenceEqual(delta.SetMappings), what + ": mappings set");
        Assert.Equal(before.Keys.Where(k => !afterKeys.Contains(k)), delta.RemoveMappings);
    }
}
