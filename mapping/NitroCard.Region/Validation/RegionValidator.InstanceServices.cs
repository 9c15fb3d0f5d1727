using System.Globalization;
using System.Text.RegularExpressions;

namespace NitroCard.Region;

/// <summary>The fields the instance services read (issue 14): region and account, zones, DNS attributes, instances, flow logs.</summary>
public static partial class RegionValidator
{
    [GeneratedRegex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]{1,2}$")]
    private static partial Regex RegionNamePattern();

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex("^i-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex InstanceIdPattern();

    /// <summary>The highest device index an ENI attachment may have (a card has at most this many more slots anyway).</summary>
    public const int MaxDeviceIndex = 63;

    private sealed partial class Walker
    {
        private readonly Dictionary<string, List<Attachment>> _instances = new(StringComparer.Ordinal);
        private string _regionName = RegionDefaults.RegionName;

        /// <summary>One ENI's attachment to its instance, checked across the region once every ENI is read.</summary>
        private sealed record Attachment(string Path, string EniId, string? Host, string? Zone, int DeviceIndex, InstanceMetadataOptions Options);

        private void CheckRegionIdentity(RegionTopology region)
        {
            if (!RegionNamePattern().IsMatch(region.EffectiveRegionName))
                Add("region", $"{ResourceName.Quote(region.RegionName)} is not a region name (for example eu-west-1 or us-gov-west-1)");
            else
                _regionName = region.EffectiveRegionName;
            if (!AccountIdPattern().IsMatch(region.EffectiveAccountId))
                Add("accountId", $"{ResourceName.Quote(region.AccountId)} is not an AWS account id (12 digits)");
            if (region.DnsUpstream is not null)
                CheckEndpoint(region.DnsUpstream, "dnsUpstream", defaultPort: 53);
        }

        /// <summary>A subnet's zone: the region's name and one letter; null (reported) when it is not.</summary>
        private string? CheckZone(Subnet subnet, string path)
        {
            if (subnet.AvailabilityZone is null)
                return RegionDefaults.AvailabilityZoneOf(_regionName);
            var zone = subnet.AvailabilityZone;
            if (zone.Length == _regionName.Length + 1 && zone.StartsWith(_regionName, StringComparison.Ordinal) && char.IsAsciiLetterLower(zone[^1]))
                return zone;
            Add(path + ".availabilityZone", $"{ResourceName.Quote(zone)} is not an availability zone of region {_regionName} ({_regionName}a, {_regionName}b, …)");
            return null;
        }

        private void CheckDnsAttributes(Vpc vpc, string path)
        {
            if (vpc.DnsHostnames && !vpc.DnsSupport)
                Add(path + ".enableDnsHostnames", "needs enableDnsSupport: public DNS names are answered by the VPC's DNS resolver");
        }

        /// <summary>The instance fields of an ENI; its attachment is checked with the others of its instance at the end.</summary>
        private void CheckInstance(Eni eni, string path, string? zone)
        {
            if (eni.InstanceId is not null && !InstanceIdPattern().IsMatch(eni.InstanceId))
                Add(path + ".instanceId", $"{ResourceName.Quote(eni.InstanceId)} is not an instance id (i- and 8 or 17 lowercase hex digits)");
            if (eni.DeviceIndex is < 0 or > MaxDeviceIndex)
                Add(path + ".deviceIndex", string.Create(CultureInfo.InvariantCulture, $"{eni.DeviceIndex} is not a device index 0..{MaxDeviceIndex}"));
            var options = eni.MetadataOptions ?? new InstanceMetadataOptions();
            if (options.HttpTokens is not ("optional" or "required"))
                Add(path + ".metadataOptions.httpTokens", $"{ResourceName.Quote(options.HttpTokens)} is not optional or required");
            if (options.HttpPutResponseHopLimit is < 1 or > 64)
                Add(path + ".metadataOptions.httpPutResponseHopLimit", string.Create(CultureInfo.InvariantCulture, $"{options.HttpPutResponseHopLimit} is not a hop limit 1..64"));
            if (options.HttpEndpoint is not ("enabled" or "disabled"))
                Add(path + ".metadataOptions.httpEndpoint", $"{ResourceName.Quote(options.HttpEndpoint)} is not enabled or disabled");
            if (string.IsNullOrEmpty(eni.Id))
                return;
            var instance = eni.EffectiveInstanceId;
            if (!_instances.TryGetValue(instance, out var attachments))
                _instances[instance] = attachments = [];
            attachments.Add(new Attachment(path, eni.Id, string.IsNullOrEmpty(eni.Host) ? null : eni.Host, zone, eni.DeviceIndex, options));
        }

        /// <summary>ENIs of one instance: one host, one zone, one set of metadata options, distinct device indexes, one primary.</summary>
        private void CheckInstances()
        {
            foreach (var (instance, attachments) in _instances)
            {
                var first = attachments[0];
                var indexes = new Dictionary<int, Attachment>();
                foreach (var a in attachments)
                {
                    if (!indexes.TryAdd(a.DeviceIndex, a))
                        Add(a.Path + ".deviceIndex", string.Create(CultureInfo.InvariantCulture, $"{a.DeviceIndex} is already the device index of {indexes[a.DeviceIndex].EniId} on instance {instance}"));
                    if (ReferenceEquals(a, first))
                        continue;
                    if (a.Host is not null && first.Host is not null && a.Host != first.Host)
                        Add(a.Path + ".host", $"{a.Host} is not the host of {first.EniId} ({first.Host}): the ENIs of instance {instance} are on one host");
                    if (a.Zone is not null && first.Zone is not null && a.Zone != first.Zone)
                        Add(a.Path + ".subnet", $"its subnet is in {a.Zone}, but {first.EniId} of instance {instance} is in {first.Zone}: an instance's ENIs are in one availability zone");
                    if (a.Options != first.Options)
                        Add(a.Path + ".metadataOptions", $"differs from {first.EniId}'s: metadata options belong to instance {instance}, not to one of its ENIs");
                }
                if (!indexes.ContainsKey(0))
                    Add(first.Path + ".deviceIndex", $"instance {instance} has no ENI at device index 0 (its primary interface)");
            }
        }

        private void CheckFlowLogs(Vpc vpc, string path, string vpcName, HashSet<string> subnetIds, HashSet<string> eniIds)
        {
            var flowLogs = vpc.FlowLogList;
            for (var f = 0; f < flowLogs.Length; f++)
            {
                var flowLog = flowLogs[f];
                var fpath = $"{path}.flowLogs[{f}]";
                if (flowLog is null)
                {
                    Add(fpath, "must be an object");
                    continue;
                }
                CheckId(flowLog.Id, fpath + ".id");
                if (string.IsNullOrEmpty(flowLog.ResourceId))
                    Add(fpath + ".resourceId", $"is required: {vpcName}, one of its subnets or one of its ENIs");
                else if (flowLog.ResourceId != vpc.Id && !subnetIds.Contains(flowLog.ResourceId) && !eniIds.Contains(flowLog.ResourceId))
                    Add(fpath + ".resourceId", $"{ResourceName.Show(flowLog.ResourceId)} is not {vpcName}, one of its subnets or one of its ENIs");
                if (flowLog.TrafficType is not ("ACCEPT" or "REJECT" or "ALL"))
                {
                    Add(fpath + ".trafficType", string.IsNullOrEmpty(flowLog.TrafficType)
                        ? "is required (ACCEPT, REJECT or ALL)"
                        : $"{ResourceName.Quote(flowLog.TrafficType)} is not ACCEPT, REJECT or ALL");
                }
                if (flowLog.MaxAggregationInterval is not (60 or 600) and not (>= 1 and < 60))
                {
                    Add(fpath + ".maxAggregationInterval", string.Create(CultureInfo.InvariantCulture,
                        $"{flowLog.MaxAggregationInterval} is not 60 or 600 seconds (or 1..59 to shorten it for a test)"));
                }
                if (flowLog.IpfixCollector is not null)
                    CheckEndpoint(flowLog.IpfixCollector, fpath + ".ipfixCollector", defaultPort: null, allowLoopback: true);
            }
        }

        /// <summary><c>address</c> or <c>address:port</c>, a unicast IPv4 address; the port is required when there is no default.</summary>
        // allowLoopback: the endpoint is reached from the host the firmware runs on, where a collector on loopback is a
        // real one (an IPFIX collector next to the firmware); a DNS upstream is the internet's, never the host's own.
        private void CheckEndpoint(string text, string path, int? defaultPort, bool allowLoopback = false)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            var address = colon < 0 ? text : text[..colon];
            var form = defaultPort is null ? "address:port" : $"address or address:port (port {defaultPort} when absent)";
            if (!AddressText.TryParseIpv4(address, out var ip))
            {
                Add(path, $"{ResourceName.Quote(text)} is not an {form} with an IPv4 address");
                return;
            }
            if (AddressText.NonUnicastReason(ip) is { } reason && !(allowLoopback && ip >> 24 == 127))
                Add(path, $"{address} is not a unicast address ({reason})");
            if (colon < 0)
            {
                if (defaultPort is null)
                    Add(path, $"{ResourceName.Quote(text)} has no port: expected {form}");
                return;
            }
            if (!ushort.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0)
                Add(path, $"{ResourceName.Quote(text[(colon + 1)..])} is not a port 1..65535");
        }
    }
}
