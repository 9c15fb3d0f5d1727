using System.Buffers.Binary;
using System.Net;
using NitroCard.InstanceServices.Punt;
using NitroCard.Packets;

namespace NitroCard.InstanceServices.Tests;

public class HostileFrameTests
{
    private static readonly IPAddress Imds = ServiceAddresses.Metadata;

    private static byte[] Syn(Instance i) => Frames.Tcp(i.ServiceMac, Instance.Mac, Instance.Ip, Imds, 41000, 80, 1, 0, TcpControl.Syn);

    [Fact]
    public void Each_kind_of_bad_frame_is_counted_not_thrown()
    {
        var instance = new Instance();
        var c = instance.Endpoint.Counters;
        var good = Syn(instance);

        Assert.Empty(instance.Send([]));
        Assert.Empty(instance.Send(good[..30]));
        Assert.Equal(2, c.Dropped(PuntDrop.Truncated));

        Assert.Empty(instance.Send(Frames.ArpRequest(Instance.Mac, Instance.Ip, Imds)));
        Assert.Equal(1, c.Dropped(PuntDrop.NotIpv4));

        var badIpSum = (byte[])good.Clone();
        badIpSum[EthernetHeader.Length + 10] ^= 0xFF;
        Assert.Empty(instance.Send(badIpSum));
        var badVersion = (byte[])good.Clone();
        badVersion[EthernetHeader.Length] = 0x65;
        Ipv4Checksum.UpdateHeader(badVersion.AsSpan(EthernetHeader.Length));
        Assert.Empty(instance.Send(badVersion));
        Assert.Equal(2, c.Dropped(PuntDrop.BadIpHeader));

        var longer = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(longer.AsSpan(EthernetHeader.Length + 2), 1500);
        Ipv4Checksum.UpdateHeader(longer.AsSpan(EthernetHeader.Length));
        Assert.Empty(instance.Send(longer));
        Assert.Equal(3, c.Dropped(PuntDrop.Truncated));

        var badTcpSum = (byte[])good.Clone();
        badTcpSum[^1] ^= 0x55;
        Assert.Empty(instance.Send(badTcpSum));
        var badUdpSum = instance.Udp(ServiceAddresses.Dns, 53, new byte[20]);
        badUdpSum[^1] ^= 0x55;
        Assert.Empty(instance.Send(badUdpSum));
        Assert.Equal(2, c.Dropped(PuntDrop.BadChecksum));

        var fragment = Frames.Ipv4(instance.ServiceMac, Instance.Mac,
            new Ipv4Fields(Ipv4Address.ToUInt32(Instance.Ip), Ipv4Address.ToUInt32(Imds), Ipv4Header.ProtocolTcp) { MoreFragments = true }, new byte[24]);
        Assert.Empty(instance.Send(fragment));
        Assert.Equal(1, c.Dropped(PuntDrop.Fragment));

        // Spoofed source IP, another MAC, a destination no service has, a wrong destination MAC.
        Assert.Empty(instance.Send(Frames.Tcp(instance.ServiceMac, Instance.Mac, IPAddress.Parse("10.0.1.11"), Imds, 41000, 80, 1, 0, TcpControl.Syn)));
        Assert.Empty(instance.Send(Frames.Tcp(instance.ServiceMac, 0x02_00_00_00_00_99, Instance.Ip, Imds, 41000, 80, 1, 0, TcpControl.Syn)));
        Assert.Empty(instance.Send(Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, IPAddress.Parse("169.254.169.250"), 41000, 80, 1, 0, TcpControl.Syn)));
        Assert.Empty(instance.Send(Frames.Tcp(0x02_00_00_00_00_77, Instance.Mac, Instance.Ip, Imds, 41000, 80, 1, 0, TcpControl.Syn)));
        Assert.Equal(4, c.Dropped(PuntDrop.WrongAddress));

        Assert.Empty(instance.Send(Frames.IcmpEcho(instance.ServiceMac, Instance.Mac, Instance.Ip, Imds, 1, 1)));
        Assert.Equal(1, c.Dropped(PuntDrop.NoService));

        // The ENI left the card.
        instance.Source.Update(null);
        Assert.Empty(instance.Send(good));
        Assert.Equal(1, c.Dropped(PuntDrop.ServiceOff));
        Assert.Equal(0, c.Answered);
        Assert.Equal(c.Received, c.TotalDropped);
    }

    [Fact]
    public void Flood_is_rate_limited_per_eni()
    {
        var instance = new Instance(options: new PuntOptions { PacketsPerSecond = 100, Burst = 100 });
        var query = instance.Udp(ServiceAddresses.Time, 123, [(4 << 3) | 3, .. new byte[47]]);
        var answered = Enumerable.Range(0, 250).Count(_ => instance.Send(query).Count == 1);
        Assert.Equal(100, answered);
        Assert.Equal(150, instance.Endpoint.Counters.Dropped(PuntDrop.RateLimited));
        instance.Time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(50, Enumerable.Range(0, 80).Count(_ => instance.Send(query).Count == 1));
    }

    [Fact]
    public void Syn_flood_fills_the_connection_table_and_no_more()
    {
        var instance = new Instance();
        for (ushort port = 1; port <= 200; port++)
            instance.Send(Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, Imds, port, 80, 1, 0, TcpControl.Syn));
        Assert.Equal(instance.Services.Options.MaxConnectionsPerEni, instance.Endpoint.ConnectionCount);
        Assert.Equal(200 - instance.Services.Options.MaxConnectionsPerEni, instance.Endpoint.Counters.Dropped(PuntDrop.ConnectionLimit));
        // Half-open connections go when their SYN-ACKs are never answered.
        for (var i = 0; i < 10; i++)
        {
            instance.Time.Advance(TimeSpan.FromSeconds(10));
            instance.Endpoint.Tick();
        }
        Assert.Equal(0, instance.Endpoint.ConnectionCount);
    }

    [Fact]
    public void Random_mutations_never_throw()
    {
        var instance = new Instance(options: new PuntOptions { PacketsPerSecond = 1e9, Burst = 1e9 });
        var random = new Random(14);
        byte[][] seeds =
        [
            Syn(instance),
            instance.Udp(ServiceAddresses.Dns, 53, new byte[30]),
            instance.Udp(ServiceAddresses.Time, 123, new byte[48]),
            Frames.Tcp(instance.ServiceMac, Instance.Mac, Instance.Ip, Imds, 41000, 80, 2, 5, TcpControl.Ack | TcpControl.Psh, "GET / HTTP/1.1\r\n\r\n"u8),
        ];
        for (var n = 0; n < 5000; n++)
        {
            var frame = (byte[])seeds[random.Next(seeds.Length)].Clone();
            var flips = random.Next(1, 6);
            for (var f = 0; f < flips; f++)
                frame[random.Next(frame.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0)
                frame = frame[..random.Next(frame.Length)];
            if (random.Next(3) == 0 && frame.Length > EthernetHeader.Length)
            {
                // Keep the checksums right so the mutation reaches the parsers behind them.
                var ip = frame.AsSpan(EthernetHeader.Length);
                if (ip.Length >= 20 && ip.Length >= (ip[0] & 0xF) * 4)
                    Ipv4Checksum.UpdateHeader(ip);
            }
            _ = instance.Send(frame);
        }
        var c = instance.Endpoint.Counters;
        Assert.Equal(5000, c.Received);
        Assert.True(c.TotalDropped > 4000, c.ToString());
    }
}
