using System.Buffers.Binary;
using System.Net;
using Makaretu.Dns;
using NitroCard.InstanceServices.Dns;
using NitroCard.InstanceServices.Punt;
using NitroCard.Packets;

namespace NitroCard.InstanceServices.Tests;

public class DnsTests
{
    private static readonly IPAddress LinkLocal = ServiceAddresses.Dns;
    private static readonly IPAddress VpcResolver = IPAddress.Parse("10.0.0.2");

    private static Message Query(string name, DnsType type = DnsType.A, ushort id = 0x1234, bool edns = false)
    {
        var query = new Message { Id = id, RD = true };
        query.Questions.Add(new Question { Name = name, Type = type, Class = DnsClass.IN });
        if (edns)
            query.AdditionalRecords.Add(new OPTRecord { RequestorPayloadSize = 1232 });
        return query;
    }

    private static Message? Ask(Instance instance, Message query, IPAddress? server = null)
    {
        var answers = instance.Send(instance.Udp(server ?? LinkLocal, 53, query.ToByteArray()));
        if (answers.Count == 0)
            return null;
        var frame = Assert.Single(answers);
        Assert.Equal(Instance.Mac, EthernetHeader.Destination(frame));
        var ip = frame.AsSpan(EthernetHeader.Length);
        Assert.Equal(Ipv4Address.ToUInt32(server ?? LinkLocal), Ipv4Header.Source(ip));
        var udp = ip[20..];
        Assert.True(Ipv4Checksum.VerifyTransport(Ipv4Header.Source(ip), Ipv4Header.Destination(ip), Ipv4Header.ProtocolUdp, udp));
        Assert.Equal(53, UdpHeader.SourcePort(udp));
        Assert.Equal(40000, UdpHeader.DestinationPort(udp));
        var response = new Message();
        response.Read(udp[UdpHeader.Length..].ToArray());
        Assert.Equal(query.Id, response.Id);
        Assert.True(response.IsResponse);
        return response;
    }

    private static IPAddress[] Addresses(Message m) => [.. m.Answers.OfType<ARecord>().Select(a => a.Address)];

    [Fact]
    public void Private_name_resolves_at_both_addresses()
    {
        var instance = new Instance();
        foreach (var server in new[] { LinkLocal, VpcResolver })
        {
            var response = Ask(instance, Query("ip-10-0-2-20.ec2.internal"), server)!;
            Assert.Equal(MessageStatus.NoError, response.Status);
            Assert.True(response.AA);
            Assert.Equal([IPAddress.Parse("10.0.2.20")], Addresses(response));
        }
    }

    [Fact]
    public void Region_outside_us_east_1_uses_region_compute_internal()
    {
        var instance = new Instance(region: "eu-west-1");
        Assert.Equal([Instance.Ip], Addresses(Ask(instance, Query("ip-10-0-1-10.eu-west-1.compute.internal"))!));
        Assert.Equal(MessageStatus.Refused, Ask(instance, Query("ip-10-0-1-10.ec2.internal"))!.Status);
    }

    [Fact]
    public void Ptr_of_a_private_address()
    {
        var response = Ask(new Instance(), Query("10.1.0.10.in-addr.arpa", DnsType.PTR))!;
        var ptr = Assert.Single(response.Answers.OfType<PTRRecord>());
        Assert.Equal("ip-10-0-1-10.ec2.internal", ptr.DomainName.ToString());
    }

    [Theory]
    [InlineData("ip-10-0-9-9.ec2.internal", DnsType.A)]
    [InlineData("ip-10-0-1-99.ec2.internal", DnsType.A)] // an ENI of another VPC with the same CIDR
    [InlineData("ip-10-0-01-10.ec2.internal", DnsType.A)]
    [InlineData("foo.ec2.internal", DnsType.A)]
    [InlineData("9.9.0.10.in-addr.arpa", DnsType.PTR)]
    [InlineData("ec2-198-51-100-77.compute-1.amazonaws.com", DnsType.A)]
    public void Unknown_names_in_the_private_zones_are_nxdomain(string name, DnsType type)
    {
        var response = Ask(new Instance(), Query(name, type))!;
        Assert.Equal(MessageStatus.NameError, response.Status);
        Assert.True(response.AA);
        Assert.Empty(response.Answers);
    }

    [Fact]
    public void Known_name_of_another_type_is_nodata()
    {
        var response = Ask(new Instance(), Query("ip-10-0-1-10.ec2.internal", DnsType.AAAA))!;
        Assert.Equal(MessageStatus.NoError, response.Status);
        Assert.Empty(response.Answers);
    }

    [Fact]
    public void Public_name_is_split_horizon()
    {
        var instance = new Instance(publicIp: Instance.PublicIp);
        // Inside the VPC: the private address.
        Assert.Equal([Instance.Ip], Addresses(Ask(instance, Query("ec2-198-51-100-10.compute-1.amazonaws.com"))!));
        // An instance of another VPC: its public address.
        Assert.Equal([IPAddress.Parse("203.0.113.99")], Addresses(Ask(instance, Query("ec2-203-0-113-99.compute-1.amazonaws.com"))!));
        // The PTR of a public address is the public name.
        var ptr = Assert.Single(Ask(instance, Query("99.113.0.203.in-addr.arpa", DnsType.PTR))!.Answers.OfType<PTRRecord>());
        Assert.Equal("ec2-203-0-113-99.compute-1.amazonaws.com", ptr.DomainName.ToString());
    }

    [Fact]
    public void Without_dns_hostnames_there_is_no_public_name()
    {
        var instance = new Instance(publicIp: Instance.PublicIp, dnsHostnames: false);
        Assert.Equal(MessageStatus.NameError, Ask(instance, Query("ec2-198-51-100-10.compute-1.amazonaws.com"))!.Status);
        // Private names still resolve: they need enableDnsSupport only.
        Assert.Equal([Instance.Ip], Addresses(Ask(instance, Query("ip-10-0-1-10.ec2.internal"))!));
    }

    [Fact]
    public void Without_dns_support_the_resolver_does_not_answer()
    {
        var instance = new Instance(dnsSupport: false);
        Assert.Null(Ask(instance, Query("ip-10-0-1-10.ec2.internal")));
        Assert.Null(Ask(instance, Query("www.example"), VpcResolver));
        Assert.Equal(2, instance.Endpoint.Counters.Dropped(PuntDrop.ServiceOff));
        // Turned on while running: answered at once.
        instance.SetVpcs(dnsSupport: true, dnsHostnames: false, publicIp: null);
        Assert.NotNull(Ask(instance, Query("ip-10-0-1-10.ec2.internal")));
    }

    [Fact]
    public void Other_names_are_refused_without_an_upstream()
        => Assert.Equal(MessageStatus.Refused, Ask(new Instance(), Query("www.example"))!.Status);

    [Fact]
    public void Other_names_go_to_the_upstream()
    {
        using var upstream = new DnsServerStub();
        var instance = new Instance(upstream: new UdpDnsUpstream(upstream.Endpoint, TimeSpan.FromSeconds(5)));
        var response = Ask(instance, Query("www.example", id: 0x4242))!;
        Assert.Equal([IPAddress.Parse("192.0.2.1")], Addresses(response));
        Assert.Equal(MessageStatus.NameError, Ask(instance, Query("nothing.example"))!.Status);
        // The VPC's own names never leave the host.
        Ask(instance, Query("ip-10-0-1-10.ec2.internal"));
        Assert.Equal(2, upstream.Queries);
    }

    [Fact]
    public void Upstream_queries_go_out_on_the_sockets_the_caller_makes()
    {
        // The live region makes them in the upstream's network namespace; here: ordinary sockets, counted.
        using var upstream = new DnsServerStub();
        var made = new List<System.Net.Sockets.SocketType>();
        var instance = new Instance(upstream: new UdpDnsUpstream(upstream.Endpoint, TimeSpan.FromSeconds(5), (type, protocol) =>
        {
            made.Add(type);
            return new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, type, protocol);
        }));
        Assert.Equal([IPAddress.Parse("192.0.2.1")], Addresses(Ask(instance, Query("www.example"))!));
        Assert.Equal([System.Net.Sockets.SocketType.Dgram], made);
    }

    [Fact]
    public void Silent_upstream_is_servfail()
    {
        using var silent = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var instance = new Instance(upstream: new UdpDnsUpstream((IPEndPoint)silent.Client.LocalEndPoint!, TimeSpan.FromMilliseconds(200)));
        Assert.Equal(MessageStatus.ServerFailure, Ask(instance, Query("www.example"))!.Status);
    }

    [Fact]
    public void Large_answer_is_truncated_over_udp_and_whole_over_tcp()
    {
        using var upstream = new DnsServerStub();
        var instance = new Instance(upstream: new UdpDnsUpstream(upstream.Endpoint, TimeSpan.FromSeconds(5)));
        var udp = Ask(instance, Query("big.example"))!;
        Assert.True(udp.TC);
        Assert.Empty(udp.Answers);
        // With EDNS 1232 it fits (60 * 16 bytes + header).
        var edns = Ask(instance, Query("big.example", edns: true))!;
        Assert.False(edns.TC);
        Assert.Equal(60, edns.Answers.Count);

        var session = instance.Tcp(LinkLocal, 53);
        session.Connect();
        var query = Query("big.example", id: 7).ToByteArray();
        var framed = new byte[2 + query.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        session.Send(framed, pieceSize: 5);
        var bytes = session.Bytes;
        Assert.Equal(bytes.Length - 2, BinaryPrimitives.ReadUInt16BigEndian(bytes));
        var tcp = new Message();
        tcp.Read(bytes[2..]);
        Assert.False(tcp.TC);
        Assert.Equal(60, tcp.Answers.Count);
        Assert.True(bytes.Length > 512);
        session.Fin();
        Assert.True(session.PeerFin);
    }

    [Fact]
    public void Local_names_over_tcp()
    {
        var instance = new Instance();
        var session = instance.Tcp(VpcResolver, 53);
        session.Connect();
        var query = Query("ip-10-0-1-10.ec2.internal", id: 9).ToByteArray();
        session.Send([(byte)(query.Length >> 8), (byte)query.Length, .. query]);
        var tcp = new Message();
        tcp.Read(session.Bytes[2..]);
        Assert.Equal([Instance.Ip], Addresses(tcp));
    }

    [Fact]
    public void Malformed_queries_are_counted()
    {
        var instance = new Instance();
        Assert.Empty(instance.Send(instance.Udp(LinkLocal, 53, [1, 2, 3])));
        Assert.Empty(instance.Send(instance.Udp(LinkLocal, 53, [.. Query("x.example").ToByteArray()[..14]])));
        var response = Query("x.example");
        response.QR = true;
        Assert.Empty(instance.Send(instance.Udp(LinkLocal, 53, response.ToByteArray())));
        Assert.Equal(3, instance.Endpoint.Counters.Dropped(PuntDrop.BadRequest));
    }

    [Fact]
    public void Hostname_rules()
    {
        Assert.Equal("ip-10-0-1-10.ec2.internal", Identity.Ec2Names.PrivateName(Instance.Ip, "us-east-1"));
        Assert.Equal("ip-10-0-1-10.ap-southeast-2.compute.internal", Identity.Ec2Names.PrivateName(Instance.Ip, "ap-southeast-2"));
        Assert.Equal("ec2-198-51-100-10.compute-1.amazonaws.com", Identity.Ec2Names.PublicName(Instance.PublicIp, "us-east-1"));
        Assert.Equal("ec2-198-51-100-10.us-west-2.compute.amazonaws.com", Identity.Ec2Names.PublicName(Instance.PublicIp, "us-west-2"));
        Assert.Equal(IPAddress.Parse("172.31.0.2"), Identity.Ec2Names.BasePlusTwo(IPNetwork.Parse("172.31.0.0/16")));
        Assert.Null(Identity.Ec2Names.ParseLabel("ip-10-0-1-256", "ip"));
        Assert.Null(Identity.Ec2Names.ParseLabel("ip-10-0-1", "ip"));
    }
}
