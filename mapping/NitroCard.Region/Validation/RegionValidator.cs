using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;

namespace NitroCard.Region;

/// <summary>
/// Checks a whole region and reports every problem at once (nothing is acted on until the region is
/// clean): required fields, unique names and ids, VNIs, CIDRs, address plans, references, security
/// group rules, public IPs, and what a card of the given geometry can hold.
/// </summary>
public static partial class RegionValidator
{
    /// <summary>Every problem in <paramref name="region"/>, in file order; empty when it is valid.</summary>
    public static ImmutableArray<RegionError> Validate(RegionTopology region, CardGeometry? geometry = null)
    {
        ArgumentNullException.ThrowIfNull(region);
        var walker = new Walker(geometry ?? CardGeometry.Default);
        walker.Run(region);
        return walker.Errors.ToImmutable();
    }

    internal static ImmutableArray<T> Items<T>(ImmutableArray<T> items) => items.IsDefault ? [] : items;

    /// <summary>A rule's protocol class: tcp, udp, icmp, all, or "number"; null when invalid.</summary>
    internal static string? ProtocolClass(string? text) => Walker.RuleProtocol(text);

    private sealed partial class Walker(CardGeometry geometry)
    {
        private const int MaxListed = 10;

        private readonly Dictionary<string, string> _nodeNames = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _hostIndex = new(StringComparer.Ordinal);
        private readonly Dictionary<uint, string> _underlayIps = [];
        private readonly Dictionary<ulong, string> _underlayMacs = [];
        private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
        private readonly Dictionary<uint, string> _vnis = [];
        private readonly Dictionary<ulong, string> _eniMacs = [];
        private readonly Dictionary<uint, string> _publicIps = [];
        private ulong? _gatewayMac;
        private int[] _hostEnis = [];
        private HashSet<int>[] _hostVpcs = [];
        private int[] _vpcEnis = [];
        private int _edgeCount;

        public ImmutableArray<RegionError>.Builder Errors { get; } = ImmutableArray.CreateBuilder<RegionError>();

        public void Run(RegionTopology region)
        {
            var hosts = Items(region.Hosts);
            var edges = Items(region.Edges);
            var vpcs = Items(region.Vpcs);
            _hostEnis = new int[hosts.Length];
            _hostVpcs = [.. hosts.Select(_ => new HashSet<int>())];
            _vpcEnis = new int[vpcs.Length];
            _edgeCount = edges.Length;

            CheckRegionIdentity(region);
            if (hosts.IsEmpty)
                Add("hosts", "at least one host is required");
            for (var i = 0; i < hosts.Length; i++)
                CheckHost(hosts[i], i);
            for (var i = 0; i < edges.Length; i++)
                CheckEdge(edges[i], i);
            if (edges.Length > EdgeSet.Slots)
                Add("edges", $"{edges.Length} edges: a card spreads flows over at most {EdgeSet.Slots} (docs/card-edges.md)");

            if (region.SubstrateRouterMac is not null)
                TryMac(region.SubstrateRouterMac, "substrateRouterMac", out _);
            if (region.GatewayMac is null)
                _gatewayMac = RegionDefaults.GatewayMac.Value;
            else if (TryMac(region.GatewayMac, "gatewayMac", out var gatewayMac))
                _gatewayMac = gatewayMac;

            for (var v = 0; v < vpcs.Length; v++)
                CheckVpc(vpcs[v], v);

            CheckInstances();
            for (var i = 0; i < hosts.Length; i++)
                CheckCapacity(hosts[i], i, edges.Length);
        }

        private void Add(string path, string message) => Errors.Add(new RegionError(path, message));

        // ---- hosts and edges ------------------------------------------------------------------

        private void CheckHost(RegionHost? host, int i)
        {
            var path = $"hosts[{i}]";
            if (host is null)
            {
                Add(path, "must be an object");
                return;
            }
            if (CheckNodeName(host.Name, path))
                _hostIndex[host.Name] = i;
            var ip = CheckUnderlayIp(host.UnderlayIp, path, host.Name);
            ulong? mac = null;
            if (host.UnderlayMac is not null)
            {
                if (TryMac(host.UnderlayMac, path + ".underlayMac", out var explicitMac))
                    mac = explicitMac;
            }
            else if (ip is { } address)
            {
                mac = RegionDefaults.DerivedUnderlayMac(address).Value;
            }
            if (mac is { } m && !_underlayMacs.TryAdd(m, $"{path} ({host.Name})"))
            {
                Add(path + (host.UnderlayMac is null ? ".underlayIp" : ".underlayMac"),
                    $"the underlay MAC {new MacAddress(m)} is already the underlay MAC of {_underlayMacs[m]}");
            }
        }

        private void CheckEdge(RegionEdge? edge, int i)
        {
            var path = $"edges[{i}]";
            if (edge is null)
            {
                Add(path, "must be an object");
                return;
            }
            CheckNodeName(edge.Name, path);
            CheckUnderlayIp(edge.UnderlayIp, path, edge.Name);
        }

        private bool CheckNodeName(string? name, string path)
        {
            if (!CheckName(name, path + ".name"))
                return false;
            if (!_nodeNames.TryAdd(name, path))
            {
                Add(path + ".name", $"{name} is already used by {_nodeNames[name]} (host and edge names are unique)");
                return false;
            }
            return true;
        }

        private uint? CheckUnderlayIp(string? text, string path, string? owner)
        {
            var ip = RequiredIpv4(text, path + ".underlayIp");
            if (ip is { } unicast && AddressText.NonUnicastReason(unicast) is { } reason)
            {
                Add(path + ".underlayIp", $"{text} is not a unicast address ({reason}): a host or edge needs its own substrate address");
                return null;
            }
            if (ip is { } address && !_underlayIps.TryAdd(address, $"{path} ({owner})"))
            {
                Add(path + ".underlayIp", $"{text} is already the underlay address of {_underlayIps[address]}");
                return null;
            }
            return ip;
        }

        // ---- VPCs -----------------------------------------------------------------------------

        private void CheckVpc(Vpc? vpc, int v)
        {
            var path = $"vpcs[{v}]";
            if (vpc is null)
            {
                Add(path, "must be an object");
                return;
            }
            CheckId(vpc.Id, path + ".id");
            var vpcName = string.IsNullOrEmpty(vpc.Id) ? path : vpc.Id;
            var cidr = CheckSize(RequiredPrefix(vpc.Cidr, path + ".cidr"), path + ".cidr", "VPC");
            CheckVni(vpc.Vni, path, vpcName);

            var subnets = Items(vpc.Subnets);
            var routeTables = Items(vpc.RouteTables);
            var groups = Items(vpc.SecurityGroups);
            var enis = Items(vpc.Enis);

            // References inside a VPC may point forward in the file: collect the ids first.
            var routeTableIds = IdsOf(routeTables.Select(t => t?.Id));
            var groupIds = IdsOf(groups.Select(g => g?.Id));

            CheckDnsAttributes(vpc, path);
            var subnetPrefixes = new Dictionary<string, Prefix?>(StringComparer.Ordinal);
            var subnetZones = new Dictionary<string, string?>(StringComparer.Ordinal);
            var checkedSubnets = new List<(int Index, string Id, Prefix Prefix)>();
            for (var s = 0; s < subnets.Length; s++)
            {
                var subnet = subnets[s];
                var spath = $"{path}.subnets[{s}]";
                if (subnet is null)
                {
                    Add(spath, "must be an object");
                    continue;
                }
                CheckId(subnet.Id, spath + ".id");
                var prefix = CheckSize(RequiredPrefix(subnet.Cidr, spath + ".cidr"), spath + ".cidr", "subnet");
                if (prefix is { } p)
                {
                    if (cidr is { } c && !c.Contains(p))
                    {
                        Add(spath + ".cidr", $"{p} is not inside the CIDR {c} of {vpcName}");
                        prefix = null;
                    }
                    else
                    {
                        foreach (var other in checkedSubnets)
                        {
                            if (other.Prefix.Overlaps(p))
                                Add(spath + ".cidr", $"{p} overlaps {path}.subnets[{other.Index}] ({other.Id}, {other.Prefix})");
                        }
                        checkedSubnets.Add((s, subnet.Id ?? "", p));
                    }
                }
                var zone = CheckZone(subnet, spath);
                if (!string.IsNullOrEmpty(subnet.Id))
                {
                    subnetPrefixes.TryAdd(subnet.Id, prefix);
                    subnetZones.TryAdd(subnet.Id, zone);
                }
                if (subnet.RouteTable is not null)
                    CheckReference(subnet.RouteTable, spath + ".routeTable", routeTableIds, "route table", vpcName);
            }

            for (var t = 0; t < routeTables.Length; t++)
                CheckRouteTable(routeTables[t], $"{path}.routeTables[{t}]", cidr, vpcName);

            for (var g = 0; g < groups.Length; g++)
                CheckSecurityGroup(groups[g], $"{path}.securityGroups[{g}]", groupIds, vpcName);

            var acls = Items(vpc.NetworkAcls);
            var aclOfSubnet = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var a = 0; a < acls.Length; a++)
                CheckNetworkAcl(acls[a], $"{path}.networkAcls[{a}]", subnetPrefixes, aclOfSubnet, vpcName);

            var vpcIps = new Dictionary<uint, string>();
            for (var e = 0; e < enis.Length; e++)
            {
                if (enis[e] is null)
                {
                    Add($"{path}.enis[{e}]", "must be an object");
                    continue;
                }
                _vpcEnis[v]++;
                var epath = $"{path}.enis[{e}]";
                CheckEni(enis[e], epath, v, vpcName, subnetPrefixes, groupIds, vpcIps);
                CheckInstance(enis[e], epath, enis[e].Subnet is { } sid ? subnetZones.GetValueOrDefault(sid) : null);
            }
            CheckFlowLogs(vpc, path, vpcName, [.. subnetPrefixes.Keys], IdsOf(enis.Select(e => e?.Id)));

            CheckEdgeAttachments(vpc, path, vpcName, cidr, routeTableIds);
        }

        /// <summary>AWS allows VPCs and subnets from /16 to /28; null (reported) outside that.</summary>
        private Prefix? CheckSize(Prefix? prefix, string path, string kind)
        {
            if (prefix is not { } p)
                return null;
            if (p.Length > RegionDefaults.MaxSubnetPrefixLength)
                Add(path, $"{p} is smaller than /{RegionDefaults.MaxSubnetPrefixLength}, the smallest {kind} AWS allows (/{RegionDefaults.MinPrefixLength}../{RegionDefaults.MaxSubnetPrefixLength})");
            else if (p.Length < RegionDefaults.MinPrefixLength)
                Add(path, $"{p} is larger than /{RegionDefaults.MinPrefixLength}, the largest {kind} AWS allows (/{RegionDefaults.MinPrefixLength}../{RegionDefaults.MaxSubnetPrefixLength})");
            else
                return p;
            return null;
        }

        private void CheckVni(uint vni, string path, string vpcName)
        {
            if (vni == 0)
                Add(path + ".vni", $"is required: a VNI 1..{RegionDefaults.MaxVni}");
            else if (vni > RegionDefaults.MaxVni)
                Add(path + ".vni", $"{vni} is out of range (1..{RegionDefaults.MaxVni}, 24 bits)");
            else if (!_vnis.TryAdd(vni, $"{path} ({vpcName})"))
                Add(path + ".vni", $"{vni} is already the VNI of {_vnis[vni]}");
        }

        private void CheckRouteTable(RouteTable? table, string path, Prefix? vpcCidr, string vpcName)
        {
            if (table is null)
            {
                Add(path, "must be an object");
                return;
            }
            CheckId(table.Id, path + ".id");
            if (table.VgwRoutePropagation && _edgeCount == 0)
                Add(path + ".vgwRoutePropagation", "propagated routes lead to the region's first edge, but the region has no edges");
            var routes = Items(table.Routes);
            var destinations = new Dictionary<Prefix, int>();
            for (var r = 0; r < routes.Length; r++)
            {
                var route = routes[r];
                var rpath = $"{path}.routes[{r}]";
                if (route is null)
                {
                    Add(rpath, "must be an object");
                    continue;
                }
                var destination = RequiredPrefix(route.Destination, rpath + ".destination");
                if (destination is { } d && !destinations.TryAdd(d, r))
                    Add(rpath + ".destination", $"{d} is already routed by {path}.routes[{destinations[d]}]");

                if (string.IsNullOrEmpty(route.Target))
                {
                    Add(rpath + ".target", "is required");
                }
                else if (!RouteTargets.IsValid(route.Target))
                {
                    Add(rpath + ".target", $"{ResourceName.Quote(route.Target)} is not a route target (local, igw, vgw, blackhole, igw-…, vgw-…, or a gateway endpoint id vpce-…)");
                }
                else if (route.Target is not (RouteTargets.Local or RouteTargets.Blackhole) && _edgeCount == 0)
                {
                    Add(rpath + ".target", $"{route.Target} is reached through the region's first edge, but the region has no edges");
                }
                else if (destination is { } dest && vpcCidr is { } c)
                {
                    if (route.Target == RouteTargets.Local && dest != c)
                        Add(rpath + ".destination", $"a local route must be for the VPC CIDR {c} of {vpcName}, not {dest}");
                    else if (route.Target != RouteTargets.Local && dest == c)
                        Add(rpath + ".destination", $"{dest} conflicts with the implicit local route of {vpcName}");
                }
            }
        }

        private void CheckNetworkAcl(RegionNetworkAcl? acl, string path, Dictionary<string, Prefix?> subnets, Dictionary<string, string> aclOfSubnet, string vpcName)
        {
            if (acl is null)
            {
                Add(path, "must be an object");
                return;
            }
            CheckId(acl.Id, path + ".id");
            var associated = Items(acl.Subnets);
            for (var s = 0; s < associated.Length; s++)
            {
                var spath = $"{path}.subnets[{s}]";
                var subnet = associated[s];
                if (string.IsNullOrEmpty(subnet))
                    Add(spath, "must be a subnet id");
                else if (!subnets.ContainsKey(subnet))
                    Add(spath, $"{ResourceName.Show(subnet)} is not a subnet of {vpcName}{Known(subnets.Keys)}");
                else if (!aclOfSubnet.TryAdd(subnet, path))
                    Add(spath, $"{subnet} is already associated with {aclOfSubnet[subnet]} (a subnet has one network ACL)");
            }
            CheckAclRules(Items(acl.Ingress), path + ".ingress");
            CheckAclRules(Items(acl.Egress), path + ".egress");
        }

        private void CheckAclRules(ImmutableArray<RegionAclRule> rules, string path)
        {
            if (geometry.Filtering is { } filter && rules.Length > filter.NaclRules)
                Add(path, $"has {rules.Length} rules; a card holds {filter.NaclRules} per ACL and direction");
            var numbers = new Dictionary<int, int>();
            for (var r = 0; r < rules.Length; r++)
            {
                var rule = rules[r];
                var rpath = $"{path}[{r}]";
                if (rule is null)
                {
                    Add(rpath, "must be an object");
                    continue;
                }
                if (rule.RuleNumber is < 1 or > NetworkAcl.MaxRuleNumber)
                    Add(rpath + ".ruleNumber", $"{(rule.RuleNumber == 0 ? "is required: " : $"{rule.RuleNumber} is not ")}a rule number 1..{NetworkAcl.MaxRuleNumber}");
                else if (!numbers.TryAdd(rule.RuleNumber, r))
                    Add(rpath + ".ruleNumber", $"{rule.RuleNumber} is already used by {path}[{numbers[rule.RuleNumber]}]");
                CheckProtocolAndPorts(rule.Protocol, rule.FromPort, rule.ToPort, rpath);
                RequiredPrefix(rule.Cidr, rpath + ".cidr");
                if (rule.Action is not ("allow" or "deny"))
                    Add(rpath + ".action", string.IsNullOrEmpty(rule.Action) ? "is required (allow or deny)" : $"{ResourceName.Quote(rule.Action)} is not allow or deny");
            }
        }

        private void CheckProtocolAndPorts(string? protocolText, int? fromPort, int? toPort, string path)
        {
            var protocol = RuleProtocol(protocolText);
            if (string.IsNullOrEmpty(protocolText))
                Add(path + ".protocol", "is required (tcp, udp, icmp, all, or a protocol number 0..255)");
            else if (protocol is null)
                Add(path + ".protocol", $"{ResourceName.Quote(protocolText)} is not a protocol (tcp, udp, icmp, all, -1, or a protocol number 0..255)");
            if (protocol is "tcp" or "udp")
            {
                var from = CheckPort(fromPort, path + ".fromPort", protocol);
                var to = CheckPort(toPort, path + ".toPort", protocol);
                if (from is { } f && to is { } t && f > t)
                    Add(path + ".toPort", $"{t} is less than fromPort {f}");
            }
            else if (protocol is "icmp")
            {
                CheckIcmp(fromPort, path + ".fromPort", "type");
                CheckIcmp(toPort, path + ".toPort", "code");
            }
        }

        private void CheckSecurityGroup(SecurityGroup? group, string path, HashSet<string> groupIds, string vpcName)
        {
            if (group is null)
            {
                Add(path, "must be an object");
                return;
            }
            CheckId(group.Id, path + ".id");
            var ingress = Items(group.Ingress);
            for (var r = 0; r < ingress.Length; r++)
                CheckRule(ingress[r], $"{path}.ingress[{r}]", groupIds, vpcName);
            var egress = Items(group.Egress);
            for (var r = 0; r < egress.Length; r++)
                CheckRule(egress[r], $"{path}.egress[{r}]", groupIds, vpcName);
        }

        private void CheckRule(SecurityGroupRule? rule, string path, HashSet<string> groupIds, string vpcName)
        {
            if (rule is null)
            {
                Add(path, "must be an object");
                return;
            }
            var protocol = RuleProtocol(rule.Protocol);
            if (string.IsNullOrEmpty(rule.Protocol))
                Add(path + ".protocol", "is required (tcp, udp, icmp, all, or a protocol number 0..255)");
            else if (protocol is null)
                Add(path + ".protocol", $"{ResourceName.Quote(rule.Protocol)} is not a protocol (tcp, udp, icmp, all, -1, or a protocol number 0..255)");

            if (protocol is "tcp" or "udp")
            {
                var from = CheckPort(rule.FromPort, path + ".fromPort", protocol);
                var to = CheckPort(rule.ToPort, path + ".toPort", protocol);
                if (from is { } f && to is { } t && f > t)
                    Add(path + ".toPort", $"{t} is less than fromPort {f}");
            }
            else if (protocol is "icmp")
            {
                CheckIcmp(rule.FromPort, path + ".fromPort", "type");
                CheckIcmp(rule.ToPort, path + ".toPort", "code");
            }

            var hasCidr = !string.IsNullOrEmpty(rule.Cidr);
            var hasGroup = !string.IsNullOrEmpty(rule.SourceGroup);
            if (hasCidr == hasGroup)
                Add(path, $"needs exactly one of cidr and sourceGroup (it has {(hasCidr ? "both" : "neither")})");
            if (hasCidr)
                RequiredPrefix(rule.Cidr, path + ".cidr");
            if (hasGroup)
                CheckReference(rule.SourceGroup!, path + ".sourceGroup", groupIds, "security group", vpcName);
        }

        /// <summary>The protocol's class: tcp, udp, icmp, all, or "number"; null when invalid.</summary>
        internal static string? RuleProtocol(string? text)
        {
            switch (text)
            {
                case "tcp" or "udp" or "icmp" or "all":
                    return text;
                case "-1":
                    return "all";
                case null or "":
                    return null;
            }
            if (text.Length > 3 || !text.All(char.IsAsciiDigit)
                || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > 255)
                return null;
            return number switch { 6 => "tcp", 17 => "udp", 1 => "icmp", _ => "number" };
        }

        private int? CheckPort(int? port, string path, string protocol)
        {
            if (port is not { } p)
            {
                Add(path, $"is required for {protocol} (a port 0..65535)");
                return null;
            }
            if (p is < 0 or > 65535)
            {
                Add(path, $"{p} is not a port (0..65535)");
                return null;
            }
            return p;
        }

        private void CheckIcmp(int? value, string path, string what)
        {
            if (value is { } v && v is < -1 or > 255)
                Add(path, $"{v} is not an ICMP {what} (-1 for any, or 0..255)");
        }

        private void CheckEni(
            Eni eni, string path, int v, string vpcName,
            Dictionary<string, Prefix?> subnets, HashSet<string> groupIds, Dictionary<uint, string> vpcIps)
        {
            // An ENI id names the instance's namespace in a live region: never one the region names itself.
            if (CheckId(eni.Id, path + ".id") && LiveNames.ReservedProblem(eni.Id) is { } reservedName)
                Add(path + ".id", reservedName);
            var eniName = string.IsNullOrEmpty(eni.Id) ? path : eni.Id;

            Prefix? subnet = null;
            if (string.IsNullOrEmpty(eni.Subnet))
                Add(path + ".subnet", "is required");
            else if (!subnets.TryGetValue(eni.Subnet, out subnet))
                Add(path + ".subnet", $"{ResourceName.Show(eni.Subnet)} is not a subnet of {vpcName}{Known(subnets.Keys)}");

            if (RequiredIpv4(eni.Ip, path + ".ip") is { } ip)
            {
                if (subnet is { } s)
                {
                    if (!s.Contains(ip))
                        Add(path + ".ip", $"{eni.Ip} is not inside subnet {eni.Subnet} ({s})");
                    else if (ReservedName(s, ip) is { } reserved)
                        Add(path + ".ip", $"{eni.Ip} is reserved in subnet {eni.Subnet} ({s}): {reserved}");
                }
                if (!vpcIps.TryAdd(ip, $"{path} ({eniName})"))
                    Add(path + ".ip", $"{eni.Ip} is already used in {vpcName} by {vpcIps[ip]}");
            }

            if (string.IsNullOrEmpty(eni.Mac))
            {
                Add(path + ".mac", "is required");
            }
            else if (TryMac(eni.Mac, path + ".mac", out var mac))
            {
                if (mac == _gatewayMac)
                    Add(path + ".mac", $"{eni.Mac} is the gateway MAC");
                else if (!_eniMacs.TryAdd(mac, $"{path} ({eniName})"))
                    Add(path + ".mac", $"{eni.Mac} is already the MAC of {_eniMacs[mac]}");
            }

            if (string.IsNullOrEmpty(eni.Host))
            {
                Add(path + ".host", "is required");
            }
            else if (_hostIndex.TryGetValue(eni.Host, out var h))
            {
                _hostEnis[h]++;
                _hostVpcs[h].Add(v);
            }
            else
            {
                Add(path + ".host", $"{ResourceName.Show(eni.Host)} is not a host of the region{Known(_hostIndex.Keys)}");
            }

            var groups = Items(eni.SecurityGroups);
            if (groups.Length > RegionDefaults.MaxSecurityGroupsPerEni)
                Add(path + ".securityGroups", $"has {groups.Length} security groups; an ENI may have at most {RegionDefaults.MaxSecurityGroupsPerEni}");
            // Paths are made only for a problem, and the duplicate check only for a list that can have one: a region has up to millions of ENIs.
            var seen = groups.Length > 1 ? new HashSet<string>(StringComparer.Ordinal) : null;
            for (var g = 0; g < groups.Length; g++)
            {
                if (string.IsNullOrEmpty(groups[g]))
                    Add($"{path}.securityGroups[{g}]", "must be a security group id");
                else if (seen is not null && !seen.Add(groups[g]))
                    Add($"{path}.securityGroups[{g}]", $"{groups[g]} is listed twice");
                else if (!groupIds.Contains(groups[g]))
                    CheckReference(groups[g], $"{path}.securityGroups[{g}]", groupIds, "security group", vpcName);
            }

            if (eni.ConnectionTracking is { } ct)
            {
                var timeouts = new ConntrackTimeouts(
                    (uint)Math.Max(ct.TcpEstablishedTimeout ?? (int)ConntrackTimeouts.Default.TcpEstablished, 0),
                    (uint)Math.Max(ct.UdpStreamTimeout ?? (int)ConntrackTimeouts.Default.UdpStream, 0),
                    (uint)Math.Max(ct.UdpTimeout ?? (int)ConntrackTimeouts.Default.Udp, 0));
                foreach (var problem in timeouts.Problems())
                {
                    var field = problem[..problem.IndexOf(' ', StringComparison.Ordinal)];
                    Add($"{path}.connectionTracking.{field}", problem[(field.Length + 1)..]);
                }
            }

            if (eni.PublicIp is not null && RequiredIpv4(eni.PublicIp, path + ".publicIp") is { } publicIp)
            {
                if (AddressText.NonPublicReason(publicIp) is { } reason)
                    Add(path + ".publicIp", $"{eni.PublicIp} is not a public address ({reason}): the edge translates it to and from the internet");
                else if (!_publicIps.TryAdd(publicIp, $"{path} ({eniName})"))
                    Add(path + ".publicIp", $"{eni.PublicIp} is already the public IP of {_publicIps[publicIp]}");
            }
        }

        /// <summary>AWS reserves the first four addresses and the last one of every subnet.</summary>
        private static string? ReservedName(Prefix subnet, uint ip)
        {
            return (ip - subnet.Network) switch
            {
                0 => "the network address",
                1 => "the VPC router",
                2 => "the DNS server",
                3 => "reserved by AWS for future use",
                _ when ip == subnet.Broadcast => "the broadcast address",
                _ => null,
            };
        }

        private void CheckCapacity(RegionHost? host, int i, int edgeCount)
        {
            if (host is null)
                return;
            var path = $"hosts[{i}]";
            var name = string.IsNullOrEmpty(host.Name) ? path : host.Name;
            if (_hostEnis[i] > geometry.EniSlots)
                Add(path, $"{name} has {_hostEnis[i]} ENIs but a card has {geometry.EniSlots} ENI slots");
            var mappings = _hostVpcs[i].Sum(v => _vpcEnis[v]);
            if (mappings > geometry.MappingCapacity)
                Add(path, $"{name} needs {mappings} mapping entries (every ENI of the {_hostVpcs[i].Count} VPCs it hosts) but a card holds {geometry.MappingCapacity}");
            var edges = _hostVpcs[i].Count * edgeCount;
            if (edges > geometry.EdgeEntries)
                Add(path, $"{name} needs {edges} edge entries ({_hostVpcs[i].Count} VPCs × {edgeCount} edges) but a card holds {geometry.EdgeEntries}");
        }

        // ---- shared checks --------------------------------------------------------------------

        /// <summary>An id: required, of the safe set (<see cref="ResourceName"/>) and unique in the region.</summary>
        private bool CheckId(string? id, string path)
        {
            if (!CheckName(id, path))
                return false;
            if (!_ids.TryAdd(id, path))
            {
                Add(path, $"{id} is already used by {_ids[id]}");
                return false;
            }
            return true;
        }

        /// <summary>A name: required and of the safe set (<see cref="ResourceName"/>).</summary>
        private bool CheckName([NotNullWhen(true)] string? name, string path, string required = "is required")
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                Add(path, required);
                return false;
            }
            if (ResourceName.Problem(name) is { } problem)
            {
                Add(path, problem);
                return false;
            }
            return true;
        }

        private void CheckReference(string id, string path, HashSet<string> known, string kind, string vpcName)
        {
            if (id.Length == 0)
                Add(path, $"must be a {kind} id");
            else if (!known.Contains(id))
                Add(path, $"{ResourceName.Show(id)} is not a {kind} of {vpcName}{Known(known)}");
        }

        private uint? RequiredIpv4(string? text, string path)
        {
            if (string.IsNullOrEmpty(text))
            {
                Add(path, "is required");
                return null;
            }
            if (!AddressText.TryParseIpv4(text, out var value))
            {
                Add(path, $"{ResourceName.Quote(text)} is not an IPv4 address (expected a.b.c.d)");
                return null;
            }
            return value;
        }

        private Prefix? RequiredPrefix(string? text, string path)
        {
            if (string.IsNullOrEmpty(text))
            {
                Add(path, "is required");
                return null;
            }
            if (!AddressText.TryParsePrefix(text, out var prefix, out var problem))
            {
                Add(path, problem);
                return null;
            }
            return prefix;
        }

        private bool TryMac(string text, string path, out ulong mac)
        {
            if (AddressText.TryParseUnicastMac(text, out var parsed, out var problem))
            {
                mac = parsed.Value;
                return true;
            }
            Add(path, problem);
            mac = 0;
            return false;
        }

        private static HashSet<string> IdsOf(IEnumerable<string?> ids)
            => new(ids.Where(id => !string.IsNullOrEmpty(id)).Select(id => id!), StringComparer.Ordinal);

        private static string Known(IEnumerable<string> names)
        {
            var list = names.ToList();
            if (list.Count == 0)
                return " (it has none)";
            var shown = string.Join(", ", list.Take(MaxListed));
            return list.Count > MaxListed ? $" (known: {shown}, … {list.Count - MaxListed} more)" : $" (known: {shown})";
        }
    }
}
