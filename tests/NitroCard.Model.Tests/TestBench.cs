using System.Buffers.Binary;
using System.Net;
using NitroCard.Card;
using NitroCard.Packets;

namespace NitroCard.Model.Tests;

/// <summary>A model card loaded with <see cref="CardTopology.Sample"/>, and helpers to push one frame and see what came out.</summary>
internal sealed class TestBench
{
    public const uint VpcA = 1001;
    public const uint VpcB = 2002;

    public static readonly IPAddress Underlay = IPAddress.Parse("192.0.2.10");
    public static readonly IPAddress HostB = IPAddress.Parse("192.0.2.20");
    public static readonly IPAddress HostC = IPAddress.Parse("192.0.2.30");
    public static readonly IPAddress Edge = IPAddress.Parse("198.51.100.1");
    public static readonly ulong UnderlayMac = MacAddress.Parse("02:00:c0:00:02:0a").Value;
    public static readonly ulong NextHopMac = MacAddress.Parse("02:00:c0:00:02:01").Value;
    public static readonly ulong GatewayMac = MacAddress.Parse("02:00:00:00:00:01").Value;

    public TestBench(uint alarmMask = uint.MaxValue, int alarmDepth = ModelCard.DefaultAlarmDepth, CardGeometry? geometry = null)
    {
        Topology = CardTopology.Sample();
        Topology = Topology with { Settings = Topology.Settings with { AlarmMask = alarmMask } };
        Card = new ModelCard(geometry, alarmDepth);
        Topology.LoadInto(Card);
    }

    public CardTopology Topology { get; }

    public ModelCard Card { get; }

    public IReadOnlyList<CardFrame> Host { get; private set; } = [];

    public IReadOnlyList<CardFrame> Network { get; private set; } = [];

    public IReadOnlyList<CardAlarm> Alarms { get; private set; } = [];

    public CardCounters Counters => Card.ReadCounters();

    public static IPAddress Ip(string text) => IPAddress.Parse(text);

    public static ulong Mac(uint vni, string ip) => CardTopology.SampleMac(vni, Ip(ip)).Value;

    /// <summary>Pushes one frame on the host port and runs.</summary>
    public TestBench Tx(int slot, byte[] frame)
    {
        Card.PushHost(slot, frame);
        return Run();
    }

    /// <summary>Pushes one frame on the network port and runs.</summary>
    public TestBench Rx(byte[] frame)
    {
        Card.PushNetwork(frame);
        return Run();
    }

    public TestBench Run()
    {
        Assert.Null(Card.RunUntilIdle());
        Host = Card.DrainHost();
        Network = Card.DrainNetwork();
        Alarms = Card.DrainAlarms();
        return this;
    }

    /// <summary>Asserts the last frame was dropped for <paramref name="reason"/> (counted once, nothing emitted) and returns its alarm.</summary>
    public CardAlarm AssertDropped(DropReason reason)
    {
        Assert.Empty(Host);
        Assert.Empty(Network);
        var counters = Counters;
        for (var r = 0; r < DropReasonNames.Count; r++)
            Assert.Equal((DropReason)r == reason ? 1UL : 0UL, counters.Drops[r]);
        var alarm = Assert.Single(Alarms);
        Assert.Equal(reason, alarm.Reason);
        Assert.Equal(0UL, alarm.Cycle);
        return alarm;
    }

    /// <summary>Asserts the TX frame was dropped and its alarm has the given fields.</summary>
    public void AssertTxAlarm(DropReason reason, int slot, uint vni, string innerSource, string innerDestination)
    {
        var alarm = AssertDropped(reason);
        Assert.Equal(new CardAlarm(0, reason, slot, vni, IPAddress.Any, Ip(innerSource), Ip(innerDestination)), alarm);
        foreach (var eni in Counters.Enis)
            Assert.Equal(default, eni);
    }

    // ---- frames --------------------------------------------------------------------------

    /// <summary>UDP from an ENI of the sample topology (source MAC = the ENI's).</summary>
    public static byte[] Udp(uint vni, string source, string destination, int payload = 18, ulong? destinationMac = null, byte ttl = 64, ushort sourcePort = 40000, ushort destinationPort = 80)
        => Frames.Udp(destinationMac ?? GatewayMac, Mac(vni, source), Ip(source), Ip(destination), sourcePort, destinationPort, Payload(payload), ttl);

    public static byte[] Payload(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
            bytes[i] = (byte)(i * 7 + 3);
        return bytes;
    }

    /// <summary>A UDP frame whose IPv4 total length is exactly <paramref name="totalLength"/>.</summary>
    public static byte[] UdpOfTotalLength(uint vni, string source, string destination, int totalLength)
        => Udp(vni, source, destination, totalLength - 28);

    /// <summary>A VXLAN frame as a remote card would send it to this card.</summary>
    public static byte[] Vxlan(uint vni, byte[] inner, IPAddress outerSource, IPAddress? outerDestination = null)
        => VxlanHeader.Encapsulate(inner, UnderlayMac, NextHopMac, Ipv4Address.ToUInt32(outerSource), Ipv4Address.ToUInt32(outerDestination ?? Underlay), vni);

    /// <summary>Rewrites the IPv4 header checksum at <paramref name="ipOffset"/>.</summary>
    public static byte[] FixChecksum(byte[] frame, int ipOffset = 14)
    {
        Ipv4Checksum.UpdateHeader(frame.AsSpan(ipOffset));
        return frame;
    }

    public static byte[] SetUInt16(byte[] frame, int offset, int value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), (ushort)value);
        return frame;
    }
}
