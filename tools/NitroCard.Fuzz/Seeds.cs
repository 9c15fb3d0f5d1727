using System.Buffers.Binary;
using System.Net;
using System.Text;
using Google.Protobuf;
using NitroCard.Bgp.Wire;
using NitroCard.Edge.Vpn;
using NitroCard.Fuzz.Targets;
using NitroCard.Ike;
using NitroCard.Ike.Wire;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.State;
using NitroCard.Packets;
using NitroCard.Region;
using P = NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Fuzz;

/// <summary>
/// The seed inputs of every target, made from the project's own sample files and by its own encoders (so a change of a
/// wire format shows up as new seeds): <c>NitroCard.Fuzz seed &lt;corpus-dir&gt; &lt;repo&gt;</c>.
/// </summary>
public static class Seeds
{
    /// <summary>(target, file name, bytes) for every seed; <paramref name="repo"/> is the repository root (region files).</summary>
    public static IEnumerable<(string Target, string Name, byte[] Bytes)> All(string repo)
    {
        foreach (var file in RegionFiles(repo))
            yield return ("region", "seed-" + Path.GetFileName(file), File.ReadAllBytes(file));
        foreach (var (name, bytes) in Pcaps())
            yield return ("pcap", name, bytes);
        foreach (var (name, text) in S3Requests())
            yield return ("s3-http", name, Encoding.ASCII.GetBytes(text));
        yield return ("tls-clienthello", "seed-sni-virtual-hosted", ClientHello("my-bucket.s3.us-east-1.amazonaws.com"));
        yield return ("tls-clienthello", "seed-sni-path-style", ClientHello("s3.amazonaws.com"));
        foreach (var (name, text) in DynamoDbRequests())
            yield return ("dynamodb", name, Encoding.ASCII.GetBytes(text));
        foreach (var (name, bytes) in Esp())
            yield return ("esp", name, bytes);
        foreach (var (name, bytes) in Ike())
            yield return ("ike", name, bytes);
        yield return ("bgp", "seed-session-4octet", [1, .. BgpSession(fourOctetAs: true)]);
        yield return ("bgp", "seed-session-2octet", [0, .. BgpSession(fourOctetAs: false)]);
        foreach (var (name, request) in MappingRequests())
            yield return ("mapping-request", name, MappingRequestTarget.Input(request));
        foreach (var (name, bytes) in Deltas(repo))
            yield return ("delta", name, bytes);
    }

    private static readonly string[] RegionSeeds =
        ["docs/examples/region.json", "tests/NitroCard.Region.Tests/regions/three-vpcs.json", "tests/NitroCard.Edge.Tests/regions/edge-region.json"];

    private static IEnumerable<string> RegionFiles(string repo) =>
        RegionSeeds
            .Select(f => Path.Combine(repo, f))
            .Where(File.Exists);

    private static IEnumerable<(string, byte[])> Pcaps()
    {
        var a = IPAddress.Parse("10.0.1.10");
        var b = IPAddress.Parse("10.0.2.20");
        byte[][] frames =
        [
            Frames.Udp(0x02_00_0a_00_02_14, 0x02_00_0a_00_01_0a, a, b, 40000, 53, "query"u8),
            Frames.Tcp(0x02_00_0a_00_02_14, 0x02_00_0a_00_01_0a, a, b, 40001, 80, 1, 0, TcpControl.Syn),
            Frames.ArpRequest(0x02_00_0a_00_01_0a, a, b),
            VxlanHeader.Encapsulate(Frames.Udp(0x02_00_0a_00_02_14, 0x02_00_0a_00_01_0a, a, b, 40000, 53, "x"u8),
                0x02_00_c0_00_02_0c, 0x02_00_c0_00_02_0b, 0xC000_020B, 0xC000_020C, 1001),
        ];
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, leaveOpen: true))
        {
            for (var i = 0; i < frames.Length; i++)
                writer.Write(1_700_000_000_000_000L + i, frames[i]);
        }
        var micro = stream.ToArray();
        yield return ("seed-frames-usec-le.pcap", micro);
        yield return ("seed-empty.pcap", micro[..PcapFormat.FileHeaderLength]);
        yield return ("seed-zero-length-record.pcap", [.. micro[..PcapFormat.FileHeaderLength], .. new byte[16]]);
        var nano = micro.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(nano, PcapFormat.MagicNanoseconds);
        yield return ("seed-frames-nsec-le.pcap", nano);
        yield return ("seed-frames-usec-be.pcap", ToBigEndian(micro));
    }

    /// <summary>The same file written big-endian: every header field swapped, frame bytes as they are.</summary>
    private static byte[] ToBigEndian(byte[] file)
    {
        var be = file.ToArray();
        void Swap32(int at) => BinaryPrimitives.WriteUInt32BigEndian(be.AsSpan(at), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at)));
        void Swap16(int at) => BinaryPrimitives.WriteUInt16BigEndian(be.AsSpan(at), BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at)));
        Swap32(0);
        Swap16(4);
        Swap16(6);
        Swap32(8);
        Swap32(12);
        Swap32(16);
        Swap32(20);
        for (var at = PcapFormat.FileHeaderLength; at + 16 <= file.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8));
            for (var f = 0; f < 16; f += 4)
                Swap32(at + f);
            at += 16 + length;
        }
        return be;
    }

    private static IEnumerable<(string, string)> S3Requests() =>
    [
        ("seed-get-virtual-hosted", "GET /photos/2026/cat.jpg HTTP/1.1\r\nHost: my-bucket.s3.us-east-1.amazonaws.com\r\nUser-Agent: curl/7.88\r\n\r\n"),
        ("seed-put-path-style", "PUT /my-bucket/key%20with%20space?x-id=PutObject HTTP/1.1\r\nHost: s3.amazonaws.com:443\r\nContent-Length: 5\r\n\r\nhello"),
        ("seed-list-absolute-uri", "GET http://s3-us-west-2.amazonaws.com/logs/ HTTP/1.0\r\n\r\n"),
        ("seed-delete-cname", "DELETE /old HTTP/1.1\r\nhost: Static.Example.COM\r\n\r\n"),
    ];

    private static IEnumerable<(string, string)> DynamoDbRequests() =>
    [
        ("seed-getitem", "POST / HTTP/1.1\r\nHost: dynamodb.us-east-1.amazonaws.com\r\nX-Amz-Target: DynamoDB_20120810.GetItem\r\nContent-Type: application/x-amz-json-1.0\r\n\r\n{\"TableName\": \"orders\", \"Key\": {\"id\": {\"S\": \"42\"}}}"),
        ("seed-putitem-nested", "POST / HTTP/1.1\r\nHost: dynamodb.eu-west-1.amazonaws.com\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n\r\n{\"Item\": {\"a\": {\"L\": [{\"N\": \"1\"}, {\"M\": {}}]}}, \"TableName\": \"t\\u0041ble\"}"),
        ("seed-no-body", "POST / HTTP/1.1\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n\r\n"),
    ];

    /// <summary>A TLS 1.2 record holding a ClientHello with a server_name extension for <paramref name="host"/>.</summary>
    public static byte[] ClientHello(string host)
    {
        var name = Encoding.ASCII.GetBytes(host);
        byte[] sni = [0, 0, .. U16(name.Length + 5), .. U16(name.Length + 3), 0, .. U16(name.Length), .. name];
        byte[] alpn = [0, 0x10, 0, 5, 0, 3, 2, (byte)'h', (byte)'2'];
        byte[] extensions = [.. alpn, .. sni];
        byte[] hello = [3, 3, .. new byte[32], 0, 0, 4, 0x13, 0x01, 0xc0, 0x2f, 1, 0, .. U16(extensions.Length), .. extensions];
        byte[] handshake = [1, 0, .. U16(hello.Length), .. hello];
        return [0x16, 3, 1, .. U16(handshake.Length), .. handshake];
    }

    private static byte[] U16(int v) => [(byte)(v >> 8), (byte)v];

    private static IEnumerable<(string, byte[])> Esp()
    {
        var inner = Frames.Udp(0, 0, IPAddress.Parse("172.16.0.10"), IPAddress.Parse("10.0.1.10"), 5000, 53, "query"u8)[EthernetHeader.Length..];
        using var sender = new EspSecurityAssociation(EspTarget.Spi, EspTarget.KeyWithSalt);
        byte[] Raw(byte[] esp) => [0, .. U16(esp.Length), .. esp];
        byte[] Sealed(uint seq, byte[] plain) => [1, .. U16(plain.Length + 4), (byte)(seq >> 24), (byte)(seq >> 16), (byte)(seq >> 8), (byte)seq, .. plain];
        var first = sender.Encrypt(inner)!;
        var second = sender.Encrypt(inner)!;
        yield return ("seed-two-packets", [.. Raw(first), .. Raw(second)]);
        yield return ("seed-replayed", [.. Raw(first), .. Raw(first)]);
        yield return ("seed-keepalive-and-ike-marker", [0, 0, 1, 0xFF, 0, 0, 8, 0, 0, 0, 0, 1, 2, 3, 4]);
        var pad = (4 - ((inner.Length + 2) % 4)) % 4;
        byte[] plain = [.. inner, .. Enumerable.Range(1, pad).Select(i => (byte)i), (byte)pad, EspSecurityAssociation.NextHeaderIpv4];
        yield return ("seed-sealed-trailers", [.. Sealed(5, plain), .. Sealed(3, [1, 2, 3, 3, 4]), .. Sealed(70, [9, 41])]);
    }

    private static IEnumerable<(string, byte[])> Ike()
    {
        var sa = new SaPayload([new Proposal(1, ProtocolId.Ike, ReadOnlyMemory<byte>.Empty,
        [
            new Transform(TransformType.Encryption, (ushort)EncryptionId.AesGcm16, 256),
            new Transform(TransformType.Prf, (ushort)PrfId.HmacSha256),
            new Transform(TransformType.DiffieHellman, 19),
        ])]);
        var init = new IkeMessage(0x0102030405060708, 0, ExchangeType.IkeSaInit, HeaderBits.Initiator, 0,
        [
            sa,
            new KePayload(19, new byte[64]),
            new NoncePayload(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()),
            NotifyPayload.Of(NotifyType.NatDetectionSourceIp, new byte[20]),
            NotifyPayload.Of(NotifyType.NatDetectionDestinationIp, new byte[20]),
            new VendorIdPayload("nitrocard"u8.ToArray()),
        ]).Encode();
        yield return ("seed-sa-init-500", [0, .. init]);
        yield return ("seed-sa-init-4500", [2, .. NatTraversal.AddMarker(init)]);
        var auth = new IkeMessage(0x0102030405060708, 0x1112131415161718, ExchangeType.IkeAuth, HeaderBits.Initiator, 1,
        [
            IdPayload.FromAddress(true, IPAddress.Parse("203.0.113.1")),
            new AuthPayload(AuthMethod.SharedKeyMessageIntegrityCode, new byte[32]),
            new SaPayload([new Proposal(1, ProtocolId.Esp, new byte[] { 0xc0, 0, 0, 1 },
            [
                new Transform(TransformType.Encryption, (ushort)EncryptionId.AesGcm16, 256),
                new Transform(TransformType.ExtendedSequenceNumbers, (ushort)EsnId.NoEsn),
            ])]),
            new TrafficSelectorPayload(true, [new TrafficSelector(IPAddress.Parse("172.16.0.0"), IPAddress.Parse("172.16.255.255"))]),
            new TrafficSelectorPayload(false, [new TrafficSelector(IPAddress.Parse("2001:db8::"), IPAddress.Parse("2001:db8::ffff"), 6, 80, 443)]),
            new DeletePayload(ProtocolId.Esp, [0xc0000001u]),
        ]).Encode();
        // The sealed path: first inner payload type, then the chain (the header stripped).
        yield return ("seed-auth-sealed", [1, auth[16], .. auth[IkeMessage.HeaderLength..]]);
        yield return ("seed-auth-plain", [0, .. auth]);
    }

    private static byte[] BgpSession(bool fourOctetAs)
    {
        var update = new UpdateMessage(
            [IPNetwork.Parse("192.168.9.0/24")],
            new PathAttributes
            {
                Origin = BgpOrigin.Igp,
                AsPath = new AsPath([new AsPathSegment(AsPathSegmentType.AsSequence, [65010u, 4_200_000_000u]), new AsPathSegment(AsPathSegmentType.AsSet, [64512u])]),
                NextHop = IPAddress.Parse("169.254.10.2"),
                MultiExitDisc = 100,
                LocalPref = 200,
                Communities = [(65010u << 16) | 7],
                Aggregator = new BgpAggregator(65010, IPAddress.Parse("192.0.2.1")),
            },
            [IPNetwork.Parse("172.16.0.0/16"), IPNetwork.Parse("10.10.0.0/22")]);
        BgpMessage[] messages =
        [
            OpenMessage.Create(4_200_000_000, 90, IPAddress.Parse("192.0.2.1")),
            KeepaliveMessage.Instance,
            update,
            new UpdateMessage([], null, []),
            new RouteRefreshMessage(1, 0, 1),
            new NotificationMessage(BgpErrorCode.Cease, 2, new byte[] { 1, 2 }),
        ];
        return [.. messages.SelectMany(m => BgpCodec.Encode(m, fourOctetAs))];
    }

    private static IEnumerable<(string, IMessage)> MappingRequests()
    {
        const string vpc = "vpc-0a1b2c3d4e5f60718";
        yield return ("seed-describe-enis", new P.DescribeNetworkInterfacesRequest { VpcId = vpc });
        yield return ("seed-describe-vpcs", new P.DescribeVpcsRequest());
        yield return ("seed-describe-hosts", new P.DescribeHostsRequest { Host = "host-a" });
        yield return ("seed-create-host", new P.CreateHostRequest { Name = "host-c", UnderlayIp = "192.0.2.13" });
        yield return ("seed-create-vpc", new P.CreateVpcRequest { CidrBlock = "10.9.0.0/16", Vni = 4242 });
        yield return ("seed-create-subnet", new P.CreateSubnetRequest { VpcId = vpc, CidrBlock = "10.0.3.0/24", SubnetId = "subnet-x" });
        yield return ("seed-create-eni", new P.CreateNetworkInterfaceRequest
        {
            SubnetId = "subnet-a", Host = "host-b", PrivateIpAddress = "10.0.1.99", Groups = { "sg-web" }, MacAddress = "02:00:00:00:00:99", SourceDestCheck = false,
        });
        yield return ("seed-move-eni", new P.MoveNetworkInterfaceRequest { NetworkInterfaceId = "eni-a1", ToHost = "host-b" });
        yield return ("seed-delete-eni", new P.DeleteNetworkInterfaceRequest { NetworkInterfaceId = "eni-a2" });
        yield return ("seed-create-security-group", new P.CreateSecurityGroupRequest { VpcId = vpc, GroupId = "sg-x" });
        yield return ("seed-authorize", new P.AuthorizeSecurityGroupIngressRequest { GroupId = "sg-web", Protocol = "tcp", FromPort = 22, ToPort = 22, Cidr = "192.0.2.0/24" });
        yield return ("seed-associate-address", new P.AssociateAddressRequest { NetworkInterfaceId = "eni-a2", PublicIp = "198.51.100.20" });
        yield return ("seed-alarms-page", new P.DescribeAlarmsRequest { MaxItems = 2, StartingToken = "1" });
        yield return ("seed-apply", new P.ApplyRequest { Region = "{\"hosts\": [{\"name\": \"h\", \"underlayIp\": \"192.0.2.9\"}]}" });
    }

    private static IEnumerable<(string, byte[])> Deltas(string repo)
    {
        var region = RegionLoader.Load(Path.Combine(repo, "docs/examples/region.json"));
        var state = RegionState.From(region, 3);
        foreach (var host in new[] { "host-a", "host-b" })
        {
            var delta = DeltaCodec.ToMessage(DeltaBuilder.Snapshot(state, host, 0));
            yield return ($"seed-full-{host}", new P.ServiceMessage { Delta = delta }.ToByteArray());
        }
        var removal = DeltaCodec.ToMessage(HostDelta.Empty("host-a", 4, 3) with { RemoveEnis = ["eni-a1"] });
        yield return ("seed-remove-eni", new P.ServiceMessage { Delta = removal }.ToByteArray());
    }
}
