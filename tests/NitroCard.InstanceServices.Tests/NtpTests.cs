using System.Buffers.Binary;
using NitroCard.InstanceServices.Ntp;
using NitroCard.InstanceServices.Punt;
using NitroCard.Packets;

namespace NitroCard.InstanceServices.Tests;

public class NtpTests
{
    private static byte[] ClientRequest(ulong transmit, int version = 4)
    {
        var request = new byte[48];
        request[0] = (byte)((version << 3) | 3);
        request[2] = 6;
        BinaryPrimitives.WriteUInt64BigEndian(request.AsSpan(40), transmit);
        return request;
    }

    [Fact]
    public void Sntp_answer_carries_the_providers_time()
    {
        var instance = new Instance();
        var frame = Assert.Single(instance.Send(instance.Udp(ServiceAddresses.Time, 123, ClientRequest(0x1122334455667788), sourcePort: 123)));
        var ip = frame.AsSpan(EthernetHeader.Length);
        Assert.Equal(Ipv4Address.ToUInt32(ServiceAddresses.Time), Ipv4Header.Source(ip));
        var ntp = ip[(20 + UdpHeader.Length)..];
        Assert.Equal(48, ntp.Length);
        Assert.Equal(0, ntp[0] >> 6);
        Assert.Equal(4, (ntp[0] >> 3) & 7);
        Assert.Equal(4, ntp[0] & 7);
        Assert.Equal(SntpServer.Stratum, ntp[1]);
        Assert.Equal(0x1122334455667788UL, BinaryPrimitives.ReadUInt64BigEndian(ntp[24..]));
        Assert.Equal(instance.Time.GetUtcNow(), SntpServer.FromNtp(BinaryPrimitives.ReadUInt64BigEndian(ntp[40..])));
        Assert.Equal(instance.Time.GetUtcNow(), SntpServer.FromNtp(BinaryPrimitives.ReadUInt64BigEndian(ntp[32..])));
    }

    [Fact]
    public void Version_3_client_gets_version_3()
    {
        var answer = new SntpServer(TimeProvider.System).Answer(ClientRequest(1, 3))!;
        Assert.Equal(3, (answer[0] >> 3) & 7);
    }

    [Fact]
    public void Non_client_packets_are_dropped()
    {
        var instance = new Instance();
        var server = ClientRequest(1);
        server[0] = (4 << 3) | 4; // a server packet
        Assert.Empty(instance.Send(instance.Udp(ServiceAddresses.Time, 123, server)));
        Assert.Empty(instance.Send(instance.Udp(ServiceAddresses.Time, 123, new byte[47])));
        Assert.Equal(2, instance.Endpoint.Counters.Dropped(PuntDrop.BadRequest));
        // NTP at the DNS address, DNS at the time address: no service.
        Assert.Empty(instance.Send(instance.Udp(ServiceAddresses.Dns, 123, ClientRequest(1))));
        Assert.Empty(instance.Send(instance.Udp(ServiceAddresses.Time, 53, ClientRequest(1))));
        Assert.Equal(2, instance.Endpoint.Counters.Dropped(PuntDrop.NoService));
    }
}
