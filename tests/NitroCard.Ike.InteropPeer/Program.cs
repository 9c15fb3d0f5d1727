// A tiny IKE peer on real UDP sockets for interop tests: our responder (or initiator) bound on <address>:500 and
// :4500, one line on stdout per event. Run it inside a network namespace (ip netns exec); stop it with SIGTERM.
//
// usage: NitroCard.Ike.InteropPeer --address A --psk S --local-id ID --remote-id ID --local-ts CIDR --remote-ts CIDR [--initiate ADDR]
using System.Net;
using System.Net.Sockets;
using System.Text;
using NitroCard.Ike;
using NitroCard.Ike.Exchanges;
using NitroCard.Ike.Wire;

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
    options[args[i].TrimStart('-')] = args[i + 1];
string Need(string name) => options.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");

var address = IPAddress.Parse(Need("address"));
var config = new IkeConfig
{
    PreSharedKey = [.. Encoding.UTF8.GetBytes(Need("psk"))],
    LocalId = IkeIdentity.Fqdn(Need("local-id")),
    RemoteId = options.TryGetValue("remote-id", out var rid) ? IkeIdentity.Fqdn(rid) : null,
    LocalTrafficSelectors = [TrafficSelector.FromPrefix(Need("local-ts"))],
    RemoteTrafficSelectors = [TrafficSelector.FromPrefix(Need("remote-ts"))],
    DpdDelay = TimeSpan.FromSeconds(30),
};

using var ike = new UdpClient(new IPEndPoint(address, NatTraversal.IkePort));
using var natT = new UdpClient(new IPEndPoint(address, NatTraversal.NatTPort));
var gate = new Lock();
var stdout = Console.Out;

void Send(IkeDatagram d)
{
    var socket = d.Local.Port == NatTraversal.NatTPort ? natT : ike;
    socket.Send(NatTraversal.Frame(d.Message.Span, d.Local.Port), d.Remote);
}

void Print(IkeEvent e)
{
    var child = e.Child is { } c ? " " + c : "";
    stdout.WriteLine($"{e.Kind} {e.Sa}{child}{(e.Notify is { } n ? " notify=" + n : "")}{(e.Detail is { } d ? " " + d : "")}");
    stdout.Flush();
}

using var endpoint = new IkeEndpoint(config, new IPEndPoint(address, NatTraversal.IkePort), TimeProvider.System, Send, Print);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

async Task ReceiveLoop(UdpClient socket, int port)
{
    while (!stop.IsCancellationRequested)
    {
        UdpReceiveResult r;
        try
        {
            r = await socket.ReceiveAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (SocketException)
        {
            continue; // ICMP errors surface here; IKE retransmits
        }
        ReadOnlyMemory<byte> message = r.Buffer;
        if (port == NatTraversal.NatTPort)
        {
            if (NatTraversal.Classify(r.Buffer) != Udp4500Kind.Ike)
                continue; // keepalives and ESP: no data plane here
            message = NatTraversal.StripMarker(r.Buffer);
        }
        lock (gate)
            endpoint.Receive(new IkeDatagram(new IPEndPoint(address, port), r.RemoteEndPoint, message));
    }
}

if (options.TryGetValue("initiate", out var peer))
{
    lock (gate)
        endpoint.Initiate(new IPEndPoint(IPAddress.Parse(peer), NatTraversal.IkePort));
}
stdout.WriteLine($"LISTENING {address} 500 4500");
stdout.Flush();
var loops = Task.WhenAll(ReceiveLoop(ike, NatTraversal.IkePort), ReceiveLoop(natT, NatTraversal.NatTPort));
while (!stop.IsCancellationRequested)
{
    try
    {
        await Task.Delay(250, stop.Token);
    }
    catch (OperationCanceledException)
    {
        break;
    }
    lock (gate)
        endpoint.Poll();
}
await loops;
return 0;
