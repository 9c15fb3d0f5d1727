namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 14 on a real machine, from inside instance namespaces with clients nobody here wrote: <c>curl</c> gets an
/// IMDSv2 token and the instance's metadata (its public IP, private IP, MAC, zone), an instance whose metadata options
/// say <c>httpTokens: required</c> gets 401 without a token, and Debian's <c>dig</c> resolves private names, public
/// names (split horizon: the private address inside the VPC) and PTR at 169.254.169.253 and the VPC base + 2 — all
/// answered by the firmware behind the card's punt path (docs/card-punt.md).
/// Region: tests/NitroCard.Live.Tests/regions/instance-services.json (host-a: eni-svc1 10.0.1.10 public 198.51.100.10,
/// eni-svc2 10.0.1.11 httpTokens required; host-b: eni-svc3 10.0.1.20; enableDnsHostnames on; zone eu-west-1b).
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

    private static string Dig(string eni, string server, params string[] query)
    {
        var (code, output) = Host.In(eni, ["dig", "+short", "+time=3", "+tries=2", $"@{server}", .. query]);
        Assert.True(code == 0, $"dig @{server} {string.Join(' ', query)} from {eni} failed: {output}");
        return output.Trim();
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
}

/// <summary>Instance services behind model-engine cards.</summary>
public sealed class ModelInstanceServicesRegion() : SharedRegion("instance-services.json", "model", DigMissing.Reason);

/// <summary>Instance services behind Verilated cards.</summary>
public sealed class RtlInstanceServicesRegion() : SharedRegion("instance-services.json", "rtl", DigMissing.Reason);

/// <summary>Whether Debian's dig is installed.</summary>
internal static class DigMissing
{
    public static string? Reason() => Host.HasTool("dig") ? null : "dig (bind9-dnsutils) is not installed; build.ps1 installs it as root";
}

public sealed class ModelInstanceServicesLiveTests(ModelInstanceServicesRegion region) : InstanceServicesLiveTests(region), IClassFixture<ModelInstanceServicesRegion>;

public sealed class RtlInstanceServicesLiveTests(RtlInstanceServicesRegion region) : InstanceServicesLiveTests(region), IClassFixture<RtlInstanceServicesRegion>;
