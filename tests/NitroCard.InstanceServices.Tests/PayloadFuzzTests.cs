using System.Text;
using Makaretu.Dns;
using NitroCard.InstanceServices.Punt;

namespace NitroCard.InstanceServices.Tests;

/// <summary>Hostile payloads behind valid headers and checksums, so they reach the DNS, NTP and HTTP parsers.</summary>
public class PayloadFuzzTests
{
    private static Instance Unlimited() => new(options: new PuntOptions { PacketsPerSecond = 1e9, Burst = 1e9 });

    [Fact]
    public void Dns_compression_loop_is_a_counted_drop()
    {
        var instance = Unlimited();
        // Header (1 question), then a name that is a pointer to itself (offset 12).
        byte[] loop = [0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01];
        Assert.Empty(instance.Send(instance.Udp(ServiceAddresses.Dns, 53, loop)));
        // Two pointers to each other.
        byte[] pair = [0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xC0, 0x0E, 0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01];
        Assert.Empty(instance.Send(instance.Udp(ServiceAddresses.Dns, 53, pair)));
        Assert.Equal(2, instance.Endpoint.Counters.Dropped(PuntDrop.BadRequest));
    }

    [Fact]
    public void Random_dns_payloads_never_throw()
    {
        var instance = Unlimited();
        var random = new Random(53);
        var seed = new Message { Id = 1, RD = true };
        seed.Questions.Add(new Question { Name = "ip-10-0-1-10.ec2.internal", Type = DnsType.A });
        var good = seed.ToByteArray();
        for (var n = 0; n < 3000; n++)
        {
            var payload = (byte[])good.Clone();
            for (var f = random.Next(1, 6); f > 0; f--)
                payload[random.Next(payload.Length)] = (byte)random.Next(256);
            if (random.Next(3) == 0)
                payload = payload[..random.Next(payload.Length)];
            _ = instance.Send(instance.Udp(ServiceAddresses.Dns, 53, payload));
        }
        Assert.Equal(3000, instance.Endpoint.Counters.Received);
    }

    [Fact]
    public void Random_http_requests_never_throw()
    {
        var instance = Unlimited();
        var random = new Random(80);
        var good = Encoding.ASCII.GetBytes(Http.Get("/latest/meta-data/instance-id"));
        for (var n = 0; n < 300; n++)
        {
            var session = instance.Tcp(ServiceAddresses.Metadata, 80, (ushort)(20000 + n));
            session.Connect();
            var request = (byte[])good.Clone();
            for (var f = random.Next(1, 6); f > 0; f--)
                request[random.Next(request.Length)] = (byte)random.Next(256);
            session.Send(request, pieceSize: random.Next(1, 40));
            session.Fin();
            instance.Time.Advance(TimeSpan.FromSeconds(31));
            instance.Endpoint.Tick();
        }
        Assert.Equal(0, instance.Endpoint.ConnectionCount);
    }

    [Fact]
    public void Oversized_or_binary_request_is_400_and_closed()
    {
        var instance = Unlimited();
        var session = instance.Tcp(ServiceAddresses.Metadata, 80);
        session.Connect();
        session.Send("GET /latest/meta-data/ HTTP/1.1\r\nX-Filler: " + new string('a', 9000), pieceSize: 1000);
        Assert.Equal(400, Http.Parse(session.Text).Status);
        Assert.True(session.PeerFin);

        var binary = instance.Tcp(ServiceAddresses.Metadata, 80, 41001);
        binary.Connect();
        binary.Send([0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03, 0x0D, 0x0A, 0x0D, 0x0A]);
        Assert.Equal(400, Http.Parse(binary.Text).Status);
        Assert.True(binary.PeerFin);
    }
}
