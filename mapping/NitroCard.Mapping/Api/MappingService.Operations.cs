using System.Collections.Immutable;
using System.Globalization;
using NitroCard.Card;
using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.State;
using NitroCard.Region;

namespace NitroCard.Mapping.Api;

public sealed partial class MappingService
{
    // Every operation first checks the ids and names it carries, then validates the request completely before
    // anything changes (a refusal is a MappingApiException listing every problem).

    /// <summary>
    /// <c>apply</c>: converges the service to a region file's text (everything in it, nothing else); <paramref name="name"/>
    /// is the file's name in problem locations (absent: <c>region.json</c>).
    /// </summary>
    public Task<ApplyResult> ApplyAsync(string? regionJson, string? name = null, CancellationToken cancellationToken = default)
    {
        var text = Required(regionJson, "region");
        var file = Optional(name) ?? "region.json";
        RegionTopology region;
        try
        {
            region = RegionLoader.Parse(text, file);
        }
        catch (RegionException e)
        {
            throw MappingApiException.FromProblems(ErrorCodes.InvalidParameterValue, [.. e.Errors.Select(x => x.Format(file))]);
        }
        return CommitAsync("apply", s => ApplyPlan(s, region with { SourceName = "mapping service" }, x => x.Format(file)), cancellationToken, planUnderLock: false);
    }

    /// <summary>Converges the service to a region built in memory (validated like a region file).</summary>
    public Task<ApplyResult> ApplyAsync(RegionTopology region, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(region);
        return CommitAsync("apply", s => ApplyPlan(s, region with { SourceName = "mapping service" }, x => x.ToString()), cancellationToken, planUnderLock: false);
    }

    public Task<RegionHost> CreateHostAsync(CreateHostRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckIds(("name", request.Name));
        return CommitAsync("create-host", s => CreateHost(s, request), cancellationToken);
    }

    public Task<Vpc> CreateVpcAsync(CreateVpcRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckIds(("vpcId", request.VpcId));
        return CommitAsync("create-vpc", s => CreateVpc(s, request), cancellationToken);
    }

    public Task<InVpc<Subnet>> CreateSubnetAsync(CreateSubnetRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckIds(("vpcId", request.VpcId), ("subnetId", request.SubnetId), ("routeTableId", request.RouteTableId));
        return CommitAsync("create-subnet", s => CreateSubnet(s, request), cancellationToken);
    }

    public Task<InVpc<Eni>> CreateNetworkInterfaceAsync(CreateNetworkInterfaceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckIds([("subnetId", request.SubnetId), ("networkInterfaceId", request.NetworkInterfaceId), ("host", request.Host), .. request.Groups.Select(g => ("groups", (string?)g))]);
        return CommitAsync("create-network-interface", s => CreateNetworkInterface(s, request), cancellationToken);
    }

    public Task<InVpc<Eni>> MoveNetworkInterfaceAsync(MoveNetworkInterfaceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckIds(("networkInterfaceId", request.NetworkInterfaceId), ("toHost", request.ToHost));
        return CommitAsync("move-network-interface", s => MoveNetworkInterface(s, request), cancellationToken);
    }

    /// <summary>Returns true (EC2's <c>Return</c>) once the ENI is deleted.</summary>
    public Task<bool> DeleteNetworkInterfaceAsync(DeleteNetworkInterfaceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckIds(("networkInterfaceId", request.NetworkInterfaceId));
        return CommitAsync("delete-network-interface", s => DeleteNetworkInterface(s, request), cancellationToken);
    }

    public Task<InVpc<SecurityGroup>> CreateSecurityGroupAsync(CreateSecurityGroupRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckIds(("vpcId", request.VpcId), ("groupId", request.GroupId));
        return CommitAsync("create-security-group", s => CreateSecurityGroup(s, request), cancellationToken);
    }

    public Task<AuthorizedRule> AuthorizeSecurityGroupIngressAsync(AuthorizeSecurityGroupIngressRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckIds(("groupId", request.GroupId), ("sourceGroup", request.SourceGroup));
        return CommitAsync("authorize-security-group-ingress", s => AuthorizeIngress(s, request), cancellationToken);
    }

    public Task<InVpc<Eni>> AssociateAddressAsync(AssociateAddressRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckIds(("networkInterfaceId", request.NetworkInterfaceId));
        return CommitAsync("associate-address", s => AssociateAddress(s, request), cancellationToken);
    }

    /// <summary>
    /// What an edge reports for a BGP VPN connection: the customer prefixes it carries now (learned over a tunnel that is
    /// up; empty when both are down). The service stores them (<see cref="VpnConnection.LearnedCidrs"/>) and pushes them to
    /// the VPC's hosts as propagated routes of the route tables with <c>vgwRoutePropagation</c>. Refused, with nothing
    /// changed, for an unknown or static connection, or a prefix that is not one or overlaps the VPC's CIDR.
    /// </summary>
    public Task<VpnConnection> ReplaceVpnLearnedRoutesAsync(string? vpnConnectionId, IReadOnlyList<string> prefixes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        CheckIds(("vpnConnectionId", vpnConnectionId));
        return CommitAsync("replace-vpn-learned-routes", s => ReplaceVpnLearnedRoutes(s, Required(vpnConnectionId, "vpnConnectionId"), prefixes), cancellationToken);
    }

    /// <summary>VPCs (without their ENIs), filtered by <see cref="DescribeFilter.VpcId"/>.</summary>
    public IReadOnlyList<Vpc> DescribeVpcs(DescribeFilter filter)
        => Describe<IReadOnlyList<Vpc>>(filter, (state, f) => [.. state.Topology.Vpcs.Where(v => Matches(f.VpcId, v.Id)).Select(v => v with { Enis = [] })]);

    /// <summary>Subnets, filtered by <see cref="DescribeFilter.VpcId"/>.</summary>
    public IReadOnlyList<InVpc<Subnet>> DescribeSubnets(DescribeFilter filter)
        => Describe<IReadOnlyList<InVpc<Subnet>>>(filter, (state, f) => [.. state.Topology.Vpcs.Where(v => Matches(f.VpcId, v.Id)).SelectMany(v => v.Subnets.Select(s => new InVpc<Subnet>(v.Id, s)))]);

    /// <summary>ENIs, filtered by VPC, host, ENI id and subnet.</summary>
    public IReadOnlyList<InVpc<Eni>> DescribeNetworkInterfaces(DescribeFilter filter)
        => Describe<IReadOnlyList<InVpc<Eni>>>(filter, (state, f) => [.. state.Topology.Vpcs.Where(v => Matches(f.VpcId, v.Id)).SelectMany(v => v.Enis
            .Where(e => Matches(f.Host, e.Host) && Matches(f.NetworkInterfaceId, e.Id) && Matches(f.SubnetId, e.Subnet))
            .Select(e => new InVpc<Eni>(v.Id, e)))]);

    /// <summary>Security groups, filtered by <see cref="DescribeFilter.VpcId"/>.</summary>
    public IReadOnlyList<InVpc<SecurityGroup>> DescribeSecurityGroups(DescribeFilter filter)
        => Describe<IReadOnlyList<InVpc<SecurityGroup>>>(filter, (state, f) => [.. state.Topology.Vpcs.Where(v => Matches(f.VpcId, v.Id)).SelectMany(v => v.SecurityGroups.Select(g => new InVpc<SecurityGroup>(v.Id, g)))]);

    /// <summary>Hosts with their connection, acknowledged version, VPCs, ENIs and last reported counters, filtered by <see cref="DescribeFilter.Host"/>.</summary>
    public IReadOnlyList<HostStatus> DescribeHosts(DescribeFilter filter)
        => Describe<IReadOnlyList<HostStatus>>(filter, (state, f) =>
        {
            var connected = Hub.ConnectedHosts.ToHashSet(StringComparer.Ordinal);
            return [.. state.Topology.Hosts.Where(h => Matches(f.Host, h.Name)).Select(h => new HostStatus(
                h, connected.Contains(h.Name), Hub.AckedVersion(h.Name), state.Version,
                [.. state.VpcsOf(h.Name).Order(StringComparer.Ordinal)], state.EniCountOn(h.Name), _hostCounters.GetValueOrDefault(h.Name)))];
        });

    /// <summary>
    /// <c>alarms</c>: without <see cref="DescribeAlarmsRequest.MaxItems"/> and <see cref="DescribeAlarmsRequest.StartingToken"/>
    /// every alarm; with either one page (AWS CLI style; the token is the id of the next alarm).
    /// </summary>
    public AlarmPage DescribeAlarms(DescribeAlarmsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tokenText = Optional(request.StartingToken);
        if (request.MaxItems is null && tokenText is null)
            return new AlarmPage([.. Alarms], null);
        var max = request.MaxItems ?? int.MaxValue;
        if (max < 1)
            throw new MappingApiException(ErrorCodes.InvalidParameterValue, ParameterText.InvalidMaxItems(max.ToString(CultureInfo.InvariantCulture)));
        long start = 0;
        if (tokenText is not null && (!long.TryParse(tokenText, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start < 1))
            throw new MappingApiException(ErrorCodes.InvalidParameterValue, $"--starting-token '{tokenText}': not a token from a previous alarms page (nextToken)");
        var page = Alarms.SkipWhile(a => a.Id < start).Take(max == int.MaxValue ? max : max + 1).ToList();
        var next = page.Count > max ? page[max].Id.ToString(CultureInfo.InvariantCulture) : null;
        return new AlarmPage([.. page.Take(max)], next);
    }

    /// <summary>
    /// Every id or name a request carries follows <see cref="ResourceName"/>, and an ENI id is not one of the live
    /// region's own names (<see cref="LiveNames"/>): ids become namespaces, files and state-file entries.
    /// </summary>
    private static void CheckIds(params (string Parameter, string? Value)[] ids)
    {
        var problems = new Problems();
        foreach (var (name, id) in ids)
        {
            if (string.IsNullOrWhiteSpace(id))
                continue;
            if ((ResourceName.Problem(id) ?? (name == "networkInterfaceId" ? LiveNames.ReservedProblem(id) : null)) is { } problem)
                problems.Add(ErrorCodes.InvalidParameterValue, $"Value for parameter {name} is invalid: {problem}");
        }
        problems.ThrowIfAny();
    }

    /// <summary>
    /// An apply that changes only some VPCs is validated, diffed and applied in time proportional to them
    /// (<see cref="IncrementalApply"/>); anything else, and any region the incremental checks cannot show valid, takes the
    /// whole-region path: the full validator decides and words every problem (<paramref name="describe"/>), then the
    /// whole region is diffed.
    /// </summary>
    private Plan<ApplyResult> ApplyPlan(RegionState state, RegionTopology region, Func<RegionError, string> describe)
    {
        var incremental = _wholeRegionApply ? null : IncrementalApply.Find(state.Topology, region);
        if (incremental is not null && incremental.IsCertainlyValid(state, _geometry))
            return IncrementalApplyPlan(state, incremental);
        var errors = RegionValidator.Validate(region, _geometry);
        if (!errors.IsEmpty)
            throw MappingApiException.FromProblems(ErrorCodes.InvalidParameterValue, [.. errors.Select(describe)]);
        return WholeRegionApplyPlan(state, region);
    }

    private static Plan<ApplyResult> IncrementalApplyPlan(RegionState state, IncrementalApply change)
    {
        var region = change.Region;
        var writes = change.Writes(state.Topology);
        var (enis, touched) = change.Changes(state.Topology);
        var result = new ApplyResult(region.Vpcs.Length, region.Vpcs.Sum(v => v.Enis.Length), region.Hosts.Length, writes.Count);
        return new Plan<ApplyResult>(writes, _ => { }, enis, false, result, region) { Vpcs = touched, ReplacedVpcs = change.Changed };
    }

    private static Plan<ApplyResult> WholeRegionApplyPlan(RegionState state, RegionTopology region)
    {
        var old = state.Topology;
        // Edge health is the service's, not the file's: it stays for the edges the region keeps.
        region = WithLearnedRoutes(region, old) with { UnhealthyEdges = [.. old.UnhealthyEdges.Where(n => region.Edges.Any(e => e.Name == n))] };
        var writes = RegionRecords.Diff(old, region);
        var full = RegionRecords.SettingsJson(old) != RegionRecords.SettingsJson(region)
            || !old.Hosts.SequenceEqual(region.Hosts) || !old.Edges.SequenceEqual(region.Edges);
        var oldVpcs = old.Vpcs.ToDictionary(v => v.Id, StringComparer.Ordinal);
        var newVpcs = region.Vpcs.ToDictionary(v => v.Id, StringComparer.Ordinal);
        foreach (var (id, vpc) in newVpcs)
        {
            if (oldVpcs.TryGetValue(id, out var previous)
                && (previous.Vni != vpc.Vni || !previous.Subnets.Select(s => (s.Id, s.Cidr)).SequenceEqual(vpc.Subnets.Select(s => (s.Id, s.Cidr)))))
                full = true;
        }
        // The cards number slots, route tables and ACLs in file order: a reordering is a full change.
        var kept = old.Vpcs.Select(v => v.Id).Where(newVpcs.ContainsKey);
        if (!kept.SequenceEqual(region.Vpcs.Select(v => v.Id).Where(oldVpcs.ContainsKey), StringComparer.Ordinal))
            full = true;
        var changes = ImmutableArray.CreateBuilder<EniChange>();
        var touched = ImmutableArray.CreateBuilder<string>();
        if (!full)
        {
            foreach (var (id, vpc) in newVpcs)
            {
                if (oldVpcs.TryGetValue(id, out var previous)
                    && (RegionRecords.ToJson(previous) != RegionRecords.ToJson(vpc)
                        || !previous.Enis.Select(e => e.Id).SequenceEqual(vpc.Enis.Select(e => e.Id), StringComparer.Ordinal)))
                    touched.Add(id);
            }
            var oldEnis = old.Vpcs.SelectMany(v => v.Enis.Select(e => (Vpc: v, Eni: e))).ToDictionary(x => (x.Vpc.Id, x.Eni.Id));
            var newEnis = region.Vpcs.SelectMany(v => v.Enis.Select(e => (Vpc: v, Eni: e))).ToDictionary(x => (x.Vpc.Id, x.Eni.Id));
            foreach (var (key, x) in newEnis)
            {
                if (!oldEnis.TryGetValue(key, out var o))
                    changes.Add(new EniChange(x.Vpc.Id, x.Vpc.Vni, null, x.Eni));
                else if (!IncrementalApply.SameEni(o.Eni, x.Eni))
                    changes.Add(new EniChange(x.Vpc.Id, x.Vpc.Vni, o.Eni, x.Eni));
            }
            foreach (var (key, o) in oldEnis)
            {
                if (!newEnis.ContainsKey(key))
                    changes.Add(new EniChange(o.Vpc.Id, o.Vpc.Vni, o.Eni, null));
            }
        }
        var result = new ApplyResult(region.Vpcs.Length, region.Vpcs.Sum(v => v.Enis.Length), region.Hosts.Length, writes.Count);
        return new Plan<ApplyResult>(writes, _ => { }, changes.ToImmutable(), full, result, region) { Vpcs = touched.ToImmutable() };
    }

    private static Plan<VpnConnection> ReplaceVpnLearnedRoutes(RegionState state, string vpnId, IReadOnlyList<string> prefixes)
    {
        var vpc = state.Topology.Vpcs.FirstOrDefault(v => v.VpnConnections.Any(c => c.Id == vpnId))
            ?? throw new MappingApiException(ErrorCodes.InvalidVpnConnectionIdNotFound, $"The VPN connection ID '{vpnId}' does not exist");
        var vpn = vpc.VpnConnections.First(c => c.Id == vpnId);
        if (!vpn.UsesBgp)
            throw new MappingApiException(ErrorCodes.InvalidParameterValue, $"The VPN connection '{vpnId}' uses static routing; only BGP connections learn routes");
        var problems = new Problems();
        var vpcPrefix = ParsePrefix(vpc.Cidr);
        foreach (var text in prefixes)
        {
            if (!AddressText.TryParsePrefix(text, out var prefix, out var problem))
                problems.Add(ErrorCodes.InvalidParameterValue, $"Value ({text}) for parameter prefixes is invalid: {problem}");
            else if (prefix.Overlaps(vpcPrefix))
                problems.Add(ErrorCodes.InvalidParameterValue, $"Value ({text}) for parameter prefixes is invalid: it overlaps the VPC CIDR {vpc.Cidr}");
        }
        problems.ThrowIfAny();
        var learned = vpn with { LearnedCidrs = [.. prefixes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] };
        var next = vpc with { VpnConnections = vpc.VpnConnections.Replace(vpn, learned) };
        var key = RecordKeys.LearnedRoutes(vpc.Id, vpn.Id);
        var write = learned.LearnedCidrs.IsEmpty ? new StoreWrite(key, 0, null) : new StoreWrite(key, 0, RegionRecords.LearnedRoutesJson(learned));
        return new Plan<VpnConnection>([write], s => s.ReplaceVpcHeader(next), [], false, learned) { Vpcs = [vpc.Id] };
    }

    /// <summary>An applied region keeps the learned routes of the BGP connections it still has (they are the edge's, not the file's).</summary>
    /// <summary>The region with the current VPN connections' learned routes (service state a region file does not hold).</summary>
    private static RegionTopology WithLearnedRoutes(RegionTopology region, RegionTopology current)
    {
        var vpcs = current.Vpcs.ToDictionary(v => v.Id, StringComparer.Ordinal);
        return region with { Vpcs = [.. region.Vpcs.Select(v => vpcs.TryGetValue(v.Id, out var old) ? IncrementalApply.WithLearnedRoutes(v, old) : v)] };
    }


    private Plan<RegionHost> CreateHost(RegionState state, CreateHostRequest p)
    {
        var host = new RegionHost(Required(p.Name, "name"), Required(p.UnderlayIp, "underlayIp"), Optional(p.UnderlayMac), Optional(p.Dataplane));
        var problems = new Problems();
        if (state.Host(host.Name) is not null || state.Topology.Edges.Any(e => e.Name == host.Name))
            problems.Add(ErrorCodes.InvalidIdDuplicate, $"The host name '{host.Name}' already exists");
        problems.ThrowIfAny();
        var next = state.Topology with { Hosts = state.Topology.Hosts.Add(host), Vpcs = [] };
        var errors = RegionValidator.Validate(next, _geometry);
        if (!errors.IsEmpty)
            throw MappingApiException.FromProblems(ErrorCodes.InvalidParameterValue, [.. errors.Select(e => e.ToString())]);
        return new Plan<RegionHost>([new StoreWrite(RecordKeys.Host(host.Name), state.Topology.Hosts.Length, RegionRecords.ToJson(host))],
            s => s.AddHost(host), [], false, host);
    }

    private Plan<Vpc> CreateVpc(RegionState state, CreateVpcRequest p)
    {
        var cidr = Required(p.CidrBlock, "cidrBlock");
        var id = Optional(p.VpcId) ?? NewId("vpc");
        var problems = new Problems();
        if (!AddressText.TryParsePrefix(cidr, out var prefix, out var problem))
            problems.Add(ErrorCodes.InvalidParameterValue, $"Value ({cidr}) for parameter cidrBlock is invalid: {problem}");
        else if (prefix.Length is < 16 or > 28)
            problems.Add(ErrorCodes.InvalidVpcRange, $"The CIDR '{cidr}' is invalid: a VPC CIDR block is /16 to /28");
        if (state.HasId(id))
            problems.Add(ErrorCodes.InvalidIdDuplicate, $"The ID '{id}' already exists");
        uint vni;
        if (p.Vni is { } requested)
        {
            vni = requested;
            if (vni is 0 or > RegionDefaults.MaxVni)
                problems.Add(ErrorCodes.InvalidParameterValue, ParameterText.InvalidVni(vni.ToString(CultureInfo.InvariantCulture)));
            else if (state.HasVni(vni))
                problems.Add(ErrorCodes.InvalidVniInUse, $"The VNI {vni} is already the VNI of another VPC");
        }
        else
        {
            vni = 1;
            while (state.HasVni(vni))
                vni++;
        }
        problems.ThrowIfAny();
        var vpc = new Vpc(id, cidr, vni);
        ValidateVpc(state, vpc);
        return new Plan<Vpc>([new StoreWrite(RecordKeys.Vpc(id), state.Topology.Vpcs.Length, RegionRecords.ToJson(vpc))],
            s => s.AddVpc(vpc), [], false, vpc);
    }

    private static Vpc RequireVpc(RegionState state, string id)
        => state.Vpc(id) ?? throw new MappingApiException(ErrorCodes.InvalidVpcIdNotFound, $"The vpc ID '{id}' does not exist");

    private Plan<InVpc<Subnet>> CreateSubnet(RegionState state, CreateSubnetRequest p)
    {
        var vpc = RequireVpc(state, Required(p.VpcId, "vpcId"));
        var cidr = Required(p.CidrBlock, "cidrBlock");
        var id = Optional(p.SubnetId) ?? NewId("subnet");
        var problems = new Problems();
        if (state.HasId(id))
            problems.Add(ErrorCodes.InvalidIdDuplicate, $"The ID '{id}' already exists");
        if (!AddressText.TryParsePrefix(cidr, out var prefix, out var problem))
        {
            problems.Add(ErrorCodes.InvalidParameterValue, $"Value ({cidr}) for parameter cidrBlock is invalid: {problem}");
        }
        else
        {
            var vpcPrefix = ParsePrefix(vpc.Cidr);
            if (!vpcPrefix.Contains(prefix) || prefix.Length > RegionDefaults.MaxSubnetPrefixLength)
                problems.Add(ErrorCodes.InvalidSubnetRange, $"The CIDR '{cidr}' is invalid (subnets are /{RegionDefaults.MaxSubnetPrefixLength} or larger, inside the VPC CIDR {vpc.Cidr})");
            foreach (var other in vpc.Subnets)
            {
                if (AddressText.TryParsePrefix(other.Cidr, out var o, out _) && o.Overlaps(prefix))
                    problems.Add(ErrorCodes.InvalidSubnetConflict, $"The CIDR '{cidr}' conflicts with another subnet ({other.Id}, {other.Cidr})");
            }
        }
        problems.ThrowIfAny();
        var subnet = new Subnet(id, cidr, Optional(p.RouteTableId));
        var next = vpc with { Subnets = vpc.Subnets.Add(subnet) };
        ValidateVpc(state, next);
        return new Plan<InVpc<Subnet>>([VpcWrite(state, next)], s => s.ReplaceVpcHeader(next), [], false, new(vpc.Id, subnet)) { Vpcs = [vpc.Id] };
    }

    private static StoreWrite VpcWrite(RegionState state, Vpc vpc)
        => new(RecordKeys.Vpc(vpc.Id), state.Topology.Vpcs.IndexOf(state.Vpc(vpc.Id)!), RegionRecords.ToJson(vpc));

    private Plan<InVpc<Eni>> CreateNetworkInterface(RegionState state, CreateNetworkInterfaceRequest p)
    {
        var subnetId = Required(p.SubnetId, "subnetId");
        var host = Required(p.Host, "host");
        var found = state.FindSubnet(subnetId) ?? throw new MappingApiException(ErrorCodes.InvalidSubnetIdNotFound, $"The subnet ID '{subnetId}' does not exist");
        var (vpc, subnet) = found;
        var id = Optional(p.NetworkInterfaceId) ?? NewId("eni");
        var problems = new Problems();
        if (state.HasId(id))
            problems.Add(ErrorCodes.InvalidIdDuplicate, $"The ID '{id}' already exists");
        if (state.Host(host) is null)
            problems.Add(ErrorCodes.InvalidHostIdNotFound, $"The host '{host}' does not exist");
        else if (state.EniCountOn(host) >= _geometry.EniSlots)
            problems.Add(ErrorCodes.InsufficientCapacity, $"The host '{host}' has no free ENI slot ({_geometry.EniSlots} in use)");
        var prefix = ParsePrefix(subnet.Cidr);
        var used = vpc.Enis.Select(e => AddressText.TryParseIpv4(e.Ip, out var x) ? x : 0).ToHashSet();
        var ip = Optional(p.PrivateIpAddress);
        if (ip is null)
        {
            for (var a = prefix.Network + 4; a < prefix.Broadcast; a++)
            {
                if (!used.Contains(a))
                {
                    ip = AddressText.Format(a);
                    break;
                }
            }
            if (ip is null)
                problems.Add(ErrorCodes.InsufficientCapacity, $"The subnet {subnetId} ({subnet.Cidr}) has no free address");
        }
        else if (!AddressText.TryParseIpv4(ip, out var address))
        {
            problems.Add(ErrorCodes.InvalidParameterValue, $"Value ({ip}) for parameter privateIpAddress is invalid: not an IPv4 address");
        }
        else if (!prefix.Contains(address))
        {
            problems.Add(ErrorCodes.InvalidParameterValue, $"Address {ip} does not fall within the subnet's address range ({subnetId}, {subnet.Cidr})");
        }
        else if (address - prefix.Network < 4 || address == prefix.Broadcast)
        {
            problems.Add(ErrorCodes.InvalidParameterValue, $"Address {ip} is reserved in subnet {subnetId} ({subnet.Cidr})");
        }
        else if (used.Contains(address))
        {
            var owner = vpc.Enis.First(e => e.Ip == ip).Id;
            problems.Add(ErrorCodes.InvalidIpAddressInUse, $"The specified address {ip} is already in use in {vpc.Id} (by {owner})");
        }
        var mac = Optional(p.MacAddress);
        if (mac is null)
        {
            var n = (ulong)state.NextSeq + 1;
            while (state.MacOwner(0x0200_0000_0000UL | (n & 0xFFFF_FFFF)) is not null)
                n++;
            mac = new MacAddress(0x0200_0000_0000UL | (n & 0xFFFF_FFFF)).ToString();
        }
        else if (AddressText.TryParseUnicastMac(mac, out var m, out var macProblem))
        {
            if (state.MacOwner(m.Value) is { } owner)
                problems.Add(ErrorCodes.InvalidMacAddressInUse, $"The MAC address {mac} is already the MAC of {owner}");
        }
        else
        {
            problems.Add(ErrorCodes.InvalidParameterValue, $"Value ({mac}) for parameter macAddress is invalid: {macProblem}");
        }
        var groups = p.Groups.Where(g => !string.IsNullOrWhiteSpace(g)).Select(g => g.Trim()).ToList();
        foreach (var g in groups)
        {
            if (!vpc.SecurityGroups.Any(x => x.Id == g))
                problems.Add(ErrorCodes.InvalidGroupIdNotFound, $"The security group '{g}' does not exist in {vpc.Id}");
        }
        problems.ThrowIfAny();

        var eni = new Eni(id, subnetId, ip!, mac, host, [.. groups], null, p.SourceDestCheck);
        ValidateVpc(state, vpc with { Enis = vpc.Enis.Add(eni) });
        return new Plan<InVpc<Eni>>([new StoreWrite(RecordKeys.Eni(vpc.Id, id), state.NextSeq, RegionRecords.ToJson(eni))],
            s => s.AddEni(vpc.Id, eni), [new EniChange(vpc.Id, vpc.Vni, null, eni)], false, new(vpc.Id, eni));
    }

    private static (Vpc Vpc, Eni Eni) RequireEni(RegionState state, string id)
    {
        var eni = state.Eni(id) ?? throw new MappingApiException(ErrorCodes.InvalidNetworkInterfaceIdNotFound, $"The networkInterface ID '{id}' does not exist");
        return (state.Vpc(state.VpcOfEni(id)!)!, eni);
    }

    private Plan<InVpc<Eni>> MoveNetworkInterface(RegionState state, MoveNetworkInterfaceRequest p)
    {
        var (vpc, eni) = RequireEni(state, Required(p.NetworkInterfaceId, "networkInterfaceId"));
        var to = Required(p.ToHost, "toHost");
        if (state.Host(to) is null)
            throw new MappingApiException(ErrorCodes.InvalidHostIdNotFound, $"The host '{to}' does not exist");
        if (to == eni.Host)
            throw new MappingApiException(ErrorCodes.InvalidParameterValue, $"{eni.Id} is already on {to}");
        if (state.EniCountOn(to) >= _geometry.EniSlots)
            throw new MappingApiException(ErrorCodes.InsufficientCapacity, $"The host '{to}' has no free ENI slot ({_geometry.EniSlots} in use)");
        var moved = eni with { Host = to };
        ValidateVpc(state, vpc with { Enis = vpc.Enis.Replace(eni, moved) });
        return new Plan<InVpc<Eni>>([new StoreWrite(RecordKeys.Eni(vpc.Id, eni.Id), state.SeqOfEni(eni.Id), RegionRecords.ToJson(moved))],
            s => s.ReplaceEni(moved), [new EniChange(vpc.Id, vpc.Vni, eni, moved)], false, new(vpc.Id, moved));
    }

    private static Plan<bool> DeleteNetworkInterface(RegionState state, DeleteNetworkInterfaceRequest p)
    {
        var (vpc, eni) = RequireEni(state, Required(p.NetworkInterfaceId, "networkInterfaceId"));
        return new Plan<bool>([new StoreWrite(RecordKeys.Eni(vpc.Id, eni.Id), 0, null)],
            s => s.RemoveEni(eni.Id), [new EniChange(vpc.Id, vpc.Vni, eni, null)], false, true);
    }

    private Plan<InVpc<SecurityGroup>> CreateSecurityGroup(RegionState state, CreateSecurityGroupRequest p)
    {
        var vpc = RequireVpc(state, Required(p.VpcId, "vpcId"));
        var id = Optional(p.GroupId) ?? NewId("sg");
        if (state.HasId(id))
            throw new MappingApiException(ErrorCodes.InvalidIdDuplicate, $"The ID '{id}' already exists");
        var group = new SecurityGroup(id);
        var next = vpc with { SecurityGroups = vpc.SecurityGroups.Add(group) };
        ValidateVpc(state, next);
        return new Plan<InVpc<SecurityGroup>>([VpcWrite(state, next)], s => s.ReplaceVpcHeader(next), [], false, new(vpc.Id, group)) { Vpcs = [vpc.Id] };
    }

    private Plan<AuthorizedRule> AuthorizeIngress(RegionState state, AuthorizeSecurityGroupIngressRequest p)
    {
        var groupId = Required(p.GroupId, "groupId");
        var vpc = state.FindSecurityGroupVpc(groupId) ?? throw new MappingApiException(ErrorCodes.InvalidGroupIdNotFound, $"The security group '{groupId}' does not exist");
        var group = vpc.SecurityGroups.First(g => g.Id == groupId);
        var rule = new SecurityGroupRule(Required(p.Protocol, "protocol"), p.FromPort ?? p.Port, p.ToPort ?? p.Port, Optional(p.Cidr), Optional(p.SourceGroup));
        if (group.Ingress.Contains(rule))
            throw new MappingApiException(ErrorCodes.InvalidPermissionDuplicate, $"the specified rule already exists in {groupId}");
        var next = vpc with { SecurityGroups = vpc.SecurityGroups.Replace(group, group with { Ingress = group.Ingress.Add(rule) }) };
        ValidateVpc(state, next);
        return new Plan<AuthorizedRule>([VpcWrite(state, next)], s => s.ReplaceVpcHeader(next), [], false, new(groupId, rule)) { Vpcs = [vpc.Id] };
    }

    private Plan<InVpc<Eni>> AssociateAddress(RegionState state, AssociateAddressRequest p)
    {
        var (vpc, eni) = RequireEni(state, Required(p.NetworkInterfaceId, "networkInterfaceId"));
        var publicIp = Required(p.PublicIp, "publicIp");
        if (!AddressText.TryParseIpv4(publicIp, out var address))
            throw new MappingApiException(ErrorCodes.InvalidParameterValue, $"Value ({publicIp}) for parameter publicIp is invalid: not an IPv4 address");
        if (state.PublicIpOwner(address) is { } owner && owner != eni.Id)
            throw new MappingApiException(ErrorCodes.InvalidAddressInUse, $"The address {publicIp} is already associated with {owner}");
        var changed = eni with { PublicIp = publicIp };
        ValidateVpc(state, vpc with { Enis = vpc.Enis.Replace(eni, changed) });
        return new Plan<InVpc<Eni>>([new StoreWrite(RecordKeys.Eni(vpc.Id, eni.Id), state.SeqOfEni(eni.Id), RegionRecords.ToJson(changed))],
            s => s.ReplaceEni(changed), [new EniChange(vpc.Id, vpc.Vni, eni, changed)], false, new(vpc.Id, changed));
    }

    // ---- describe ------------------------------------------------------------------------------

    private T Describe<T>(DescribeFilter filter, Func<RegionState, DescribeFilter, T> describe)
    {
        ArgumentNullException.ThrowIfNull(filter);
        CheckIds(("vpcId", filter.VpcId), ("subnetId", filter.SubnetId), ("networkInterfaceId", filter.NetworkInterfaceId), ("host", filter.Host));
        lock (_sync)
            return describe(_state, filter);
    }

    private static bool Matches(string? wanted, string value) => Optional(wanted) is not { } w || w == value;
}
