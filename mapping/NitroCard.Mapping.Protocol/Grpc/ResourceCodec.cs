using System.Text.Json;
using NitroCard.Region;
using P = NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Mapping.Grpc;

/// <summary>
/// Converts the region's resources (the region file's records) to the API's messages and back, losslessly: the
/// service replies with messages, and the CLI turns them back into records to print them as the region file does.
/// </summary>
public static class ResourceCodec
{
    public static P.Host ToMessage(RegionHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var m = new P.Host { Name = host.Name, UnderlayIp = host.UnderlayIp };
        if (host.UnderlayMac is not null)
            m.UnderlayMac = host.UnderlayMac;
        if (host.Dataplane is not null)
            m.Dataplane = host.Dataplane;
        return m;
    }

    public static RegionHost ToRecord(P.Host host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return new(host.Name, host.UnderlayIp, host.HasUnderlayMac ? host.UnderlayMac : null, host.HasDataplane ? host.Dataplane : null);
    }

    /// <summary>A VPC without its ENIs (those are described on their own).</summary>
    public static P.Vpc ToMessage(Vpc vpc)
    {
        ArgumentNullException.ThrowIfNull(vpc);
        var m = new P.Vpc { Id = vpc.Id, Cidr = vpc.Cidr, Vni = vpc.Vni };
        m.Subnets.Add(vpc.Subnets.Select(s => ToMessage(s, vpc.Id)));
        m.RouteTables.Add(vpc.RouteTables.Select(ToMessage));
        m.SecurityGroups.Add(vpc.SecurityGroups.Select(g => ToMessage(g, vpc.Id)));
        m.NetworkAcls.Add(vpc.NetworkAcls.Select(ToMessage));
        if (vpc.InternetGateway is { } igw)
            m.InternetGateway = new P.InternetGateway { Id = igw.Id };
        m.VpnConnections.Add(vpc.VpnConnections.Select(ToMessage));
        m.DirectConnect.Add(vpc.DirectConnect.Select(d => new P.DirectConnectVif { Id = d.Id, Connection = d.Connection, STag = d.STag, CTag = d.CTag, CustomerCidrs = { d.CustomerCidrs } }));
        m.GatewayEndpoints.Add(vpc.GatewayEndpoints.Select(ToMessage));
        if (vpc.EnableDnsSupport is { } support)
            m.EnableDnsSupport = support;
        if (vpc.EnableDnsHostnames is { } hostnames)
            m.EnableDnsHostnames = hostnames;
        m.FlowLogs.Add(vpc.FlowLogList.Select(ToMessage));
        return m;
    }

    public static Vpc ToRecord(P.Vpc vpc)
    {
        ArgumentNullException.ThrowIfNull(vpc);
        return new Vpc(vpc.Id, vpc.Cidr, vpc.Vni,
            Subnets: [.. vpc.Subnets.Select(ToRecord)],
            RouteTables: [.. vpc.RouteTables.Select(ToRecord)],
            SecurityGroups: [.. vpc.SecurityGroups.Select(ToRecord)],
            NetworkAcls: [.. vpc.NetworkAcls.Select(ToRecord)],
            InternetGateway: vpc.InternetGateway is { } igw ? new InternetGateway(igw.Id) : null,
            VpnConnections: [.. vpc.VpnConnections.Select(ToRecord)],
            DirectConnect: [.. vpc.DirectConnect.Select(d => new DirectConnectVif(d.Id, d.Connection, d.STag, d.CTag, [.. d.CustomerCidrs]))],
            GatewayEndpoints: [.. vpc.GatewayEndpoints.Select(ToRecord)],
            EnableDnsSupport: vpc.HasEnableDnsSupport ? vpc.EnableDnsSupport : null,
            EnableDnsHostnames: vpc.HasEnableDnsHostnames ? vpc.EnableDnsHostnames : null,
            FlowLogs: vpc.FlowLogs.Count == 0 ? null : [.. vpc.FlowLogs.Select(ToRecord)]);
    }

    internal static P.FlowLog ToMessage(FlowLog flowLog)
    {
        var m = new P.FlowLog { Id = flowLog.Id, ResourceId = flowLog.ResourceId, TrafficType = flowLog.TrafficType, MaxAggregationInterval = flowLog.MaxAggregationInterval };
        if (flowLog.IpfixCollector is not null)
            m.IpfixCollector = flowLog.IpfixCollector;
        return m;
    }

    internal static FlowLog ToRecord(P.FlowLog flowLog)
        => new(flowLog.Id, flowLog.ResourceId, flowLog.TrafficType, flowLog.MaxAggregationInterval, flowLog.HasIpfixCollector ? flowLog.IpfixCollector : null);

    public static P.Subnet ToMessage(Subnet subnet, string vpcId)
    {
        ArgumentNullException.ThrowIfNull(subnet);
        var m = new P.Subnet { Id = subnet.Id, Cidr = subnet.Cidr, VpcId = vpcId };
        if (subnet.RouteTable is not null)
            m.RouteTable = subnet.RouteTable;
        if (subnet.AvailabilityZone is not null)
            m.AvailabilityZone = subnet.AvailabilityZone;
        return m;
    }

    public static Subnet ToRecord(P.Subnet subnet)
    {
        ArgumentNullException.ThrowIfNull(subnet);
        return new(subnet.Id, subnet.Cidr, subnet.HasRouteTable ? subnet.RouteTable : null, subnet.HasAvailabilityZone ? subnet.AvailabilityZone : null);
    }

    public static P.SecurityGroup ToMessage(SecurityGroup group, string vpcId)
    {
        ArgumentNullException.ThrowIfNull(group);
        var m = new P.SecurityGroup { Id = group.Id, VpcId = vpcId };
        m.Ingress.Add(group.Ingress.Select(ToMessage));
        m.Egress.Add(group.Egress.Select(ToMessage));
        return m;
    }

    public static SecurityGroup ToRecord(P.SecurityGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return new(group.Id, [.. group.Ingress.Select(ToRecord)], [.. group.Egress.Select(ToRecord)]);
    }

    public static P.SecurityGroupRule ToMessage(SecurityGroupRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var m = new P.SecurityGroupRule { Protocol = rule.Protocol };
        if (rule.FromPort is { } from)
            m.FromPort = from;
        if (rule.ToPort is { } to)
            m.ToPort = to;
        if (rule.Cidr is not null)
            m.Cidr = rule.Cidr;
        if (rule.SourceGroup is not null)
            m.SourceGroup = rule.SourceGroup;
        return m;
    }

    public static SecurityGroupRule ToRecord(P.SecurityGroupRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new(rule.Protocol, rule.HasFromPort ? rule.FromPort : null, rule.HasToPort ? rule.ToPort : null,
            rule.HasCidr ? rule.Cidr : null, rule.HasSourceGroup ? rule.SourceGroup : null);
    }

    public static P.NetworkInterface ToMessage(Eni eni, string vpcId)
    {
        ArgumentNullException.ThrowIfNull(eni);
        var m = new P.NetworkInterface
        {
            Id = eni.Id, Subnet = eni.Subnet, Ip = eni.Ip, Mac = eni.Mac, Host = eni.Host, SourceDestCheck = eni.SourceDestCheck, VpcId = vpcId,
            SecurityGroups = { eni.SecurityGroups },
        };
        if (eni.PublicIp is not null)
            m.PublicIp = eni.PublicIp;
        if (eni.InstanceId is not null)
            m.InstanceId = eni.InstanceId;
        m.DeviceIndex = eni.DeviceIndex;
        if (eni.MetadataOptions is { } options)
            m.MetadataOptions = new P.InstanceMetadataOptions { HttpTokens = options.HttpTokens, HttpPutResponseHopLimit = options.HttpPutResponseHopLimit, HttpEndpoint = options.HttpEndpoint };
        if (eni.ConnectionTracking is { } ct)
        {
            m.ConnectionTracking = new P.ConnectionTracking();
            if (ct.TcpEstablishedTimeout is { } tcp)
                m.ConnectionTracking.TcpEstablishedTimeout = tcp;
            if (ct.UdpStreamTimeout is { } stream)
                m.ConnectionTracking.UdpStreamTimeout = stream;
            if (ct.UdpTimeout is { } udp)
                m.ConnectionTracking.UdpTimeout = udp;
        }
        return m;
    }

    public static Eni ToRecord(P.NetworkInterface eni)
    {
        ArgumentNullException.ThrowIfNull(eni);
        var ct = eni.ConnectionTracking is { } c
            ? new ConnectionTracking(c.HasTcpEstablishedTimeout ? c.TcpEstablishedTimeout : null, c.HasUdpStreamTimeout ? c.UdpStreamTimeout : null, c.HasUdpTimeout ? c.UdpTimeout : null)
            : null;
        var options = eni.MetadataOptions is { } o ? new InstanceMetadataOptions(o.HttpTokens, o.HttpPutResponseHopLimit, o.HttpEndpoint) : null;
        return new(eni.Id, eni.Subnet, eni.Ip, eni.Mac, eni.Host, [.. eni.SecurityGroups], eni.HasPublicIp ? eni.PublicIp : null, eni.SourceDestCheck, ct,
            eni.HasInstanceId ? eni.InstanceId : null, eni.DeviceIndex, options);
    }

    private static P.VpcRouteTable ToMessage(RouteTable table)
        => new() { Id = table.Id, VgwRoutePropagation = table.VgwRoutePropagation, Routes = { table.Routes.Select(r => new P.VpcRoute { Destination = r.Destination, Target = r.Target }) } };

    private static RouteTable ToRecord(P.VpcRouteTable table)
        => new(table.Id, [.. table.Routes.Select(r => new Route(r.Destination, r.Target))], table.VgwRoutePropagation);

    private static P.NetworkAcl ToMessage(RegionNetworkAcl acl)
        => new() { Id = acl.Id, Subnets = { acl.Subnets }, Ingress = { acl.Ingress.Select(ToMessage) }, Egress = { acl.Egress.Select(ToMessage) } };

    private static RegionNetworkAcl ToRecord(P.NetworkAcl acl)
        => new(acl.Id, [.. acl.Subnets], [.. acl.Ingress.Select(ToRecord)], [.. acl.Egress.Select(ToRecord)]);

    private static P.NetworkAclEntry ToMessage(RegionAclRule rule)
    {
        var m = new P.NetworkAclEntry { RuleNumber = rule.RuleNumber, Protocol = rule.Protocol, Action = rule.Action };
        if (rule.FromPort is { } from)
            m.FromPort = from;
        if (rule.ToPort is { } to)
            m.ToPort = to;
        if (rule.Cidr is not null)
            m.Cidr = rule.Cidr;
        return m;
    }

    private static RegionAclRule ToRecord(P.NetworkAclEntry rule)
        => new(rule.RuleNumber, rule.Protocol, rule.HasFromPort ? rule.FromPort : null, rule.HasToPort ? rule.ToPort : null, rule.HasCidr ? rule.Cidr : null, rule.Action);

    private static P.VpnConnection ToMessage(VpnConnection vpn)
    {
        var m = new P.VpnConnection
        {
            Id = vpn.Id, CustomerGatewayIp = vpn.CustomerGatewayIp, CustomerCidrs = { vpn.CustomerCidrs }, AmazonSideAsn = vpn.AmazonSideAsn,
            StaticRoutesOnly = vpn.StaticRoutesOnly, Tunnels = { vpn.Tunnels.Select(ToMessage) },
        };
        if (vpn.EdgeIp is not null)
            m.EdgeIp = vpn.EdgeIp;
        if (vpn.Outbound is { } outbound)
            m.Outbound = new P.EspSa { Spi = outbound.Spi, AesGcmKeyWithSalt = outbound.AesGcmKeyWithSalt };
        if (vpn.Inbound is { } inbound)
            m.Inbound = new P.EspSa { Spi = inbound.Spi, AesGcmKeyWithSalt = inbound.AesGcmKeyWithSalt };
        if (vpn.CustomerGatewayAsn is { } asn)
            m.CustomerGatewayAsn = asn;
        return m;
    }

    private static VpnConnection ToRecord(P.VpnConnection vpn)
        => new(vpn.Id, vpn.CustomerGatewayIp, vpn.HasEdgeIp ? vpn.EdgeIp : null, [.. vpn.CustomerCidrs],
            vpn.Outbound is { } o ? new EspSa(o.Spi, o.AesGcmKeyWithSalt) : null,
            vpn.Inbound is { } i ? new EspSa(i.Spi, i.AesGcmKeyWithSalt) : null,
            vpn.HasCustomerGatewayAsn ? vpn.CustomerGatewayAsn : null, vpn.AmazonSideAsn, vpn.StaticRoutesOnly, [.. vpn.Tunnels.Select(ToRecord)]);

    private static P.VpnTunnelOptions ToMessage(VpnTunnelOptions t) => new()
    {
        OutsideIpAddress = t.OutsideIpAddress, TunnelInsideCidr = t.TunnelInsideCidr, PreSharedKey = t.PreSharedKey,
        IkeVersions = { t.IkeVersions },
        Phase1EncryptionAlgorithms = { t.Phase1EncryptionAlgorithms }, Phase2EncryptionAlgorithms = { t.Phase2EncryptionAlgorithms },
        Phase1IntegrityAlgorithms = { t.Phase1IntegrityAlgorithms }, Phase2IntegrityAlgorithms = { t.Phase2IntegrityAlgorithms },
        Phase1DhGroupNumbers = { t.Phase1DhGroupNumbers }, Phase2DhGroupNumbers = { t.Phase2DhGroupNumbers },
        Phase1LifetimeSeconds = t.Phase1LifetimeSeconds, Phase2LifetimeSeconds = t.Phase2LifetimeSeconds,
        RekeyMarginTimeSeconds = t.RekeyMarginTimeSeconds, RekeyFuzzPercentage = t.RekeyFuzzPercentage, ReplayWindowSize = t.ReplayWindowSize,
        DpdTimeoutSeconds = t.DpdTimeoutSeconds, DpdTimeoutAction = t.DpdTimeoutAction, StartupAction = t.StartupAction,
    };

    private static VpnTunnelOptions ToRecord(P.VpnTunnelOptions t)
        => new(t.OutsideIpAddress, t.TunnelInsideCidr, t.PreSharedKey, [.. t.IkeVersions],
            [.. t.Phase1EncryptionAlgorithms], [.. t.Phase2EncryptionAlgorithms], [.. t.Phase1IntegrityAlgorithms], [.. t.Phase2IntegrityAlgorithms],
            [.. t.Phase1DhGroupNumbers], [.. t.Phase2DhGroupNumbers], t.Phase1LifetimeSeconds, t.Phase2LifetimeSeconds,
            t.RekeyMarginTimeSeconds, t.RekeyFuzzPercentage, t.ReplayWindowSize, t.DpdTimeoutSeconds, t.DpdTimeoutAction, t.StartupAction);

    private static P.GatewayEndpoint ToMessage(GatewayEndpoint endpoint)
    {
        var m = new P.GatewayEndpoint { Id = endpoint.Id, Service = endpoint.Service, PrefixList = { endpoint.PrefixList }, RouteTables = { endpoint.RouteTables } };
        if (endpoint.Policy is { } policy)
            m.PolicyDocument = policy.GetRawText();
        return m;
    }

    private static GatewayEndpoint ToRecord(P.GatewayEndpoint endpoint)
    {
        JsonElement? policy = null;
        if (endpoint.HasPolicyDocument)
        {
            using var document = JsonDocument.Parse(endpoint.PolicyDocument);
            policy = document.RootElement.Clone();
        }
        return new(endpoint.Id, endpoint.Service, [.. endpoint.PrefixList], [.. endpoint.RouteTables], policy);
    }
}
