using NitroCard.Region;

namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 12: the strongSwan customer gateway's configuration (StrongSwanSite) without root or strongSwan: swanctl.conf
/// from the region's tunnel options, and the AWS algorithm names as strongSwan proposals.
/// </summary>
public sealed class StrongSwanSiteTests
{
    private static readonly RegionTopology Region = RegionLoader.Load(Path.Combine(AppContext.BaseDirectory, "regions", "ike-vpn.json"));

    private static (VpnConnection Vpn, string VpcCidr) Connection()
    {
        var vpc = Region.Vpcs.First(v => !v.VpnConnections.IsEmpty);
        return (vpc.VpnConnections[0], vpc.Cidr);
    }

    [Fact]
    public void Each_tunnel_is_an_ikev2_connection_to_its_outside_address_with_its_own_psk_in_udp()
    {
        var (vpn, cidr) = Connection();

        var conf = StrongSwanSite.SwanctlConf(vpn, cidr);

        Assert.StartsWith("connections {\n", conf, StringComparison.Ordinal);
        for (var i = 0; i < vpn.Tunnels.Length; i++)
        {
            var t = vpn.Tunnels[i];
            Assert.Contains($"  tunnel{i + 1} {{\n    version = 2\n    local_addrs = {vpn.CustomerGatewayIp}\n    remote_addrs = {t.OutsideIpAddress}\n", conf, StringComparison.Ordinal);
            Assert.Contains($"  ike-tunnel{i + 1} {{\n    id-1 = {t.OutsideIpAddress}\n    secret = \"{t.PreSharedKey}\"\n  }}\n", conf, StringComparison.Ordinal);
            Assert.Contains($"    rekey_time = {t.Phase1LifetimeSeconds - t.RekeyMarginTimeSeconds}s\n", conf, StringComparison.Ordinal);
            Assert.Contains($"        rekey_time = {t.Phase2LifetimeSeconds - t.RekeyMarginTimeSeconds}s\n        replay_window = {t.ReplayWindowSize}\n", conf, StringComparison.Ordinal);
        }
        Assert.Equal(vpn.Tunnels.Length, conf.Split('\n').Count(l => l == "    encap = yes"));
        Assert.EndsWith("}\n", conf, StringComparison.Ordinal);
    }

    [Fact]
    public void Traffic_selectors_are_the_inside_cidr_and_the_announced_networks_with_bgp_and_the_customer_networks_with_static_routes()
    {
        var (vpn, cidr) = Connection();
        var bgp = vpn with { StaticRoutesOnly = false, CustomerGatewayAsn = 65000, CustomerAnnouncedCidrs = ["172.31.0.0/16"] };
        var statics = vpn with { StaticRoutesOnly = true, CustomerGatewayAsn = null, CustomerCidrs = ["172.31.0.0/16", "172.30.0.0/24"] };
        var inside = bgp.Tunnels[0].TunnelInsideCidr;   // e.g. 169.254.10.0/30: .1 the edge, .2 the customer

        Assert.True(bgp.UsesBgp);
        Assert.Contains($"        local_ts = 172.31.0.0/16,{inside}\n        remote_ts = {cidr},{inside}\n", StrongSwanSite.SwanctlConf(bgp, cidr), StringComparison.Ordinal);
        Assert.Contains($"        local_ts = {inside}\n", StrongSwanSite.SwanctlConf(bgp with { CustomerAnnouncedCidrs = null }, cidr), StringComparison.Ordinal);
        Assert.Contains($"        local_ts = 172.31.0.0/16,172.30.0.0/24\n        remote_ts = {cidr}\n", StrongSwanSite.SwanctlConf(statics, cidr), StringComparison.Ordinal);
    }

    [Fact]
    public void Ike_proposals_put_gcm_before_cbc_and_the_groups_in_preference_order()
    {
        var options = new VpnTunnelOptions(
            Phase1EncryptionAlgorithms: ["AES128", "AES256-GCM-16", "AES256"],
            Phase1IntegrityAlgorithms: ["SHA2-512", "SHA2-256"],
            Phase1DhGroupNumbers: [14, 2, 20, 19]);

        Assert.Equal("aes256gcm16-prfsha256-prfsha512-ecp256-ecp384-modp2048-modp1024,aes256-aes128-sha256-sha512-ecp256-ecp384-modp2048-modp1024",
            StrongSwanSite.IkeProposals(options));
        Assert.Equal("aes128-sha384-modp3072", StrongSwanSite.IkeProposals(new VpnTunnelOptions(
            Phase1EncryptionAlgorithms: ["AES128"], Phase1IntegrityAlgorithms: ["SHA2-384"], Phase1DhGroupNumbers: [15])));
    }

    [Fact]
    public void Esp_proposals_are_the_gcm_ciphers_larger_key_first_then_cbc_with_the_listed_integrity()
    {
        Assert.Equal("aes256gcm16-aes128gcm16,aes128-sha256-sha384-sha512",
            StrongSwanSite.EspProposals(new VpnTunnelOptions(Phase2EncryptionAlgorithms: ["AES128-GCM-16", "AES256-GCM-16", "AES128"])));
        Assert.Equal("aes128gcm16", StrongSwanSite.EspProposals(new VpnTunnelOptions(Phase2EncryptionAlgorithms: ["AES128-GCM-16"])));
        Assert.Equal("aes256-aes128-sha384",
            StrongSwanSite.EspProposals(new VpnTunnelOptions(Phase2EncryptionAlgorithms: ["AES128", "AES256"], Phase2IntegrityAlgorithms: ["SHA2-384"])));
    }

    [Fact]
    public void Charon_logs_to_the_sites_file_with_kernel_libipsec()
    {
        var conf = StrongSwanSite.StrongSwanConf("/run/nitrocard/vpn-1/charon.log");

        Assert.Contains("/run/nitrocard/vpn-1/charon.log", conf, StringComparison.Ordinal);
        Assert.Contains("kernel-libipsec {\n      load = yes", conf, StringComparison.Ordinal);
    }

    /// <summary>What swanctl 5.9.8 prints for one site with both tunnels up (SPIs and times vary).</summary>
    private const string ListSas = """
        tunnel2: #2, ESTABLISHED, IKEv2, 8a5fa7ed6ca3e2c1_i* 2b5ee4e4a1c8c5a5_r
          local  '203.0.113.9' @ 203.0.113.9[4500]
          remote '198.51.100.251' @ 198.51.100.251[4500]
          AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
          established 3s ago, rekeying in 27916s
          tunnel2: #2, reqid 2, INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-128/HMAC_SHA2_256_128
            installed 3s ago, rekeying in 3177s, expires in 3690s
            in  c4d46d36 (-|0x00000000),      0 bytes,     0 packets
            out 9b2d7a55 (-|0x00000000),      0 bytes,     0 packets
            local  172.31.0.0/16
            remote 10.0.0.0/16
        tunnel1: #1, ESTABLISHED, IKEv2, 4f3c2e1dd0a1b2c3_i* 9e8d7c6b5a493827_r
          local  '203.0.113.9' @ 203.0.113.9[4500]
          remote '198.51.100.250' @ 198.51.100.250[4500]
          AES_GCM_16-256/PRF_HMAC_SHA2_256/ECP_256
          established 3s ago, rekeying in 27911s
          tunnel1: #1, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:AES_GCM_16-256
            installed 3s ago, rekeying in 3190s, expires in 3690s
            in  c81b6f2e (-|0x00000000),     84 bytes,     1 packets,     0s ago
            out 5c3a2b1d (-|0x00000000),     84 bytes,     1 packets,     0s ago
            local  172.31.0.0/16
            remote 10.0.0.0/16

        """;

    [Fact]
    public void List_sas_gives_each_tunnels_ike_and_esp_proposals_and_whether_it_is_up()
    {
        var tunnels = StrongSwanSite.ParseListSas(ListSas);

        Assert.Equal(2, tunnels.Count);
        var (two, one) = (tunnels[0], tunnels[1]);
        Assert.Equal(new NegotiatedTunnel("tunnel1", "ESTABLISHED", "IKEv2", "AES_GCM_16-256/PRF_HMAC_SHA2_256/ECP_256", "INSTALLED", "TUNNEL-in-UDP", "AES_GCM_16-256"), one);
        Assert.Equal("IKEv2 AES_GCM_16-256/PRF_HMAC_SHA2_256/ECP_256, ESP-in-UDP AES_GCM_16-256", one.ToString());
        Assert.Equal("IKEv2 AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048, ESP-in-UDP AES_CBC-128/HMAC_SHA2_256_128", two.ToString());
        Assert.True(one.IsUp && two.IsUp);
    }

    [Fact]
    public void List_sas_of_a_tunnel_still_connecting_is_not_up_and_says_it_has_no_child_sa()
    {
        var tunnel = Assert.Single(StrongSwanSite.ParseListSas("""
            tunnel1: #3, CONNECTING, IKEv2, 4f3c2e1dd0a1b2c3_i* 0000000000000000_r
              local  '203.0.113.9' @ 203.0.113.9[500]
              remote '198.51.100.250' @ 198.51.100.250[500]
              queued:  tunnel1
            """));

        Assert.False(tunnel.IsUp);
        Assert.Equal("IKEv2 -, ESP (no child SA)", tunnel.ToString());
        Assert.Empty(StrongSwanSite.ParseListSas(""));
    }
}
