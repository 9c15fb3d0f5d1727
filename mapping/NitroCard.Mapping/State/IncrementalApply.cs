using System.Collections.Immutable;
using NitroCard.Card;
using NitroCard.Region;

namespace NitroCard.Mapping.State;

/// <summary>
/// An <c>apply</c> that changes only some VPCs of the region (the same hosts, edges and region settings, the same VPC ids
/// in the same order), worked out in time proportional to those VPCs rather than to the region: which VPCs changed, the
/// store writes, the ENI changes for the per-host deltas, and whether the new region is valid
/// (<see cref="IsCertainlyValid"/>). Everything it produces equals what the whole-region path produces
/// (<see cref="RegionRecords.Diff(RegionTopology, RegionTopology)"/>, <see cref="RegionValidator.Validate"/>); the tests
/// compare the two on seeded random changes.
/// </summary>
public sealed class IncrementalApply
{
    private IncrementalApply(RegionTopology region, ImmutableArray<int> changed)
    {
        Region = region;
        Changed = changed;
    }

    /// <summary>
    /// The region as the state will hold it: the VPCs that did not change are the current objects, the others carry the
    /// current VPN connections' learned routes (service state a region file does not hold).
    /// </summary>
    public RegionTopology Region { get; }

    /// <summary>The positions of the VPCs whose content changed, ascending.</summary>
    public ImmutableArray<int> Changed { get; }

    /// <summary>
    /// The VPC-level difference of <paramref name="next"/> from <paramref name="current"/>, or null when the change is
    /// more than that (hosts, edges or region fields differ, or VPCs are added, removed or reordered): the caller then
    /// takes the whole-region path.
    /// </summary>
    public static IncrementalApply? Find(RegionTopology current, RegionTopology next)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        var oldVpcs = current.Vpcs;
        var newVpcs = next.Vpcs;
        if (oldVpcs.Length != newVpcs.Length || oldVpcs.Length == 0)
            return null;
        for (var v = 0; v < newVpcs.Length; v++)
        {
            if (newVpcs[v] is null || newVpcs[v].Id != oldVpcs[v].Id)
                return null;
        }
        if (!SameOutsideVpcs(current, next))
            return null;
        var vpcs = newVpcs.ToBuilder();
        var changed = ImmutableArray.CreateBuilder<int>();
        for (var v = 0; v < vpcs.Count; v++)
        {
            var old = oldVpcs[v];
            if (ReferenceEquals(old, vpcs[v]))
                continue;
            var vpc = WithLearnedRoutes(vpcs[v], old);
            if (SameHeader(old, vpc) && SameEnis(old.Enis, vpc.Enis))
            {
                vpcs[v] = old;
                continue;
            }
            vpcs[v] = vpc;
            changed.Add(v);
        }
        return new IncrementalApply(next with { Vpcs = vpcs.MoveToImmutable(), UnhealthyEdges = current.UnhealthyEdges }, changed.ToImmutable());
    }

    /// <summary>
    /// The store writes of the change, the same list <see cref="RegionRecords.Diff(RegionTopology, RegionTopology)"/> gives:
    /// the changed VPCs' objects, and those of the VPCs after them whose ENIs' order numbers (positions in the region) moved.
    /// </summary>
    public List<StoreWrite> Writes(RegionTopology current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var oldOffsets = RegionState.EniOffsets(current);
        var newOffsets = RegionState.EniOffsets(Region);
        var writes = new List<StoreWrite>();
        var deletes = new List<StoreWrite>();
        var changed = Changed.ToHashSet();
        for (var v = 0; v < Region.Vpcs.Length; v++)
        {
            if (!changed.Contains(v) && oldOffsets[v] == newOffsets[v])
                continue;
            RegionRecords.Diff(RegionRecords.OfVpc(current.Vpcs[v], v, oldOffsets[v]), RegionRecords.OfVpc(Region.Vpcs[v], v, newOffsets[v]), writes, deletes);
        }
        writes.AddRange(deletes);
        return writes;
    }

    /// <summary>
    /// The ENIs created, changed and deleted (created and changed first, in region order, then deleted), and the VPCs whose
    /// other parts or ENI order changed: what the whole-region path of <c>apply</c> reports for the same change.
    /// </summary>
    public (ImmutableArray<EniChange> Enis, ImmutableArray<string> Vpcs) Changes(RegionTopology current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var enis = ImmutableArray.CreateBuilder<EniChange>();
        var deleted = new List<EniChange>();
        var touched = ImmutableArray.CreateBuilder<string>();
        foreach (var v in Changed)
        {
            var old = current.Vpcs[v];
            var vpc = Region.Vpcs[v];
            if (RegionRecords.ToJson(old) != RegionRecords.ToJson(vpc)
                || !old.Enis.Select(e => e.Id).SequenceEqual(vpc.Enis.Select(e => e.Id), StringComparer.Ordinal))
                touched.Add(vpc.Id);
            var before = new Dictionary<string, Eni>(old.Enis.Length, StringComparer.Ordinal);
            foreach (var eni in old.Enis)
                before[eni.Id] = eni;
            foreach (var eni in vpc.Enis)
            {
                if (!before.Remove(eni.Id, out var previous))
                    enis.Add(new EniChange(vpc.Id, vpc.Vni, null, eni));
                else if (!SameEni(previous, eni))
                    enis.Add(new EniChange(vpc.Id, vpc.Vni, previous, eni));
            }
            deleted.AddRange(before.Values.Select(e => new EniChange(old.Id, old.Vni, e, null)));
        }
        enis.AddRange(deleted);
        return (enis.ToImmutable(), touched.ToImmutable());
    }

    /// <summary>
    /// True only when <see cref="RegionValidator.Validate"/> finds nothing wrong in <see cref="Region"/>, given that the
    /// state's region is valid; false means "not shown here" and the caller asks the full validator (which also words
    /// the errors). The changed VPCs are validated with the region's hosts and edges (every rule inside them, and among
    /// them), and what they claim region-wide is checked against the state's indexes of the other VPCs: ids, ENI MACs,
    /// public IPs, instances, and each affected host's card capacity.
    /// </summary>
    public bool IsCertainlyValid(RegionState state, CardGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(geometry);
        var current = state.Topology;
        var newVpcs = Changed.Select(v => Region.Vpcs[v]).ToList();
        var oldVpcs = Changed.Select(v => current.Vpcs[v]).ToList();
        if (!RegionValidator.Validate(Region with { Vpcs = [.. newVpcs] }, geometry).IsEmpty)
            return false;

        // What the changed VPCs held before: a claim of theirs is free to take again (the region was valid).
        var oldIds = new HashSet<string>(StringComparer.Ordinal);
        var oldEnis = new HashSet<string>(StringComparer.Ordinal);
        var oldInstances = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var vpc in oldVpcs)
        {
            oldIds.UnionWith(RegionIds.OfVpcHeader(vpc));
            foreach (var eni in vpc.Enis)
            {
                oldIds.Add(eni.Id);
                oldEnis.Add(eni.Id);
                oldInstances[eni.EffectiveInstanceId] = oldInstances.GetValueOrDefault(eni.EffectiveInstanceId) + 1;
            }
        }
        for (var i = 0; i < newVpcs.Count; i++)
        {
            var vpc = newVpcs[i];
            var old = oldVpcs[i];
            if (vpc.Vni != old.Vni || !SameEdgeAttachments(old, vpc))
                return false;
            foreach (var id in RegionIds.OfVpcHeader(vpc))
            {
                if (!oldIds.Contains(id) && state.HasId(id))
                    return false;
            }
            foreach (var eni in vpc.Enis)
            {
                if (!oldIds.Contains(eni.Id) && state.HasId(eni.Id))
                    return false;
                if (!AddressText.TryParseUnicastMac(eni.Mac, out var mac, out _)
                    || state.MacOwner(mac.Value) is { } macOwner && !oldEnis.Contains(macOwner))
                    return false;
                if (eni.PublicIp is not null
                    && (!AddressText.TryParseIpv4(eni.PublicIp, out var publicIp) || state.PublicIpOwner(publicIp) is { } ipOwner && !oldEnis.Contains(ipOwner)))
                    return false;
            }
        }

        // An instance with ENIs outside the changed VPCs is checked across them by the full validator only.
        var instances = new HashSet<string>(oldInstances.Keys, StringComparer.Ordinal);
        instances.UnionWith(newVpcs.SelectMany(v => v.Enis).Select(e => e.EffectiveInstanceId));
        foreach (var instance in instances)
        {
            if (state.EniCountOfInstance(instance) - oldInstances.GetValueOrDefault(instance) > 0)
                return false;
        }
        return HostsFit(state, oldVpcs, newVpcs, geometry);
    }

    /// <summary>The validator's per-host capacity checks, for the hosts the changed VPCs had or have ENIs on.</summary>
    private bool HostsFit(RegionState state, List<Vpc> oldVpcs, List<Vpc> newVpcs, CardGeometry geometry)
    {
        var newCounts = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var vpc in newVpcs)
        {
            foreach (var eni in vpc.Enis)
            {
                if (!newCounts.TryGetValue(eni.Host, out var perVpc))
                    newCounts[eni.Host] = perVpc = new Dictionary<string, int>(StringComparer.Ordinal);
                perVpc[vpc.Id] = perVpc.GetValueOrDefault(vpc.Id) + 1;
            }
        }
        var sizes = newVpcs.ToDictionary(v => v.Id, v => v.Enis.Length, StringComparer.Ordinal);
        var hosts = new HashSet<string>(newCounts.Keys, StringComparer.Ordinal);
        hosts.UnionWith(oldVpcs.SelectMany(v => v.Enis).Select(e => e.Host));
        var edges = Region.Edges.Length;
        foreach (var host in hosts)
        {
            var added = newCounts.GetValueOrDefault(host);
            var enis = state.EniCountOn(host) + (added?.Values.Sum() ?? 0);
            var vpcs = 0;
            long mappings = 0;
            foreach (var vpc in state.VpcsOf(host))
            {
                if (sizes.ContainsKey(vpc))
                    continue;
                vpcs++;
                mappings += state.Vpc(vpc)!.Enis.Length;
            }
            foreach (var vpc in oldVpcs)
                enis -= state.EniCountOn(host, vpc.Id);
            if (added is not null)
            {
                vpcs += added.Count;
                mappings += added.Keys.Sum(v => (long)sizes[v]);
            }
            if (enis > geometry.EniSlots || mappings > geometry.MappingCapacity || (long)vpcs * edges > geometry.EdgeEntries)
                return false;
        }
        return true;
    }

    /// <summary>Hosts, edges and every region field but the VPCs are the same (as the file would write them).</summary>
    private static bool SameOutsideVpcs(RegionTopology a, RegionTopology b)
    {
        if (a.Hosts == b.Hosts && a.Edges == b.Edges && (a with { Vpcs = b.Vpcs, SourceName = b.SourceName }).Equals(b))
            return true;
        return RegionLoader.ToJson(a with { Vpcs = [] }) == RegionLoader.ToJson(b with { Vpcs = [] });
    }

    /// <summary>The VPC's fields but its ENIs are the same (as stored: <see cref="RegionRecords.ToJson(Vpc)"/>).</summary>
    private static bool SameHeader(Vpc a, Vpc b)
        => (a with { Enis = b.Enis }).Equals(b) || RegionRecords.ToJson(a) == RegionRecords.ToJson(b);

    /// <summary>The Internet Gateway, VPN connections, Direct Connect interfaces and gateway endpoints are the same.</summary>
    private static bool SameEdgeAttachments(Vpc a, Vpc b)
    {
        static Vpc Attachments(Vpc v) => new(v.Id) { InternetGateway = v.InternetGateway, VpnConnections = v.VpnConnections, DirectConnect = v.DirectConnect, GatewayEndpoints = v.GatewayEndpoints };
        return RegionRecords.ToJson(Attachments(a)) == RegionRecords.ToJson(Attachments(b));
    }

    private static bool SameEnis(ImmutableArray<Eni> a, ImmutableArray<Eni> b)
    {
        if (a == b)
            return true;
        if (a.Length != b.Length)
            return false;
        for (var i = 0; i < a.Length; i++)
        {
            if (!SameEni(a[i], b[i]))
                return false;
        }
        return true;
    }

    /// <summary>
    /// The same ENI as stored (<see cref="RegionRecords.ToJson(Eni)"/>); a region file's text gives every ENI its own
    /// security group list, so the lists are compared by value before falling back to the JSON.
    /// </summary>
    public static bool SameEni(Eni a, Eni b)
    {
        if (ReferenceEquals(a, b))
            return true;
        if (a is null || b is null)
            return false;
        if (a.Equals(b))
            return true;
        // Fields written verbatim that differ make different JSON: a moved ENI is told apart without serializing it.
        if (a.Id != b.Id || a.Host != b.Host || a.Subnet != b.Subnet || a.Ip != b.Ip || a.Mac != b.Mac || a.PublicIp != b.PublicIp
            || a.InstanceId != b.InstanceId || a.SourceDestCheck != b.SourceDestCheck || a.DeviceIndex != b.DeviceIndex)
            return false;
        if (a.SecurityGroups.AsSpan().SequenceEqual(b.SecurityGroups.AsSpan()) && (a with { SecurityGroups = b.SecurityGroups }).Equals(b))
            return true;
        return RegionRecords.ToJson(a) == RegionRecords.ToJson(b);
    }

    /// <summary>The VPC with the learned routes of <paramref name="current"/>'s BGP connections of the same ids.</summary>
    public static Vpc WithLearnedRoutes(Vpc vpc, Vpc current)
    {
        ArgumentNullException.ThrowIfNull(vpc);
        ArgumentNullException.ThrowIfNull(current);
        if (!current.VpnConnections.Any(c => c.UsesBgp && !c.LearnedCidrs.IsEmpty))
            return vpc;
        var learned = current.VpnConnections.Where(c => c.UsesBgp && !c.LearnedCidrs.IsEmpty).ToDictionary(c => c.Id, c => c.LearnedCidrs, StringComparer.Ordinal);
        return vpc with
        {
            VpnConnections = [.. vpc.VpnConnections.Select(c => c is not null && c.UsesBgp && learned.TryGetValue(c.Id, out var cidrs) ? c with { LearnedCidrs = cidrs } : c!)],
        };
    }
}
