using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;
using NitroCard.Mapping.Distribution;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Firmware.Tests;

internal static class Regions
{
    public static string ExamplePath { get; } = Path.Combine(AppContext.BaseDirectory, "regions", "docs-example.json");
}

/// <summary>
/// Asserts that what a card holds (its programmer's mirror) is what <see cref="RegionCompiler.ForHost"/> plans,
/// slots renamed by ENI id, filters included: ENI entries with their route table and ACL numbers, the route set,
/// the ACLs, each ENI's security rules and conntrack timeouts.
/// </summary>
internal static class PlanAssert
{
    public static void CardEqualsPlan(CardProgrammer card, HostCardPlan plan)
    {
        var enis = card.Enis;
        Assert.Equal(plan.Enis.Select(e => e.EniId).Order(StringComparer.Ordinal), enis.Keys.Order(StringComparer.Ordinal));
        foreach (var slot in plan.Enis)
        {
            var have = enis[slot.EniId];
            Assert.Equal((slot.VpcId, slot.SubnetId), (have.VpcId, have.SubnetId));
            Assert.Equal(slot.Entry, have.Entry);
        }
        var filters = card.Filters;
        Assert.Equal(plan.Enis.Select(e => e.EniId).Order(StringComparer.Ordinal), filters.Keys.Order(StringComparer.Ordinal));
        foreach (var slot in plan.Enis)
        {
            var have = filters[slot.EniId];
            Assert.Equal(Text(plan.Filters.Security[slot.Slot]), Text(have.Rules));
            Assert.Equal(plan.Filters.Timeouts[slot.Slot], have.Timeouts);
        }
        Assert.Equal(plan.Filters.RouteTables.Select(Text), card.RouteTables.Select(Text));
        Assert.Equal(plan.Filters.Acls.Select(a => Text(a)), card.Acls.Select(a => Text(a)));
        var slots = plan.Enis.ToDictionary(e => e.Slot, e => e.EniId);
        var wanted = plan.Mappings
            .Select(m => $"{m.Key} -> {m.UnderlayIp} {m.Mac} {(m.LocalSlot is { } s ? slots[s] : "-")}")
            .Order(StringComparer.Ordinal).ToList();
        var held = card.Mappings
            .Select(m => $"{m.Key} -> {Ipv4Address.FromUInt32(m.UnderlayIp)} {m.Mac} {m.LocalEniId ?? "-"}")
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(wanted, held);
        Assert.Equal(plan.Edges.Select(Text).Order(StringComparer.Ordinal), card.Edges.Select(Text).Order(StringComparer.Ordinal));
        Assert.Equal(plan.Settings with { AlarmMask = 0 }, card.Settings! with { AlarmMask = 0 });
    }

    public static string Text(RouteTableSpec t) => $"local {t.Local}; {string.Join("; ", t.Routes)}";

    public static string Text(NetworkAcl? a) => a is null ? "none" : $"in {string.Join("; ", a.Ingress)} | out {string.Join("; ", a.Egress)}";

    public static string Text(SecurityRules r) => $"in {string.Join("; ", r.Ingress)} | out {string.Join("; ", r.Egress)}";

    private static string Text(EdgeEntry e) => $"{e.Vni}/{e.UnderlayIp}";
}

/// <summary>An engine that records every call (and forwards to an inner engine, if any).</summary>
internal sealed class RecordingEngine(ICardEngine? inner = null) : ICardEngine
{
    public List<string> Calls { get; } = [];

    public string Name => "recording";

    public CardGeometry Geometry => inner?.Geometry ?? CardGeometry.Default;

    public int Count(string prefix) => Calls.Count(c => c.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>Called after each commit reached the inner engine (with the number of commits so far).</summary>
    public Action<int>? AfterCommit { get; set; }

    private volatile string? _failCommits;

    /// <summary>While set, every commit throws a <see cref="NitroCardException"/> with this message (a card that refuses an update).</summary>
    public string? FailCommits
    {
        get => _failCommits;
        set => _failCommits = value;
    }

    public void Configure(CardSettings settings)
    {
        Calls.Add("configure");
        inner?.Configure(settings);
    }

    public void SetEni(int slot, EniEntry? entry)
    {
        Calls.Add(entry is null ? $"clear-eni {slot}" : $"set-eni {slot} {entry.Ip}");
        inner?.SetEni(slot, entry);
    }

    public void SetMapping(MappingEntry entry)
    {
        Calls.Add($"set-mapping {entry.Key} {entry.UnderlayIp} slot {entry.LocalSlot?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}");
        inner?.SetMapping(entry);
    }

    public void RemoveMapping(MappingKey key)
    {
        Calls.Add($"remove-mapping {key}");
        inner?.RemoveMapping(key);
    }

    public void SetEdge(int index, EdgeEntry? entry)
    {
        Calls.Add(entry is null ? $"clear-edge {index}" : $"set-edge {index}");
        inner?.SetEdge(index, entry);
    }

    public void SetRouteTables(IReadOnlyList<RouteTableSpec?> tables)
    {
        Calls.Add($"set-route-tables {tables.Count}");
        inner?.SetRouteTables(tables);
    }

    public void SetNetworkAcl(int index, NetworkAcl? acl)
    {
        Calls.Add(acl is null ? $"clear-acl {index}" : $"set-acl {index}");
        inner?.SetNetworkAcl(index, acl);
    }

    public void SetSecurityRules(int slot, SecurityRules? rules)
    {
        Calls.Add(rules is null ? $"clear-sg {slot}" : $"set-sg {slot}");
        inner?.SetSecurityRules(slot, rules);
    }

    public void SetConntrackTimeouts(int slot, ConntrackTimeouts timeouts)
    {
        Calls.Add($"set-timeouts {slot}");
        inner?.SetConntrackTimeouts(slot, timeouts);
    }

    public void Commit()
    {
        if (_failCommits is { } failure)
            throw new NitroCardException(failure);
        Calls.Add("commit");
        inner?.Commit();
        AfterCommit?.Invoke(Count("commit"));
    }

    public void SetTime(ulong microseconds) => inner?.SetTime(microseconds);

    public void SetEdgeSet(IReadOnlyList<System.Net.IPAddress> edges)
    {
        Calls.Add($"set-edge-set {string.Join(",", edges)}");
        inner?.SetEdgeSet(edges);
    }

    public void PushHost(int slot, ReadOnlySpan<byte> frame) => inner?.PushHost(slot, frame);

    public void PushNetwork(ReadOnlySpan<byte> frame) => inner?.PushNetwork(frame);

    public ulong? RunUntilIdle() => inner?.RunUntilIdle();

    public IReadOnlyList<CardFrame> DrainHost() => inner?.DrainHost() ?? [];

    public IReadOnlyList<CardFrame> DrainNetwork() => inner?.DrainNetwork() ?? [];

    public CardCounters ReadCounters() => inner?.ReadCounters() ?? throw new InvalidOperationException("no card");

    public IReadOnlyList<CardAlarm> DrainAlarms() => inner?.DrainAlarms() ?? [];

    public void Dispose() => inner?.Dispose();
}

internal static class Deltas
{
    public static HostDelta Of(string host, long version, long baseVersion) => HostDelta.Empty(host, version, baseVersion);
}
