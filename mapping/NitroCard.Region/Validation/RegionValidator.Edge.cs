using System.Globalization;

namespace NitroCard.Region;

public static partial class RegionValidator
{
    /// <summary>The edge's attachments of a VPC: Internet Gateway, VPN connections, Direct Connect interfaces, gateway endpoints.</summary>
    private sealed partial class Walker
    {
        private readonly Dictionary<(string Connection, int STag, int CTag), string> _dxTags = [];
        private readonly Dictionary<(uint EdgeIp, long Spi), string> _inboundSpis = [];

        private void CheckEdgeAttachments(Vpc vpc, string path, string vpcName, Prefix? vpcCidr, HashSet<string> routeTableIds)
        {
            var needsEdge = new List<string>();
            if (vpc.InternetGateway is { } igw)
            {
                CheckId(igw.Id, path + ".internetGateway.id");
                needsEdge.Add(path + ".internetGateway");
            }

            var vpns = Items(vpc.VpnConnections);
            for (var i = 0; i < vpns.Length; i++)
            {
                var vpath = $"{path}.vpnConnections[{i}]";
                needsEdge.Add(vpath);
                var vpn = vpns[i];
                if (vpn is null)
                {
                    Add(vpath, "must be an object");
                    continue;
                }
                CheckId(vpn.Id, vpath + ".id");
                RequiredIpv4(vpn.CustomerGatewayIp, vpath + ".customerGatewayIp");
                var edgeIp = RequiredIpv4(vpn.EdgeIp, vpath + ".edgeIp");
                CheckCustomerCidrs(vpn.CustomerCidrs, vpath, vpcCidr, vpcName);
                CheckSa(vpn.Outbound, vpath + ".outbound");
                if (CheckSa(vpn.Inbound, vpath + ".inbound") && edgeIp is { } e
                    && !_inboundSpis.TryAdd((e, vpn.Inbound!.Spi), vpath + ".inbound"))
                {
                    Add(vpath + ".inbound.spi", $"{vpn.Inbound!.Spi} is already the inbound SPI of {_inboundSpis[(e, vpn.Inbound.Spi)]} at edge address {vpn.EdgeIp}");
                }
            }

            var vifs = Items(vpc.DirectConnect);
            for (var i = 0; i < vifs.Length; i++)
            {
                var dpath = $"{path}.directConnect[{i}]";
                needsEdge.Add(dpath);
                var vif = vifs[i];
                if (vif is null)
                {
                    Add(dpath, "must be an object");
                    continue;
                }
                CheckId(vif.Id, dpath + ".id");
                // Interfaces share their connection: its id is checked for the safe set, not for uniqueness.
                var connectionOk = CheckName(vif.Connection, dpath + ".connection", "is required (the Direct Connect connection id)");
                var tagsOk = CheckTag(vif.STag, dpath + ".sTag") & CheckTag(vif.CTag, dpath + ".cTag");
                if (tagsOk && connectionOk
                    && !_dxTags.TryAdd((vif.Connection, vif.STag, vif.CTag), dpath))
                {
                    Add(dpath + ".cTag", $"S-tag {vif.STag} / C-tag {vif.CTag} on {vif.Connection} is already used by {_dxTags[(vif.Connection, vif.STag, vif.CTag)]}");
                }
                CheckCustomerCidrs(vif.CustomerCidrs, dpath, vpcCidr, vpcName);
            }

            var endpoints = Items(vpc.GatewayEndpoints);
            for (var i = 0; i < endpoints.Length; i++)
            {
                var epath = $"{path}.gatewayEndpoints[{i}]";
                needsEdge.Add(epath);
                var endpoint = endpoints[i];
                if (endpoint is null)
                {
                    Add(epath, "must be an object");
                    continue;
                }
                if (CheckId(endpoint.Id, epath + ".id") && !RouteTargets.IsEndpoint(endpoint.Id))
                    Add(epath + ".id", $"{ResourceName.Quote(endpoint.Id)} is not a gateway endpoint id (vpce-…)");
                if (endpoint.Service is not ("s3" or "dynamodb"))
                    Add(epath + ".service", string.IsNullOrEmpty(endpoint.Service) ? "is required (s3 or dynamodb)" : $"{ResourceName.Quote(endpoint.Service)} is not s3 or dynamodb");
                var prefixes = Items(endpoint.PrefixList);
                if (prefixes.IsEmpty)
                    Add(epath + ".prefixList", "needs at least one prefix (the service's public addresses)");
                for (var p = 0; p < prefixes.Length; p++)
                {
                    if (RequiredPrefix(prefixes[p], $"{epath}.prefixList[{p}]") is { } prefix && vpcCidr is { } c && prefix.Overlaps(c))
                        Add($"{epath}.prefixList[{p}]", $"{prefix} overlaps the CIDR {c} of {vpcName}");
                }
                var tables = Items(endpoint.RouteTables);
                for (var t = 0; t < tables.Length; t++)
                    CheckReference(tables[t] ?? "", $"{epath}.routeTables[{t}]", routeTableIds, "route table", vpcName);
                EndpointPolicy.Parse(endpoint.Policy, out var problems);
                foreach (var (ppath, message) in problems)
                    Add(ppath.Length == 0 ? epath + ".policy" : $"{epath}.policy.{ppath}", message);
            }

            if (_edgeCount == 0)
            {
                foreach (var p in needsEdge)
                    Add(p, "is served by the region's first edge, but the region has no edges");
            }
        }

        private void CheckCustomerCidrs(System.Collections.Immutable.ImmutableArray<string> cidrs, string path, Prefix? vpcCidr, string vpcName)
        {
            var list = Items(cidrs);
            if (list.IsEmpty)
                Add(path + ".customerCidrs", "needs at least one prefix (the customer's networks)");
            for (var c = 0; c < list.Length; c++)
            {
                if (RequiredPrefix(list[c], $"{path}.customerCidrs[{c}]") is { } prefix && vpcCidr is { } v && prefix.Overlaps(v))
                    Add($"{path}.customerCidrs[{c}]", $"{prefix} overlaps the CIDR {v} of {vpcName}");
            }
        }

        private bool CheckSa(EspSa? sa, string path)
        {
            if (sa is null)
            {
                Add(path, "is required (spi and aesGcmKeyWithSalt)");
                return false;
            }
            var ok = true;
            if (sa.Spi is < 256 or > uint.MaxValue)
            {
                Add(path + ".spi", sa.Spi == 0 ? "is required (256..4294967295)" : $"{sa.Spi.ToString(CultureInfo.InvariantCulture)} is not an SPI (256..4294967295; 1..255 are reserved)");
                ok = false;
            }
            var key = sa.AesGcmKeyWithSalt ?? "";
            if (key.Length is not (40 or 72) || !key.All(char.IsAsciiHexDigit))
            {
                Add(path + ".aesGcmKeyWithSalt", key.Length == 0
                    ? "is required (40 or 72 hex digits: an AES-128 or AES-256 key, then the 4-byte salt)"
                    : $"has {key.Length} characters; expected 40 or 72 hex digits (an AES-128 or AES-256 key, then the 4-byte salt)");
                ok = false;
            }
            return ok;
        }

        private bool CheckTag(int tag, string path)
        {
            if (tag is >= 1 and <= 4094)
                return true;
            Add(path, tag == 0 ? "is required (a VLAN id 1..4094)" : $"{tag} is not a VLAN id (1..4094)");
            return false;
        }
    }
}
