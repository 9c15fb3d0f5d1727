using System.Diagnostics;

namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 6's contract on a real machine: <c>nitroctl region up</c> puts each ENI in a namespace named by its id
/// over Verilated (or model) cards and kernel-VXLAN hosts; real ping and TCP cross them; overlapping VPCs stay
/// isolated; teardown leaves nothing; a killed run is cleaned by <c>region down</c>. Needs root: skipped with the
/// reason otherwise. The tests of this class run one after another (one region at a time).
/// </summary>
public class LiveRegionTests
{
    private const string TwoHosts = "two-hosts.json";
    private const string WithKernelHost = "with-kernel-host.json";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    [SkippableFact]
    public void Model_cards_carry_ping_and_tcp_keep_overlapping_vpcs_apart_and_leave_nothing_behind()
    {
        Host.RequireLiveRegion();
        using (var region = LiveRegionProcess.Up(TwoHosts, "model", ReadyTimeout))
        {
            // eth0 as the contract says.
            var eth0 = Host.In("eni-red1", "ip", "-o", "-4", "address", "show", "dev", "eth0").Output;
            Assert.Contains("10.0.1.10/24", eth0, StringComparison.Ordinal);
            var link = Host.In("eni-red1", "ip", "-o", "link", "show", "dev", "eth0").Output;
            Assert.Contains("mtu 9001", link, StringComparison.Ordinal);
            Assert.Contains("02:00:0a:00:01:0a", link, StringComparison.Ordinal);
            Assert.Contains("default via 10.0.1.1 dev eth0", Host.In("eni-red1", "ip", "route").Output, StringComparison.Ordinal);

            // Across the two cards: another subnet, the same subnet, and the other VPC with the same addresses.
            AssertPings("eni-red1", "10.0.2.20");
            AssertPings("eni-red1", "10.0.1.30");
            AssertPings("eni-blue1", "10.0.1.20");
            AssertPings("eni-blue2", "10.0.1.10");

            // TCP: a line sent from eni-red1 to a listener on eni-red2 (host-b).
            AssertTcpExchange("eni-red2", "10.0.2.20", "eni-red1");

            // Isolation: 10.0.1.30 exists only in the red VPC; from blue it is an unknown destination on host-a's card.
            Assert.NotEqual(0, Host.Ping("eni-blue1", "10.0.1.30", count: 2).Code);
            var alarms = Host.Run(LiveRegionProcess.Nitroctl, "card", "--host", "host-a", "alarms");
            Assert.Equal(0, alarms.Code);
            Assert.Matches(@"unknown-destination slot \d+ vni 1002 .* inner 10\.0\.1\.10 -> 10\.0\.1\.30", alarms.Output);
            var counters = Host.Run(LiveRegionProcess.Nitroctl, "card", "--host", "host-a", "counters");
            Assert.Equal(0, counters.Code);
            Assert.Matches(@"eni_\d+_id: eni-blue1", counters.Output);
            Assert.Matches(@"drop_unknown_destination: [1-9]", counters.Output);
            Assert.Contains("VNI", Host.Run(LiveRegionProcess.Nitroctl, "card", "--host", "host-b", "tables").Output, StringComparison.OrdinalIgnoreCase);

            Assert.Equal(0, region.Stop(TimeSpan.FromSeconds(30)));
        }
        AssertNothingLeft();
    }

    [SkippableFact]
    public void Rtl_cards_and_a_kernel_vxlan_host_interoperate_both_ways()
    {
        Host.RequireLiveRegion();
        using (var region = LiveRegionProcess.Up(WithKernelHost, "rtl", ReadyTimeout))
        {
            AssertPings("eni-red1", "10.0.2.20");   // card → card, across subnets
            AssertPings("eni-red1", "10.0.1.40");   // card → kernel VXLAN, same subnet
            AssertPings("eni-red5", "10.0.1.10");   // kernel VXLAN → card, across subnets
            AssertPings("eni-red4", "10.0.1.30");   // kernel VXLAN → card, same subnet
            AssertPings("eni-red4", "10.0.2.50");   // two instances of the kernel host in different subnets
            AssertTcpExchange("eni-red4", "10.0.1.40", "eni-red2");

            var trace = Path.Combine(Path.GetTempPath(), $"nitrocard-live-{Guid.NewGuid():N}.fst");
            try
            {
                Assert.Equal(0, Host.Run(LiveRegionProcess.Nitroctl, "card", "--host", "host-a", "trace", "start", trace).Code);
                AssertPings("eni-red1", "10.0.1.30", count: 1);
                Assert.Equal(0, Host.Run(LiveRegionProcess.Nitroctl, "card", "--host", "host-a", "trace", "stop").Code);
                Assert.True(new FileInfo(trace).Length > 0, "the FST waveform is empty");
            }
            finally
            {
                File.Delete(trace);
            }
            var counters = Host.Run(LiveRegionProcess.Nitroctl, "card", "--host", "host-b", "counters").Output;
            Assert.Contains("drop_spoofed_source: 0", counters, StringComparison.Ordinal);
            Assert.Equal(0, region.Stop(TimeSpan.FromSeconds(30)));
        }
        AssertNothingLeft();
    }

    [SkippableFact]
    public void After_a_killed_region_region_down_cleans_up_and_a_new_region_comes_up()
    {
        Host.RequireLiveRegion();
        using (var killed = LiveRegionProcess.Up(TwoHosts, "model", ReadyTimeout))
        {
            killed.Kill();
            Assert.Contains("eni-red1", Host.Namespaces());
            var refused = Host.Run(LiveRegionProcess.Nitroctl, "region", "up", "--topology", LiveRegionProcess.Region(TwoHosts), "--engine", "model");
            Assert.NotEqual(0, refused.Code);
            Assert.Contains("region down", refused.Output, StringComparison.Ordinal);
            var down = Host.Run(LiveRegionProcess.Nitroctl, "region", "down");
            Assert.Equal(0, down.Code);
            Assert.Contains("removed netns eni-red1", down.Output, StringComparison.Ordinal);
            AssertNothingLeft();
        }
        using (var again = LiveRegionProcess.Up(TwoHosts, "model", ReadyTimeout))
        {
            AssertPings("eni-red2", "10.0.1.10");
            Assert.Equal(0, again.Stop(TimeSpan.FromSeconds(30)));
        }
        AssertNothingLeft();
    }

    [SkippableFact]
    public void The_mapping_service_can_run_on_etcd()
    {
        Host.RequireLiveRegion();
        Skip.IfNot(NitroCard.Mapping.Hosting.LocalEtcdCluster.Available, "etcd-server is not installed (/usr/bin/etcd); build.ps1 installs it as root");
        using var data = new TempDir("nitrocard-etcd-");
        using var etcd = NitroCard.Mapping.Hosting.LocalEtcdCluster.StartAsync(data.Path, size: 1).GetAwaiter().GetResult();
        using (var region = LiveRegionProcess.Up(TwoHosts, "model", ReadyTimeout, "--store", etcd.Url))
        {
            Assert.Contains($"(store {etcd.Url})", region.Error, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(LiveRegionProcess.RunDirectory, "mapping.db")), "the embedded store was used");
            AssertPings("eni-red1", "10.0.1.30");
            var enis = LiveRegionProcess.Api("describe-network-interfaces", "--host", "host-b");
            Assert.Equal(0, enis.Code);
            Assert.Contains("eni-blue2", enis.Output, StringComparison.Ordinal);
            // A new ENI written to etcd reaches host-a's card and becomes an instance.
            Assert.Equal(0, LiveRegionProcess.Api("create-network-interface", "--subnet-id", "subnet-red-b", "--host", "host-a",
                "--network-interface-id", "eni-red7", "--private-ip-address", "10.0.2.77", "--groups", "sg-red-open").Code);
            WaitForPing("eni-red2", "10.0.2.77");
            Assert.Equal(0, region.Stop(TimeSpan.FromSeconds(30)));
        }
        AssertNothingLeft();
    }

    [SkippableFact]
    public void The_region_can_start_its_own_etcd_cluster_with_replicated_mapping_services_and_stops_it_with_itself()
    {
        Host.RequireLiveRegion();
        Skip.IfNot(NitroCard.Mapping.Hosting.LocalEtcdCluster.Available, "etcd-server is not installed (/usr/bin/etcd); build.ps1 installs it as root");
        var etcdData = Path.Combine(LiveRegionProcess.RunDirectory, "etcd");
        using (var region = LiveRegionProcess.Up(TwoHosts, "model", ReadyTimeout, "--store", "etcd", "--replicas", "2"))
        {
            Assert.Matches(@"mapping service https://127\.0\.0\.1:\d+/ \(store etcd://127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+\)", region.Error);
            Assert.Contains("mapping service replica https://127.0.0.1:", region.Error, StringComparison.Ordinal);
            Assert.Equal(2, LiveRegionProcess.Endpoint.Split(',').Length);
            Assert.Equal(3, EtcdMembers(etcdData).Count);
            Assert.False(File.Exists(Path.Combine(LiveRegionProcess.RunDirectory, "mapping.db")), "the embedded store was used");
            AssertPings("eni-red1", "10.0.1.30");
            // nitroctl given both replicas (the endpoint file) writes through the leader; the new ENI reaches host-a's card.
            Assert.Equal(0, LiveRegionProcess.Api("create-network-interface", "--subnet-id", "subnet-red-b", "--host", "host-a",
                "--network-interface-id", "eni-red7", "--private-ip-address", "10.0.2.77", "--groups", "sg-red-open").Code);
            WaitForPing("eni-red2", "10.0.2.77");
            Assert.Equal(0, region.Stop(TimeSpan.FromSeconds(30)));
        }
        AssertNothingLeft();
        Assert.Empty(EtcdMembers(etcdData));
        Assert.False(Directory.Exists(etcdData), $"{etcdData} is left");
    }

    /// <summary>The etcd processes whose data is under <paramref name="directory"/>.</summary>
    internal static List<int> EtcdMembers(string directory)
        => LiveRegionProcess.ProcessesWhere(a => a[0] == NitroCard.Mapping.Hosting.LocalEtcdCluster.Binary && a.Any(x => x.StartsWith(directory, StringComparison.Ordinal)));

    [SkippableFact]
    public void The_demo_runs_live_every_step_does_what_it_should_and_the_substrate_capture_decodes()
    {
        Host.RequireLiveRegion();
        Skip.IfNot(Host.HasTool("tshark"), "tshark is not installed; build.ps1 installs it as root");
        using var dir = new TempDir("nitrocard-demo-");
        var (code, output) = Host.Run(TimeSpan.FromMinutes(4), LiveRegionProcess.Nitroctl, "demo", "--engine", "model", "--out", dir.Path);
        Assert.True(code == 0, output);
        Assert.Contains("engine: model (asked for)", output, StringComparison.Ordinal);
        Assert.Contains("crossed as expected: 17 of 17 steps", output, StringComparison.Ordinal);
        // The instance services' steps: the public IP from IMDSv2, a name from the resolver, the flow log's lines.
        Assert.Matches(@"public-ipv4 198\.51\.100\.10 \(on no interface of the instance", output);
        Assert.Matches(@"getent hosts \S+, the resolver at 10\.0\.0\.2\)[^\n]*\n[^\n]*10\.0\.2\.20 ", output);
        Assert.Matches(@"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status", output);
        Assert.Matches(@"\d+ records \(\d+ ACCEPT, \d+ REJECT\)", output);
        // The static VPN step: each tunnel's proposals as strongSwan's swanctl --list-sas reports them, and the site's ping.
        Assert.Matches(@"tunnel1 IKEv2 AES_GCM_16-256/PRF_HMAC_SHA2_256/ECP_256, ESP-in-UDP AES_GCM_16-256; tunnel2 IKEv2 AES_GCM_16-256/PRF_HMAC_SHA2_256/ECP_256, ESP-in-UDP AES_GCM_16-256; 3 packets transmitted, 3 received", output);
        // The BGP VPN step: strongSwan's proposals on both tunnels and the site's prefix, configured only in BIRD, learned.
        Assert.Matches(@"tunnel1 UP ike AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256 esp AES_GCM_16_256 in UDP 4500 bgp Established; tunnel2 UP .* bgp Established; prefixes learned over BGP 172\.30\.0\.0/24; 3 packets transmitted, 3 received", output);
        Assert.Matches(@"host-a: cycle \d+ spoofed-source slot \d+ vni 1001 outer-src 192\.0\.2\.13 inner 10\.0\.2\.20 -> 10\.0\.1\.10", output);
        Assert.Contains("every step did what it should", output, StringComparison.Ordinal);
        var vxlan = Host.Run("tshark", "-r", dir.File("underlay.pcapng"), "-Y", "vxlan.vni == 1001 && icmp").Output;
        Assert.Contains("ICMP", vxlan, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir.Path, "edge", "edge-services.pcap")));
        AssertNothingLeft();
    }

    /// <summary>Pings until the first answer (a pushed change takes a moment to reach the hosts), at most 20 s.</summary>
    internal static void WaitForPing(string from, string ip)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        (int Code, string Output) last;
        do
        {
            last = Host.Ping(from, ip, count: 1);
            if (last.Code == 0)
                return;
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"{from} cannot ping {ip} after 20 s: {last.Output}");
    }

    internal static void AssertPings(string from, string ip, int count = 3)
    {
        var (code, output) = Host.Ping(from, ip, count);
        Assert.True(code == 0, $"{from} cannot ping {ip}: {output}");
    }

    internal static void AssertTcpExchange(string serverEni, string serverIp, string clientEni)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", serverEni, "timeout", "20", "nc", "-l", "7000" })
            start.ArgumentList.Add(a);
        using var server = Process.Start(start)!;
        try
        {
            var received = server.StandardOutput.ReadToEndAsync();
            (int Code, string Output) sent = (-1, "");
            for (var attempt = 0; attempt < 20 && sent.Code != 0; attempt++)
            {
                Thread.Sleep(200);
                sent = Host.In(clientEni, "sh", "-c", $"echo hello-across-nitro | timeout 10 nc -N -w 5 {serverIp} 7000");
            }
            Assert.True(sent.Code == 0, $"nc from {clientEni} to {serverIp}:7000 failed: {sent.Output}");
            Assert.True(server.WaitForExit(15_000), "the nc listener did not finish");
            Assert.Equal("hello-across-nitro", received.Result.Trim());
        }
        finally
        {
            if (!server.HasExited)
                server.Kill(entireProcessTree: true);
        }
    }

    private static void AssertNothingLeft() => LiveRegionProcess.AssertNothingLeft();
}
