using System.Net;
using NitroCard.Card;
using NitroCard.Card.Punt;
using NitroCard.Driver.Simulation;
using NitroCard.Model;
using NitroCard.Packets;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// The punt path (docs/card-punt.md) on the Verilated RTL and on the model, with the same expectations: which frames
/// go to the punt queue and with which slot, that they are never forwarded, the per-slot token bucket, the queue's
/// size, answers injected to one slot only, and that the substrate cannot reach the services.
/// Sample topology: VPC A (slots 0, 1, 2; resolver 10.0.0.2), VPC B (slots 5, 6; no resolver).
/// </summary>
public sealed class PuntPathTests
{
    private static readonly CardTopology Topology = CardTopology.Sample();

    public static TheoryData<string> Engines => new() { "rtl", "model" };

    private static (ICardEngine Engine, IPuntPath Punt) Create(string name)
    {
        ICardEngine engine = name == "rtl" ? new RtlCardEngine() : new ModelCard(CardGeometry.Default);
        Topology.LoadInto(engine);
        return (engine, (IPuntPath)engine);
    }

    private static LocalEni Eni(int slot) => Topology.Enis.Single(e => e.Slot == slot);

    private static byte[] Request(int slot, string destination, byte protocol, ushort port, int payload = 20)
    {
        var eni = Eni(slot).Entry;
        var source = Ipv4Address.ToUInt32(eni.Ip);
        var target = Ipv4Address.Parse(destination);
        var data = new byte[payload];
        var l4 = protocol == Ipv4Header.ProtocolTcp
            ? TcpHeader.Build(source, target, 40000, port, 1, 0, TcpControl.Syn, data)
            : UdpHeader.Build(source, target, 40000, port, data);
        return Frames.Pad(Frames.Ipv4(Topology.Settings.GatewayMac.Value, eni.Mac.Value, new Ipv4Fields(source, target, protocol) { DontFragment = true }, l4));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Frames_to_the_link_local_services_are_punted_with_their_slot_and_never_forwarded(string name)
    {
        var (engine, punt) = Create(name);
        using var _ = engine;
        byte[][] bound =
        [
            Request(0, "169.254.169.254", Ipv4Header.ProtocolTcp, 80),
            Request(1, "169.254.169.253", Ipv4Header.ProtocolUdp, 53),
            Request(0, "10.0.0.2", Ipv4Header.ProtocolTcp, 53),
            Request(2, "169.254.169.123", Ipv4Header.ProtocolUdp, 123),
            Request(6, "169.254.169.253", Ipv4Header.ProtocolTcp, 53),
        ];
        int[] slots = [0, 1, 0, 2, 6];
        for (var i = 0; i < bound.Length; i++)
            engine.PushHost(slots[i], bound[i]);
        // Not punt-bound: VPC B has no resolver at its base + 2; wrong protocol; wrong port.
        engine.PushHost(5, Request(5, "10.0.0.2", Ipv4Header.ProtocolUdp, 53));
        engine.PushHost(0, Request(0, "169.254.169.254", Ipv4Header.ProtocolUdp, 80));
        engine.PushHost(0, Request(0, "169.254.169.123", Ipv4Header.ProtocolUdp, 124));
        engine.RunUntilIdle();

        var punted = punt.DrainPunt();
        Assert.Equal(slots, punted.Select(f => f.Slot));
        for (var i = 0; i < bound.Length; i++)
            Assert.Equal(bound[i], punted[i].Data);
        Assert.Empty(engine.DrainHost());
        Assert.Empty(engine.DrainNetwork());
        var counters = punt.ReadPuntCounters();
        Assert.Equal(new PuntSlotCounters(2, 0), counters[0]);
        Assert.Equal(new PuntSlotCounters(1, 0), counters[1]);
        Assert.Equal(new PuntSlotCounters(1, 0), counters[6]);
        Assert.Equal(new PuntSlotCounters(0, 0), counters[5]);
        var cardCounters = engine.ReadCounters();
        // The three frames that are not punt-bound went the fast path: no mapping for those addresses.
        Assert.Equal(3UL, cardCounters[DropReason.UnknownDestination]);
        Assert.Equal(0UL, cardCounters.Enis[1].TxPackets);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Each_slot_has_its_own_token_bucket_on_the_time_base(string name)
    {
        var (engine, punt) = Create(name);
        using var _ = engine;
        punt.SetPuntLimit(new PuntLimit(Burst: 2, RefillLog2: 10));
        engine.SetTime(5_000_000);
        var metadata = Request(0, "169.254.169.254", Ipv4Header.ProtocolTcp, 80);
        for (var i = 0; i < 5; i++)
            engine.PushHost(0, metadata);
        engine.PushHost(1, Request(1, "169.254.169.254", Ipv4Header.ProtocolTcp, 80));
        engine.RunUntilIdle();
        Assert.Equal([0, 0, 1], punt.DrainPunt().Select(f => f.Slot));

        // One refill period later slot 0 has earned exactly one token.
        engine.SetTime(5_000_000 + 1024);
        engine.PushHost(0, metadata);
        engine.PushHost(0, metadata);
        engine.RunUntilIdle();
        Assert.Single(punt.DrainPunt());

        var counters = punt.ReadPuntCounters();
        Assert.Equal(new PuntSlotCounters(3, 4), counters[0]);
        Assert.Equal(new PuntSlotCounters(1, 0), counters[1]);
        Assert.Equal(4UL, engine.ReadCounters()[DropReason.PuntRateLimit]);
        Assert.Empty(engine.DrainAlarms());
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_frame_longer_than_the_punt_queue_is_dropped_whole(string name)
    {
        var (engine, punt) = Create(name);
        using var _ = engine;
        var fits = Request(0, "169.254.169.253", Ipv4Header.ProtocolTcp, 53, payload: punt.PuntQueueBytes - 54);
        var tooLong = Request(0, "169.254.169.253", Ipv4Header.ProtocolTcp, 53, payload: punt.PuntQueueBytes - 53);
        Assert.Equal(punt.PuntQueueBytes, fits.Length);
        engine.PushHost(0, tooLong);
        engine.PushHost(0, fits);
        engine.RunUntilIdle();
        Assert.Equal(fits, Assert.Single(punt.DrainPunt()).Data);
        Assert.Equal(1UL, engine.ReadCounters()[DropReason.PuntQueueFull]);
        Assert.Equal(new PuntSlotCounters(1, 0), punt.ReadPuntCounters()[0]);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void An_injected_answer_is_delivered_to_its_slot_only(string name)
    {
        var (engine, punt) = Create(name);
        using var _ = engine;
        var eni = Eni(1).Entry;
        var answer = Frames.Pad(Frames.Ipv4(eni.Mac.Value, Topology.Settings.GatewayMac.Value,
            new Ipv4Fields(PuntRule.DnsAddress, Ipv4Address.ToUInt32(eni.Ip), Ipv4Header.ProtocolUdp),
            UdpHeader.Build(PuntRule.DnsAddress, Ipv4Address.ToUInt32(eni.Ip), 53, 40000, new byte[100])));
        punt.Inject(1, answer);
        punt.Inject(2, answer.AsSpan(0, 60));
        engine.RunUntilIdle();
        var delivered = engine.DrainHost();
        Assert.Equal([1, 2], delivered.Select(f => f.Slot));
        Assert.Equal(answer, delivered[0].Data);
        Assert.Equal(answer[..60], delivered[1].Data);
        Assert.Empty(engine.DrainNetwork());
        Assert.Empty(punt.DrainPunt());
        Assert.Throws<ArgumentOutOfRangeException>(() => punt.Inject(256, answer));
    }

    /// <summary>
    /// The punt path's cycle figures (docs/card-punt.md, "Cycle cost"): a one-beat request leaves the punt port at the
    /// edge after the one that took it in (the queue commits it at its last beat and offers it the next cycle), 2 cycles
    /// from an idle card; a one-beat answer leaves the host port the same way, 2 cycles after it was injected; a stream
    /// of punted frames moves a beat a cycle.
    /// </summary>
    [Fact]
    public void Rtl_punt_and_injection_latency_in_cycles()
    {
        using var engine = new RtlCardEngine();
        Topology.LoadInto(engine);
        var card = engine.Card;
        var request = Request(0, "169.254.169.253", Ipv4Header.ProtocolUdp, 53, payload: 0);
        Assert.Equal(60, request.Length); // one beat
        var start = card.Cycle;
        engine.PushHost(0, request);
        engine.RunUntilIdle();
        Assert.Equal(start + 2, Assert.Single(engine.DrainPunt()).Cycle);

        start = card.Cycle;
        engine.Inject(0, request);
        engine.RunUntilIdle();
        Assert.Equal(start + 2, Assert.Single(engine.DrainHost()).Cycle);

        // 20 requests of 3 beats back to back: one beat a cycle in, one out.
        var large = Request(0, "169.254.169.253", Ipv4Header.ProtocolUdp, 53, payload: 150);
        Assert.Equal(192, large.Length);
        engine.SetTime(1_000_000_000);
        start = card.Cycle;
        for (var i = 0; i < 20; i++)
            engine.PushHost(0, large);
        engine.RunUntilIdle();
        var punted = engine.DrainPunt();
        Assert.Equal(20, punted.Count);
        Assert.Equal(3UL * 19, punted[^1].Cycle - punted[0].Cycle);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void The_substrate_cannot_reach_the_services(string name)
    {
        var (engine, punt) = Create(name);
        using var _ = engine;
        // From the host that owns 10.0.1.20 in VPC A: the inner destination is no local ENI.
        var remote = Topology.Mappings.Single(m => m.Vni == 1001 && m.Ip.Equals(IPAddress.Parse("10.0.1.20")));
        var inner = Frames.Pad(Frames.Ipv4(Topology.Settings.GatewayMac.Value, remote.Mac.Value,
            new Ipv4Fields(Ipv4Address.ToUInt32(remote.Ip), PuntRule.MetadataAddress, Ipv4Header.ProtocolTcp),
            TcpHeader.Build(Ipv4Address.ToUInt32(remote.Ip), PuntRule.MetadataAddress, 40000, 80, 1, 0, TcpControl.Syn, [])));
        engine.PushNetwork(VxlanHeader.Encapsulate(inner, Topology.Settings.UnderlayMac.Value, Topology.Settings.UnderlayNextHopMac.Value,
            Ipv4Address.ToUInt32(remote.UnderlayIp), Ipv4Address.ToUInt32(Topology.Settings.UnderlayIp), 1001));
        engine.RunUntilIdle();
        Assert.Empty(punt.DrainPunt());
        Assert.Empty(engine.DrainHost());
        Assert.Equal(1UL, engine.ReadCounters()[DropReason.NotOnHost]);
    }
}
