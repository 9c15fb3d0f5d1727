using System.Diagnostics;
using System.Net;
using NitroCard.InstanceServices.Dns;
using NitroCard.InstanceServices.Identity;
using NitroCard.InstanceServices.Punt;
using NitroCard.Live;

namespace NitroCard.InstanceServices.Tests;

/// <summary>
/// Linux's own TCP stack and curl against the punt endpoint: a network namespace of the test's own is the instance,
/// attached by a TAP whose frames go through <see cref="EniServiceEndpoint"/> and back. Needs root, /dev/net/tun, ip
/// and curl; skipped with the reason otherwise.
/// </summary>
public sealed class LiveNamespaceTests : IDisposable
{
    private readonly string suffix = Guid.NewGuid().ToString("N")[..6];
    private readonly List<string> namespaces = [];

    private string Ns => "ncsvc-" + suffix;

    private string TapName => "ncsvc" + suffix;

    public void Dispose()
    {
        tap?.Dispose();
        foreach (var ns in namespaces)
            Run("ip", "netns", "delete", ns);
    }

    private static (int Code, string Out) Run(params string[] args)
    {
        var info = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args[1..])
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(entireProcessTree: true);
            return (-1, "timed out");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private (int Code, string Out) InNs(params string[] args) => Run(["ip", "netns", "exec", Ns, .. args]);

    private TapDevice? tap;

    private InstanceIdentitySource Identity { get; set; } = null!;

    /// <summary>The instance namespace on a TAP pumped through an endpoint; returns the endpoint.</summary>
    private EniServiceEndpoint StartInstance(MetadataOptions metadata)
    {
        Skip.IfNot(Environment.UserName == "root", "needs root for network namespaces");
        Skip.IfNot(File.Exists("/usr/bin/curl") && (File.Exists("/usr/sbin/ip") || File.Exists("/sbin/ip")), "needs curl and ip");
        try
        {
            tap = TapDevice.Create(TapName);
        }
        catch (LiveException e)
        {
            Skip.If(true, $"cannot create a TAP device: {e.Message}");
        }

        var region = new RegionDnsView("us-east-1");
        region.Update([new VpcDnsView("vpc-0a1b2c3d4e5f60001", IPNetwork.Parse("10.0.0.0/16"), true, true,
            [new DnsEni("eni-0a1b2c3d4e5f60001", Instance.Ip, Instance.PublicIp), new DnsEni("eni-0a1b2c3d4e5f60002", IPAddress.Parse("10.0.2.20"))])]);
        var services = LinkLocalServices.Create(TimeProvider.System, new AmazonDnsResolver(region));
        var identity = Identity = new InstanceIdentitySource(new InstanceIdentity("eni-0a1b2c3d4e5f60001", "i-0123456789abcdef0", Instance.Mac, Instance.Ip,
            "subnet-0a1b2c3d4e5f60001", IPNetwork.Parse("10.0.1.0/24"), "vpc-0a1b2c3d4e5f60001", IPNetwork.Parse("10.0.0.0/16"), "us-east-1", "us-east-1a", "123456789012")
        {
            Metadata = metadata,
        });
        var endpoint = new EniServiceEndpoint(0, identity, services);
        var mac = string.Join(':', BitConverter.GetBytes(Instance.Mac).Take(6).Reverse().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        var gatewayMac = string.Join(':', BitConverter.GetBytes(services.Options.ServiceMac).Take(6).Reverse().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(0, Run("ip", "netns", "add", Ns).Code);
        namespaces.Add(Ns);
        Assert.Equal(0, Run("ip", "link", "set", TapName, "netns", Ns).Code);
        Assert.Equal(0, InNs("ip", "link", "set", "lo", "up").Code);
        Assert.Equal(0, InNs("ip", "link", "set", TapName, "address", mac).Code);
        Assert.Equal(0, InNs("ip", "addr", "add", "10.0.1.10/24", "dev", TapName).Code);
        Assert.Equal(0, InNs("ip", "link", "set", TapName, "up").Code);
        Assert.Equal(0, InNs("ip", "route", "add", "default", "via", "10.0.1.1", "dev", TapName).Code);
        // The card answers ARP for the gateway; here a permanent neighbour entry stands in for it.
        Assert.Equal(0, InNs("ip", "neigh", "replace", "10.0.1.1", "lladdr", gatewayMac, "dev", TapName, "nud", "permanent").Code);

        var device = tap!;
        device.StartReading(frame =>
        {
            foreach (var answer in endpoint.HandleAsync(frame).AsTask().GetAwaiter().GetResult())
                device.Write(answer);
        });
        return endpoint;
    }

    [SkippableFact]
    public void Curl_gets_a_token_and_metadata_through_the_punt_endpoint()
    {
        var endpoint = StartInstance(new MetadataOptions(HttpTokens.Required));

        var v1 = InNs("curl", "-s", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}", "http://169.254.169.254/latest/meta-data/instance-id");
        Assert.Equal((0, "401"), v1);
        var token = InNs("curl", "-s", "-m", "10", "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60", "http://169.254.169.254/latest/api/token");
        Assert.Equal(0, token.Code);
        Assert.True(token.Out.Length >= 40, token.Out);
        var id = InNs("curl", "-s", "-m", "10", "-H", "X-aws-ec2-metadata-token: " + token.Out, "http://169.254.169.254/latest/meta-data/instance-id");
        Assert.Equal((0, "i-0123456789abcdef0"), id);
        var listing = InNs("curl", "-s", "-m", "10", "-H", "X-aws-ec2-metadata-token: " + token.Out, "http://169.254.169.254/latest/meta-data/network/interfaces/macs/02:1a:2b:3c:4d:5e/");
        Assert.Equal(0, listing.Code);
        Assert.EndsWith("vpc-ipv4-cidr-blocks", listing.Out, StringComparison.Ordinal);
        Assert.Equal(0, endpoint.Counters.Dropped(PuntDrop.BadChecksum));
        Assert.Equal(0, endpoint.Counters.Dropped(PuntDrop.UnexpectedSegment));
    }

    [SkippableFact]
    public void A_container_one_hop_further_gets_a_token_only_with_hop_limit_2()
    {
        Skip.IfNot(File.Exists("/usr/sbin/nft"), "needs nft (Debian package nftables) for the container's masquerade");
        var endpoint = StartInstance(MetadataOptions.Default);
        // The container: a namespace behind the instance, routed and masqueraded by it (as Docker's bridge does).
        var container = "ncsvc-c-" + suffix;
        Assert.Equal(0, Run("ip", "netns", "add", container).Code);
        namespaces.Add(container);
        var vethA = "ncva" + suffix;
        var vethB = "ncvb" + suffix;
        Assert.Equal(0, Run("ip", "link", "add", vethA, "netns", Ns, "type", "veth", "peer", "name", vethB, "netns", container).Code);
        Assert.Equal(0, InNs("ip", "addr", "add", "172.17.0.1/16", "dev", vethA).Code);
        Assert.Equal(0, InNs("ip", "link", "set", vethA, "up").Code);
        Assert.Equal(0, InNs("sysctl", "-qw", "net.ipv4.ip_forward=1").Code);
        Assert.Equal(0, InNs("nft", "add table ip nat; add chain ip nat post { type nat hook postrouting priority 100 ; }; add rule ip nat post oifname " + TapName + " masquerade").Code);
        (int Code, string Out) InContainer(params string[] args) => Run(["ip", "netns", "exec", container, .. args]);
        Assert.Equal(0, InContainer("ip", "link", "set", "lo", "up").Code);
        Assert.Equal(0, InContainer("ip", "addr", "add", "172.17.0.2/16", "dev", vethB).Code);
        Assert.Equal(0, InContainer("ip", "link", "set", vethB, "up").Code);
        Assert.Equal(0, InContainer("ip", "route", "add", "default", "via", "172.17.0.1").Code);

        string[] put = ["curl", "-s", "-m", "4", "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60", "http://169.254.169.254/latest/api/token"];
        // The instance itself gets one at hop limit 1 ...
        Assert.Equal(0, InNs(put).Code);
        // ... the container does not: the connection opens, the answer's TTL runs out in the instance (curl times out, 28).
        var (code, _) = InContainer(put);
        Assert.Equal(28, code);
        // IMDSv1 (answers at TTL 64) still reaches it: only the token answer is limited.
        Assert.Equal((0, "i-0123456789abcdef0"), InContainer("curl", "-s", "-m", "4", "http://169.254.169.254/latest/meta-data/instance-id"));
        // The hop limit raised to 2 by a push: now the container gets a token.
        Identity.Update(Identity.Current! with { Metadata = new MetadataOptions(HttpPutResponseHopLimit: 2) });
        var token = InContainer(put);
        Assert.Equal(0, token.Code);
        Assert.True(token.Out.Length >= 40, token.Out);
        Assert.True(endpoint.Counters.Answered > 0);
    }

    [SkippableFact]
    public void The_libc_resolver_gets_private_and_split_horizon_names()
    {
        Skip.IfNot(File.Exists("/usr/bin/getent"), "needs getent");
        StartInstance(MetadataOptions.Default);
        // ip netns exec bind-mounts /etc/netns/NS/resolv.conf over /etc/resolv.conf: the VPC resolver, base + 2.
        var etc = Path.Combine("/etc/netns", Ns);
        var parentExisted = Directory.Exists("/etc/netns");
        Directory.CreateDirectory(etc);
        try
        {
            File.WriteAllText(Path.Combine(etc, "resolv.conf"), "nameserver 10.0.0.2\noptions timeout:2 attempts:1\n");
            var privateName = InNs("getent", "hosts", "ip-10-0-2-20.ec2.internal");
            Assert.Equal(0, privateName.Code);
            Assert.StartsWith("10.0.2.20 ", privateName.Out, StringComparison.Ordinal);
            Assert.StartsWith("10.0.1.10 ", InNs("getent", "hosts", "ec2-198-51-100-10.compute-1.amazonaws.com").Out, StringComparison.Ordinal);
            Assert.Equal(2, InNs("getent", "hosts", "ip-10-0-9-9.ec2.internal").Code); // NXDOMAIN: not found
        }
        finally
        {
            Directory.Delete(etc, recursive: true);
            if (!parentExisted && !Directory.EnumerateFileSystemEntries("/etc/netns").Any())
                Directory.Delete("/etc/netns");
        }
    }
}
