using NitroCard.Live.Control;

namespace NitroCard.Cli.Tests;

/// <summary>
/// Issue 12: <c>nitroctl card</c> and <c>describe-vpn-connections</c> ask a node over gRPC on its control socket and print
/// what the line protocol printed. Runs out/bin/nitroctl against fake nodes served on sockets in a temporary run
/// directory (<c>NITROCARD_RUN_DIR</c>): no root, no region.
/// </summary>
public sealed class CardControlTests : IAsyncLifetime, IDisposable
{
    private readonly TempDir _dir = new();
    private readonly List<ControlServer> _servers = [];

    private Dictionary<string, string> RunDir => new() { ["NITROCARD_RUN_DIR"] = _dir.Path };

    public async Task InitializeAsync()
    {
        _servers.Add(await ControlServer.StartAtAsync(_dir.File("host-a.sock"), new Card()));
        _servers.Add(await ControlServer.StartAtAsync(_dir.File("blackfoot-1.sock"), new Edge()));
    }

    [Theory]
    [InlineData("counters", "NIC statistics (host-a):\n     eni_1_id: eni-a1\n     eni_1_tx_cnt: 2\n     eni_1_tx_bytes: 84\n     eni_1_rx_cnt: 0\n     eni_1_rx_bytes: 0\n     drop_sg_deny: 3\n     conntrack_allowance_exceeded: 0\n     conntrack_allowance_available: 7\n     alarm_overflow: 0\n")]
    [InlineData("alarms", "cycle 9 sg-deny slot 1 vni 100 outer-src 0.0.0.0 inner 10.0.0.5 -> 10.0.0.6\n")]
    [InlineData("tables", "host-a tables\n")]
    [InlineData("trace stop", "trace of host-a's card stopped\n")]
    public void A_card_request_prints_the_reply_as_text(string request, string expected)
    {
        var (code, stdout, stderr) = NitroctlProcess.RunWith(RunDir, ["card", "--host", "host-a", .. request.Split(' ')]);

        Assert.Equal((0, ""), (code, stderr));
        Assert.Equal(expected, stdout);
    }

    [Fact]
    public void Trace_start_sends_the_absolute_path()
    {
        var (code, stdout, _) = NitroctlProcess.RunWith(RunDir, "card", "--host", "host-a", "trace", "start", "run.fst");

        Assert.Equal(0, code);
        Assert.Equal($"tracing host-a's card to {Path.Combine(RepoPaths.Root, "run.fst")}\n", stdout);
    }

    [Fact]
    public void The_edge_prints_its_counters_and_vpn_connections()
    {
        var counters = NitroctlProcess.RunWith(RunDir, "card", "--host", "blackfoot-1", "counters");
        var vpn = NitroctlProcess.RunWith(RunDir, "describe-vpn-connections", "--edge", "blackfoot-1");

        Assert.Equal((0, "edge statistics (blackfoot-1):\n     drop.no-route: 4\n"), (counters.ExitCode, counters.Stdout));
        Assert.Equal((0, "vpn-1 vpc-1 customer-gateway 198.51.100.10 routing static prefixes -\n"), (vpn.ExitCode, vpn.Stdout));
    }

    [Fact]
    public void A_refused_request_is_one_stderr_line_with_the_nodes_message_escaped()
    {
        var refused = NitroctlProcess.RunWith(RunDir, "card", "--host", "blackfoot-1", "tables");
        var failed = NitroctlProcess.RunWith(RunDir, "describe-vpn-connections", "--edge", "host-a");

        Assert.Equal((1, "", "nitroctl: unknown request 'tables' for the edge (counters, alarms, vpn-connections)\n"), refused);
        Assert.Equal((1, "", "nitroctl: card host-a failed: \\u001b[31m\n"), failed);
    }

    [Fact]
    public void A_node_without_a_socket_is_named_with_the_path()
    {
        var (code, _, stderr) = NitroctlProcess.RunWith(RunDir, "card", "--host", "host-z", "counters");

        Assert.Equal(1, code);
        Assert.Equal($"nitroctl: no running card host 'host-z' ({_dir.File("host-z.sock")} does not exist; is 'nitroctl region up' running, and is 'host-z' a card host?)\n", stderr);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Another_user_cannot_reach_a_node()
    {
        var socket = _dir.File("host-a.sock");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
        if (!Environment.IsPrivilegedProcess)
            return;   // the test's own user owns the socket; as root, nobody (setpriv) is the other user
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)0x1ED);   // 0755: the socket is found, its own mode is what refuses

        var (code, stdout, stderr) = NitroctlProcess.RunTool("setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", "--", NitroctlProcess.Executable, "card", "--host", "host-a", "counters"], RunDir);

        Assert.Equal((1, ""), (code, stdout));
        Assert.Equal($"nitroctl: {socket}: Permission denied\n", stderr);
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
            await server.DisposeAsync();
    }

    public void Dispose() => _dir.Dispose();

    private sealed class Card : IControlledCard
    {
        public Task<CountersReply> CountersAsync() => Task.FromResult(new CountersReply
        {
            Card = new CardCountersReply
            {
                Host = "host-a",
                Enis = { new EniCountersReply { Slot = 1, EniId = "eni-a1", TxPackets = 2, TxBytes = 84 } },
                Drops = { new DropCounter { Reason = "sg-deny", Count = 3 } },
                ConntrackAllowanceAvailable = 7,
            },
        });

        public Task<AlarmsReply> AlarmsAsync() => Task.FromResult(new AlarmsReply
        {
            Card = { new CardAlarmReply { Cycle = 9, Reason = "sg-deny", Slot = 1, Vni = 100, OuterSource = "0.0.0.0", InnerSource = "10.0.0.5", InnerDestination = "10.0.0.6" } },
        });

        public Task<TablesReply> TablesAsync() => Task.FromResult(new TablesReply { Text = "host-a tables\n" });

        public Task<TraceReply> StartTraceAsync(string file) => Task.FromResult(new TraceReply { Host = "host-a", Tracing = true, File = file });

        public Task<TraceReply> StopTraceAsync() => Task.FromResult(new TraceReply { Host = "host-a" });

        // A message with a control character: nitroctl escapes it.
        public string Unsupported(string request) => "card host-a failed: \u001b[31m";
    }

    private sealed class Edge : IControlledEdge
    {
        public Task<CountersReply> CountersAsync() => Task.FromResult(new CountersReply
        {
            Edge = new EdgeCountersReply { Edge = "blackfoot-1", Counters = { new NamedCounter { Name = "drop.no-route", Value = 4 } } },
        });

        public Task<AlarmsReply> AlarmsAsync() => Task.FromResult(new AlarmsReply());

        public Task<VpnConnectionsReply> VpnConnectionsAsync() => Task.FromResult(new VpnConnectionsReply
        {
            Connections = { new VpnConnectionReply { VpnId = "vpn-1", VpcId = "vpc-1", CustomerGatewayIp = "198.51.100.10", Routing = "static" } },
        });

        public string Unsupported(string request) => $"unknown request '{request}' for the edge (counters, alarms, vpn-connections)";
    }
}
