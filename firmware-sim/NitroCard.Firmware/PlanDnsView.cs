using System.Net;
using NitroCard.InstanceServices.Dns;

namespace NitroCard.Firmware;

/// <summary>
/// The Amazon DNS resolver's view of the region, as far as this host knows it: each VPC the host serves with its CIDR
/// and DNS attributes (from its ENIs' <c>services</c>), the host's own ENIs with their public IPs, and every other ENI
/// of those VPCs by private address (the mappings). Replaced whole at every push.
/// </summary>
public sealed class PlanDnsView : IRegionDnsView
{
    private volatile Snapshot _snapshot = new("", new Dictionary<string, VpcDnsView>(StringComparer.Ordinal));

    public string Region => _snapshot.Region;

    public VpcDnsView? Vpc(string vpcId) => _snapshot.Vpcs.GetValueOrDefault(vpcId);

    public (VpcDnsView Vpc, DnsEni Eni)? FindPublic(IPAddress publicIp)
    {
        foreach (var vpc in _snapshot.Vpcs.Values)
        {
            foreach (var eni in vpc.Enis)
            {
                if (publicIp.Equals(eni.PublicIp))
                    return (vpc, eni);
            }
        }
        return null;
    }

    /// <summary>Replaces the view.</summary>
    public void Update(string region, IEnumerable<VpcDnsView> vpcs)
        => _snapshot = new Snapshot(region, vpcs.ToDictionary(v => v.VpcId, StringComparer.Ordinal));

    private sealed record Snapshot(string Region, IReadOnlyDictionary<string, VpcDnsView> Vpcs);
}
