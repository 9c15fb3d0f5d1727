using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using NitroCard.InstanceServices.Dns;
using NitroCard.InstanceServices.Identity;
using NitroCard.InstanceServices.Punt;
using NitroCard.Packets;

namespace NitroCard.InstanceServices.Tests;

/// <summary>One ENI with its punt endpoint and a fake clock, and the instance side of its exchanges.</summary>
internal sealed class Instance
{
    public const ulong Mac = 0x02_1A_2B_3C_4D_5EUL;
    public static readonly IPAddress Ip = IPAddress.Parse("10.0.1.10");
    public static readonly IPAddress PublicIp = IPAddress.Parse("198.51.100.10");

    public Instance(MetadataOptions? metadata = null, IDnsUpstream? upstream = null, PuntOptions? options = null, string region = "us-east-1",
        bool dnsSupport = true, bool dnsHostnames = true, IPAddress? publicIp = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        Identity = new InstanceIdentity("eni-0a1b2c3d4e5f60001", "i-0123456789abcdef0", Mac, Ip, "subnet-0a1b2c3d4e5f60001",
            IPNetwork.Parse("10.0.1.0/24"), "vpc-0a1b2c3d4e5f60001", IPNetwork.Parse("10.0.0.0/16"), region, region + "a", "123456789012")
        {
            PublicIp = publicIp,
            SecurityGroupIds = ["sg-0a1b2c3d4e5f60001", "sg-0a1b2c3d4e5f60002"],
            SecurityGroupNames = ["web", "ssh"],
            EnableDnsSupport = dnsSupport,
            EnableDnsHostnames = dnsHostnames,
            Metadata = metadata ?? MetadataOptions.Default,
        };
        Source = new InstanceIdentitySource(Identity);
        Region = new RegionDnsView(region);
        SetVpcs(dnsSupport, dnsHostnames, publicIp);
        Services = LinkLocalServices.Create(Time, new AmazonDnsResolver(Region, upstream), options);
        Endpoint = new EniServiceEndpoint(3, Source, Services);
    }

    public FakeTimeProvider Time { get; }

    public InstanceIdentity Identity { get; private set; }

    public InstanceIdentitySource Source { get; }

    public RegionDnsView Region { get; }

    public LinkLocalServices Services { get; }

    public EniServiceEndpoint Endpoint { get; }

    public ulong ServiceMac => Services.Options.ServiceMac;

    public void SetVpcs(bool dnsSupport, bool dnsHostnames, IPAddress? publicIp)
    {
        Region.Update([
            new VpcDnsView("vpc-0a1b2c3d4e5f60001", IPNetwork.Parse("10.0.0.0/16"), dnsSupport, dnsHostnames,
                [new DnsEni("eni-0a1b2c3d4e5f60001", Ip, publicIp), new DnsEni("eni-0a1b2c3d4e5f60002", IPAddress.Parse("10.0.2.20"))]),
            new VpcDnsView("vpc-0a1b2c3d4e5f60009", IPNetwork.Parse("10.0.0.0/16"), true, true,
                [new DnsEni("eni-0a1b2c3d4e5f60009", IPAddress.Parse("10.0.1.99"), IPAddress.Parse("203.0.113.99"))]),
        ]);
    }

    public void Update(Func<InstanceIdentity, InstanceIdentity> change)
    {
        Identity = change(Identity);
        Source.Update(Identity);
    }

    public IReadOnlyList<byte[]> Send(byte[] frame) => Endpoint.HandleAsync(frame).AsTask().GetAwaiter().GetResult();

    public byte[] Udp(IPAddress service, ushort port, ReadOnlySpan<byte> payload, ushort sourcePort = 40000)
        => Frames.Udp(ServiceMac, Mac, Ip, service, sourcePort, port, payload);

    public TcpSession Tcp(IPAddress service, ushort port, ushort sourcePort = 41000) => new(this, service, port, sourcePort);
}

/// <summary>The instance's side of one TCP connection, driven segment by segment.</summary>
internal sealed class TcpSession(Instance instance, IPAddress service, ushort port, ushort sourcePort)
{
    private readonly List<byte> received = [];
    private uint seq = 1_000_000;
    private uint ack;

    public List<byte[]> AllFrames { get; } = [];

    public bool PeerFin { get; private set; }

    public bool Reset { get; private set; }

    public string Text => Encoding.UTF8.GetString(received.ToArray());

    public byte[] Bytes => received.ToArray();

    /// <summary>SYN (with an MSS option when given); returns the SYN-ACK's MSS.</summary>
    public int Connect(ushort? mss = 1460)
    {
        var syn = Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, service, sourcePort, port, seq, 0, TcpControl.Syn);
        if (mss is { } m)
            syn = WithMss(syn, m);
        var answers = instance.Send(syn);
        AllFrames.AddRange(answers);
        var synAck = Assert.Single(answers);
        var tcp = TcpOf(synAck);
        if ((TcpHeader.Flags(tcp) & TcpControl.Rst) != 0)
        {
            Reset = true;
            return 0;
        }
        Assert.Equal(TcpControl.Syn | TcpControl.Ack, TcpHeader.Flags(tcp));
        Assert.Equal(seq + 1, TcpHeader.AcknowledgmentNumber(tcp));
        seq++;
        ack = TcpHeader.SequenceNumber(tcp) + 1;
        Exchange(Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, service, sourcePort, port, seq, ack, TcpControl.Ack));
        return BinaryPrimitives.ReadUInt16BigEndian(tcp[22..]);
    }

    /// <summary>Sends <paramref name="data"/> in pieces of <paramref name="pieceSize"/> bytes, acknowledging what comes back.</summary>
    public List<byte[]> Send(string data, int pieceSize = 10_000, TcpControl extra = TcpControl.None)
        => Send(Encoding.ASCII.GetBytes(data), pieceSize, extra);

    /// <summary>Sends <paramref name="bytes"/> in pieces of <paramref name="pieceSize"/> bytes, acknowledging what comes back.</summary>
    public List<byte[]> Send(byte[] bytes, int pieceSize = 10_000, TcpControl extra = TcpControl.None)
    {
        var frames = new List<byte[]>();
        for (var offset = 0; offset < bytes.Length; offset += pieceSize)
        {
            var piece = bytes.AsSpan(offset, Math.Min(pieceSize, bytes.Length - offset));
            var frame = Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, service, sourcePort, port, seq, ack, TcpControl.Ack | TcpControl.Psh | extra, piece);
            seq += (uint)piece.Length;
            frames.AddRange(Exchange(frame));
        }
        return frames;
    }

    public List<byte[]> Fin()
    {
        var frames = Exchange(Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, service, sourcePort, port, seq, ack, TcpControl.Fin | TcpControl.Ack));
        seq++;
        return frames;
    }

    /// <summary>Sends a raw segment of this connection.</summary>
    public List<byte[]> Raw(uint sequence, TcpControl flags, string data = "")
        => Exchange(Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, service, sourcePort, port, sequence, ack, flags, Encoding.ASCII.GetBytes(data)));

    public uint Sequence => seq;

    public uint Acknowledgment => ack;

    /// <summary>Sends one frame and takes in (and acknowledges) every segment coming back.</summary>
    public List<byte[]> Exchange(byte[] frame)
    {
        var pending = new Queue<byte[]>(instance.Send(frame));
        var all = new List<byte[]>();
        while (pending.Count > 0)
        {
            var answer = pending.Dequeue();
            all.Add(answer);
            AllFrames.Add(answer);
            Take(answer, pending);
        }
        return all;
    }

    public void Take(byte[] answer, Queue<byte[]>? pending = null)
    {
        Assert.Equal(Instance.Mac, EthernetHeader.Destination(answer));
        Assert.Equal(instance.ServiceMac, EthernetHeader.Source(answer));
        var ip = answer.AsSpan(EthernetHeader.Length);
        Assert.True(Ipv4Header.ChecksumValid(ip));
        Assert.Equal(Ipv4Address.ToUInt32(service), Ipv4Header.Source(ip));
        Assert.Equal(Ipv4Address.ToUInt32(Instance.Ip), Ipv4Header.Destination(ip));
        var tcp = TcpOf(answer);
        Assert.True(Ipv4Checksum.VerifyTransport(Ipv4Header.Source(ip), Ipv4Header.Destination(ip), Ipv4Header.ProtocolTcp, tcp));
        var flags = TcpHeader.Flags(tcp);
        if ((flags & TcpControl.Rst) != 0)
        {
            Reset = true;
            return;
        }
        var payload = tcp[(TcpHeader.DataOffset(tcp) * 4)..];
        var segSeq = TcpHeader.SequenceNumber(tcp);
        if (payload.Length > 0 && segSeq == ack)
        {
            received.AddRange(payload.ToArray());
            ack += (uint)payload.Length;
        }
        if ((flags & TcpControl.Fin) != 0 && segSeq + (uint)payload.Length == ack)
        {
            ack++;
            PeerFin = true;
        }
        if ((payload.Length > 0 || (flags & TcpControl.Fin) != 0) && pending is not null)
        {
            foreach (var f in instance.Send(Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, service, sourcePort, port, seq, ack, TcpControl.Ack)))
                pending.Enqueue(f);
        }
    }

    public void ClearText() => received.Clear();

    public static ReadOnlySpan<byte> TcpOf(byte[] frame)
    {
        var ip = frame.AsSpan(EthernetHeader.Length);
        return ip[(Ipv4Header.Ihl(ip) * 4)..Ipv4Header.TotalLength(ip)];
    }

    public static byte[] WithMss(byte[] synFrame, ushort mss)
    {
        var ip = synFrame.AsSpan(EthernetHeader.Length);
        var src = Ipv4Header.Source(ip);
        var dst = Ipv4Header.Destination(ip);
        var segment = TcpSegments.WithMssOption(ip[20..], src, dst, mss);
        return Frames.Ipv4(EthernetHeader.Destination(synFrame), EthernetHeader.Source(synFrame),
            new Ipv4Fields(src, dst, Ipv4Header.ProtocolTcp) { DontFragment = true }, segment);
    }
}

internal static class Http
{
    public static string Put(int ttlSeconds, string? extra = null)
        => $"PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token-ttl-seconds: {ttlSeconds}\r\n{extra}\r\n";

    public static string Get(string path, string? token = null)
        => $"GET {path} HTTP/1.1\r\nHost: 169.254.169.254\r\n" + (token is null ? "" : $"X-aws-ec2-metadata-token: {token}\r\n") + "\r\n";

    public static (int Status, string Body) Parse(string text)
    {
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"no HTTP head in '{text}'");
        var status = int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        return (status, text[(split + 4)..]);
    }

    public static ImmutableArray<string> Lines(string body) => [.. body.Split('\n')];
}
