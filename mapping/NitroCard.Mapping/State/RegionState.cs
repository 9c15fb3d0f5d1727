using System.Collections.Immutable;
using NitroCard.Region;

namespace NitroCard.Mapping.State;

/// <summary>
/// The authoritative region: a <see cref="RegionTopology"/> (the same model a region file loads into)
/// plus its version, with the indexes the API and the per-host deltas need (ids, VNIs, MACs, public
/// IPs, which hosts serve which VPC). Not thread-safe: the service serialises writers.
/// </summary>
public sealed class RegionState
{
    private readonly Dictionary<string, int> _vpcIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _eniVpc = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Eni> _enis = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _eniSeq = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, string> _vnis = [];
    private readonly Dictionary<ulong, string> _macs = [];
    private readonly Dictionary<uint, string> _publicIps = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>> _vpcHosts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>> _hostVpcs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RegionHost> _hosts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, uint> _hostUnderlay = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _instances = new(StringComparer.Ordinal);

    private RegionState(RegionTopology topology, long version, long nextSeq)
    {
        Topology = topology;
        Version = version;
        NextSeq = nextSeq;
        Reindex();
    }

    public RegionTopology Topology { get; private set; }

    public long Version { get; private set; }

    /// <summary>The next order number for a stored ENI.</summary>
    public long NextSeq { get; private set; }

    public static RegionState Empty() => new(new RegionTopology { SourceName = "mapping service" }, 0, 0);

    public static RegionState From(RegionTopology topology, long version, long nextSeq = 0)
        => new(topology, version, Math.Max(nextSeq, topology.Vpcs.Sum(v => (long)v.Enis.Length)));

    public int EniCount => _enis.Count;

    public bool HasId(string id) => _ids.Contains(id);

    public bool HasVni(uint vni) => _vnis.ContainsKey(vni);

    public string? MacOwner(ulong mac) => _macs.GetValueOrDefault(mac);

    public string? PublicIpOwner(uint ip) => _publicIps.GetValueOrDefault(ip);

    public RegionHost? Host(string name) => _hosts.GetValueOrDefault(name);

    public uint HostUnderlay(string name) => _hostUnderlay[name];

    public Vpc? Vpc(string id) => _vpcIndex.TryGetValue(id, out var i) ? Topology.Vpcs[i] : null;

    /// <summary>The position of a VPC in the region (file order), or -1.</summary>
    public int IndexOfVpc(string id) => _vpcIndex.TryGetValue(id, out var i) ? i : -1;

    public Eni? Eni(string id) => _enis.GetValueOrDefault(id);

    public string? VpcOfEni(string id) => _eniVpc.GetValueOrDefault(id);

    public long SeqOfEni(string id) => _eniSeq.GetValueOrDefault(id);

    /// <summary>The hosts that have at least one ENI of the VPC.</summary>
    public IReadOnlyCollection<string> HostsOf(string vpcId)
        => _vpcHosts.TryGetValue(vpcId, out var hosts) ? hosts.Keys : [];

    /// <summary>The VPCs with at least one ENI on the host.</summary>
    public IReadOnlyCollection<string> VpcsOf(string host)
        => _hostVpcs.TryGetValue(host, out var vpcs) ? vpcs.Keys : [];

    public int EniCountOn(string host) => _hostVpcs.TryGetValue(host, out var vpcs) ? vpcs.Values.Sum() : 0;

    /// <summary>The ENIs of the VPC on the host.</summary>
    public int EniCountOn(string host, string vpcId)
        => _hostVpcs.TryGetValue(host, out var vpcs) ? vpcs.GetValueOrDefault(vpcId) : 0;

    /// <summary>The ENIs attached to an instance (<see cref="Region.Eni.EffectiveInstanceId"/>).</summary>
    public int EniCountOfInstance(string instanceId) => _instances.GetValueOrDefault(instanceId);

    /// <summary>The VPC that owns a subnet, or null.</summary>
    public (Vpc Vpc, Subnet Subnet)? FindSubnet(string subnetId)
    {
        foreach (var vpc in Topology.Vpcs)
        {
            foreach (var subnet in vpc.Subnets)
            {
                if (subnet.Id == subnetId)
                    return (vpc, subnet);
            }
        }
        return null;
    }

    /// <summary>The VPC that owns a security group, or null.</summary>
    public Vpc? FindSecurityGroupVpc(string groupId)
        => Topology.Vpcs.FirstOrDefault(v => v.SecurityGroups.Any(g => g.Id == groupId));

    // ---- mutations (callers have validated) --------------------------------------------------

    /// <summary>Replaces the whole region (apply).</summary>
    public void ReplaceAll(RegionTopology topology, long version)
    {
        Topology = topology;
        Version = version;
        NextSeq = Math.Max(NextSeq, topology.Vpcs.Sum(v => (long)v.Enis.Length));
        Reindex();
    }

    public void SetVersion(long version) => Version = version;

    public void AddHost(RegionHost host)
    {
        Topology = Topology with { Hosts = Topology.Hosts.Add(host) };
        IndexHost(host);
    }

    public void AddVpc(Vpc vpc)
    {
        _vpcIndex[vpc.Id] = Topology.Vpcs.Length;
        Topology = Topology with { Vpcs = Topology.Vpcs.Add(vpc) };
        IndexVpcHeader(vpc);
    }

    /// <summary>Replaces a VPC's subnets, route tables or security groups (not its ENIs); new ids are indexed.</summary>
    public void ReplaceVpcHeader(Vpc vpc)
    {
        var i = _vpcIndex[vpc.Id];
        var current = Topology.Vpcs[i];
        UnindexVpcHeader(current);
        Topology = Topology with { Vpcs = Topology.Vpcs.SetItem(i, vpc with { Enis = current.Enis }) };
        IndexVpcHeader(vpc);
    }

    /// <summary>
    /// Takes <paramref name="region"/>, which differs from the current region only in the VPCs at <paramref name="changed"/>
    /// (same hosts, edges, settings, and VPC ids in the same order), re-indexing only those VPCs: the indexes and ENI order
    /// numbers end as <see cref="ReplaceAll"/> leaves them.
    /// </summary>
    public void ReplaceVpcs(RegionTopology region, IReadOnlyList<int> changed, long version)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(changed);
        var keptSeq = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var i in changed)
        {
            var old = Topology.Vpcs[i];
            UnindexVpcHeader(old);
            foreach (var eni in old.Enis)
            {
                keptSeq[eni.Id] = _eniSeq[eni.Id];
                _eniSeq.Remove(eni.Id);
                _ids.Remove(eni.Id);
                UnindexEni(old, eni);
            }
        }
        Topology = region;
        Version = version;
        var offsets = EniOffsets(region);
        foreach (var i in changed)
        {
            var vpc = region.Vpcs[i];
            IndexVpcHeader(vpc);
            for (var e = 0; e < vpc.Enis.Length; e++)
            {
                var eni = vpc.Enis[e];
                // As Reindex: an ENI keeps its order number; a new one gets its position in the region.
                _eniSeq[eni.Id] = keptSeq.TryGetValue(eni.Id, out var s) ? s : offsets[i] + e;
                IndexEni(vpc, eni);
            }
        }
        NextSeq = Math.Max(NextSeq, offsets[^1]);
    }

    /// <summary>The position in the region of each VPC's first ENI, and the ENI count last.</summary>
    public static long[] EniOffsets(RegionTopology region)
    {
        ArgumentNullException.ThrowIfNull(region);
        var offsets = new long[region.Vpcs.Length + 1];
        for (var v = 0; v < region.Vpcs.Length; v++)
            offsets[v + 1] = offsets[v] + region.Vpcs[v].Enis.Length;
        return offsets;
    }

    public void AddEni(string vpcId, Eni eni)
    {
        var i = _vpcIndex[vpcId];
        var vpc = Topology.Vpcs[i];
        Topology = Topology with { Vpcs = Topology.Vpcs.SetItem(i, vpc with { Enis = vpc.Enis.Add(eni) }) };
        _eniSeq[eni.Id] = NextSeq++;
        IndexEni(vpc, eni);
    }

    public void ReplaceEni(Eni eni)
    {
        var vpcId = _eniVpc[eni.Id];
        var i = _vpcIndex[vpcId];
        var vpc = Topology.Vpcs[i];
        var at = IndexOfEni(vpc, eni.Id);
        var before = vpc.Enis[at];
        UnindexEni(vpc, before);
        Topology = Topology with { Vpcs = Topology.Vpcs.SetItem(i, vpc with { Enis = vpc.Enis.SetItem(at, eni) }) };
        IndexEni(vpc, eni);
    }

    public void RemoveEni(string eniId)
    {
        var vpcId = _eniVpc[eniId];
        var i = _vpcIndex[vpcId];
        var vpc = Topology.Vpcs[i];
        var at = IndexOfEni(vpc, eniId);
        UnindexEni(vpc, vpc.Enis[at]);
        _ids.Remove(eniId);
        _eniSeq.Remove(eniId);
        Topology = Topology with { Vpcs = Topology.Vpcs.SetItem(i, vpc with { Enis = vpc.Enis.RemoveAt(at) }) };
    }

    private static int IndexOfEni(Vpc vpc, string eniId)
    {
        for (var e = 0; e < vpc.Enis.Length; e++)
        {
            if (vpc.Enis[e].Id == eniId)
                return e;
        }
        throw new InvalidOperationException($"{eniId} is not in {vpc.Id}");
    }

    // ---- indexes -----------------------------------------------------------------------------

    private void Reindex()
    {
        _vpcIndex.Clear();
        _eniVpc.Clear();
        _enis.Clear();
        _vnis.Clear();
        _macs.Clear();
        _publicIps.Clear();
        _ids.Clear();
        _vpcHosts.Clear();
        _hostVpcs.Clear();
        _hosts.Clear();
        _hostUnderlay.Clear();
        _instances.Clear();
        var seq = 0L;
        var keepSeq = new Dictionary<string, long>(_eniSeq, StringComparer.Ordinal);
        _eniSeq.Clear();
        foreach (var host in Topology.Hosts)
            IndexHost(host);
        for (var v = 0; v < Topology.Vpcs.Length; v++)
        {
            var vpc = Topology.Vpcs[v];
            _vpcIndex[vpc.Id] = v;
            IndexVpcHeader(vpc);
            foreach (var eni in vpc.Enis)
            {
                _eniSeq[eni.Id] = keepSeq.TryGetValue(eni.Id, out var s) ? s : seq;
                seq++;
                IndexEni(vpc, eni);
            }
        }
    }

    private void IndexHost(RegionHost host)
    {
        _hosts[host.Name] = host;
        _hostUnderlay[host.Name] = AddressText.TryParseIpv4(host.UnderlayIp, out var ip) ? ip : 0;
    }

    private void IndexVpcHeader(Vpc vpc)
    {
        _vnis[vpc.Vni] = vpc.Id;
        foreach (var id in RegionIds.OfVpcHeader(vpc))
            _ids.Add(id);
    }

    private void UnindexVpcHeader(Vpc vpc)
    {
        if (_vnis.TryGetValue(vpc.Vni, out var owner) && owner == vpc.Id)
            _vnis.Remove(vpc.Vni);
        foreach (var id in RegionIds.OfVpcHeader(vpc))
            _ids.Remove(id);
    }

    private void IndexEni(Vpc vpc, Eni eni)
    {
        _ids.Add(eni.Id);
        _enis[eni.Id] = eni;
        _eniVpc[eni.Id] = vpc.Id;
        if (AddressText.TryParseUnicastMac(eni.Mac, out var mac, out _))
            _macs[mac.Value] = eni.Id;
        if (eni.PublicIp is not null && AddressText.TryParseIpv4(eni.PublicIp, out var pub))
            _publicIps[pub] = eni.Id;
        Count(_vpcHosts, vpc.Id, eni.Host, +1);
        Count(_hostVpcs, eni.Host, vpc.Id, +1);
        _instances[eni.EffectiveInstanceId] = _instances.GetValueOrDefault(eni.EffectiveInstanceId) + 1;
    }

    private void UnindexEni(Vpc vpc, Eni eni)
    {
        _enis.Remove(eni.Id);
        _eniVpc.Remove(eni.Id);
        if (AddressText.TryParseUnicastMac(eni.Mac, out var mac, out _))
            _macs.Remove(mac.Value);
        if (eni.PublicIp is not null && AddressText.TryParseIpv4(eni.PublicIp, out var pub))
            _publicIps.Remove(pub);
        Count(_vpcHosts, vpc.Id, eni.Host, -1);
        Count(_hostVpcs, eni.Host, vpc.Id, -1);
        var instance = eni.EffectiveInstanceId;
        if (_instances.GetValueOrDefault(instance) <= 1)
            _instances.Remove(instance);
        else
            _instances[instance]--;
    }

    private static void Count(Dictionary<string, Dictionary<string, int>> index, string outer, string inner, int delta)
    {
        if (!index.TryGetValue(outer, out var counts))
            index[outer] = counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var n = counts.GetValueOrDefault(inner) + delta;
        if (n <= 0)
            counts.Remove(inner);
        else
            counts[inner] = n;
        if (counts.Count == 0)
            index.Remove(outer);
    }

    internal static ImmutableArray<T> Items<T>(ImmutableArray<T> items) => items.IsDefault ? [] : items;
}
