using System.Net;
using System.Text;
using Makaretu.Dns;
using NitroCard.InstanceServices.Dns;
using NitroCard.InstanceServices.Identity;
using NitroCard.InstanceServices.Punt;
using NitroCard.Packets;

namespace NitroCard.InstanceServices.Bench;

/// <summary>
/// One instance's requests to the firmware's services as the card punts them: whole Ethernet frames into a
/// <see cref="PuntRouter"/> (slot <see cref="Slot"/>), whole frames back. The instance side is built with
/// <see cref="Frames"/> and Makaretu.Dns, as the services' own tests do. The per-ENI rate limit is lifted (it would
/// stop a benchmark at 1024 requests a second, which is the point of it, not a cost).
/// </summary>
public sealed class ServiceExchange
{
    /// <summary>The ENI slot the requests come from.</summary>
    public const int Slot = 3;

    /// <summary>The instance's private name the DNS query asks for (another ENI of its VPC).</summary>
    public const string QueriedName = "ip-10-0-1-20.eu-west-1.compute.internal";

    private const ulong InstanceMac = 0x02_00_0A_00_01_0AUL;
    private const ushort KeepAlivePort = 41000;
    private static readonly IPAddress InstanceIp = IPAddress.Parse("10.0.1.10");
    private static readonly IPAddress Metadata = IPAddress.Parse("169.254.169.254");
    private static readonly IPAddress Resolver = IPAddress.Parse("169.254.169.253");

    private readonly PuntRouter _router;
    private readonly ulong _serviceMac;
    private readonly byte[] _dnsQuery;
    private Connection? _keepAlive;
    private byte[] _imdsRequest = [];
    private byte[] _imdsRequestClose = [];
    private ushort _nextPort = 42000;

    public ServiceExchange()
    {
        var identity = new InstanceIdentity("eni-0a1b2c3d4e5f60001", "i-0123456789abcdef0", InstanceMac, InstanceIp, "subnet-0a1b2c3d4e5f60001",
            IPNetwork.Parse("10.0.1.0/24"), "vpc-0a1b2c3d4e5f60001", IPNetwork.Parse("10.0.0.0/16"), "eu-west-1", "eu-west-1a", "123456789012")
        {
            PublicIp = IPAddress.Parse("198.51.100.10"),
            EnableDnsHostnames = true,
        };
        var region = new RegionDnsView("eu-west-1");
        region.Update([
            new VpcDnsView("vpc-0a1b2c3d4e5f60001", IPNetwork.Parse("10.0.0.0/16"), true, true,
                [new DnsEni("eni-0a1b2c3d4e5f60001", InstanceIp, IPAddress.Parse("198.51.100.10")), new DnsEni("eni-0a1b2c3d4e5f60002", IPAddress.Parse("10.0.1.20"))]),
        ]);
        var options = new PuntOptions { PacketsPerSecond = 1e12, Burst = 1e12 };
        _serviceMac = options.ServiceMac;
        _router = new PuntRouter(LinkLocalServices.Create(TimeProvider.System, new AmazonDnsResolver(region), options));
        Endpoint = _router.Attach(Slot, new InstanceIdentitySource(identity));
        var query = new Message { Id = 0x1234, RD = true };
        query.Questions.Add(new Question { Name = QueriedName, Type = DnsType.A, Class = DnsClass.IN });
        _dnsQuery = Frames.Udp(_serviceMac, InstanceMac, InstanceIp, Resolver, 40000, 53, query.ToByteArray());
    }

    /// <summary>The ENI's endpoint (its counters).</summary>
    public EniServiceEndpoint Endpoint { get; }

    /// <summary>
    /// Opens the keep-alive connection to the metadata service and gets an IMDSv2 token on it (PUT); every
    /// <see cref="ImdsGet"/> then asks for <c>local-ipv4</c> with that token. Returns the token.
    /// </summary>
    public string Connect()
    {
        _keepAlive = Open(KeepAlivePort);
        var answer = Request(_keepAlive, "PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token-ttl-seconds: 21600\r\n\r\n"u8.ToArray());
        var token = answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        _imdsRequest = Encoding.ASCII.GetBytes($"GET /latest/meta-data/local-ipv4 HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token: {token}\r\n\r\n");
        _imdsRequestClose = Encoding.ASCII.GetBytes($"GET /latest/meta-data/local-ipv4 HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token: {token}\r\nConnection: close\r\n\r\n");
        return token;
    }

    /// <summary>One IMDSv2 GET on the open connection (request segment, answer, the instance's ACK); the HTTP answer.</summary>
    public string ImdsGet() => Request(_keepAlive ?? throw new InvalidOperationException("Connect first"), _imdsRequest);

    /// <summary>
    /// One IMDSv2 GET on a connection of its own, as curl makes it: SYN, ACK, the request with <c>Connection: close</c>,
    /// the answer and the service's FIN acknowledged, the instance's FIN; the HTTP answer. Needs <see cref="Connect"/> (the token).
    /// </summary>
    public string ImdsGetOnNewConnection()
    {
        _nextPort = _nextPort >= 60999 ? (ushort)42000 : (ushort)(_nextPort + 1);
        var connection = Open(_nextPort);
        var answer = Request(connection, _imdsRequestClose);
        if (!connection.PeerClosed)
            throw new InvalidOperationException("the metadata service did not close the connection after Connection: close");
        Handle(connection.Segment(TcpControl.Fin | TcpControl.Ack));
        connection.Sequence++;
        return answer;
    }

    /// <summary>One DNS A query over UDP; the answer's DNS message bytes.</summary>
    public byte[] DnsQuery()
    {
        var answer = Handle(_dnsQuery);
        if (answer.Count != 1)
            throw new InvalidOperationException($"the resolver sent {answer.Count} frames");
        var ip = answer[0].AsSpan(EthernetHeader.Length);
        return ip[(Ipv4Header.Ihl(ip) * 4 + UdpHeader.Length)..].ToArray();
    }

    private Connection Open(ushort port)
    {
        var connection = new Connection(this, port);
        var synAck = Handle(connection.Segment(TcpControl.Syn));
        var tcp = TcpOf(synAck.Single());
        if (TcpHeader.Flags(tcp) != (TcpControl.Syn | TcpControl.Ack))
            throw new InvalidOperationException($"the metadata service did not accept a connection from port {port}");
        connection.Sequence++;
        connection.Acknowledgment = TcpHeader.SequenceNumber(tcp) + 1;
        Handle(connection.Segment(TcpControl.Ack));
        return connection;
    }

    /// <summary>Sends <paramref name="request"/>, takes in every segment of the answer (and a FIN), acknowledges them.</summary>
    private string Request(Connection connection, byte[] request)
    {
        var answers = Handle(connection.Segment(TcpControl.Ack | TcpControl.Psh, request));
        connection.Sequence += (uint)request.Length;
        var received = new StringBuilder();
        foreach (var frame in answers)
        {
            var tcp = TcpOf(frame);
            var payload = tcp[(TcpHeader.DataOffset(tcp) * 4)..];
            if (TcpHeader.SequenceNumber(tcp) != connection.Acknowledgment)
                continue;
            received.Append(Encoding.ASCII.GetString(payload));
            connection.Acknowledgment += (uint)payload.Length;
            if ((TcpHeader.Flags(tcp) & TcpControl.Fin) != 0)
            {
                connection.Acknowledgment++;
                connection.PeerClosed = true;
            }
        }
        Handle(connection.Segment(TcpControl.Ack));
        return received.ToString();
    }

    /// <summary>The instance's side of one TCP connection to the metadata service.</summary>
    private sealed class Connection(ServiceExchange exchange, ushort port)
    {
        public uint Sequence { get; set; } = 1_000_000;

        public uint Acknowledgment { get; set; }

        public bool PeerClosed { get; set; }

        public byte[] Segment(TcpControl control, ReadOnlySpan<byte> payload = default)
            => Frames.Tcp(exchange._serviceMac, InstanceMac, InstanceIp, Metadata, port, 80, Sequence, Acknowledgment, control, payload);
    }

    private IReadOnlyList<byte[]> Handle(byte[] frame)
    {
        var pending = _router.HandleAsync(Slot, frame);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    private static ReadOnlySpan<byte> TcpOf(byte[] frame)
    {
        var ip = frame.AsSpan(EthernetHeader.Length);
        return ip[(Ipv4Header.Ihl(ip) * 4)..Ipv4Header.TotalLength(ip)];
    }
}
