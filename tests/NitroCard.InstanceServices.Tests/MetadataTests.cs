using System.Net;
using NitroCard.InstanceServices.Identity;
using NitroCard.InstanceServices.Punt;
using NitroCard.Packets;

namespace NitroCard.InstanceServices.Tests;

public class MetadataTests
{
    private static readonly IPAddress Imds = ServiceAddresses.Metadata;

    private static (int Status, string Body) Ask(Instance instance, string request, ushort port = 41000)
    {
        var session = instance.Tcp(Imds, 80, port);
        session.Connect();
        session.Send(request);
        return Http.Parse(session.Text);
    }

    private static string Token(Instance instance, int ttl = 21600, ushort port = 42000)
    {
        var (status, body) = Ask(instance, Http.Put(ttl), port);
        Assert.Equal(200, status);
        return body;
    }

    [Fact]
    public void Token_put_then_get_answers_with_the_token()
    {
        var instance = new Instance(new MetadataOptions(HttpTokens.Required));
        var session = instance.Tcp(Imds, 80);
        session.Connect();
        session.Send(Http.Put(21600));
        var (status, token) = Http.Parse(session.Text);
        Assert.Equal(200, status);
        Assert.Contains("X-Aws-Ec2-Metadata-Token-Ttl-Seconds: 21600\r\n", session.Text, StringComparison.Ordinal);
        Assert.True(token.Length >= 40);
        session.ClearText();
        session.Send(Http.Get("/latest/meta-data/instance-id", token));
        Assert.Equal((200, "i-0123456789abcdef0"), Http.Parse(session.Text));
        Assert.False(session.Reset);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(64, 64)]
    public void Token_answer_carries_the_hop_limit_as_ttl(int hopLimit, byte ttl)
    {
        var instance = new Instance(new MetadataOptions(HttpPutResponseHopLimit: hopLimit));
        var session = instance.Tcp(Imds, 80);
        session.Connect();
        var frames = session.Send(Http.Put(60));
        var data = frames.Where(f => TcpSession.TcpOf(f).Length > TcpHeader.MinLength).ToList();
        Assert.NotEmpty(data);
        Assert.All(data, f => Assert.Equal(ttl, Ipv4Header.Ttl(f.AsSpan(EthernetHeader.Length))));
        // Other answers keep the endpoint's TTL.
        session.ClearText();
        var get = session.Send(Http.Get("/latest/meta-data/mac"));
        Assert.All(get.Where(f => TcpSession.TcpOf(f).Length > TcpHeader.MinLength), f => Assert.Equal(64, Ipv4Header.Ttl(f.AsSpan(EthernetHeader.Length))));
    }

    [Fact]
    public void Required_refuses_missing_foreign_and_expired_tokens()
    {
        var instance = new Instance(new MetadataOptions(HttpTokens.Required));
        Assert.Equal(401, Ask(instance, Http.Get("/latest/meta-data/instance-id")).Status);
        Assert.Equal(401, Ask(instance, Http.Get("/latest/meta-data/instance-id", "AQAEAnotatoken=="), 41001).Status);

        // A token another ENI of the same card got.
        var otherSource = new InstanceIdentitySource(instance.Identity with { EniId = "eni-0a1b2c3d4e5f60002" });
        var other = new EniServiceEndpoint(4, otherSource, instance.Services);
        var foreign = ForeignToken(instance, other);
        Assert.Equal(401, Ask(instance, Http.Get("/latest/meta-data/instance-id", foreign), 41002).Status);

        var token = Token(instance, ttl: 5);
        Assert.Equal(200, Ask(instance, Http.Get("/latest/meta-data/instance-id", token), 41003).Status);
        instance.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(401, Ask(instance, Http.Get("/latest/meta-data/instance-id", token), 41004).Status);
    }

    private static string ForeignToken(Instance instance, EniServiceEndpoint other)
    {
        // Drive the other endpoint by hand: same MAC/IP (the identity copy), another ENI id.
        var seq = 5000u;
        var syn = Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, Imds, 43000, 80, seq, 0, TcpControl.Syn);
        var synAck = TcpSession.TcpOf(Assert.Single(other.HandleAsync(syn).AsTask().Result));
        var ack = TcpHeader.SequenceNumber(synAck) + 1;
        seq++;
        var put = System.Text.Encoding.ASCII.GetBytes(Http.Put(60));
        var answers = other.HandleAsync(Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, Imds, 43000, 80, seq, ack, TcpControl.Ack | TcpControl.Psh, put)).AsTask().Result;
        var text = string.Concat(answers.Select(a => System.Text.Encoding.ASCII.GetString(TcpSession.TcpOf(a)[20..])));
        var (status, token) = Http.Parse(text);
        Assert.Equal(200, status);
        return token;
    }

    [Fact]
    public void Optional_allows_v1_but_not_a_bad_token()
    {
        var instance = new Instance();
        Assert.Equal((200, "10.0.1.10"), Ask(instance, Http.Get("/latest/meta-data/local-ipv4")));
        Assert.Equal(401, Ask(instance, Http.Get("/latest/meta-data/local-ipv4", "bogus"), 41001).Status);
        Assert.Equal(200, Ask(instance, Http.Get("/latest/meta-data/local-ipv4", Token(instance)), 41002).Status);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("21601")]
    [InlineData("-5")]
    [InlineData("abc")]
    public void Token_ttl_out_of_range_is_400(string ttl)
    {
        var instance = new Instance();
        var request = $"PUT /latest/api/token HTTP/1.1\r\nX-aws-ec2-metadata-token-ttl-seconds: {ttl}\r\n\r\n";
        Assert.Equal(400, Ask(instance, request).Status);
    }

    [Fact]
    public void Token_put_without_ttl_is_400_and_through_a_proxy_403()
    {
        var instance = new Instance();
        Assert.Equal(400, Ask(instance, "PUT /latest/api/token HTTP/1.1\r\n\r\n").Status);
        Assert.Equal(403, Ask(instance, Http.Put(60, "X-Forwarded-For: 10.0.1.77\r\n"), 41001).Status);
        Assert.Equal(405, Ask(instance, "POST /latest/meta-data/ HTTP/1.1\r\n\r\n", 41002).Status);
    }

    [Theory]
    [InlineData("/latest/meta-data/nonexistent")]
    [InlineData("/latest/meta-data/public-ipv4")]
    [InlineData("/latest/meta-data/public-hostname")]
    [InlineData("/latest/meta-data/instance-id/")]
    [InlineData("/latest/meta-data/network/interfaces/macs/02:00:00:00:00:01/")]
    [InlineData("/latest/user-data")]
    [InlineData("/nope")]
    public void Unknown_paths_are_404(string path)
        => Assert.Equal(404, Ask(new Instance(), Http.Get(path)).Status);

    [Fact]
    public void Listings_are_ec2s_texts()
    {
        var instance = new Instance();
        Assert.Equal(
            "hostname\ninstance-id\nlocal-hostname\nlocal-ipv4\nmac\nnetwork/\nplacement/\nsecurity-groups",
            Ask(instance, Http.Get("/latest/meta-data/")).Body);
        Assert.Equal(Ask(instance, Http.Get("/latest/meta-data/"), 41007).Body, Ask(instance, Http.Get("/latest/meta-data"), 41001).Body);
        Assert.Equal("interfaces/", Ask(instance, Http.Get("/latest/meta-data/network/"), 41002).Body);
        Assert.Equal("02:1a:2b:3c:4d:5e/", Ask(instance, Http.Get("/latest/meta-data/network/interfaces/macs/"), 41003).Body);
        Assert.Equal(
            "device-number\ninterface-id\nlocal-hostname\nlocal-ipv4s\nmac\nowner-id\nsecurity-group-ids\nsecurity-groups\nsubnet-id\n"
            + "subnet-ipv4-cidr-block\nvpc-id\nvpc-ipv4-cidr-block\nvpc-ipv4-cidr-blocks",
            Ask(instance, Http.Get("/latest/meta-data/network/interfaces/macs/02:1a:2b:3c:4d:5e/"), 41004).Body);
        Assert.Equal("availability-zone\nregion", Ask(instance, Http.Get("/latest/meta-data/placement/"), 41005).Body);
        Assert.Equal("meta-data/", Ask(instance, Http.Get("/latest/"), 41006).Body);
    }

    [Theory]
    [InlineData("hostname", "ip-10-0-1-10.ec2.internal")]
    [InlineData("local-hostname", "ip-10-0-1-10.ec2.internal")]
    [InlineData("mac", "02:1a:2b:3c:4d:5e")]
    [InlineData("security-groups", "web\nssh")]
    [InlineData("placement/availability-zone", "us-east-1a")]
    [InlineData("network/interfaces/macs/02:1a:2b:3c:4d:5e/device-number", "0")]
    [InlineData("network/interfaces/macs/02:1a:2b:3c:4d:5e/interface-id", "eni-0a1b2c3d4e5f60001")]
    [InlineData("network/interfaces/macs/02:1a:2b:3c:4d:5e/local-ipv4s", "10.0.1.10")]
    [InlineData("network/interfaces/macs/02:1a:2b:3c:4d:5e/subnet-id", "subnet-0a1b2c3d4e5f60001")]
    [InlineData("network/interfaces/macs/02:1a:2b:3c:4d:5e/vpc-id", "vpc-0a1b2c3d4e5f60001")]
    [InlineData("network/interfaces/macs/02:1a:2b:3c:4d:5e/subnet-ipv4-cidr-block", "10.0.1.0/24")]
    [InlineData("network/interfaces/macs/02:1a:2b:3c:4d:5e/vpc-ipv4-cidr-block", "10.0.0.0/16")]
    [InlineData("network/interfaces/macs/02:1a:2b:3c:4d:5e/security-group-ids", "sg-0a1b2c3d4e5f60001\nsg-0a1b2c3d4e5f60002")]
    [InlineData("network/interfaces/macs/02:1a:2b:3c:4d:5e/owner-id", "123456789012")]
    public void Values(string path, string expected)
        => Assert.Equal((200, expected), Ask(new Instance(), Http.Get("/latest/meta-data/" + path)));

    [Fact]
    public void Hostnames_follow_the_region_rule()
    {
        var instance = new Instance(region: "eu-west-1", publicIp: Instance.PublicIp);
        Assert.Equal("ip-10-0-1-10.eu-west-1.compute.internal", Ask(instance, Http.Get("/latest/meta-data/local-hostname")).Body);
        Assert.Equal("ec2-198-51-100-10.eu-west-1.compute.amazonaws.com", Ask(instance, Http.Get("/latest/meta-data/public-hostname"), 41001).Body);
    }

    [Fact]
    public void A_public_ip_associated_while_running_shows_at_once()
    {
        var instance = new Instance();
        Assert.Equal(404, Ask(instance, Http.Get("/latest/meta-data/public-ipv4")).Status);
        instance.Update(i => i with { PublicIp = Instance.PublicIp });
        Assert.Equal((200, "198.51.100.10"), Ask(instance, Http.Get("/latest/meta-data/public-ipv4"), 41001));
        Assert.Equal((200, "ec2-198-51-100-10.compute-1.amazonaws.com"), Ask(instance, Http.Get("/latest/meta-data/public-hostname"), 41002));
        Assert.Contains("public-ipv4\n", Ask(instance, Http.Get("/latest/meta-data/"), 41003).Body, StringComparison.Ordinal);
        Assert.Equal((200, "198.51.100.10"), Ask(instance, Http.Get("/latest/meta-data/network/interfaces/macs/02:1a:2b:3c:4d:5e/public-ipv4s"), 41004));
    }

    [Fact]
    public void Disabled_endpoint_refuses_the_connection()
    {
        var instance = new Instance(new MetadataOptions(HttpEndpointEnabled: false));
        var session = instance.Tcp(Imds, 80);
        session.Connect();
        Assert.True(session.Reset);
        Assert.Equal(1, instance.Endpoint.Counters.Dropped(PuntDrop.ServiceOff));
        Assert.Equal(0, instance.Endpoint.ConnectionCount);
    }

    [Fact]
    public void Request_in_small_pieces_and_answer_segmented_to_the_mss()
    {
        var instance = new Instance();
        var session = instance.Tcp(Imds, 80);
        Assert.Equal(100, session.Connect(mss: 100));
        var frames = session.Send(Http.Get("/latest/meta-data/network/interfaces/macs/02:1a:2b:3c:4d:5e/"), pieceSize: 7);
        var data = frames.Select(f => TcpSession.TcpOf(f).Length - TcpHeader.MinLength).Where(n => n > 0).ToList();
        Assert.True(data.Count >= 3);
        Assert.All(data, n => Assert.True(n <= 100));
        Assert.Equal(200, Http.Parse(session.Text).Status);
        Assert.EndsWith("vpc-ipv4-cidr-blocks", session.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Head_has_the_length_of_get_and_no_body()
    {
        var instance = new Instance();
        var session = instance.Tcp(Imds, 80);
        session.Connect();
        session.Send("HEAD /latest/meta-data/instance-id HTTP/1.1\r\n\r\n");
        Assert.EndsWith("Content-Length: 19\r\nConnection: keep-alive\r\n\r\n", session.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_syn_on_an_open_connection_gets_a_challenge_ack()
    {
        var instance = new Instance();
        var session = instance.Tcp(Imds, 80);
        session.Connect();
        var answer = TcpSession.TcpOf(Assert.Single(session.Raw(99, TcpControl.Syn)));
        Assert.Equal(TcpControl.Ack, TcpHeader.Flags(answer));
        Assert.Equal(session.Sequence, TcpHeader.AcknowledgmentNumber(answer));
        Assert.Equal(1, instance.Endpoint.ConnectionCount);
    }

    [Fact]
    public void Syn_without_mss_gets_536()
        => Assert.Equal(536, new Instance().Tcp(Imds, 80).Connect(mss: null));

    [Fact]
    public void Keep_alive_then_fin_closes_both_ways()
    {
        var instance = new Instance();
        var session = instance.Tcp(Imds, 80);
        session.Connect();
        session.Send(Http.Get("/latest/meta-data/mac"));
        session.ClearText();
        session.Send(Http.Get("/latest/meta-data/local-ipv4"));
        Assert.Equal((200, "10.0.1.10"), Http.Parse(session.Text));
        Assert.Equal(1, instance.Endpoint.ConnectionCount);
        session.Fin();
        Assert.True(session.PeerFin);
        Assert.Equal(0, instance.Endpoint.ConnectionCount);
    }

    [Fact]
    public void Connection_close_makes_the_service_close_first()
    {
        var instance = new Instance();
        var session = instance.Tcp(Imds, 80);
        session.Connect();
        session.Send("GET /latest/meta-data/mac HTTP/1.1\r\nConnection: close\r\n\r\n");
        Assert.True(session.PeerFin);
        Assert.Contains("Connection: close", session.Text, StringComparison.Ordinal);
        session.Fin();
        Assert.Equal(0, instance.Endpoint.ConnectionCount);
    }

    [Fact]
    public void Connections_per_eni_are_bounded()
    {
        var instance = new Instance(options: new PuntOptions { MaxConnectionsPerEni = 2 });
        instance.Tcp(Imds, 80, 41000).Connect();
        instance.Tcp(Imds, 80, 41001).Connect();
        var third = instance.Tcp(Imds, 80, 41002);
        third.Connect();
        Assert.True(third.Reset);
        Assert.Equal(1, instance.Endpoint.Counters.Dropped(PuntDrop.ConnectionLimit));
        Assert.Equal(2, instance.Endpoint.ConnectionCount);
    }

    [Fact]
    public void Unexpected_segments_get_rst()
    {
        var instance = new Instance();
        // An ACK for no connection: RST with its acknowledgment number as sequence.
        var answer = Assert.Single(instance.Send(Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, Imds, 45000, 80, 1, 777, TcpControl.Ack)));
        var tcp = TcpSession.TcpOf(answer);
        Assert.Equal(TcpControl.Rst, TcpHeader.Flags(tcp));
        Assert.Equal(777u, TcpHeader.SequenceNumber(tcp));
        // A SYN to a port no service has.
        var closed = instance.Tcp(Imds, 8080);
        closed.Connect();
        Assert.True(closed.Reset);
        // A RST is never answered.
        Assert.Empty(instance.Send(Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, Imds, 45001, 80, 1, 0, TcpControl.Rst)));
        Assert.Equal(2, instance.Endpoint.Counters.Dropped(PuntDrop.UnexpectedSegment));
        Assert.Equal(1, instance.Endpoint.Counters.Dropped(PuntDrop.NoService));
    }

    [Fact]
    public void Out_of_order_data_gets_a_duplicate_ack_and_is_counted()
    {
        var instance = new Instance();
        var session = instance.Tcp(Imds, 80);
        session.Connect();
        var frames = session.Raw(session.Sequence + 10, TcpControl.Ack, "later");
        var dup = TcpSession.TcpOf(Assert.Single(frames));
        Assert.Equal(TcpControl.Ack, TcpHeader.Flags(dup));
        Assert.Equal(session.Sequence, TcpHeader.AcknowledgmentNumber(dup));
        Assert.Equal(1, instance.Endpoint.Counters.Dropped(PuntDrop.UnexpectedSegment));
        session.Send(Http.Get("/latest/meta-data/mac"));
        Assert.Equal(200, Http.Parse(session.Text).Status);
    }

    [Fact]
    public void Unacknowledged_answer_is_resent_then_the_connection_reset()
    {
        var instance = new Instance(options: new PuntOptions { MaxRetransmits = 2 });
        var session = instance.Tcp(Imds, 80);
        session.Connect();
        // The answer is "lost": sent without taking the segments in.
        var request = System.Text.Encoding.ASCII.GetBytes(Http.Get("/latest/meta-data/mac"));
        var lost = instance.Send(Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, Imds, 41000, 80, session.Sequence, session.Acknowledgment, TcpControl.Ack, request));
        Assert.Empty(instance.Send([]));
        Assert.NotEmpty(lost);
        Assert.Empty(instance.Endpoint.Tick());
        instance.Time.Advance(TimeSpan.FromSeconds(1));
        var again = instance.Endpoint.Tick();
        Assert.Equal(TcpSession.TcpOf(lost[0]).ToArray()[20..], TcpSession.TcpOf(again[0]).ToArray()[20..]);
        instance.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.NotEmpty(instance.Endpoint.Tick());
        instance.Time.Advance(TimeSpan.FromSeconds(4));
        var reset = Assert.Single(instance.Endpoint.Tick());
        Assert.True((TcpHeader.Flags(TcpSession.TcpOf(reset)) & TcpControl.Rst) != 0);
        Assert.Equal(0, instance.Endpoint.ConnectionCount);
    }

    [Fact]
    public void Idle_connections_time_out()
    {
        var instance = new Instance();
        instance.Tcp(Imds, 80).Connect();
        instance.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(instance.Endpoint.Tick());
        instance.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(instance.Endpoint.Tick());
        Assert.Equal(0, instance.Endpoint.ConnectionCount);
    }
}
