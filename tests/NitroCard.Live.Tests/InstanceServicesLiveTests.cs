using NitroCard.Region;

namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 14 on a real machine, from inside instance namespaces with clients nobody here wrote: <c>curl</c> gets an
/// IMDSv2 token and the instance's metadata (its public IP, private IP, MAC, zone), an instance whose metadata options
/// say <c>httpTokens: required</c> gets 401 without a token, and Debian's <c>dig</c> resolves private names, public
/// names (split horizon: the private address inside the VPC) and PTR at 169.254.169.253 and the VPC base + 2 — all
/// answered by the firmware behind the card's punt path (docs/card-punt.md); other names through the resolver to the
/// region's <c>dnsUpstream</c>, Debian's dnsmasq in its own namespace; the libc resolver (<c>getent hosts</c>) through the
/// instance's <c>/etc/netns/&lt;eni&gt;/resolv.conf</c>.
/// Region: tests/NitroCard.Live.Tests/regions/instance-services.json (host-a: eni-svc1 10.0.1.10 public 198.51.100.10,
/// eni-svc2 10.0.1.11 httpTokens required; host-b: eni-svc3 10.0.1.20; enableDnsHostnames on; zone eu-west-1b;
/// dnsUpstream 203.0.113.53).
/// </summary>
public abstract class InstanceServicesLiveTests(SharedRegion shared)
{
    private const string Svc1 = "eni-svc1";
    private const string Svc2 = "eni-svc2";
    private const string Metadata = "http://169.254.169.254/latest";

    private static string Curl(string eni, params string[] arguments)
    {
        var (code, output) = Host.In(eni, ["curl", "-s", "-S", "-m", "10", .. arguments]);
        Assert.True(code == 0, $"curl {string.Join(' ', arguments)} from {eni} failed: {output}");
        return output;
    }

    private static string Token(string eni)
        => Curl(eni, "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 300", $"{Metadata}/api/token").Trim();

    internal static string Dig(string eni, string server, params string[] query)
    {
        var (code, output) = Host.In(eni, ["dig", "+short", "+time=3", "+tries=2", $"@{server}", .. query]);
        Assert.True(code == 0, $"dig @{server} {string.Join(' ', query)} from {eni} failed: {output}");
        return output.Trim();
    }

    /// <summary>The status of dig's answer (<c>NOERROR</c>, <c>NXDOMAIN</c>, <c>REFUSED</c>, ...).</summary>
    internal static string DigStatus(string eni, string server, string name)
    {
        var (code, output) = Host.In(eni, "dig", "+time=3", "+tries=2", $"@{server}", name);
        Assert.True(code == 0, $"dig @{server} {name} from {eni} failed: {output}");
        var status = System.Text.RegularExpressions.Regex.Match(output, "status: ([A-Z]+)");
        Assert.True(status.Success, $"dig printed no status: {output}");
        return status.Groups[1].Value;
    }

    private static string Getent(string eni, string name)
    {
        var (code, output) = Host.In(eni, "getent", "hosts", name);
        Assert.True(code == 0, $"getent hosts {name} from {eni} failed (exit {code}): {output}");
        return string.Join(' ', output.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)); // getent pads the address column
    }

    [SkippableFact]
    public void Curl_gets_a_token_and_the_instances_own_metadata()
    {
        shared.Require();
        var token = Token(Svc1);
        Assert.Matches("^[A-Za-z0-9+/=_-]{20,}$", token);
        string Get(string path) => Curl(Svc1, "-H", $"X-aws-ec2-metadata-token: {token}", $"{Metadata}/meta-data/{path}");
        Assert.Equal("198.51.100.10", Get("public-ipv4"));
        Assert.Equal("10.0.1.10", Get("local-ipv4"));
        Assert.Equal("02:00:0a:00:01:0a", Get("mac"));
        Assert.Equal("eu-west-1b", Get("placement/availability-zone"));
        Assert.Equal("i-0123456789abcdef0", Get("instance-id"));
        Assert.Equal("10.0.1.0/24", Get("network/interfaces/macs/02:00:0a:00:01:0a/subnet-ipv4-cidr-block"));
        // Another instance's token is not this one's: a request from eni-svc2 with eni-svc1's token is refused.
        Assert.Equal("401", Curl(Svc2, "-o", "/dev/null", "-w", "%{http_code}", "-H", $"X-aws-ec2-metadata-token: {token}", $"{Metadata}/meta-data/local-ipv4"));
    }

    [SkippableFact]
    public void Http_tokens_required_refuses_a_request_without_a_token()
    {
        shared.Require();
        Assert.Equal("401", Curl(Svc2, "-o", "/dev/null", "-w", "%{http_code}", $"{Metadata}/meta-data/local-ipv4"));
        var token = Token(Svc2);
        Assert.Equal("10.0.1.11", Curl(Svc2, "-H", $"X-aws-ec2-metadata-token: {token}", $"{Metadata}/meta-data/local-ipv4"));
        // httpTokens optional (eni-svc1): IMDSv1 answers.
        Assert.Equal("10.0.1.10", Curl(Svc1, $"{Metadata}/meta-data/local-ipv4"));
    }

    [SkippableFact]
    public void Dig_resolves_private_and_public_names_and_ptr_at_both_resolver_addresses()
    {
        shared.Require();
        foreach (var server in new[] { "169.254.169.253", "10.0.0.2" })
        {
            // Another host's instance, by its private name.
            Assert.Equal("10.0.1.20", Dig(Svc1, server, "ip-10-0-1-20.eu-west-1.compute.internal"));
            // A public name from inside the VPC: the private address.
            Assert.Equal("10.0.1.10", Dig(Svc2, server, "ec2-198-51-100-10.eu-west-1.compute.amazonaws.com"));
            Assert.Equal("ip-10-0-1-11.eu-west-1.compute.internal.", Dig(Svc1, server, "-x", "10.0.1.11"));
        }
    }

    [SkippableFact]
    public void Names_the_resolver_does_not_own_get_the_upstream_dnsmasqs_answer()
    {
        shared.Require();
        foreach (var server in new[] { "169.254.169.253", "10.0.0.2" })
        {
            Assert.Equal("203.0.113.80", Dig(Svc1, server, "www.example.com"));
            Assert.Equal("203.0.113.81", Dig(Svc2, server, "api.example.com"));
            // The upstream's own NXDOMAIN for another name of its zone comes back as it is.
            Assert.Equal("NXDOMAIN", DigStatus(Svc1, server, "nothing.example.com"));
        }
        // dnsmasq's query log (a file a user reads, docs/live-region.md) shows the queries came to it.
        var log = File.ReadAllText(Path.Combine("/var/lib/nitrocard/dns-upstream", "dnsmasq.log"));
        Assert.Contains("query[A] api.example.com from 203.0.113.53", log, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Getent_resolves_private_public_and_upstream_names_through_the_instances_resolv_conf()
    {
        shared.Require();
        Assert.Equal("nameserver 169.254.169.253", File.ReadAllLines("/etc/netns/eni-svc1/resolv.conf").Single(l => !l.StartsWith('#')));
        Assert.Equal("10.0.1.20 ip-10-0-1-20.eu-west-1.compute.internal", Getent(Svc1, "ip-10-0-1-20.eu-west-1.compute.internal"));
        Assert.Equal("10.0.1.10 ec2-198-51-100-10.eu-west-1.compute.amazonaws.com", Getent(Svc2, "ec2-198-51-100-10.eu-west-1.compute.amazonaws.com"));
        Assert.Equal("203.0.113.80 www.example.com", Getent(Svc1, "www.example.com"));
        Assert.Equal("10.0.1.11 ip-10-0-1-11.eu-west-1.compute.internal", Getent(Svc1, "10.0.1.11"));
        // A name nobody has: getent's exit code 2 ("not found").
        Assert.Equal(2, Host.In(Svc1, "getent", "hosts", "nothing.example.com").Code);
    }
}

/// <summary>
/// A region without <c>dnsUpstream</c> (tests/NitroCard.Live.Tests/regions/two-hosts.json): the resolver answers REFUSED for
/// names it does not own, as the issue says, and no upstream namespace exists. Model cards only: the resolver is the
/// firmware's, the same behind either engine.
/// </summary>
public sealed class NoDnsUpstreamLiveTests(NoDnsUpstreamRegion shared) : IClassFixture<NoDnsUpstreamRegion>
{
    [SkippableFact]
    public void A_name_the_resolver_does_not_own_is_refused()
    {
        shared.Require();
        Assert.Equal("REFUSED", InstanceServicesLiveTests.DigStatus("eni-red1", "169.254.169.253", "www.example.com"));
        Assert.DoesNotContain("nc-dns-upstream", Host.Namespaces());
        // The resolver's own names still resolve.
        Assert.Equal("10.0.2.20", InstanceServicesLiveTests.Dig("eni-red1", "169.254.169.253", "ip-10-0-2-20.eu-west-1.compute.internal"));
    }
}

/// <summary>A killed region with a <c>dnsUpstream</c>: <c>region down</c> stops its dnsmasq and removes its namespaces.</summary>
public sealed class DnsUpstreamCleanupLiveTests
{
    [SkippableFact]
    public void Region_down_after_a_killed_region_stops_dnsmasq_and_removes_the_upstream_namespace()
    {
        Host.RequireLiveRegion();
        var missing = DigMissing.OrDnsmasq();
        Skip.If(missing is not null, missing);
        using (var killed = LiveRegionProcess.Up("instance-services.json", "model", TimeSpan.FromSeconds(120)))
        {
            killed.Kill();
            var pids = Host.Run("ip", "netns", "pids", LiveNames.DnsUpstreamNamespace).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(pids, pid => File.ReadAllText($"/proc/{pid}/comm").Trim() == "dnsmasq");
            Assert.True(File.Exists("/etc/netns/eni-svc1/resolv.conf"));
            var down = Host.Run(LiveRegionProcess.Nitroctl, "region", "down");
            Assert.Equal(0, down.Code);
            Assert.Contains($"removed netns {LiveNames.DnsUpstreamNamespace}", down.Output, StringComparison.Ordinal);
            Assert.Contains("removed directory /etc/netns/eni-svc1", down.Output, StringComparison.Ordinal);
            Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"dnsmasq (pid {pid}) is still running"));
        }
        LiveRegionProcess.AssertNothingLeft();
    }
}

/// <summary>two-hosts.json (no <c>dnsUpstream</c>) on model-engine cards.</summary>
public sealed class NoDnsUpstreamRegion() : SharedRegion("two-hosts.json", "model", DigMissing.Reason);

/// <summary>Instance services behind model-engine cards.</summary>
public sealed class ModelInstanceServicesRegion() : SharedRegion("instance-services.json", "model", DigMissing.OrDnsmasq);

/// <summary>Instance services behind Verilated cards.</summary>
public sealed class RtlInstanceServicesRegion() : SharedRegion("instance-services.json", "rtl", DigMissing.OrDnsmasq);

/// <summary>Whether Debian's dig is installed.</summary>
internal static class DigMissing
{
    public static string? Reason() => Host.HasTool("dig") ? null : "dig (bind9-dnsutils) is not installed; build.ps1 installs it as root";

    /// <summary>Why a region with a <c>dnsUpstream</c> cannot run: dig or dnsmasq missing.</summary>
    public static string? OrDnsmasq() => Reason() ?? (File.Exists("/usr/sbin/dnsmasq") ? null : "dnsmasq (dnsmasq-base) is not installed; build.ps1 installs it as root");
}

public sealed class ModelInstanceServicesLiveTests(ModelInstanceServicesRegion region) : InstanceServicesLiveTests(region), IClassFixture<ModelInstanceServicesRegion>;

public sealed class RtlInstanceServicesLiveTests(RtlInstanceServicesRegion region) : InstanceServicesLiveTests(region), IClassFixture<RtlInstanceServicesRegion>;
