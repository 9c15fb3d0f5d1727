using System.Globalization;

namespace NitroCard.Region;

public static partial class RegionValidator
{
    /// <summary>The edge's attachments of a VPC: Internet Gateway, VPN connections, Direct Connect interfaces, gateway endpoints.</summary>
    private sealed partial class Walker
    {
        private readonly Dictionary<(string Connection, int STag, int CTag), string> _dxTags = [];
        private readonly Dictionary<(uint EdgeIp, long Spi), string> _inboundSpis = [];
        private readonly Dictionary<uint, string> _outsideAddresses = [];
        private readonly Dictionary<Prefix, string> _insideCidrs = [];

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
                if (vpn.IsIkeKeyed)
                    CheckIkeConnection(vpn, vpath, vpcCidr, vpcName);
                else
                    CheckManualConnection(vpn, vpath, vpcCidr, vpcName);
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

        /// <summary>Manually keyed (RFC 4301 §4.5): edgeIp, both SAs, static customer CIDRs; none of the IKE fields.</summary>
        private void CheckManualConnection(VpnConnection vpn, string vpath, Prefix? vpcCidr, string vpcName)
        {
            // Manual connections may share an edge address (their inbound SPIs tell them apart).
            var edgeIp = RequiredIpv4(vpn.EdgeIp, vpath + ".edgeIp");
            CheckCustomerCidrs(vpn.CustomerCidrs, vpath, vpcCidr, vpcName);
            CheckSa(vpn.Outbound, vpath + ".outbound");
            if (CheckSa(vpn.Inbound, vpath + ".inbound") && edgeIp is { } e
                && !_inboundSpis.TryAdd((e, vpn.Inbound!.Spi), vpath + ".inbound"))
            {
                Add(vpath + ".inbound.spi", $"{vpn.Inbound!.Spi} is already the inbound SPI of {_inboundSpis[(e, vpn.Inbound.Spi)]} at edge address {vpn.EdgeIp}");
            }
            if (vpn.CustomerGatewayAsn is not null)
                Add(vpath + ".customerGatewayAsn", "is for BGP, which runs in IKE-keyed tunnels: give tunnels, or drop it for manual keys");
            if (vpn.AmazonSideAsn != VpnConnection.DefaultAmazonSideAsn)
                Add(vpath + ".amazonSideAsn", "is for BGP, which runs in IKE-keyed tunnels: give tunnels, or drop it for manual keys");
            if (vpn.CustomerAnnouncedCidrs is not null)
                Add(vpath + ".customerAnnouncedCidrs", "is for BGP, which runs in IKE-keyed tunnels: give tunnels, or use customerCidrs for manual keys");
        }

        /// <summary>As AWS ships it: two tunnels with AWS's tunnel options, BGP or static routes; no manual keys.</summary>
        private void CheckIkeConnection(VpnConnection vpn, string vpath, Prefix? vpcCidr, string vpcName)
        {
            const string manual = "is for manually keyed connections; one with tunnels is keyed by IKE";
            if (vpn.EdgeIp is not null)
                Add(vpath + ".edgeIp", manual + " (each tunnel has its outsideIpAddress)");
            if (vpn.Outbound is not null)
                Add(vpath + ".outbound", manual);
            if (vpn.Inbound is not null)
                Add(vpath + ".inbound", manual);
            if (vpn.Tunnels.Length != 2)
                Add(vpath + ".tunnels", $"has {vpn.Tunnels.Length} tunnel{(vpn.Tunnels.Length == 1 ? "" : "s")}; a VPN connection has exactly 2, as AWS's");
            if (vpn.StaticRoutesOnly)
            {
                if (vpn.CustomerAnnouncedCidrs is not null)
                    Add(vpath + ".customerAnnouncedCidrs", "is what the customer's router announces over BGP; a connection with staticRoutesOnly has no BGP session (use customerCidrs)");
                CheckCustomerCidrs(vpn.CustomerCidrs, vpath, vpcCidr, vpcName);
                if (vpn.CustomerGatewayAsn is not null)
                    Add(vpath + ".customerGatewayAsn", "is for BGP; a connection with staticRoutesOnly has no BGP session");
            }
            else
            {
                var announced = vpn.CustomerAnnouncedCidrs ?? [];
                for (var c = 0; c < announced.Length; c++)
                {
                    if (RequiredPrefix(announced[c], $"{vpath}.customerAnnouncedCidrs[{c}]") is { } prefix && vpcCidr is { } v && prefix.Overlaps(v))
                        Add($"{vpath}.customerAnnouncedCidrs[{c}]", $"{prefix} overlaps the CIDR {v} of {vpcName}");
                }
                if (!vpn.CustomerCidrs.IsEmpty)
                    Add(vpath + ".customerCidrs", "is for static routing; with BGP (staticRoutesOnly false) the customer's prefixes are learned from its gateway");
                if (vpn.CustomerGatewayAsn is not { } asn)
                    Add(vpath + ".customerGatewayAsn", "is required with BGP (the customer gateway's ASN, 1..4294967294), or set staticRoutesOnly");
                else if (asn is < 1 or > 4294967294)
                    Add(vpath + ".customerGatewayAsn", $"{asn.ToString(CultureInfo.InvariantCulture)} is not an ASN (1..4294967294)");
                else if (asn == vpn.AmazonSideAsn)
                    Add(vpath + ".customerGatewayAsn", $"{asn.ToString(CultureInfo.InvariantCulture)} is also the amazonSideAsn; the sessions are external BGP");
            }
            // AWS: a private ASN (64512..65534, 4200000000..4294967294) for the virtual private gateway.
            if (vpn.AmazonSideAsn is not ((>= 64512 and <= 65534) or (>= 4200000000 and <= 4294967294)))
                Add(vpath + ".amazonSideAsn", $"{vpn.AmazonSideAsn.ToString(CultureInfo.InvariantCulture)} is not a private ASN (64512..65534 or 4200000000..4294967294; default 64512)");
            for (var t = 0; t < vpn.Tunnels.Length; t++)
                CheckTunnel(vpn.Tunnels[t], $"{vpath}.tunnels[{t}]");
        }

        private void CheckTunnel(VpnTunnelOptions? tunnel, string path)
        {
            if (tunnel is null)
            {
                Add(path, "must be an object");
                return;
            }
            if (RequiredIpv4(tunnel.OutsideIpAddress, path + ".outsideIpAddress") is { } outside)
                ClaimOutsideAddress(outside, path + ".outsideIpAddress");
            if (RequiredPrefix(tunnel.TunnelInsideCidr, path + ".tunnelInsideCidr") is { } inside)
            {
                if (inside.Length != 30 || !LinkLocal.Contains(inside))
                    Add(path + ".tunnelInsideCidr", $"{inside} is not a /30 in 169.254.0.0/16");
                else if (ReservedInsideCidrs.Contains(inside))
                    Add(path + ".tunnelInsideCidr", $"{inside} is reserved by AWS (169.254.0.0/30 … 169.254.5.0/30, 169.254.169.252/30)");
                else if (!_insideCidrs.TryAdd(inside, path))
                    Add(path + ".tunnelInsideCidr", $"{inside} is already the inside CIDR of {_insideCidrs[inside]}");
            }
            CheckPreSharedKey(tunnel.PreSharedKey, path + ".preSharedKey");
            var versions = Items(tunnel.IkeVersions);
            for (var i = 0; i < versions.Length; i++)
            {
                if (versions[i] is not ("ikev1" or "ikev2"))
                    Add($"{path}.ikeVersions[{i}]", $"{ResourceName.Quote(versions[i])} is not ikev1 or ikev2");
            }
            if (!versions.Contains("ikev2"))
                Add(path + ".ikeVersions", "must include ikev2 (this edge speaks IKEv2 only)");
            CheckNames(tunnel.Phase1EncryptionAlgorithms, path + ".phase1EncryptionAlgorithms", VpnTunnelOptions.EncryptionNames);
            CheckNames(tunnel.Phase2EncryptionAlgorithms, path + ".phase2EncryptionAlgorithms", VpnTunnelOptions.EncryptionNames);
            CheckNames(tunnel.Phase1IntegrityAlgorithms, path + ".phase1IntegrityAlgorithms", VpnTunnelOptions.IntegrityNames);
            CheckNames(tunnel.Phase2IntegrityAlgorithms, path + ".phase2IntegrityAlgorithms", VpnTunnelOptions.IntegrityNames);
            CheckGroups(tunnel.Phase1DhGroupNumbers, path + ".phase1DhGroupNumbers");
            CheckGroups(tunnel.Phase2DhGroupNumbers, path + ".phase2DhGroupNumbers");
            CheckLifetime(tunnel.Phase1LifetimeSeconds, 900, 28800, path + ".phase1LifetimeSeconds");
            if (CheckLifetime(tunnel.Phase2LifetimeSeconds, 900, 3600, path + ".phase2LifetimeSeconds")
                && tunnel.Phase2LifetimeSeconds > tunnel.Phase1LifetimeSeconds)
            {
                Add(path + ".phase2LifetimeSeconds", $"{tunnel.Phase2LifetimeSeconds} is longer than phase1LifetimeSeconds ({tunnel.Phase1LifetimeSeconds})");
            }
            // A test's shortened child lifetime takes a margin under AWS's 60 s minimum, so rekeys come seconds apart.
            var shortenedForTest = IsTestLifetime(tunnel.Phase2LifetimeSeconds);
            CheckRange(tunnel.RekeyMarginTimeSeconds, shortenedForTest ? 1 : 60, Math.Max(shortenedForTest ? 1 : 60, tunnel.Phase2LifetimeSeconds / 2),
                path + ".rekeyMarginTimeSeconds", "seconds (at most half of phase2LifetimeSeconds)");
            CheckRange(tunnel.RekeyFuzzPercentage, 0, 100, path + ".rekeyFuzzPercentage", "percent");
            CheckRange(tunnel.ReplayWindowSize, 64, 2048, path + ".replayWindowSize", "packets");
            CheckRange(tunnel.DpdTimeoutSeconds, 30, int.MaxValue, path + ".dpdTimeoutSeconds", "seconds");
            if (tunnel.DpdTimeoutAction is not ("clear" or "restart" or "none"))
                Add(path + ".dpdTimeoutAction", $"{ResourceName.Quote(tunnel.DpdTimeoutAction)} is not clear, restart or none");
            if (tunnel.StartupAction is not ("add" or "start"))
                Add(path + ".startupAction", $"{ResourceName.Quote(tunnel.StartupAction)} is not add or start");
        }

        /// <summary>AWS's rules: 8–64 characters, letters, digits, periods and underscores, not starting with zero.</summary>
        private void CheckPreSharedKey(string? key, string path)
        {
            if (string.IsNullOrEmpty(key))
                Add(path, "is required (8–64 characters: letters, digits, periods, underscores; not starting with 0)");
            else if (key.Length is < 8 or > 64)
                Add(path, $"has {key.Length} characters; a pre-shared key has 8–64");
            else if (!key.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_'))
                Add(path, "may hold only letters, digits, periods and underscores");
            else if (key[0] == '0')
                Add(path, "must not start with 0");
            // The key itself is never echoed into a message.
        }

        private void CheckNames(System.Collections.Immutable.ImmutableArray<string> names, string path, System.Collections.Immutable.ImmutableArray<string> allowed)
        {
            var list = Items(names);
            if (list.IsEmpty)
                Add(path, $"needs at least one of {string.Join(", ", allowed)}");
            for (var i = 0; i < list.Length; i++)
            {
                if (!allowed.Contains(list[i] ?? ""))
                    Add($"{path}[{i}]", $"{ResourceName.Quote(list[i])} is not one of {string.Join(", ", allowed)}");
            }
        }

        private void CheckGroups(System.Collections.Immutable.ImmutableArray<int> groups, string path)
        {
            if (groups.IsDefaultOrEmpty)
                Add(path, "needs at least one Diffie-Hellman group (2, 14–24)");
            for (var i = 0; i < groups.Length; i++)
            {
                if (!VpnTunnelOptions.DhGroups.Contains(groups[i]))
                    Add($"{path}[{i}]", $"{groups[i]} is not a Diffie-Hellman group AWS accepts (2, 14–24)");
            }
        }

        /// <summary>
        /// IKE and child SA lifetimes a test may use instead of AWS's (at least 900 s), so that a live test sees rekeys
        /// within a minute; the way flow logs' <c>maxAggregationInterval</c> takes 1..59.
        /// </summary>
        private const int TestLifetimeMin = 10, TestLifetimeMax = 119;

        private static bool IsTestLifetime(int seconds) => seconds is >= TestLifetimeMin and <= TestLifetimeMax;

        /// <summary>AWS's range for an SA lifetime, or 10..119 seconds for a test.</summary>
        private bool CheckLifetime(int value, int min, int max, string path)
        {
            if ((value >= min && value <= max) || IsTestLifetime(value))
                return true;
            Add(path, string.Create(CultureInfo.InvariantCulture,
                $"{value} is not in {min}..{max} seconds (or {TestLifetimeMin}..{TestLifetimeMax} to shorten it for a test)"));
            return false;
        }

        private bool CheckRange(int value, int min, int max, string path, string unit)
        {
            if (value >= min && value <= max)
                return true;
            Add(path, max == int.MaxValue ? $"{value} is below {min} {unit}" : $"{value} is not in {min}..{max} {unit}");
            return false;
        }

        /// <summary>The edge tells IKE tunnels apart by the address their packets come to: each outside address once per region.</summary>
        private void ClaimOutsideAddress(uint address, string path)
        {
            if (!_outsideAddresses.TryAdd(address, path))
                Add(path, $"{AddressText.Format(address)} is already the edge address of {_outsideAddresses[address]}");
        }

        private static readonly Prefix LinkLocal = new(0xA9FE0000, 16);

        private static readonly Prefix[] ReservedInsideCidrs =
        [
            new(0xA9FE0000, 30), new(0xA9FE0100, 30), new(0xA9FE0200, 30), new(0xA9FE0300, 30), new(0xA9FE0400, 30),
            new(0xA9FE0500, 30), new(0xA9FEA9FC, 30),
        ];

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
