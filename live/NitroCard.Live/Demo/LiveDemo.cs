using System.Diagnostics;
using System.Globalization;
using System.Net;
using NitroCard.Card;
using NitroCard.Live.Control;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Live.Demo;

/// <summary>
/// <c>nitroctl demo</c> on a live region: the demo region comes up (Mapping Service, two card hosts, a kernel VXLAN
/// host, the edge and the outside namespaces), real programs send real traffic through it, and a summary says what
/// crossed, what was dropped and why, which alarms were raised and what each card counted, with the captures' paths,
/// written to <paramref name="report"/>.
/// </summary>
/// <param name="region">The demo region.</param>
/// <param name="engine">The card hosts' engine name (<c>rtl</c> or <c>model</c>).</param>
/// <param name="createEngine">Creates one card host's engine.</param>
/// <param name="outDir">Where the captures go.</param>
/// <param name="report">Where the story and the summary go.</param>
public sealed class LiveDemo(RegionTopology region, string engine, Func<ICardEngine> createEngine, string outDir, TextWriter report)
{
    private readonly List<(string Step, bool Expected, string Detail)> _results = [];
    private readonly List<Process> _processes = [];

    /// <summary>Runs the demo; true when every step did what it should.</summary>
    public async Task<bool> RunAsync()
    {
        Directory.CreateDirectory(outDir);
        var underlayCapture = Path.Combine(outDir, "underlay.pcapng");
        var edgeCaptures = Path.Combine(outDir, "edge");
        report.WriteLine($"NitroCard live demo: two VPCs that both use 10.0.0.0/16 (blue VNI 1001, red VNI 1002), card hosts host-a and host-b ({engine} engine),");
        report.WriteLine("kernel VXLAN host host-k, the Blackfoot edge with the internet, S3 (services), two VPN sites behind strongSwan (static routing, and BGP with BIRD) and a Direct Connect site; the Mapping Service programs them all.");
        var clock = Stopwatch.StartNew();
        var live = await LiveRegion.UpAsync(region, new LiveRegionOptions(engine, createEngine, null, edgeCaptures, TimeSpan.FromSeconds(120))).ConfigureAwait(false);
        await using (live.ConfigureAwait(false))
        {
            report.WriteLine(string.Create(CultureInfo.InvariantCulture, $"region ready in {clock.Elapsed.TotalSeconds:F1} s (mapping service {live.Endpoint})"));
            report.WriteLine();
            var dumpcap = StartCapture(underlayCapture);
            try
            {
                await StoryAsync(live).ConfigureAwait(false);
            }
            finally
            {
                foreach (var process in _processes)
                    Stop(process);
                foreach (var root in Directory.EnumerateDirectories(outDir, "www-*"))
                    Directory.Delete(root, recursive: true);
                if (dumpcap is not null)
                    Stop(dumpcap, interrupt: true);
            }
            report.WriteLine();
            await SummaryAsync(live).ConfigureAwait(false);
            report.WriteLine();
            report.WriteLine("Captures (tshark -r <file>, or Wireshark):");
            if (dumpcap is not null)
                report.WriteLine($"  {underlayCapture}  (the substrate: every VXLAN frame between cards, kernel host and edge)");
            foreach (var file in Directory.EnumerateFiles(edgeCaptures, "*.pcap").Order(StringComparer.Ordinal))
                report.WriteLine($"  {file}");
            report.WriteLine();
            report.WriteLine("tearing the region down");
        }
        var failed = _results.Count(r => !r.Expected);
        report.WriteLine(failed == 0 ? "every step did what it should" : $"{failed} step(s) did not do what they should");
        return failed == 0;
    }

    private async Task StoryAsync(LiveRegion live)
    {
        Step("ping across hosts: eni-blue-a1 (host-a) -> eni-blue-b1 10.0.2.20 (host-b), another subnet",
            () => Ping("eni-blue-a1", "10.0.2.20"));
        Step("ping card -> kernel VXLAN host: eni-blue-a1 -> eni-blue-k1 10.0.1.30 (host-k, Linux's own VXLAN)",
            () => Ping("eni-blue-a1", "10.0.1.30"));
        Step("ping in the red VPC, same addresses as blue: eni-red-a1 10.0.1.10 -> eni-red-b1 10.0.1.11",
            () => Ping("eni-red-a1", "10.0.1.11"));
        Step("isolation: eni-red-a1 -> 10.0.1.30 (exists only in blue) must not answer",
            () => Negate(Ping("eni-red-a1", "10.0.1.30", count: 1), "no answer: the card dropped it as unknown-destination"));
        Serve("eni-blue-b1", "10.0.2.20", "hello from eni-blue-b1 (host-b)");
        Step("HTTP between instances: eni-blue-k1 (kernel host) GET http://10.0.2.20/ (card host)",
            () => Http("eni-blue-k1", "http://10.0.2.20/hello.txt"));
        Serve("eni-blue-a1", "10.0.1.10", "hello from eni-blue-a1 through its public IP");
        Step("HTTP from the internet to a public IP: internet (203.0.113.1) GET http://198.51.100.10/ (1:1 NAT to eni-blue-a1)",
            () => Http("internet", "http://198.51.100.10/hello.txt"));
        Step("an instance reaches the internet: eni-blue-k1 -> 203.0.113.1 (kernel host, via the edge, as 198.51.100.30)",
            () => Ping("eni-blue-k1", "203.0.113.1"));
        Step("S3 through the gateway endpoint: eni-blue-a1 GET s3.amazonaws.com/allowed-bucket/hello.txt",
            () => Http("eni-blue-a1", "http://198.51.100.129/allowed-bucket/hello.txt", "s3.amazonaws.com"));
        Step("S3, a bucket the endpoint policy denies: GET s3.amazonaws.com/other-bucket/hello.txt must be reset",
            () => Negate(Http("eni-blue-a1", "http://198.51.100.129/other-bucket/hello.txt", "s3.amazonaws.com"), "reset by the edge (endpoint policy)"));
        foreach (var vpn in region.Vpcs.SelectMany(v => v.VpnConnections).Where(v => !v.UsesBgp))
            await StaticVpnStepAsync(live, vpn).ConfigureAwait(false);
        foreach (var vpn in region.Vpcs.SelectMany(v => v.VpnConnections).Where(v => v.UsesBgp))
            await BgpVpnStepAsync(live, vpn).ConfigureAwait(false);
        Step("Direct Connect: the customer site 172.16.0.1 (namespace dx-dxcon-1) -> eni-blue-b1 10.0.2.20, Q-in-Q 100/200",
            () => Ping("dx-dxcon-1", "10.0.2.20"));
        Step("spoofing: eni-blue-a1 sends from 10.0.1.99, an address that is not its own, must be dropped",
            () =>
            {
                Shell.Ip("eni-blue-a1", "address", "add", "10.0.1.99/32", "dev", "eth0");
                try
                {
                    return Negate(Ping("eni-blue-a1", "10.0.2.20", count: 1, from: "10.0.1.99"), "dropped by host-a's card: source-check, alarm raised");
                }
                finally
                {
                    Shell.Ip("eni-blue-a1", "address", "del", "10.0.1.99/32", "dev", "eth0");
                }
            });
        Step("spoofing on the substrate: host-k sends VXLAN to host-a claiming to be eni-blue-b1 (which lives on host-b)",
            () => RogueVxlan());
        await InstanceServicesStepAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// What the card's firmware gives an instance besides forwarding: eni-blue-a1 asks the metadata service for its public
    /// IP (IMDSv2: a token, then the path), resolves eni-blue-b1's private name through the Amazon DNS resolver, and the
    /// flow log on eni-blue-a1 (<c>fl-demo</c>, 5 s intervals) shows the lines of its traffic.
    /// </summary>
    private async Task InstanceServicesStepAsync()
    {
        const string Metadata = "http://169.254.169.254/latest";
        Step("metadata (IMDSv2): eni-blue-a1 PUT /latest/api/token, then GET meta-data/public-ipv4 with the token",
            () =>
            {
                var (code, token, error) = Shell.TryRun("ip", "netns", "exec", "eni-blue-a1", "curl", "-sS", "-m", "10", "-X", "PUT",
                    "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60", $"{Metadata}/api/token");
                if (code != 0)
                    return (false, "no token: " + error.Trim());
                var (got, ip, failed) = Shell.TryRun("ip", "netns", "exec", "eni-blue-a1", "curl", "-sS", "-m", "10",
                    "-H", "X-aws-ec2-metadata-token: " + token.Trim(), $"{Metadata}/meta-data/public-ipv4");
                return got == 0 && ip.Trim() == "198.51.100.10"
                    ? (true, $"a {token.Trim().Length}-character token; public-ipv4 {ip.Trim()} (on no interface of the instance: the edge translates it)")
                    : (false, got == 0 ? $"public-ipv4 is '{ip.Trim()}', not 198.51.100.10" : failed.Trim());
            });
        var name = NitroCard.InstanceServices.Identity.Ec2Names.PrivateName(IPAddress.Parse("10.0.2.20"), region.EffectiveRegionName);
        Step($"DNS: eni-blue-a1 resolves eni-blue-b1 by name (getent hosts {name}, the resolver at 10.0.0.2)",
            () =>
            {
                var (code, output, error) = Shell.TryRun("ip", "netns", "exec", "eni-blue-a1", "getent", "hosts", name);
                var answer = string.Join(' ', output.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
                return code == 0 && answer.StartsWith("10.0.2.20 ", StringComparison.Ordinal)
                    ? (true, answer)
                    : (false, code == 0 ? $"answered '{answer}'" : $"exit {code} {error.Trim()}");
            });
        // The pings and HTTP above crossed eni-blue-a1: the card records its flows every 5 s (the log's interval), the
        // firmware drains the card every second and closes 5 s intervals; the lines are all there once two reads 6 s apart agree.
        var log = Path.Combine(LiveState.FlowLogRoot, "fl-demo", "eni-blue-a1.log");
        var deadline = Stopwatch.StartNew();
        string[] lines = [];
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            string[] now = File.Exists(log) ? [.. File.ReadLines(log).Where(l => l.EndsWith(" OK", StringComparison.Ordinal))] : [];
            if (now.Length > 0 && now.Length == lines.Length)
                break;
            lines = now;
            await Task.Delay(6000).ConfigureAwait(false);
        }
        Step($"VPC Flow Logs: the records of eni-blue-a1's traffic (fl-demo, {log}; nitroctl describe-flow-logs --flow-log fl-demo)",
            () =>
            {
                if (lines.Length == 0)
                    return (false, $"no record in {log} after 30 s (does the {engine} card keep flow records?)");
                foreach (var line in new[] { NitroCard.InstanceServices.FlowLogs.FlowLogEntry.Header }.Concat(lines.Take(16)))
                    report.WriteLine("      " + line);
                if (lines.Length > 16)
                    report.WriteLine($"      ... {lines.Length - 16} more");
                return (true, $"{lines.Length} records ({lines.Count(l => l.Contains(" ACCEPT ", StringComparison.Ordinal))} ACCEPT, {lines.Count(l => l.Contains(" REJECT ", StringComparison.Ordinal))} REJECT)");
            });
    }

    /// <summary>
    /// A VPN connection with static routing: strongSwan brings both tunnels up, and the site (the first host of its first
    /// customer network) pings an ENI of the VPC through them; prints each tunnel's proposals as charon negotiated them
    /// (<c>swanctl --list-sas</c>).
    /// </summary>
    private async Task StaticVpnStepAsync(LiveRegion live, VpnConnection vpn)
    {
        var site = LiveNames.VpnNamespace(vpn.Id);
        var target = region.Vpcs.First(v => v.VpnConnections.Contains(vpn)).Enis.First();
        var swan = live.Edge!.StrongSwanSites.First(s => s.Vpn.Id == vpn.Id);
        var deadline = Stopwatch.StartNew();
        IReadOnlyList<NegotiatedTunnel> tunnels = [];
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            tunnels = swan.NegotiatedTunnels();
            if (tunnels.Count == vpn.Tunnels.Length && tunnels.All(t => t.IsUp))
                break;
            await Task.Delay(250).ConfigureAwait(false);
        }
        var from = LiveEdge.ServiceAddress(vpn.CustomerCidrs[0]).ToString();
        Step($"VPN over strongSwan, static routing: the customer site {from} (namespace {site}) -> {target.Id} {target.Ip}",
            () =>
            {
                var (ok, detail) = Ping(site, target.Ip, from: from);
                var negotiated = string.Join("; ", tunnels.Select(t => $"{t.Name} {t}"));
                return (ok && tunnels.Count == vpn.Tunnels.Length && tunnels.All(t => t.IsUp), $"{(tunnels.Count == 0 ? "no IKE SA" : negotiated)}; {detail}");
            });
    }

    /// <summary>
    /// A BGP VPN connection: strongSwan's two tunnels and BIRD's sessions come up, the site's prefixes learned over BGP
    /// reach the cards through the Mapping Service, and the site pings an ENI of the VPC; prints the negotiated proposals
    /// and the prefixes learned.
    /// </summary>
    private async Task BgpVpnStepAsync(LiveRegion live, VpnConnection vpn)
    {
        var site = LiveNames.VpnNamespace(vpn.Id);
        var target = region.Vpcs.First(v => v.VpnConnections.Contains(vpn)).Enis.First();
        var deadline = Stopwatch.StartNew();
        VpnConnectionReply? status = null;
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            status = (await live.Edge!.VpnConnectionsAsync().ConfigureAwait(false)).Connections.FirstOrDefault(c => c.VpnId == vpn.Id);
            if (status is not null && status.Tunnels.All(t => t.Status == "UP" && t.BgpState == "Established") && status.Prefixes.Count > 0)
                break;
            await Task.Delay(250).ConfigureAwait(false);
        }
        Step($"VPN over strongSwan with BGP: BIRD's site {string.Join(", ", vpn.CustomerAnnouncedCidrs ?? [])} (namespace {site}) -> {target.Id} {target.Ip}",
            () =>
            {
                if (status is null)
                    return (false, "the edge does not know the connection");
                var tunnels = string.Join("; ", status.Tunnels.Select((t, i) => $"tunnel{i + 1} {t.Status} ike {t.IkeProposal} esp {t.EspProposal}{(t.UdpEncapsulation ? " in UDP 4500" : "")} bgp {t.BgpState}"));
                var (ok, detail) = Ping(site, target.Ip, from: LiveEdge.ServiceAddress((vpn.CustomerAnnouncedCidrs ?? [])[0]).ToString());
                return (ok, $"{tunnels}; prefixes learned over BGP {string.Join(", ", status.Prefixes.DefaultIfEmpty("none"))}; {detail}");
            });
    }

    private void Step(string title, Func<(bool Ok, string Detail)> run)
    {
        report.WriteLine($"* {title}");
        var (ok, detail) = run();
        report.WriteLine($"    {(ok ? "ok" : "UNEXPECTED")}: {detail}");
        _results.Add((title, ok, detail));
    }

    private static (bool, string) Negate((bool Ok, string Detail) result, string expected) => result.Ok ? (false, "it got through: " + result.Detail) : (true, expected);

    private static (bool, string) Ping(string ns, string ip, int count = 3, string? from = null)
    {
        string[] source = from is null ? [] : ["-I", from];
        var (code, output, _) = Shell.TryRun("ip", ["netns", "exec", ns, "ping", "-c", count.ToString(CultureInfo.InvariantCulture), "-i", "0.2", "-W", "2", .. source, ip]);
        var summary = output.Split('\n').FirstOrDefault(l => l.Contains("received", StringComparison.Ordinal))?.Trim() ?? "no answer";
        var rtt = output.Split('\n').FirstOrDefault(l => l.StartsWith("rtt", StringComparison.Ordinal))?.Trim();
        return (code == 0, rtt is null ? summary : $"{summary}; {rtt}");
    }

    private static (bool, string) Http(string ns, string url, string? host = null)
    {
        string[] header = host is null ? [] : ["-H", "Host: " + host];
        var (code, output, error) = Shell.TryRun("ip", ["netns", "exec", ns, "curl", "-sS", "-m", "10", .. header, url]);
        return (code == 0, code == 0 ? $"200, body \"{output.Trim()}\"" : error.Trim());
    }

    /// <summary>Python's http.server in an instance, serving hello.txt; stopped when the story ends.</summary>
    private void Serve(string ns, string ip, string text)
    {
        var root = Path.Combine(outDir, "www-" + ns);
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "hello.txt"), text + "\n");
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "netns", "exec", ns, "python3", "-m", "http.server", "80", "--bind", ip, "--directory", root })
            start.ArgumentList.Add(a);
        var process = Process.Start(start) ?? throw new LiveException("cannot start python3 http.server");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Shell.Run("ip", "netns", "exec", ns, "ss", "-Hltn").Contains($"{ip}:80 ", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            Thread.Sleep(100);
    }

    /// <summary>A VXLAN datagram from the kernel host's underlay address, inner source eni-blue-b1 (on host-b), to host-a.</summary>
    private (bool, string) RogueVxlan()
    {
        var blueA1 = MacAddress.Parse("02:00:0a:01:01:0a").Value;
        var blueB1 = MacAddress.Parse("02:00:0a:01:02:14").Value;
        var inner = Frames.IcmpEcho(blueA1, blueB1, IPAddress.Parse("10.0.2.20"), IPAddress.Parse("10.0.1.10"), 0x6666, 1, "forged"u8);
        var datagram = new byte[8 + inner.Length];
        VxlanHeader.Write(datagram, 1001);
        inner.CopyTo(datagram.AsSpan(8));
        var file = Path.Combine(outDir, "rogue-vxlan.bin");
        File.WriteAllBytes(file, datagram);
        var (code, _, error) = Shell.TryRun("ip", "netns", "exec", KernelVxlanHost.NamespaceOf(new RegionHost("host-k")), "sh", "-c", $"nc -u -w 1 192.0.2.11 4789 < '{file}'");
        File.Delete(file);
        return code == 0
            ? (true, "sent from 192.0.2.13; host-a's card checks the outer source against the mapping: spoofed-source, alarm raised")
            : (false, "could not send: " + error.Trim());
    }

    private Process? StartCapture(string file)
    {
        if (!File.Exists("/usr/bin/dumpcap"))
        {
            report.WriteLine("(no dumpcap: the substrate is not captured; apt-get install tshark)");
            return null;
        }
        File.Delete(file);
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "netns", "exec", LiveRegion.UnderlayNamespace, "dumpcap", "-q", "-i", "any", "-w", file })
            start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(file) && DateTime.UtcNow < deadline)
            Thread.Sleep(50);
        Thread.Sleep(300);
        return process;
    }

    private static void Stop(Process process, bool interrupt = false)
    {
        if (!process.HasExited)
        {
            if (interrupt)
                Shell.TryRun("kill", "-INT", process.Id.ToString(CultureInfo.InvariantCulture));
            if (!process.WaitForExit(3000))
                process.Kill(entireProcessTree: true);
            process.WaitForExit(3000);
        }
        process.Dispose();
    }

    private async Task SummaryAsync(LiveRegion live)
    {
        report.WriteLine("Summary");
        report.WriteLine($"  crossed as expected: {_results.Count(r => r.Expected)} of {_results.Count} steps");
        foreach (var (step, _, detail) in _results.Where(r => !r.Expected))
            report.WriteLine($"  UNEXPECTED: {step}: {detail}");
        report.WriteLine();
        report.WriteLine("  dropped, and why (card drop counters, edge drops):");
        foreach (var card in live.Cards)
        {
            var counters = await card.InvokeAsync(engine => engine.ReadCounters()).ConfigureAwait(false);
            var drops = Enum.GetValues<DropReason>().Where(r => counters[r] > 0).Select(r => $"{r.ToWireName()} {counters[r]}");
            report.WriteLine($"    {card.Host.Name} ({card.EngineName} card): {string.Join(", ", drops.DefaultIfEmpty("nothing"))}");
        }
        var edgeCounters = (await live.Edge!.CountersAsync().ConfigureAwait(false)).Edge.Counters;
        var edgeDrops = edgeCounters.Where(c => c.Name.StartsWith("drop.", StringComparison.Ordinal) || c.Name.StartsWith("endpoint.denied", StringComparison.Ordinal))
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Name}: {c.Value}"));
        report.WriteLine($"    {live.Edge.Name} (edge): {string.Join(", ", edgeDrops.DefaultIfEmpty("nothing"))}");
        report.WriteLine();
        report.WriteLine("  alarms:");
        foreach (var card in live.Cards)
        {
            foreach (var alarm in card.Alarms())
                report.WriteLine($"    {card.Host.Name}: {CardHost.Describe(alarm)}");
        }
        foreach (var alarm in (await live.Edge.AlarmsAsync().ConfigureAwait(false)).Edge)
            report.WriteLine($"    {live.Edge.Name}: {ControlText.Alarm(alarm)}");
        report.WriteLine($"    (the firmware reported {await live.CountMappingAlarmsAsync().ConfigureAwait(false)} card alarm(s) to the Mapping Service: nitroctl alarms)");
        report.WriteLine();
        report.WriteLine("  per-card counters:");
        foreach (var card in live.Cards)
        {
            var (tables, counters) = await card.InvokeAsync(engine => (card.Tables, engine.ReadCounters())).ConfigureAwait(false);
            report.WriteLine($"    {card.Host.Name}:");
            foreach (var eni in tables.Enis)
            {
                var c = counters.Enis[eni.Slot];
                report.WriteLine(string.Create(CultureInfo.InvariantCulture, $"      {eni.EniId,-12} tx {c.TxPackets,4} pkts {c.TxBytes,7} B   rx {c.RxPackets,4} pkts {c.RxBytes,7} B"));
            }
        }
        report.WriteLine("  edge counters:");
        foreach (var counter in edgeCounters)
            report.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {counter.Name}: {counter.Value}"));
    }
}
