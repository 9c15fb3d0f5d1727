using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NitroCard.Card;
using NitroCard.Mapping.Alarms;
using NitroCard.Mapping.State;
using NitroCard.Region;

namespace NitroCard.Mapping.Api;

public sealed partial class MappingService
{
    /// <summary>The actions <see cref="InvokeAsync"/> knows (the nitroctl command names).</summary>
    public static readonly ImmutableArray<string> Actions =
    [
        "apply", "create-host", "create-vpc", "create-subnet", "create-network-interface", "move-network-interface",
        "delete-network-interface", "create-security-group", "authorize-security-group-ingress", "associate-address",
        "describe-vpcs", "describe-subnets", "describe-network-interfaces", "describe-security-groups", "describe-hosts", "alarms",
    ];

    /// <summary>Runs one API action with string parameters; returns its JSON result.</summary>
    public async Task<string> InvokeAsync(string action, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(parameters);
        var p = parameters;
        CheckIds(action, p);
        JsonNode? result = action switch
        {
            "apply" => await ApplyAsync(Required(p, "region"), Optional(p, "name") ?? "region.json", cancellationToken).ConfigureAwait(false),
            "create-host" => await CommitAsync(action, s => CreateHost(s, p), cancellationToken).ConfigureAwait(false),
            "create-vpc" => await CommitAsync(action, s => CreateVpc(s, p), cancellationToken).ConfigureAwait(false),
            "create-subnet" => await CommitAsync(action, s => CreateSubnet(s, p), cancellationToken).ConfigureAwait(false),
            "create-network-interface" => await CommitAsync(action, s => CreateNetworkInterface(s, p), cancellationToken).ConfigureAwait(false),
            "move-network-interface" => await CommitAsync(action, s => MoveNetworkInterface(s, p), cancellationToken).ConfigureAwait(false),
            "delete-network-interface" => await CommitAsync(action, s => DeleteNetworkInterface(s, p), cancellationToken).ConfigureAwait(false),
            "create-security-group" => await CommitAsync(action, s => CreateSecurityGroup(s, p), cancellationToken).ConfigureAwait(false),
            "authorize-security-group-ingress" => await CommitAsync(action, s => AuthorizeIngress(s, p), cancellationToken).ConfigureAwait(false),
            "associate-address" => await CommitAsync(action, s => AssociateAddress(s, p), cancellationToken).ConfigureAwait(false),
            "describe-vpcs" => Describe(p, DescribeVpcs),
            "describe-subnets" => Describe(p, DescribeSubnets),
            "describe-network-interfaces" => Describe(p, DescribeEnis),
            "describe-security-groups" => Describe(p, DescribeGroups),
            "describe-hosts" => Describe(p, DescribeHosts),
            "alarms" => AlarmsResult(p),
            _ => throw new MappingApiException(ErrorCodes.InvalidAction, $"The action {action} is not valid for this web service (known: {string.Join(", ", Actions)})"),
        };
        return result?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "{}";
    }

    /// <summary>The parameters that carry an id or a name (<c>name</c> only in <c>create-host</c>; <c>groups</c> is a list).</summary>
    private static readonly ImmutableArray<string> IdParameters =
        ["vpcId", "subnetId", "networkInterfaceId", "groupId", "routeTableId", "sourceGroup", "host", "toHost", "name", "groups"];

    /// <summary>
    /// Every id or name a request carries follows <see cref="ResourceName"/>, and an ENI id is not one of the live
    /// region's own names (<see cref="LiveNames"/>): ids become namespaces, files and state-file entries.
    /// </summary>
    private static void CheckIds(string action, IReadOnlyDictionary<string, string> p)
    {
        var problems = new Problems();
        foreach (var name in IdParameters)
        {
            if ((name == "name" && action != "create-host") || !p.TryGetValue(name, out var value) || string.IsNullOrWhiteSpace(value))
                continue;
            var ids = name == "groups" ? value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [value];
            foreach (var id in ids)
            {
                if ((ResourceName.Problem(id) ?? (name == "networkInterfaceId" ? LiveNames.ReservedProblem(id) : null)) is { } problem)
                    problems.Add(ErrorCodes.InvalidParameterValue, $"Value for parameter {name} is invalid: {problem}");
            }
        }
        problems.ThrowIfAny();
    }

    /// <summary>
    /// <c>alarms</c>: every alarm as a JSON array; with <c>maxItems</c> or <c>startingToken</c> one page,
    /// <c>{"alarms": [...], "nextToken": "..."}</c> (AWS CLI style; the token is the id of the next alarm).
    /// </summary>
    private JsonNode? AlarmsResult(IReadOnlyDictionary<string, string> p)
    {
        var maxText = Optional(p, "maxItems");
        var tokenText = Optional(p, "startingToken");
        if (maxText is null && tokenText is null)
            return JsonSerializer.SerializeToNode([.. Alarms], AlarmJsonContext.Default.ListAlarmRecord);
        var max = int.MaxValue;
        if (maxText is not null && (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max < 1))
            throw new MappingApiException(ErrorCodes.InvalidParameterValue, $"--max-items '{maxText}': expected a whole number of at least 1");
        long start = 0;
        if (tokenText is not null && (!long.TryParse(tokenText, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start < 1))
            throw new MappingApiException(ErrorCodes.InvalidParameterValue, $"--starting-token '{tokenText}': not a token from a previous alarms page (nextToken)");
        var page = Alarms.SkipWhile(a => a.Id < start).Take(max == int.MaxValue ? max : max + 1).ToList();
        var next = page.Count > max ? page[max].Id.ToString(CultureInfo.InvariantCulture) : null;
        return JsonSerializer.SerializeToNode(new AlarmPage([.. page.Take(max)], next), AlarmJsonContext.Default.AlarmPage);
    }

    /// <summary>Converges the service to a region file: everything in it, nothing else.</summary>
    public Task<JsonNode?> ApplyAsync(string regionJson, string name, CancellationToken cancellationToken = default)
    {
        RegionTopology region;
        try
        {
            region = RegionLoader.LoadFromString(regionJson, name, _geometry);
        }
        catch (RegionException e)
        {
            throw MappingApiException.FromProblems(ErrorCodes.InvalidParameterValue, [.. e.Errors.Select(x => x.Format(name))]);
        }
        return CommitAsync("apply", s => ApplyPlan(s, region with { SourceName = "mapping service" }), cancellationToken);
    }

    /// <summary>Converges the service to a region built in memory (validated like a region file).</summary>
    public Task<JsonNode?> ApplyAsync(RegionTopology region, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(region);
        var errors = RegionValidator.Validate(region, _geometry);
        if (!errors.IsEmpty)
            throw MappingApiException.FromProblems(ErrorCodes.InvalidParameterValue, [.. errors.Select(x => x.ToString())]);
        return CommitAsync("apply", s => ApplyPlan(s, region with { SourceName = "mapping service" }), cancellationToken);
    }

    private static Plan ApplyPlan(RegionState state, RegionTopology region)
    {
        var old = state.Topology;
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
                else if (!EniEquals(o.Eni, x.Eni))
                    changes.Add(new EniChange(x.Vpc.Id, x.Vpc.Vni, o.Eni, x.Eni));
            }
            foreach (var (key, o) in oldEnis)
            {
                if (!newEnis.ContainsKey(key))
                    changes.Add(new EniChange(o.Vpc.Id, o.Vpc.Vni, o.Eni, null));
            }
        }
        var result = new JsonObject
        {
            ["vpcs"] = region.Vpcs.Length,
            ["enis"] = region.Vpcs.Sum(v => v.Enis.Length),
            ["hosts"] = region.Hosts.Length,
            ["writes"] = writes.Count,
        };
        return new Plan(writes, _ => { }, changes.ToImmutable(), full, result, region) { Vpcs = touched.ToImmutable() };
    }

    private static bool EniEquals(Eni a, Eni b) => RegionRecords.ToJson(a) == RegionRecords.ToJson(b);

    private Plan CreateHost(RegionState state, IReadOnlyDictionary<string, string> p)
    {
        var host = new RegionHost(Required(p, "name"), Required(p, "underlayIp"), Optional(p, "underlayMac"), Optional(p, "dataplane"));
        var problems = new Problems();
        if (state.Host(host.Name) is not null || state.Topology.Edges.Any(e => e.Name == host.Name))
            problems.Add(ErrorCodes.InvalidIdDuplicate, $"The host name '{host.Name}' already exists");
        problems.ThrowIfAny();
        var next = state.Topology with { Hosts = state.Topology.Hosts.Add(host), Vpcs = [] };
        var errors = RegionValidator.Validate(next, _geometry);
        if (!errors.IsEmpty)
            throw MappingApiException.FromProblems(ErrorCodes.InvalidParameterValue, [.. errors.Select(e => e.ToString())]);
        var node = JsonSerializer.SerializeToNode(host, RegionJsonContext.Default.RegionHost);
        return new Plan([new StoreWrite(RecordKeys.Host(host.Name), state.Topology.Hosts.Length, RegionRecords.ToJson(host))],
            s => s.AddHost(host), [], false, node);
    }

    private Plan CreateVpc(RegionState state, IReadOnlyDictionary<string, string> p)
    {
        var cidr = Required(p, "cidrBlock");
        var id = Optional(p, "vpcId") ?? NewId("vpc");
        var problems = new Problems();
        if (!AddressText.TryParsePrefix(cidr, out var prefix, out var problem))
            problems.Add(ErrorCodes.InvalidParameterValue, $"Value ({cidr}) for parameter cidrBlock is invalid: {problem}");
        else if (prefix.Length is < 16 or > 28)
            problems.Add(ErrorCodes.InvalidVpcRange, $"The CIDR '{cidr}' is invalid: a VPC CIDR block is /16 to /28");
        if (state.HasId(id))
            problems.Add(ErrorCodes.InvalidIdDuplicate, $"The ID '{id}' already exists");
        uint vni;
        if (Optional(p, "vni") is { } vniText)
        {
            if (!uint.TryParse(vniText, NumberStyles.None, CultureInfo.InvariantCulture, out vni) || vni is 0 or > RegionDefaults.MaxVni)
                problems.Add(ErrorCodes.InvalidParameterValue, $"Value ({vniText}) for parameter vni is invalid: a VNI is 1..{RegionDefaults.MaxVni}");
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
        return new Plan([new StoreWrite(RecordKeys.Vpc(id), state.Topology.Vpcs.Length, RegionRecords.ToJson(vpc))],
            s => s.AddVpc(vpc), [], false, ToNode(vpc));
    }

    private static Vpc RequireVpc(RegionState state, string id)
        => state.Vpc(id) ?? throw new MappingApiException(ErrorCodes.InvalidVpcIdNotFound, $"The vpc ID '{id}' does not exist");

    private Plan CreateSubnet(RegionState state, IReadOnlyDictionary<string, string> p)
    {
        var vpc = RequireVpc(state, Required(p, "vpcId"));
        var cidr = Required(p, "cidrBlock");
        var id = Optional(p, "subnetId") ?? NewId("subnet");
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
        var subnet = new Subnet(id, cidr, Optional(p, "routeTableId"));
        var next = vpc with { Subnets = vpc.Subnets.Add(subnet) };
        ValidateVpc(state, next);
        var node = JsonSerializer.SerializeToNode(subnet, RegionJsonContext.Default.Subnet)!.AsObject();
        node["vpc"] = vpc.Id;
        return new Plan([VpcWrite(state, next)], s => s.ReplaceVpcHeader(next), [], false, node) { Vpcs = [vpc.Id] };
    }

    private static StoreWrite VpcWrite(RegionState state, Vpc vpc)
        => new(RecordKeys.Vpc(vpc.Id), state.Topology.Vpcs.IndexOf(state.Vpc(vpc.Id)!), RegionRecords.ToJson(vpc));

    private Plan CreateNetworkInterface(RegionState state, IReadOnlyDictionary<string, string> p)
    {
        var subnetId = Required(p, "subnetId");
        var host = Required(p, "host");
        var found = state.FindSubnet(subnetId) ?? throw new MappingApiException(ErrorCodes.InvalidSubnetIdNotFound, $"The subnet ID '{subnetId}' does not exist");
        var (vpc, subnet) = found;
        var id = Optional(p, "networkInterfaceId") ?? NewId("eni");
        var problems = new Problems();
        if (state.HasId(id))
            problems.Add(ErrorCodes.InvalidIdDuplicate, $"The ID '{id}' already exists");
        if (state.Host(host) is null)
            problems.Add(ErrorCodes.InvalidHostIdNotFound, $"The host '{host}' does not exist");
        else if (state.EniCountOn(host) >= _geometry.EniSlots)
            problems.Add(ErrorCodes.InsufficientCapacity, $"The host '{host}' has no free ENI slot ({_geometry.EniSlots} in use)");
        var prefix = ParsePrefix(subnet.Cidr);
        var used = vpc.Enis.Select(e => AddressText.TryParseIpv4(e.Ip, out var x) ? x : 0).ToHashSet();
        var ip = Optional(p, "privateIpAddress");
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
        var mac = Optional(p, "macAddress");
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
        var groups = Optional(p, "groups")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        foreach (var g in groups)
        {
            if (!vpc.SecurityGroups.Any(x => x.Id == g))
                problems.Add(ErrorCodes.InvalidGroupIdNotFound, $"The security group '{g}' does not exist in {vpc.Id}");
        }
        var sourceDestCheck = Optional(p, "sourceDestCheck") is not { } sdc || !sdc.Equals("false", StringComparison.OrdinalIgnoreCase);
        problems.ThrowIfAny();

        var eni = new Eni(id, subnetId, ip!, mac, host, [.. groups], null, sourceDestCheck);
        ValidateVpc(state, vpc with { Enis = vpc.Enis.Add(eni) });
        return new Plan([new StoreWrite(RecordKeys.Eni(vpc.Id, id), state.NextSeq, RegionRecords.ToJson(eni))],
            s => s.AddEni(vpc.Id, eni), [new EniChange(vpc.Id, vpc.Vni, null, eni)], false, ToNode(eni, vpc.Id));
    }

    private static (Vpc Vpc, Eni Eni) RequireEni(RegionState state, string id)
    {
        var eni = state.Eni(id) ?? throw new MappingApiException(ErrorCodes.InvalidNetworkInterfaceIdNotFound, $"The networkInterface ID '{id}' does not exist");
        return (state.Vpc(state.VpcOfEni(id)!)!, eni);
    }

    private Plan MoveNetworkInterface(RegionState state, IReadOnlyDictionary<string, string> p)
    {
        var (vpc, eni) = RequireEni(state, Required(p, "networkInterfaceId"));
        var to = Required(p, "toHost");
        if (state.Host(to) is null)
            throw new MappingApiException(ErrorCodes.InvalidHostIdNotFound, $"The host '{to}' does not exist");
        if (to == eni.Host)
            throw new MappingApiException(ErrorCodes.InvalidParameterValue, $"{eni.Id} is already on {to}");
        if (state.EniCountOn(to) >= _geometry.EniSlots)
            throw new MappingApiException(ErrorCodes.InsufficientCapacity, $"The host '{to}' has no free ENI slot ({_geometry.EniSlots} in use)");
        var moved = eni with { Host = to };
        ValidateVpc(state, vpc with { Enis = vpc.Enis.Replace(eni, moved) });
        return new Plan([new StoreWrite(RecordKeys.Eni(vpc.Id, eni.Id), state.SeqOfEni(eni.Id), RegionRecords.ToJson(moved))],
            s => s.ReplaceEni(moved), [new EniChange(vpc.Id, vpc.Vni, eni, moved)], false, ToNode(moved, vpc.Id));
    }

    private static Plan DeleteNetworkInterface(RegionState state, IReadOnlyDictionary<string, string> p)
    {
        var (vpc, eni) = RequireEni(state, Required(p, "networkInterfaceId"));
        return new Plan([new StoreWrite(RecordKeys.Eni(vpc.Id, eni.Id), 0, null)],
            s => s.RemoveEni(eni.Id), [new EniChange(vpc.Id, vpc.Vni, eni, null)], false, new JsonObject { ["return"] = true });
    }

    private Plan CreateSecurityGroup(RegionState state, IReadOnlyDictionary<string, string> p)
    {
        var vpc = RequireVpc(state, Required(p, "vpcId"));
        var id = Optional(p, "groupId") ?? NewId("sg");
        if (state.HasId(id))
            throw new MappingApiException(ErrorCodes.InvalidIdDuplicate, $"The ID '{id}' already exists");
        var group = new SecurityGroup(id);
        var next = vpc with { SecurityGroups = vpc.SecurityGroups.Add(group) };
        ValidateVpc(state, next);
        var node = JsonSerializer.SerializeToNode(group, RegionJsonContext.Default.SecurityGroup)!.AsObject();
        node["vpc"] = vpc.Id;
        return new Plan([VpcWrite(state, next)], s => s.ReplaceVpcHeader(next), [], false, node) { Vpcs = [vpc.Id] };
    }

    private Plan AuthorizeIngress(RegionState state, IReadOnlyDictionary<string, string> p)
    {
        var groupId = Required(p, "groupId");
        var vpc = state.FindSecurityGroupVpc(groupId) ?? throw new MappingApiException(ErrorCodes.InvalidGroupIdNotFound, $"The security group '{groupId}' does not exist");
        var group = vpc.SecurityGroups.First(g => g.Id == groupId);
        int? Port(string name)
        {
            if (Optional(p, name) is not { } text)
                return null;
            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
                ? v : throw new MappingApiException(ErrorCodes.InvalidParameterValue, $"Value ({text}) for parameter {name} is invalid: not a number");
        }
        var rule = new SecurityGroupRule(Required(p, "protocol"), Port("fromPort") ?? Port("port"), Port("toPort") ?? Port("port"), Optional(p, "cidr"), Optional(p, "sourceGroup"));
        if (group.Ingress.Contains(rule))
            throw new MappingApiException(ErrorCodes.InvalidPermissionDuplicate, $"the specified rule already exists in {groupId}");
        var next = vpc with { SecurityGroups = vpc.SecurityGroups.Replace(group, group with { Ingress = group.Ingress.Add(rule) }) };
        ValidateVpc(state, next);
        var node = JsonSerializer.SerializeToNode(rule, RegionJsonContext.Default.SecurityGroupRule)!.AsObject();
        node["groupId"] = groupId;
        return new Plan([VpcWrite(state, next)], s => s.ReplaceVpcHeader(next), [], false, node) { Vpcs = [vpc.Id] };
    }

    private Plan AssociateAddress(RegionState state, IReadOnlyDictionary<string, string> p)
    {
        var (vpc, eni) = RequireEni(state, Required(p, "networkInterfaceId"));
        var publicIp = Required(p, "publicIp");
        if (!AddressText.TryParseIpv4(publicIp, out var address))
            throw new MappingApiException(ErrorCodes.InvalidParameterValue, $"Value ({publicIp}) for parameter publicIp is invalid: not an IPv4 address");
        if (state.PublicIpOwner(address) is { } owner && owner != eni.Id)
            throw new MappingApiException(ErrorCodes.InvalidAddressInUse, $"The address {publicIp} is already associated with {owner}");
        var changed = eni with { PublicIp = publicIp };
        ValidateVpc(state, vpc with { Enis = vpc.Enis.Replace(eni, changed) });
        return new Plan([new StoreWrite(RecordKeys.Eni(vpc.Id, eni.Id), state.SeqOfEni(eni.Id), RegionRecords.ToJson(changed))],
            s => s.ReplaceEni(changed), [new EniChange(vpc.Id, vpc.Vni, eni, changed)], false, ToNode(changed, vpc.Id));
    }

    // ---- describe ------------------------------------------------------------------------------

    private JsonArray Describe(IReadOnlyDictionary<string, string> p, Func<RegionState, IReadOnlyDictionary<string, string>, JsonArray> describe)
    {
        lock (_sync)
            return describe(_state, p);
    }

    private static bool Matches(IReadOnlyDictionary<string, string> p, string name, string value)
        => Optional(p, name) is not { } wanted || wanted == value;

    private static JsonArray DescribeVpcs(RegionState state, IReadOnlyDictionary<string, string> p)
        => [.. state.Topology.Vpcs.Where(v => Matches(p, "vpcId", v.Id)).Select(ToNode)];

    private static JsonArray DescribeSubnets(RegionState state, IReadOnlyDictionary<string, string> p)
        => [.. state.Topology.Vpcs.Where(v => Matches(p, "vpcId", v.Id)).SelectMany(v => v.Subnets.Select(s =>
        {
            var node = JsonSerializer.SerializeToNode(s, RegionJsonContext.Default.Subnet)!.AsObject();
            node["vpc"] = v.Id;
            return (JsonNode)node;
        }))];

    private static JsonArray DescribeEnis(RegionState state, IReadOnlyDictionary<string, string> p)
        => [.. state.Topology.Vpcs.Where(v => Matches(p, "vpcId", v.Id)).SelectMany(v => v.Enis
            .Where(e => Matches(p, "host", e.Host) && Matches(p, "networkInterfaceId", e.Id) && Matches(p, "subnetId", e.Subnet))
            .Select(e => ToNode(e, v.Id)))];

    private static JsonArray DescribeGroups(RegionState state, IReadOnlyDictionary<string, string> p)
        => [.. state.Topology.Vpcs.Where(v => Matches(p, "vpcId", v.Id)).SelectMany(v => v.SecurityGroups.Select(g =>
        {
            var node = JsonSerializer.SerializeToNode(g, RegionJsonContext.Default.SecurityGroup)!.AsObject();
            node["vpc"] = v.Id;
            return (JsonNode)node;
        }))];

    private JsonArray DescribeHosts(RegionState state, IReadOnlyDictionary<string, string> p)
    {
        var connected = Hub.ConnectedHosts.ToHashSet(StringComparer.Ordinal);
        return [.. state.Topology.Hosts.Where(h => Matches(p, "host", h.Name)).Select(h =>
        {
            var node = JsonSerializer.SerializeToNode(h, RegionJsonContext.Default.RegionHost)!.AsObject();
            node["connected"] = connected.Contains(h.Name);
            node["ackedVersion"] = Hub.AckedVersion(h.Name);
            node["regionVersion"] = state.Version;
            node["vpcs"] = new JsonArray([.. state.VpcsOf(h.Name).Order(StringComparer.Ordinal).Select(v => (JsonNode)v)]);
            node["enis"] = state.EniCountOn(h.Name);
            if (_hostCounters.TryGetValue(h.Name, out var counters))
                node["counters"] = JsonNode.Parse(counters);
            return (JsonNode)node;
        })];
    }
}
