using System.Diagnostics;

namespace NitroCard.Cli.Tests;

/// <summary>
/// The EC2-style commands against a running <c>nitroctl mapping serve</c>: each prints its reply as JSON on stdout, a
/// refusal as <c>nitroctl: Code: message</c> on stderr with exit code 1, and a value nitroctl must turn into a number
/// before sending is refused in the service's words.
/// </summary>
public sealed class ApiCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    /// <summary>Runs <paramref name="commands"/> against a fresh service holding the example region.</summary>
    private List<(int ExitCode, string Stdout, string Stderr)> AgainstExample(params string[][] commands)
    {
        var ca = _dir.File("ca");
        var start = new ProcessStartInfo(NitroctlProcess.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        foreach (var a in new[] { "--ca-dir", ca, "mapping", "serve", "--store", _dir.File("region.db"), "--listen", "127.0.0.1:0" })
            start.ArgumentList.Add(a);
        using var server = Process.Start(start)!;
        try
        {
            var line = server.StandardOutput.ReadLine() ?? "";
            Assert.StartsWith("mapping service listening on", line, StringComparison.Ordinal);
            _ = server.StandardError.ReadToEndAsync();
            string[] connection = ["--endpoint", line[(line.IndexOf("https://", StringComparison.Ordinal))..].Split(' ')[0], "--ca-dir", ca];
            var apply = NitroctlProcess.Run(["apply", RepoPaths.File("docs/examples/region.json"), .. connection]);
            Assert.True(apply.ExitCode == 0, apply.Stderr);
            return [.. commands.Select(c => NitroctlProcess.Run([.. c, .. connection]))];
        }
        finally
        {
            server.Kill();
            server.WaitForExit();
        }
    }

    [Fact]
    public void Replies_print_as_JSON_and_refusals_as_one_line_with_the_EC2_code()
    {
        var results = AgainstExample(
            ["describe-subnets", "--vpc-id", "vpc-1b2c3d4e5f6071829"],
            ["create-vpc", "--cidr", "172.16.0.0/16", "--vni", "4242", "--vpc-id", "vpc-green"],
            ["delete-network-interface", "--network-interface-id", "eni-a2"],
            ["delete-network-interface", "--network-interface-id", "eni-a2"],
            ["alarms"],
            ["alarms", "--max-items", "5"]);

        Assert.Equal((0, "[\n  {\n    \"id\": \"subnet-c\",\n    \"cidr\": \"10.0.1.0/24\",\n    \"routeTable\": \"rtb-isolated\",\n    \"vpc\": \"vpc-1b2c3d4e5f6071829\"\n  }\n]\n", ""), results[0]);
        Assert.Equal((0, "{\n  \"id\": \"vpc-green\",\n  \"cidr\": \"172.16.0.0/16\",\n  \"vni\": 4242,\n  \"subnets\": [],\n  \"routeTables\": [],\n  \"securityGroups\": [],\n  \"enis\": [],\n  \"networkAcls\": [],\n  \"vpnConnections\": [],\n  \"directConnect\": [],\n  \"gatewayEndpoints\": []\n}\n", ""), results[1]);
        Assert.Equal((0, "{\n  \"return\": true\n}\n", ""), results[2]);
        Assert.Equal((1, "", "nitroctl: InvalidNetworkInterfaceID.NotFound: The networkInterface ID 'eni-a2' does not exist\n"), results[3]);
        Assert.Equal((0, "[]\n", ""), results[4]);
        Assert.Equal((0, "{\n  \"alarms\": []\n}\n", ""), results[5]);
    }

    [Fact]
    public void A_value_that_is_not_a_number_is_refused_as_the_service_refuses_one_out_of_range()
    {
        var results = AgainstExample(
            ["create-vpc", "--cidr", "172.16.0.0/16", "--vni", "abc"],
            ["create-vpc", "--cidr", "172.16.0.0/16", "--vni", "0"],
            ["authorize-security-group-ingress", "--group-id", "sg-web", "--protocol", "tcp", "--port", "eighty", "--cidr", "0.0.0.0/0"],
            ["authorize-security-group-ingress", "--group-id", "sg-web", "--protocol", "tcp", "--from-port", "22", "--to-port", "x", "--cidr", "0.0.0.0/0"],
            ["alarms", "--max-items", "ten"],
            ["alarms", "--max-items", "0"],
            ["alarms", "--starting-token", "abc"]);

        Assert.Equal([
            "nitroctl: InvalidParameterValue: Value (abc) for parameter vni is invalid: a VNI is 1..16777215",
            "nitroctl: InvalidParameterValue: Value (0) for parameter vni is invalid: a VNI is 1..16777215",
            "nitroctl: InvalidParameterValue: Value (eighty) for parameter port is invalid: not a number",
            "nitroctl: InvalidParameterValue: Value (x) for parameter toPort is invalid: not a number",
            "nitroctl: InvalidParameterValue: --max-items 'ten': expected a whole number of at least 1",
            "nitroctl: InvalidParameterValue: --max-items '0': expected a whole number of at least 1",
            "nitroctl: InvalidParameterValue: --starting-token 'abc': not a token from a previous alarms page (nextToken)",
        ], results.Select(r => r.Stderr.TrimEnd('\n')));
        Assert.All(results, r => Assert.Equal((1, ""), (r.ExitCode, r.Stdout)));
    }

    public void Dispose() => _dir.Dispose();
}
