using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;
using NitroCard.Mapping.Distribution;
using NitroCard.Packets;
using NitroCard.Region;
using P = NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Mapping.Grpc;

/// <summary>Converts deltas between their records and the wire messages.</summary>
public static class DeltaCodec
{
    public static P.Delta ToMessage(HostDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var m = new P.Delta { Host = delta.Host, Version = (ulong)delta.Version, BaseVersion = (ulong)delta.BaseVersion, Full = delta.Full };
        if (delta.Settings is { } s)
        {
            m.Settings = new P.Settings
            {
                UnderlayIp = Ipv4Address.ToUInt32(s.UnderlayIp), UnderlayMac = s.UnderlayMac.Value, NextHopMac = s.UnderlayNextHopMac.Value,
                GatewayMac = s.GatewayMac.Value, AlarmMask = s.AlarmMask,
            };
        }
        foreach (var e in delta.SetEnis)
        {
            m.SetEnis.Add(new P.Eni
            {
                Id = e.Id, VpcId = e.VpcId, SubnetId = e.SubnetId, Vni = e.Entry.Vni, Ip = Ipv4Address.ToUInt32(e.Entry.Ip), Mac = e.Entry.Mac.Value,
                SubnetBase = Ipv4Address.ToUInt32(e.Entry.Subnet.BaseAddress), SubnetPrefix = (uint)e.Entry.Subnet.PrefixLength, SourceDestCheck = e.Entry.SourceDestCheck,
                RouteTable = (uint)e.Entry.RouteTable, Nacl = (uint)e.Entry.Nacl,
                Resolver = e.Entry.Resolver is { } resolver ? Ipv4Address.ToUInt32(resolver) : 0,
                Services = e.Services is { } services ? ToMessage(services) : null,
            });
        }
        m.RemoveEnis.AddRange(delta.RemoveEnis);
        foreach (var x in delta.SetMappings)
            m.SetMappings.Add(new P.Mapping { Vni = x.Key.Vni, Ip = x.Key.Ip, UnderlayIp = x.UnderlayIp, Mac = x.Mac.Value, LocalEni = x.LocalEniId ?? "", PublicIp = x.PublicIp is { } publicIp ? Ipv4Address.ToUInt32(publicIp) : 0 });
        foreach (var k in delta.RemoveMappings)
            m.RemoveMappings.Add(new P.MappingKey { Vni = k.Vni, Ip = k.Ip });
        foreach (var e in delta.SetEdges)
            m.SetEdges.Add(new P.Edge { Vni = e.Vni, UnderlayIp = Ipv4Address.ToUInt32(e.UnderlayIp) });
        foreach (var e in delta.RemoveEdges)
            m.RemoveEdges.Add(new P.Edge { Vni = e.Vni, UnderlayIp = Ipv4Address.ToUInt32(e.UnderlayIp) });
        if (delta.RouteTables is { } tables)
        {
            m.RouteTables = new P.RouteTables();
            foreach (var t in tables)
                m.RouteTables.Tables.Add(ToMessage(t));
        }
        if (delta.EdgeSet is { } edgeSet)
        {
            m.EdgeSet = new P.EdgeSet();
            m.EdgeSet.Edges.AddRange(edgeSet.Select(Ipv4Address.ToUInt32));
        }
        foreach (var a in delta.SetAcls)
        {
            var acl = new P.Nacl { Index = (uint)a.Index };
            acl.Ingress.AddRange(a.Acl.Ingress.Select(ToMessage));
            acl.Egress.AddRange(a.Acl.Egress.Select(ToMessage));
            m.SetNacls.Add(acl);
        }
        m.RemoveNacls.AddRange(delta.RemoveAcls.Select(i => (uint)i));
        foreach (var f in delta.SetFilters)
        {
            var filter = new P.EniFilter
            {
                Eni = f.EniId, TcpEstablishedTimeout = f.Timeouts.TcpEstablished, UdpStreamTimeout = f.Timeouts.UdpStream, UdpTimeout = f.Timeouts.Udp,
            };
            filter.Ingress.AddRange(f.Rules.Ingress.Select(ToMessage));
            filter.Egress.AddRange(f.Rules.Egress.Select(ToMessage));
            m.SetFilters.Add(filter);
        }
        return m;
    }

    /// <summary>The delta a <c>Delta</c> message carries.</summary>
    /// <exception cref="InvalidDataException">
    /// The message is not one <see cref="ToMessage(HostDelta)"/> writes: a prefix (a subnet, a route's destination, a rule's
    /// remote) or an ACL rule's match missing, a prefix longer than 32 bits or with bits set after its length.
    /// </exception>
    public static HostDelta FromMessage(P.Delta m)
    {
        ArgumentNullException.ThrowIfNull(m);
        CardSettings? settings = m.Settings is { } s
            ? new CardSettings(Ipv4Address.FromUInt32(s.UnderlayIp), new MacAddress(s.UnderlayMac), new MacAddress(s.NextHopMac), new MacAddress(s.GatewayMac), s.AlarmMask)
            : null;
        return new HostDelta(m.Host, (long)m.Version, (long)m.BaseVersion, m.Full, settings,
            [.. m.SetEnis.Select(e => new HostEni(e.Id, e.VpcId, e.SubnetId,
                new EniEntry(e.Vni, Ipv4Address.FromUInt32(e.Ip), new MacAddress(e.Mac), Prefix(e.SubnetBase, e.SubnetPrefix, "an ENI's subnet"), e.SourceDestCheck,
                    (int)e.RouteTable, (int)e.Nacl, e.Resolver == 0 ? null : Ipv4Address.FromUInt32(e.Resolver)),
                e.Services is { } services ? FromMessage(services) : null))],
            [.. m.RemoveEnis],
            [.. m.SetMappings.Select(x => new HostMapping(new MappingKey(x.Vni, x.Ip), x.UnderlayIp, new MacAddress(x.Mac), x.LocalEni.Length == 0 ? null : x.LocalEni,
                x.PublicIp == 0 ? null : Ipv4Address.FromUInt32(x.PublicIp)))],
            [.. m.RemoveMappings.Select(k => new MappingKey(k.Vni, k.Ip))],
            [.. m.SetEdges.Select(e => new EdgeEntry(e.Vni, Ipv4Address.FromUInt32(e.UnderlayIp)))],
            [.. m.RemoveEdges.Select(e => new EdgeEntry(e.Vni, Ipv4Address.FromUInt32(e.UnderlayIp)))])
        {
            RouteTables = m.RouteTables is { } tables ? [.. tables.Tables.Select(FromMessage)] : null,
            EdgeSet = m.EdgeSet is { } edgeSet ? EdgeSetOf(edgeSet) : null,
            SetAcls = [.. m.SetNacls.Select(a => new HostAcl((int)a.Index, new NetworkAcl([.. a.Ingress.Select(FromMessage)], [.. a.Egress.Select(FromMessage)])))],
            RemoveAcls = [.. m.RemoveNacls.Select(i => (int)i)],
            SetFilters = [.. m.SetFilters.Select(f => new HostEniFilter(f.Eni,
                new SecurityRules([.. f.Ingress.Select(FromMessage)], [.. f.Egress.Select(FromMessage)]),
                new ConntrackTimeouts(f.TcpEstablishedTimeout, f.UdpStreamTimeout, f.UdpTimeout)))],
        };
    }

    private static P.EniServices ToMessage(EniServiceInfo s) => new()
    {
        InstanceId = s.InstanceId, DeviceIndex = (uint)s.DeviceIndex, HttpTokens = s.MetadataOptions.HttpTokens,
        HttpPutResponseHopLimit = (uint)s.MetadataOptions.HttpPutResponseHopLimit, HttpEndpoint = s.MetadataOptions.HttpEndpoint,
        PublicIp = s.PublicIp is { } ip ? Ipv4Address.ToUInt32(ip) : 0, AvailabilityZone = s.AvailabilityZone, VpcCidr = ToMessage(s.VpcCidr),
        EnableDnsSupport = s.EnableDnsSupport, EnableDnsHostnames = s.EnableDnsHostnames, Region = s.RegionName, AccountId = s.AccountId,
        SecurityGroups = { s.SecurityGroups },
        DnsUpstream = s.DnsUpstream is { } upstream ? Ipv4Address.ToUInt32(upstream.Address) : 0, DnsUpstreamPort = (uint)(s.DnsUpstream?.Port ?? 0),
        FlowLogs = { s.FlowLogs.Select(ResourceCodec.ToMessage) },
    };

    private static EniServiceInfo FromMessage(P.EniServices m) => new(
        m.InstanceId, (int)m.DeviceIndex, new InstanceMetadataOptions(m.HttpTokens, (int)m.HttpPutResponseHopLimit, m.HttpEndpoint),
        m.PublicIp == 0 ? null : Ipv4Address.FromUInt32(m.PublicIp), m.AvailabilityZone, FromMessage(m.VpcCidr),
        m.EnableDnsSupport, m.EnableDnsHostnames, m.Region, m.AccountId, [.. m.SecurityGroups],
        m.DnsUpstream == 0 ? null : new IPEndPoint(Ipv4Address.FromUInt32(m.DnsUpstream), (int)Math.Min(m.DnsUpstreamPort, 65535)),
        [.. m.FlowLogs.Select(ResourceCodec.ToRecord)]);

    private static P.Prefix ToMessage(IPNetwork prefix) => new() { Base = Ipv4Address.ToUInt32(prefix.BaseAddress), Length = (uint)prefix.PrefixLength };

    private static IPNetwork FromMessage(P.Prefix? prefix)
        => prefix is null ? throw new InvalidDataException("delta: a prefix is missing") : Prefix(prefix.Base, prefix.Length, "a prefix");

    /// <summary>An IPv4 prefix from the wire; a length above 32 or bits after it are a malformed message, not an argument error.</summary>
    private static IPNetwork Prefix(uint baseAddress, uint length, string what)
    {
        if (length > 32)
            throw new InvalidDataException($"delta: {what} has prefix length {length} (IPv4: 0..32)");
        var mask = length == 0 ? 0u : uint.MaxValue << (int)(32 - length);
        if ((baseAddress & ~mask) != 0)
            throw new InvalidDataException($"delta: {what} {Ipv4Address.FromUInt32(baseAddress)}/{length} has bits set after the prefix length");
        return new IPNetwork(Ipv4Address.FromUInt32(baseAddress), (int)length);
    }

    private static P.RouteTable ToMessage(RouteTableSpec table)
    {
        var m = new P.RouteTable();
        if (table.Local is { } local)
            m.Local = ToMessage(local);
        foreach (var r in table.Routes)
        {
            var route = new P.Route { Destination = ToMessage(r.Destination), Kind = (uint)r.Target, Class = (uint)r.Class };
            if (r.EdgeIp is { } edge)
                route.EdgeIp = Ipv4Address.ToUInt32(edge);
            m.Routes.Add(route);
        }
        return m;
    }

    private static RouteTableSpec FromMessage(P.RouteTable m)
        => new(m.Local is { } local ? FromMessage(local) : null,
            [.. m.Routes.Select(r => new RouteSpec(FromMessage(r.Destination), (RouteKind)r.Kind, (RouteClass)r.Class, r.HasEdgeIp ? Ipv4Address.FromUInt32(r.EdgeIp) : null))]);

    private static P.FilterRule ToMessage(FilterRule rule)
    {
        var m = new P.FilterRule
        {
            Remote = ToMessage(rule.Remote), FromPort = (uint)rule.FromPort, ToPort = (uint)rule.ToPort, FromCode = (uint)rule.FromCode, ToCode = (uint)rule.ToCode,
        };
        if (rule.Protocol is { } protocol)
            m.Protocol = (uint)protocol;
        return m;
    }

    private static FilterRule FromMessage(P.FilterRule? m)
        => m is null ? throw new InvalidDataException("delta: an ACL rule's match is missing") : new(FromMessage(m.Remote), m.HasProtocol ? (int)m.Protocol : null, (int)m.FromPort, (int)m.ToPort, (int)m.FromCode, (int)m.ToCode);

    private static P.NaclRule ToMessage(NetworkAclRule rule) => new() { RuleNumber = (uint)rule.RuleNumber, Match = ToMessage(rule.Match), Allow = rule.Allow };

    private static NetworkAclRule FromMessage(P.NaclRule m) => new((int)m.RuleNumber, FromMessage(m.Match), m.Allow);

    /// <summary>The edge set of a delta: at most <see cref="EdgeSet.Slots"/> distinct addresses, none 0 (what the card takes).</summary>
    private static System.Collections.Immutable.ImmutableArray<IPAddress> EdgeSetOf(P.EdgeSet m)
    {
        if (m.Edges.Count > EdgeSet.Slots || m.Edges.Contains(0u) || m.Edges.Distinct().Count() != m.Edges.Count)
            throw new InvalidDataException($"delta: the edge set holds {m.Edges.Count} addresses: at most {EdgeSet.Slots}, distinct, none 0.0.0.0");
        return [.. m.Edges.Select(Ipv4Address.FromUInt32)];
    }
}
