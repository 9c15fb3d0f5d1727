namespace NitroCard.Cli.Tests;

/// <summary>
/// Issue 14: <c>nitroctl describe-flow-logs</c> reads the flow logs' directories the firmware writes
/// (<c>$NITROCARD_SITE_DIR/flow-logs/FLOW-LOG-ID/</c>: <c>flow-log.json</c> and one <c>ENI-ID.log</c> per ENI): the list,
/// one log's version-2 records filtered by ENI and action, and errors that name the problem. No root, no region.
/// </summary>
public sealed class DescribeFlowLogsTests : IDisposable
{
    private const string Accept = "2 123456789012 eni-a1 10.0.1.10 10.0.2.20 40000 80 6 5 1300 1796644901 1796644903 ACCEPT OK";
    private const string Reject = "2 123456789012 eni-a1 10.0.2.20 10.0.1.10 0 0 1 1 84 1796644902 1796644902 REJECT OK";
    private const string NoData = "2 123456789012 eni-a1 - - - - - - - 1796644910 1796644920 - NODATA";
    private const string OtherEni = "2 123456789012 eni-a2 10.0.2.20 10.0.1.10 33000 22 6 3 180 1796644901 1796644903 ACCEPT OK";
    private readonly TempDir _site = new();

    public DescribeFlowLogsTests()
    {
        Write("fl-vpc", """{ "id": "fl-vpc", "resourceId": "vpc-1", "trafficType": "ALL", "maxAggregationInterval": 60, "ipfixCollector": "127.0.0.1:4739" }""",
            ("eni-a1", [Accept, Reject, NoData]), ("eni-a2", [OtherEni]));
        Write("fl-eni", """{ "id": "fl-eni", "resourceId": "eni-a1", "trafficType": "REJECT", "maxAggregationInterval": 600 }""");
    }

    private string Root => Path.Combine(_site.Path, "flow-logs");

    private (int ExitCode, string Stdout, string Stderr) Describe(params string[] args)
        => NitroctlProcess.RunWith(new Dictionary<string, string> { ["NITROCARD_SITE_DIR"] = _site.Path }, ["describe-flow-logs", .. args]);

    [Fact]
    public void Lists_every_flow_log_with_its_resource_traffic_type_interval_and_destination()
    {
        var (code, stdout, stderr) = Describe();
        Assert.Equal((0, ""), (code, stderr));
        Assert.Equal(
            "FLOW-LOG-ID  RESOURCE  TRAFFIC-TYPE  INTERVAL  DESTINATION\n"
            + $"fl-eni       eni-a1    REJECT        600s      {Root}/fl-eni\n"
            + $"fl-vpc       vpc-1     ALL           60s       {Root}/fl-vpc ipfix://127.0.0.1:4739\n",
            stdout);
    }

    [Fact]
    public void Prints_a_logs_records_as_version_2_lines_filtered_by_eni_and_action()
    {
        const string Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n";
        Assert.Equal((0, Header + $"{Accept}\n{Reject}\n{NoData}\n{OtherEni}\n"), Out(Describe("--flow-log", "fl-vpc")));
        Assert.Equal((0, Header + $"{Accept}\n{Reject}\n{NoData}\n"), Out(Describe("--flow-log", "fl-vpc", "--eni", "eni-a1")));
        Assert.Equal((0, Header + $"{Reject}\n"), Out(Describe("--flow-log", "fl-vpc", "--action", "REJECT")));
        Assert.Equal((0, Header + $"{Accept}\n{OtherEni}\n"), Out(Describe("--flow-log", "fl-vpc", "--action", "ACCEPT")));
    }

    [Fact]
    public void Errors_name_the_problem()
    {
        AssertFails(Describe("--flow-log", "fl-none"), "--flow-log fl-none: no such flow log");
        AssertFails(Describe("--flow-log", "fl-vpc", "--eni", "eni-zz"), "--eni eni-zz: flow log fl-vpc has no records of it");
        AssertFails(Describe("--flow-log", "../etc"), "--flow-log '../etc': not a flow log id");
        AssertFails(Describe("--eni", "eni-a1"), "give --flow-log too");
        Assert.NotEqual(0, Describe("--flow-log", "fl-vpc", "--action", "MAYBE").ExitCode);

        File.AppendAllText(Path.Combine(Root, "fl-vpc", "eni-a2.log"), "2 123456789012 eni-a2 broken\n");
        AssertFails(Describe("--flow-log", "fl-vpc", "--eni", "eni-a2"), $"{Root}/fl-vpc/eni-a2.log:2: not a version-2 flow log record");
    }

    public void Dispose() => _site.Dispose();

    private static (int, string) Out((int ExitCode, string Stdout, string Stderr) run)
    {
        Assert.Equal("", run.Stderr);
        return (run.ExitCode, run.Stdout);
    }

    private static void AssertFails((int ExitCode, string Stdout, string Stderr) run, string message)
    {
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
    }

    private void Write(string id, string description, params (string Eni, string[] Lines)[] streams)
    {
        var directory = Path.Combine(Root, id);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "flow-log.json"), description);
        foreach (var (eni, lines) in streams)
            File.WriteAllLines(Path.Combine(directory, eni + ".log"), lines);
    }
}
