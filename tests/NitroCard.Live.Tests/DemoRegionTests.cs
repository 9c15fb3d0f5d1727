using System.Text.RegularExpressions;

namespace NitroCard.Live.Tests;

/// <summary>
/// The demo region live: two VPCs with the same addresses, two card hosts, a kernel VXLAN host, the Blackfoot edge and
/// the outside namespaces (internet, services, VPN sites behind strongSwan, a Direct Connect
/// site behind the Q-in-Q router), everything programmed by the Mapping Service. One region per engine, shared by the
/// tests of the class.
/// </summary>
public abstract class DemoRegionTests(SharedRegion shared)
{
    private const string Blue = "eni-blue-a1";       // host-a, 10.0.1.10, public 198.51.100.10
    private const string BlueB = "eni-blue-b1";      // host-b, 10.0.2.20
    private const string BlueKernel = "eni-blue-k1"; // host-k (linux-vxlan), 10.0.1.30, public 198.51.100.30
    private const string S3 = "http://198.51.100.129";

    [SkippableFact]
    public void The_edge_heartbeats_the_Mapping_Service_and_nitroctl_edges_shows_it_healthy()
    {
        shared.Require();
        // Twice, 1.5 s apart: the heartbeat keeps coming (every second), not one left over from the start.
        for (var i = 0; i < 2; i++)
        {
            var (code, output) = LiveRegionProcess.Api("edges");
            Assert.True(code == 0, output);
            Assert.Contains("\"name\": \"blackfoot-1\"", output, StringComparison.Ordinal);
            Assert.Contains("\"healthy\": true", output, StringComparison.Ordinal);
            Assert.Contains("\"inEdgeSet\": true", output, StringComparison.Ordinal);
            var since = Regex.Match(output, "\"sinceHeartbeatSeconds\": ([0-9.]+)");
            Assert.True(since.Success, output);
            Assert.True(double.Parse(since.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) < 2.5, output);
            Thread.Sleep(1500);
        }
    }

    [SkippableFact]
    public void Internet_reaches_public_ips_and_instances_reach_the_internet()
    {
        shared.Require();
        LiveRegionTests.AssertPings("internet", "198.51.100.10");  // 1:1 NAT to eni-blue-a1 on a card
        LiveRegionTests.AssertPings("internet", "198.51.100.30");  // and to eni-blue-k1 on the kernel host
        LiveRegionTests.AssertPings(Blue, "203.0.113.1");
        LiveRegionTests.AssertPings(BlueKernel, "203.0.113.1");
        using (InstanceHttpServer.Start(Blue, "10.0.1.10"))
        {
            var (code, body) = Retry(() => Host.HttpGet("internet", "http://198.51.100.10/hello.txt"));
            Assert.True(code == 0, $"internet cannot fetch from 198.51.100.10: {body}");
            Assert.Equal("hello from eni-blue-a1", body.Trim());
        }
        Assert.True(EdgeCounter("nat.inbound") > 0 && EdgeCounter("nat.outbound") > 0);
        Assert.True(File.Exists(Path.Combine(shared.Captures, "edge-internet.pcap")), "no capture of the internet port");
    }

    [SkippableFact]
    public void S3_through_the_gateway_endpoint_answers_an_allowed_bucket_and_resets_a_denied_one()
    {
        shared.Require();
        var allowed = Host.HttpGet(Blue, S3 + "/allowed-bucket/hello.txt", "s3.amazonaws.com");
        Assert.True(allowed.Code == 0, "GET allowed-bucket failed: " + allowed.Output);
        Assert.Contains("s3 object /allowed-bucket/hello.txt", allowed.Output, StringComparison.Ordinal);
        var denied = Host.HttpGet(Blue, S3 + "/other-bucket/hello.txt", "s3.amazonaws.com");
        Assert.Equal(56, denied.Code); // curl: failure receiving data — the connection was reset
        Assert.Contains("reset", denied.Output, StringComparison.OrdinalIgnoreCase);
        Assert.True(EdgeCounter("endpoint.rst") > 0, "the edge counted no reset");
    }

    [SkippableFact]
    public void A_static_vpn_site_behind_strongswan_reaches_the_vpc_through_esp_in_udp_both_ways()
    {
        shared.Require();
        LiveRegionTests.WaitForPing("vpn-vpn-1", "10.0.1.10");  // card host, once strongSwan's tunnels are up
        LiveRegionTests.AssertPings("vpn-vpn-1", "10.0.2.40");  // kernel host
        LiveRegionTests.AssertTcpExchange(BlueB, "10.0.2.20", "vpn-vpn-1");
        // The edge sends on tunnel 1 (preferred); the site's charon may send on either of its two child SAs.
        Assert.True(EdgeCounter("esp.encrypted.vpn-1.tunnel1") > 0);
        Assert.True(EdgeCounter("esp.decrypted.vpn-1.tunnel1") + EdgeCounter("esp.decrypted.vpn-1.tunnel2") > 0);
        // IKE on 500 then 4500 from strongSwan's customer gateway, and the site's traffic as ESP in UDP 4500.
        var pcap = Path.Combine(shared.Captures, "edge-vpn-vpn-1.pcap");
        Assert.Contains("IKE_SA_INIT", Host.Run("tshark", "-r", pcap, "-Y", "udp.port == 500").Output, StringComparison.Ordinal);
        var esp = Host.Run("tshark", "-r", pcap, "-Y", "esp && udp.port == 4500").Output;
        Assert.Matches(@"203\.0\.113\.9 → 198\.51\.100\.25[01] +ESP", esp);
    }

    [SkippableFact]
    public void A_direct_connect_site_reaches_the_vpc_through_q_in_q_both_ways()
    {
        shared.Require();
        LiveRegionTests.AssertPings("dx-dxcon-1", "10.0.2.20");
        LiveRegionTests.AssertPings("dx-dxcon-1", "10.0.1.30");
        Assert.True(EdgeCounter("dx.inbound") > 0 && EdgeCounter("dx.outbound") > 0);
        var tags = Host.Run("tshark", "-r", Path.Combine(shared.Captures, "edge-dx-dxcon-1.pcap"), "-T", "fields", "-e", "ieee8021ad.id", "-e", "vlan.id").Output;
        Assert.Contains("100\t200", tags, StringComparison.Ordinal); // S-tag 100, C-tag 200 on the wire to the edge
    }

    [SkippableFact]
    public void Overlapping_vpcs_stay_apart_and_a_vpc_without_gateway_does_not_leave()
    {
        shared.Require();
        LiveRegionTests.AssertPings("eni-red-a1", "10.0.1.11");
        Assert.NotEqual(0, Host.Ping("eni-red-a1", "10.0.1.30", count: 1).Code);   // blue's kernel instance: not in red
        Assert.NotEqual(0, Host.Ping("eni-red-a1", "203.0.113.1", count: 1).Code); // red has no internet gateway
        LiveRegionTests.AssertPings(BlueKernel, "10.0.2.40"); // two subnets on the kernel host
    }

    [SkippableFact]
    public void A_forged_source_is_dropped_and_alarmed_up_to_the_mapping_service()
    {
        shared.Require();
        Host.Run("ip", "-n", Blue, "address", "add", "10.0.1.99/32", "dev", "eth0");
        try
        {
            Assert.NotEqual(0, Host.In(Blue, "ping", "-c", "1", "-W", "1", "-I", "10.0.1.99", "10.0.2.20").Code);
        }
        finally
        {
            Host.Run("ip", "-n", Blue, "address", "del", "10.0.1.99/32", "dev", "eth0");
        }
        Assert.Matches(@"source-check slot \d+ vni 1001 .* inner 10\.0\.1\.99 -> 10\.0\.2\.20", LiveRegionProcess.Card("host-a", "alarms").Output);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string alarms;
        do
        {
            alarms = LiveRegionProcess.Api("alarms").Output;
        }
        while (!alarms.Contains("10.0.1.99", StringComparison.Ordinal) && DateTime.UtcNow < deadline);
        Assert.Matches("(?s)host-a.*source-check|source-check.*host-a", alarms);
    }

    [SkippableFact]
    public void Changes_to_the_running_mapping_service_reach_cards_and_kernel_hosts()
    {
        shared.Require();
        const string Eni = "eni-blue-b9";
        var created = LiveRegionProcess.Api("create-network-interface", "--subnet-id", "subnet-blue-b", "--host", "host-b",
            "--network-interface-id", Eni, "--private-ip-address", "10.0.2.99", "--groups", "sg-blue");
        Assert.True(created.Code == 0, created.Output);
        try
        {
            LiveRegionTests.WaitForPing(Blue, "10.0.2.99");        // a card learnt the new ENI; host-b's card serves it
            LiveRegionTests.WaitForPing(BlueKernel, "10.0.2.99");  // the kernel host's FDB too
            Assert.Contains(Eni, LiveRegionProcess.Card("host-b", "tables").Output, StringComparison.Ordinal);
            // A public IP associated on the running service: the edge follows, the internet reaches it.
            Assert.Equal(0, LiveRegionProcess.Api("associate-address", "--network-interface-id", Eni, "--public-ip", "198.51.100.99").Code);
            LiveRegionTests.WaitForPing("internet", "198.51.100.99");

            // Moved to the kernel host: the instance keeps its namespace, its eth0 now a veth on host-k's bridge.
            Assert.Equal(0, LiveRegionProcess.Api("move-network-interface", "--network-interface-id", Eni, "--to-host", "host-k").Code);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (LiveRegionProcess.Card("host-b", "tables").Output.Contains(Eni, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
                Thread.Sleep(100);
            Assert.DoesNotContain(Eni, LiveRegionProcess.Card("host-b", "tables").Output, StringComparison.Ordinal);
            LiveRegionTests.WaitForPing(Blue, "10.0.2.99");
            LiveRegionTests.WaitForPing("internet", "198.51.100.99"); // the edge now sends it to host-k
            Assert.Contains("link-netns nc-host-host-k", Host.In(Eni, "ip", "-o", "link", "show", "dev", "eth0").Output, StringComparison.Ordinal);
            var hosts = LiveRegionProcess.Api("describe-hosts").Output;
            var versions = Regex.Matches(hosts, "\"ackedVersion\": (\\d+),\\s*\"regionVersion\": (\\d+)");
            Assert.Equal(3, versions.Count);
            Assert.All(versions, m => Assert.Equal(m.Groups[2].Value, m.Groups[1].Value));
        }
        finally
        {
            LiveRegionProcess.Api("delete-network-interface", "--network-interface-id", Eni);
        }
        var gone = DateTime.UtcNow.AddSeconds(20);
        while (Host.Ping(Blue, "10.0.2.99", count: 1).Code == 0 && DateTime.UtcNow < gone)
            Thread.Sleep(100);
        Assert.NotEqual(0, Host.Ping(Blue, "10.0.2.99", count: 1).Code);
    }

    private static long EdgeCounter(string name) => LiveRegionProcess.EdgeCounter("blackfoot-1", name);

    private static (int Code, string Output) Retry(Func<(int Code, string Output)> attempt)
    {
        var result = attempt();
        for (var i = 0; i < 20 && result.Code != 0; i++)
        {
            Thread.Sleep(200);
            result = attempt();
        }
        return result;
    }
}

public sealed class ModelDemoRegionTests(ModelDemoRegion region) : DemoRegionTests(region), IClassFixture<ModelDemoRegion>;

public sealed class RtlDemoRegionTests(RtlDemoRegion region) : DemoRegionTests(region), IClassFixture<RtlDemoRegion>;
