using System.Net;
using NitroCard.Card;
using NitroCard.Card.Tables;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.State;
using NitroCard.Model;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Firmware.Tests;

/// <summary>The firmware's table programming: slots, ordering within an update, full snapshots as differences.</summary>
public sealed class CardProgrammerTests
{
    private static readonly RegionTopology Example = RegionLoader.Load(Regions.ExamplePath);

    private static HostDelta Snapshot(RegionTopology region, string host, long version = 1)
        => DeltaBuilder.Snapshot(RegionState.From(region, version), host, 0);

    private static HostEni Eni(string id, string ip, string mac, uint vni = 1001, string subnet = "subnet-a")
        => new(id, "vpc-0a1b2c3d4e5f60718", subnet, new EniEntry(vni, IPAddress.Parse(ip), MacAddress.Parse(mac), IPNetwork.Parse("10.0.1.0/24")));

    private static HostMapping Local(HostEni eni)
        => new(new MappingKey(eni.Entry.Vni, Ipv4Address.ToUInt32(eni.Entry.Ip)), Ipv4Address.ToUInt32(IPAddress.Parse("192.0.2.11")), eni.Entry.Mac, eni.Id);

    [Fact]
    public void A_full_snapshot_programs_the_plan_and_the_same_snapshot_again_changes_nothing()
    {
        var programmer = new CardProgrammer(CardGeometry.Default);
        var card = new RecordingEngine();
        programmer.Apply(card, Snapshot(Example, "host-a"));
        PlanAssert.CardEqualsPlan(programmer, RegionCompiler.ForHost(Example, "host-a"));
        Assert.Equal(2, card.Count("set-eni"));
        Assert.Equal(4, card.Count("set-mapping"));
        Assert.Equal(2, card.Count("set-edge"));
        // Filters: the route set once, each ACL, each ENI's rules and timeouts before its entry.
        Assert.Equal(1, card.Count("set-route-tables"));
        Assert.Equal(2, card.Count("set-sg"));
        Assert.Equal(2, card.Count("set-timeouts"));
        Assert.True(card.Calls.IndexOf("set-route-tables 2") < card.Calls.FindIndex(c => c.StartsWith("set-eni", StringComparison.Ordinal)));
        Assert.True(card.Calls.IndexOf("set-sg 0") < card.Calls.IndexOf("set-eni 0 10.0.1.10"));
        Assert.Equal(["commit"], card.Calls.Where(c => c == "commit"));

        card.Calls.Clear();
        programmer.Apply(card, Snapshot(Example, "host-a", version: 2));
        Assert.Equal(["commit"], card.Calls);
    }

    [Fact]
    public void The_edge_set_follows_the_healthy_edges_after_the_commit_and_only_when_it_changes()
    {
        var twoEdges = Example with { Edges = [.. Example.Edges, new RegionEdge("blackfoot-2", "192.0.2.251")] };
        var programmer = new CardProgrammer(CardGeometry.Default);
        var card = new RecordingEngine();
        programmer.Apply(card, Snapshot(twoEdges, "host-a"));
        Assert.Equal(["set-edge-set 192.0.2.250,192.0.2.251"], card.Calls.Where(c => c.StartsWith("set-edge-set", StringComparison.Ordinal)));
        // After the commit: the new edge's RX entries are in before a flow goes to it.
        Assert.True(card.Calls.IndexOf("commit") < card.Calls.IndexOf("set-edge-set 192.0.2.250,192.0.2.251"));
        Assert.Equal(RegionCompiler.ForHost(twoEdges, "host-a").EdgeSet.ToArray(), programmer.EdgeSet.ToArray());

        card.Calls.Clear();
        programmer.Apply(card, Snapshot(twoEdges, "host-a", version: 2));
        Assert.Equal(["commit"], card.Calls);

        // blackfoot-2 found dead: the full snapshot of the health change only narrows the set.
        var dead = twoEdges with { UnhealthyEdges = ["blackfoot-2"] };
        card.Calls.Clear();
        programmer.Apply(card, Snapshot(dead, "host-a", version: 3));
        Assert.Equal(["commit", "set-edge-set 192.0.2.250"], card.Calls);
        Assert.Equal([IPAddress.Parse("192.0.2.250")], programmer.EdgeSet.ToArray());

        // A delta says the set only when it changed.
        Assert.Null(DeltaBuilder.Diff(RegionCompiler.ForHost(twoEdges, "host-a"), RegionCompiler.ForHost(twoEdges, "host-a"), 4).EdgeSet);
        Assert.Equal([IPAddress.Parse("192.0.2.250")], DeltaBuilder.Diff(RegionCompiler.ForHost(twoEdges, "host-a"), RegionCompiler.ForHost(dead, "host-a"), 4).EdgeSet!.Value.ToArray());
        // One edge: no set at all (edge routes keep their EDGE_IP).
        Assert.Empty(RegionCompiler.ForHost(Example, "host-a").EdgeSet);
    }

    [Fact]
    public void A_full_snapshot_is_applied_as_the_difference_from_what_the_card_holds()
    {
        var programmer = new CardProgrammer(CardGeometry.Default);
        programmer.Apply(null, Snapshot(Example, "host-a"));
        // eni-b1 leaves host-a for host-b: host-a loses VPC 1002 entirely.
        var moved = Example with
        {
            Vpcs = Example.Vpcs.SetItem(1, Example.Vpcs[1] with { Enis = [.. Example.Vpcs[1].Enis.Select(e => e with { Host = "host-b" })] }),
        };
        var card = new RecordingEngine();
        programmer.Apply(card, Snapshot(moved, "host-a", version: 2));
        PlanAssert.CardEqualsPlan(programmer, RegionCompiler.ForHost(moved, "host-a"));
        Assert.Equal(0, card.Count("set-mapping"));
        Assert.Equal(2, card.Count("remove-mapping"));
        Assert.Equal(1, card.Count("clear-eni"));
        Assert.Equal(1, card.Count("clear-edge"));
        Assert.Equal(0, card.Count("set-eni"));
    }

    [Fact]
    public void A_new_ENI_never_takes_a_slot_freed_by_the_same_update_and_leaves_after_its_mappings_moved()
    {
        var programmer = new CardProgrammer(CardGeometry.Default);
        var a = Eni("eni-a", "10.0.1.10", "02:00:00:00:00:0a");
        programmer.Apply(null, Deltas.Of("h", 1, 0) with { SetEnis = [a], SetMappings = [Local(a)] });
        Assert.Equal(0, programmer.Slots["eni-a"]);

        // One update: eni-a leaves, eni-b arrives with the same address (the address now belongs to eni-b).
        var b = Eni("eni-b", "10.0.1.10", "02:00:00:00:00:0b");
        var card = new RecordingEngine();
        programmer.Apply(card, Deltas.Of("h", 2, 1) with { SetEnis = [b], RemoveEnis = ["eni-a"], SetMappings = [Local(b)] });
        Assert.Equal(1, programmer.Slots["eni-b"]);
        Assert.False(programmer.Slots.ContainsKey("eni-a"));
        // The emptied slot's security rules are freed after the slot is cleared.
        Assert.Equal(["set-eni 1 10.0.1.10", "set-mapping vni 1001 10.0.1.10 192.0.2.11 slot 1", "clear-eni 0", "clear-sg 0", "commit"], card.Calls);

        // The next update may reuse slot 0.
        var c = Eni("eni-c", "10.0.1.30", "02:00:00:00:00:0c");
        programmer.Apply(null, Deltas.Of("h", 3, 2) with { SetEnis = [c], SetMappings = [Local(c)] });
        Assert.Equal(0, programmer.Slots["eni-c"]);
    }

    [Fact]
    public void An_ENI_moving_away_keeps_its_slot_until_its_mapping_points_at_the_new_host()
    {
        var programmer = new CardProgrammer(CardGeometry.Default);
        var a = Eni("eni-a", "10.0.1.10", "02:00:00:00:00:0a");
        programmer.Apply(null, Deltas.Of("h", 1, 0) with { SetEnis = [a], SetMappings = [Local(a)] });
        var card = new RecordingEngine();
        var remote = Local(a) with { UnderlayIp = Ipv4Address.ToUInt32(IPAddress.Parse("192.0.2.12")), LocalEniId = null };
        programmer.Apply(card, Deltas.Of("h", 2, 1) with { RemoveEnis = ["eni-a"], SetMappings = [remote] });
        Assert.Equal(["set-mapping vni 1001 10.0.1.10 192.0.2.12 slot -", "clear-eni 0", "clear-sg 0", "commit"], card.Calls);
    }

    [Fact]
    public void On_a_full_card_the_departing_ENI_leaves_in_a_commit_of_its_own_before_its_slot_is_reused()
    {
        var programmer = new CardProgrammer(CardGeometry.Default with { EniSlots = 2 });
        var a = Eni("eni-a", "10.0.1.10", "02:00:00:00:00:0a");
        var b = Eni("eni-b", "10.0.1.11", "02:00:00:00:00:0b");
        programmer.Apply(null, Deltas.Of("h", 1, 0) with { SetEnis = [a, b], SetMappings = [Local(a), Local(b)] });

        // eni-a is replaced by eni-c with the same address: no spare slot for make-before-break.
        var c = Eni("eni-c", "10.0.1.10", "02:00:00:00:00:0c");
        var card = new RecordingEngine();
        programmer.Apply(card, Deltas.Of("h", 2, 1) with { SetEnis = [c], RemoveEnis = ["eni-a"], SetMappings = [Local(c)] });
        Assert.Equal(
            ["remove-mapping vni 1001 10.0.1.10", "clear-eni 0", "clear-sg 0", "commit",
             "set-eni 0 10.0.1.10", "set-mapping vni 1001 10.0.1.10 192.0.2.11 slot 0", "commit"],
            card.Calls);
        Assert.Equal(0, programmer.Slots["eni-c"]);
        Assert.Equal("eni-c", programmer.Mappings.Single(m => m.Key.Ip == Ipv4Address.ToUInt32(IPAddress.Parse("10.0.1.10"))).LocalEniId);
    }

    [Fact]
    public void A_card_without_room_even_after_the_departures_refuses_the_update()
    {
        var programmer = new CardProgrammer(CardGeometry.Default with { EniSlots = 1 });
        var a = Eni("eni-a", "10.0.1.10", "02:00:00:00:00:0a");
        var b = Eni("eni-b", "10.0.1.11", "02:00:00:00:00:0b");
        var c = Eni("eni-c", "10.0.1.12", "02:00:00:00:00:0c");
        programmer.Apply(null, Deltas.Of("h", 1, 0) with { SetEnis = [a] });
        var e = Assert.Throws<CardTableFullException>(() => programmer.Apply(null, Deltas.Of("h", 2, 1) with { SetEnis = [b, c], RemoveEnis = ["eni-a"] }));
        Assert.Contains("eni-c", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_eni_takes_the_lowest_free_slot_but_not_one_its_own_update_frees()
    {
        var programmer = new CardProgrammer(CardGeometry.Default);
        var a = Eni("eni-a", "10.0.1.10", "02:00:00:00:00:0a");
        var b = Eni("eni-b", "10.0.1.11", "02:00:00:00:00:0b");
        var c = Eni("eni-c", "10.0.1.12", "02:00:00:00:00:0c");
        programmer.Apply(null, Deltas.Of("h", 1, 0) with { SetEnis = [a, b, c] });
        var d = Eni("eni-d", "10.0.1.13", "02:00:00:00:00:0d");
        programmer.Apply(null, Deltas.Of("h", 2, 1) with { SetEnis = [d], RemoveEnis = ["eni-b"] });
        Assert.Equal(3, programmer.Slots["eni-d"]);
        var e = Eni("eni-e", "10.0.1.14", "02:00:00:00:00:0e");
        var f = Eni("eni-f", "10.0.1.15", "02:00:00:00:00:0f");
        programmer.Apply(null, Deltas.Of("h", 3, 2) with { SetEnis = [e, f] });
        Assert.Equal(1, programmer.Slots["eni-e"]);
        Assert.Equal(4, programmer.Slots["eni-f"]);
    }

    [Fact]
    public void A_refused_update_leaves_the_slots_it_had_taken_free()
    {
        var programmer = new CardProgrammer(CardGeometry.Default with { EniSlots = 2 });
        var a = Eni("eni-a", "10.0.1.10", "02:00:00:00:00:0a");
        var b = Eni("eni-b", "10.0.1.11", "02:00:00:00:00:0b");
        var c = Eni("eni-c", "10.0.1.12", "02:00:00:00:00:0c");
        programmer.Apply(null, Deltas.Of("h", 1, 0) with { SetEnis = [a] });
        Assert.Throws<CardTableFullException>(() => programmer.Apply(null, Deltas.Of("h", 2, 1) with { SetEnis = [b, c] }));
        Assert.Equal(["eni-a"], programmer.Slots.Keys);
        programmer.Apply(null, Deltas.Of("h", 2, 1) with { SetEnis = [c] });
        Assert.Equal(1, programmer.Slots["eni-c"]);
    }

    [Fact]
    public void The_model_card_holds_what_the_programmer_mirrors()
    {
        using var model = new ModelCard(CardGeometry.Default);
        var programmer = new CardProgrammer(CardGeometry.Default);
        programmer.Apply(model, Snapshot(Example, "host-b"));
        Assert.Equal(programmer.MappingCount, model.MappingCount);
        Assert.Equal(0, model.StagedCount);
        PlanAssert.CardEqualsPlan(programmer, RegionCompiler.ForHost(Example, "host-b"));
    }
}
