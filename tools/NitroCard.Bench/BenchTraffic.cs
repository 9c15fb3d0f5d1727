using NitroCard.Card;
using NitroCard.Card.Tables;
using NitroCard.Model;
using NitroCard.Packets;

namespace NitroCard.Bench;

/// <summary>The three data-path directions the cycle benchmark measures.</summary>
public enum Direction
{
    /// <summary>Host in → network out: the frame is encapsulated (out = in + 50 bytes).</summary>
    TxEncap,

    /// <summary>Host in → host out: the destination is another ENI on this card (out = in).</summary>
    TxLocal,

    /// <summary>Network in → host out: VXLAN is removed (in = inner + 50 bytes).</summary>
    RxDecap,
}

/// <summary>
/// Frames for the benchmarks, drawn from a <see cref="CardTopology"/> (by default
/// <see cref="CardTopology.Sample"/>, the topology the differential test uses): a local ENI
/// sending to a remote address of its VPC (encapsulated), to another local ENI of its VPC
/// (switched locally), and the remote address sending back to it over VXLAN (decapsulated).
/// Every frame passes every check of docs/card-semantics.md.
/// </summary>
public sealed class BenchTraffic
{
    /// <summary>Bytes VXLAN encapsulation adds (Ethernet + IPv4 + UDP + VXLAN).</summary>
    public const int Encap = VxlanHeader.Overhead;

    /// <summary>Smallest size a frame can be built at (Ethernet + IPv4 + UDP headers).</summary>
    public const int MinimumSize = 42;

    private readonly MappingEntry _sourceMapping;
    private readonly MappingEntry _localPeer;
    private readonly MappingEntry _remotePeer;

    public BenchTraffic(CardTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        Topology = topology;
        Source = topology.Enis.FirstOrDefault(e => topology.Enis.Any(o => o.Slot != e.Slot && o.Entry.Vni == e.Entry.Vni)
                                                    && topology.Mappings.Any(m => m.LocalSlot is null && m.Vni == e.Entry.Vni))
            ?? throw new ArgumentException("the topology needs a VPC with two local ENIs and a remote address", nameof(topology));
        var vni = Source.Entry.Vni;
        _sourceMapping = topology.Mappings.First(m => m.LocalSlot == Source.Slot);
        _localPeer = topology.Mappings.First(m => m.Vni == vni && m.LocalSlot is { } s && s != Source.Slot);
        _remotePeer = topology.Mappings.First(m => m.Vni == vni && m.LocalSlot is null);
    }

    /// <summary>The sample topology's traffic.</summary>
    public static BenchTraffic Sample() => new(CardTopology.Sample());

    public CardTopology Topology { get; }

    /// <summary>The local ENI every host-port frame comes from, and every decapsulated frame goes to.</summary>
    public LocalEni Source { get; }

    /// <summary>Bytes on the input port for a frame of <paramref name="size"/> (the instance's frame size).</summary>
    public static int InputLength(Direction direction, int size) => direction == Direction.RxDecap ? size + Encap : size;

    /// <summary>Bytes on the output port for a frame of <paramref name="size"/>.</summary>
    public static int OutputLength(Direction direction, int size) => direction == Direction.TxEncap ? size + Encap : size;

    /// <summary>Data-bus beats (64 bytes each) a frame of <paramref name="bytes"/> takes.</summary>
    public static int Beats(int bytes) => (bytes + 63) / 64;

    /// <summary>The bus bound in cycles per packet: max(ceil(in/64), ceil(out/64)).</summary>
    public static int Bound(Direction direction, int size) => Math.Max(Beats(InputLength(direction, size)), Beats(OutputLength(direction, size)));

    /// <summary>
    /// A valid UDP frame of exactly <paramref name="size"/> bytes as the instance sends or
    /// receives it (for <see cref="Direction.RxDecap"/> the inner frame); <paramref name="sequence"/>
    /// varies the UDP source port, so the outer flow hash varies too.
    /// </summary>
    public byte[] InstanceFrame(Direction direction, int size, int sequence)
        => InstanceFrame(direction, size, (ushort)(1024 + (sequence & 0x7FFF)), 9);

    /// <summary>A valid UDP frame of exactly <paramref name="size"/> bytes between these ports (the flow's other half).</summary>
    public byte[] InstanceFrame(Direction direction, int size, ushort sourcePort, ushort destinationPort)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, MinimumSize);
        var payload = new byte[size - MinimumSize];
        var (from, to) = direction switch
        {
            Direction.TxEncap => (_sourceMapping, _remotePeer),
            Direction.TxLocal => (_sourceMapping, _localPeer),
            _ => (_remotePeer, _sourceMapping),
        };
        return Frames.Udp(to.Mac.Value, from.Mac.Value, from.Ip, to.Ip, sourcePort, destinationPort, payload);
    }

    /// <summary>The slot (<c>tuser</c>) outputs of <paramref name="direction"/> carry; -1 for the network port.</summary>
    public int OutputSlot(Direction direction) => direction switch
    {
        Direction.TxEncap => -1,
        Direction.TxLocal => _localPeer.LocalSlot!.Value,
        _ => Source.Slot,
    };

    /// <summary>Pushes one frame of <paramref name="size"/> into the port <paramref name="direction"/> starts at.</summary>
    public void Push(ICardEngine engine, Direction direction, int size, int sequence)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var frame = InstanceFrame(direction, size, sequence);
        if (direction == Direction.RxDecap)
            engine.PushNetwork(Encapsulate(frame));
        else
            engine.PushHost(Source.Slot, frame);
    }

    /// <summary>The frame as it arrives on the substrate from the remote address's host.</summary>
    public byte[] Encapsulate(ReadOnlySpan<byte> inner)
    {
        var s = Topology.Settings;
        return VxlanHeader.Encapsulate(inner, s.UnderlayMac.Value, s.UnderlayNextHopMac.Value,
            Ipv4Address.ToUInt32(_remotePeer.UnderlayIp), Ipv4Address.ToUInt32(s.UnderlayIp), _remotePeer.Vni);
    }

    /// <summary>
    /// An endless stream of distinct random remote mappings (VNIs 3000 and up, addresses in
    /// 10.0.0.0/8, underlay in 192.0.2.0/24) that collide with no key of the topology.
    /// </summary>
    public IEnumerable<MappingEntry> RandomMappings(int seed)
    {
        var random = new Random(seed);
        var seen = Topology.Mappings.Select(m => m.Key).ToHashSet();
        while (true)
        {
            var vni = (uint)random.Next(3000, 0x100_0000);
            var ip = 0x0A00_0000u | (uint)random.Next(1, 0xFF_FFFF);
            if (!seen.Add(new MappingKey(vni, ip)))
                continue;
            var underlay = 0xC000_0200u | (uint)random.Next(1, 255);
            var mac = 0x0200_0000_0000UL | ((ulong)(vni & 0xFFFF) << 24) | (ip & 0xFF_FFFF);
            yield return new MappingEntry(vni, Ipv4Address.FromUInt32(ip), Ipv4Address.FromUInt32(underlay), new MacAddress(mac));
        }
    }
}
