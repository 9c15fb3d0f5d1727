using System.Net.Sockets;
using Grpc.Core;
using NitroCard.Live.Control;

namespace NitroCard.Live.Tests;

/// <summary>
/// Issue 12: a node's control channel is gRPC (Protos/control.proto) over its Unix socket. Without root: a real socket in
/// a temporary directory, a fake node behind it; every rpc, a refused or failed request as its status, the socket's mode.
/// </summary>
public sealed class ControlChannelTests : IAsyncLifetime, IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FakeCard _card = new();
    private readonly FakeEdge _edge = new();
    private ControlServer? _cardServer;
    private ControlServer? _edgeServer;

    public async Task InitializeAsync()
    {
        _cardServer = await ControlServer.StartAtAsync(_dir.File("host-a.sock"), _card);
        _edgeServer = await ControlServer.StartAtAsync(_dir.File("edge-1.sock"), _edge);
    }

    private ControlClient Card() => ControlClient.Connect(_cardServer!.Path);

    private ControlClient Edge() => ControlClient.Connect(_edgeServer!.Path);

    [Fact]
    public async Task A_card_answers_its_counters_typed()
    {
        using var client = Card();

        var reply = await client.Node.CountersAsync(new CountersRequest());

        Assert.Equal(CountersReply.NodeOneofCase.Card, reply.NodeCase);
        Assert.Equal("host-a", reply.Card.Host);
        var eni = Assert.Single(reply.Card.Enis);
        Assert.Equal(("eni-a1", 3UL, 4L), (eni.EniId, eni.TxPackets, eni.PumpQueueOverflow));
        Assert.False(eni.HasTapTxDropped);
    }

    [Fact]
    public async Task A_card_answers_alarms_tables_and_traces()
    {
        using var client = Card();

        var alarms = await client.Node.AlarmsAsync(new AlarmsRequest());
        var tables = await client.Node.TablesAsync(new TablesRequest());
        var start = await client.Node.StartTraceAsync(new StartTraceRequest { File = "/tmp/run.fst" });
        var stop = await client.Node.StopTraceAsync(new StopTraceRequest());

        Assert.Equal("spoofed-source", Assert.Single(alarms.Card).Reason);
        Assert.Empty(alarms.Edge);
        Assert.Equal(FakeCard.TablesText, tables.Text);
        Assert.Equal(("host-a", true, "/tmp/run.fst"), (start.Host, start.Tracing, start.File));
        Assert.Equal(("host-a", false), (stop.Host, stop.Tracing));
        Assert.Equal(["/tmp/run.fst", "stop"], _card.Traces);
    }

    [Fact]
    public async Task The_edge_answers_counters_alarms_and_vpn_connections()
    {
        using var client = Edge();

        var counters = await client.Node.CountersAsync(new CountersRequest());
        var alarms = await client.Node.AlarmsAsync(new AlarmsRequest());
        var vpn = await client.Node.VpnConnectionsAsync(new VpnConnectionsRequest());

        Assert.Equal(CountersReply.NodeOneofCase.Edge, counters.NodeCase);
        Assert.Equal([("drop.no-route", 2L), ("esp.decrypted.vpn-1.tunnel1", 1L)], counters.Edge.Counters.Select(c => (c.Name, c.Value)));
        Assert.Equal("unknown-public-ip", Assert.Single(alarms.Edge).Reason);
        Assert.Equal("vpn-1", Assert.Single(vpn.Connections).VpnId);
    }

    [Theory]
    [InlineData("tables", "unknown request 'tables' for the edge (counters, alarms, vpn-connections)")]
    [InlineData("trace start", "unknown request 'trace start /tmp/x.fst' for the edge (counters, alarms, vpn-connections)")]
    [InlineData("trace stop", "unknown request 'trace stop' for the edge (counters, alarms, vpn-connections)")]
    public async Task The_edge_refuses_a_card_request_as_unimplemented_with_its_message(string request, string message)
    {
        using var client = Edge();

        var e = await Assert.ThrowsAsync<RpcException>(() => request switch
        {
            "tables" => client.Node.TablesAsync(new TablesRequest()).ResponseAsync,
            "trace start" => client.Node.StartTraceAsync(new StartTraceRequest { File = "/tmp/x.fst" }).ResponseAsync,
            _ => client.Node.StopTraceAsync(new StopTraceRequest()).ResponseAsync,
        });

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
        Assert.Null(ControlClient.ConnectFailure(e));
    }

    [Fact]
    public async Task A_card_refuses_vpn_connections_as_unimplemented_with_its_message()
    {
        using var client = Card();

        var e = await Assert.ThrowsAsync<RpcException>(() => client.Node.VpnConnectionsAsync(new VpnConnectionsRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.Equal("unknown request 'vpn-connections' (counters, alarms, tables, trace start <file>, trace stop)", e.Status.Detail);
    }

    [Fact]
    public async Task A_failure_of_the_node_is_failed_precondition_with_its_message()
    {
        _card.TraceFailure = new LiveException("trace needs the rtl engine; this card runs the model engine");
        using var client = Card();

        var e = await Assert.ThrowsAsync<RpcException>(() => client.Node.StartTraceAsync(new StartTraceRequest { File = "/tmp/x.fst" }).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal("trace needs the rtl engine; this card runs the model engine", e.Status.Detail);
    }

    [Fact]
    public void The_socket_is_owner_read_write_only()
    {
        // Whatever the umask: connecting needs write permission, so no other user can reach the node.
        if (OperatingSystem.IsLinux())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_cardServer!.Path));
    }

    [Fact]
    public async Task A_stale_socket_file_is_replaced_by_a_server_that_answers()
    {
        var path = _dir.File("stale.sock");
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            stale.Bind(new UnixDomainSocketEndPoint(path));   // left behind by a killed run: nobody listens

        await using var server = await ControlServer.StartAtAsync(path, _card);
        using var client = ControlClient.Connect(path);

        Assert.Equal("host-a", (await client.Node.CountersAsync(new CountersRequest())).Card.Host);
    }

    [Fact]
    public async Task A_socket_nobody_listens_on_is_a_connect_failure_with_the_socket_error()
    {
        var path = _dir.File("dead.sock");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            dead.Bind(new UnixDomainSocketEndPoint(path));
        using var client = ControlClient.Connect(path);

        var e = await Assert.ThrowsAsync<RpcException>(() => client.Node.CountersAsync(new CountersRequest()).ResponseAsync);

        // The same error a plain connect gets (nitroctl prints "<path>: <its message>", as with the line protocol).
        using var plain = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var direct = await Assert.ThrowsAsync<SocketException>(() => plain.ConnectAsync(new UnixDomainSocketEndPoint(path)));
        var socket = ControlClient.ConnectFailure(e);
        Assert.NotNull(socket);
        Assert.Equal((direct.SocketErrorCode, direct.Message), (socket.SocketErrorCode, socket.Message));
    }

    public async Task DisposeAsync()
    {
        if (_cardServer is not null)
            await _cardServer.DisposeAsync();
        if (_edgeServer is not null)
            await _edgeServer.DisposeAsync();
    }

    public void Dispose() => _dir.Dispose();

    private sealed class FakeCard : IControlledCard
    {
        public const string TablesText = "host-a: 1 VNI\n";

        public List<string> Traces { get; } = [];

        public Exception? TraceFailure { get; set; }

        public Task<CountersReply> CountersAsync() => Task.FromResult(new CountersReply
        {
            Card = new CardCountersReply
            {
                Host = "host-a",
                Enis = { new EniCountersReply { Slot = 0, EniId = "eni-a1", TxPackets = 3, PumpQueueOverflow = 4 } },
            },
        });

        public Task<AlarmsReply> AlarmsAsync() => Task.FromResult(new AlarmsReply { Card = { new CardAlarmReply { Reason = "spoofed-source" } } });

        public Task<TablesReply> TablesAsync() => Task.FromResult(new TablesReply { Text = TablesText });

        public Task<TraceReply> StartTraceAsync(string file)
        {
            if (TraceFailure is not null)
                throw TraceFailure;
            Traces.Add(file);
            return Task.FromResult(new TraceReply { Host = "host-a", Tracing = true, File = file });
        }

        public Task<TraceReply> StopTraceAsync()
        {
            Traces.Add("stop");
            return Task.FromResult(new TraceReply { Host = "host-a" });
        }

        public string Unsupported(string request) => $"unknown request '{request}' (counters, alarms, tables, trace start <file>, trace stop)";
    }

    private sealed class FakeEdge : IControlledEdge
    {
        public Task<CountersReply> CountersAsync() => Task.FromResult(new CountersReply
        {
            Edge = new EdgeCountersReply
            {
                Edge = "edge-1",
                Counters = { new NamedCounter { Name = "drop.no-route", Value = 2 }, new NamedCounter { Name = "esp.decrypted.vpn-1.tunnel1", Value = 1 } },
            },
        });

        public Task<AlarmsReply> AlarmsAsync() => Task.FromResult(new AlarmsReply { Edge = { new EdgeAlarmReply { Reason = "unknown-public-ip", Port = "internet" } } });

        public Task<VpnConnectionsReply> VpnConnectionsAsync() => Task.FromResult(new VpnConnectionsReply { Connections = { new VpnConnectionReply { VpnId = "vpn-1" } } });

        public string Unsupported(string request) => $"unknown request '{request}' for the edge (counters, alarms, vpn-connections)";
    }
}
