using System.Buffers.Binary;
using NitroCard.Card;
using NitroCard.Packets;

namespace NitroCard.Model;

/// <summary>What a generated frame was built to exercise (a label, not a promised outcome).</summary>
public enum GeneratedKind
{
    /// <summary>TX IPv4 from a local ENI to another local ENI of its VPC.</summary>
    SameHost,

    /// <summary>TX IPv4 from a local ENI to a remote address of its VPC.</summary>
    CrossHost,

    /// <summary>TX ARP request the card answers (gateway or a mapped in-subnet address; sender IP sometimes 0.0.0.0).</summary>
    Arp,

    /// <summary>RX VXLAN from the host that owns the inner source to a local ENI.</summary>
    RxValid,

    /// <summary>RX VXLAN from an edge allowed for the VNI, inner source an outside address.</summary>
    RxFromEdge,

    /// <summary>Largest legal frame (TX 14 + IP MTU bytes, RX that plus 50), valid otherwise.</summary>
    MtuBoundary,

    /// <summary>TX or RX with a wrong IPv4 header checksum (outer or inner).</summary>
    BadChecksum,

    /// <summary>TX whose Ethernet (or ARP sender) MAC is not the ENI's.</summary>
    WrongSourceMac,

    /// <summary>TX whose IPv4 (or ARP sender) address is not the ENI's.</summary>
    WrongSourceIp,

    /// <summary>TX on a slot that is not programmed (or beyond the slots the card has).</summary>
    UnknownSlot,

    /// <summary>TX to an address with no mapping in the VPC.</summary>
    UnknownDestination,

    /// <summary>Traffic that crosses VPCs: TX to an address only another VPC has, RX with the wrong VNI for the inner destination.</summary>
    CrossVpc,

    /// <summary>IPv4 TTL of zero (TX, or RX inner).</summary>
    TtlZero,

    /// <summary>TX ARP the card does not answer: gratuitous, unknown target, reply opcode, bad header.</summary>
    ArpUnanswered,

    /// <summary>Well-formed frames the card does not handle: IPv6, VLAN, IPv4 options, non-VXLAN substrate traffic, inner ARP.</summary>
    Unsupported,

    /// <summary>RX VXLAN whose outer source is not the owner of the inner source, nor an edge of the VNI.</summary>
    Spoofed,

    /// <summary>RX for another host, or for an inner destination that is not a local ENI.</summary>
    NotOnHost,

    /// <summary>RX with inconsistent substrate headers (UDP length, VXLAN flags, length fields).</summary>
    RxMalformed,

    /// <summary>One frame past the MTU (or more).</summary>
    Oversized,

    /// <summary>A valid frame cut at a random byte.</summary>
    Truncated,

    /// <summary>A valid frame with a few random bytes changed.</summary>
    Mutated,

    /// <summary>Random bytes, sometimes behind a plausible Ethernet header.</summary>
    Garbage,

    /// <summary>
    /// TX to a link-local service (metadata, DNS at 169.254.169.253 or the ENI's resolver, time): mostly punt-bound,
    /// sometimes with the other protocol or port, as a fragment, with a wrong source, longer than the punt queue, or
    /// from a slot with no ENI (docs/card-punt.md).
    /// </summary>
    Punt,
}

/// <summary>A generated input frame: on the host port at <see cref="Slot"/>, or on the network port.</summary>
public sealed record GeneratedFrame(GeneratedKind Kind, bool FromNetwork, int Slot, byte[] Data)
{
    /// <summary>Pushes the frame into the port it belongs to.</summary>
    public void PushTo(ICardEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (FromNetwork)
            engine.PushNetwork(Data);
        else
            engine.PushHost(Slot, Data);
    }

    public override string ToString() => $"{Kind} {(FromNetwork ? "network" : $"host slot {Slot}")} {Data.Length} bytes";
}

/// <summary>
/// Seeded random frames for the differential test, drawn from a <see cref="CardTopology"/>: valid
/// same-host, cross-host, ARP and decapsulated traffic, and every kind of invalid frame. The same
/// topology, geometry and seed always give the same sequence.
/// </summary>
public sealed class FrameGenerator
{
    private static readonly GeneratedKind[] AllKinds = Enum.GetValues<GeneratedKind>();
    private static readonly GeneratedKind[] ValidKinds = [GeneratedKind.SameHost, GeneratedKind.CrossHost, GeneratedKind.CrossHost, GeneratedKind.Arp, GeneratedKind.RxValid, GeneratedKind.RxValid, GeneratedKind.RxFromEdge];
    private static readonly TcpControl[] TcpControls = [TcpControl.Syn, TcpControl.Syn | TcpControl.Ack, TcpControl.Ack, TcpControl.Ack | TcpControl.Psh, TcpControl.Fin | TcpControl.Ack, TcpControl.Rst];
    private static readonly byte[] OtherProtocols = [47, 50, 132, 255];

    private readonly SplitMix64 _random;
    private readonly CardTopology _topology;
    private readonly int _ipMtu;
    private readonly Eni[] _locals;
    private readonly Remote[] _remotes;
    private readonly Remote[] _edges;
    private readonly int[] _freeSlots;
    private readonly uint[] _hosts;
    private readonly uint _underlayIp;
    private readonly ulong _underlayMac;
    private readonly ulong _nextHopMac;
    private readonly ulong _gatewayMac;

    public FrameGenerator(CardTopology topology, ulong seed, CardGeometry? geometry = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        _topology = topology;
        _random = new SplitMix64(seed);
        var g = geometry ?? CardGeometry.Default;
        _ipMtu = g.IpMtu;
        _underlayIp = Ipv4Address.ToUInt32(topology.Settings.UnderlayIp);
        _underlayMac = topology.Settings.UnderlayMac.Value;
        _nextHopMac = topology.Settings.UnderlayNextHopMac.Value;
        _gatewayMac = topology.Settings.GatewayMac.Value;
        _locals = [.. topology.Enis.Select(e => new Eni(
            e.Slot, e.Entry.Vni, Ipv4Address.ToUInt32(e.Entry.Ip), e.Entry.Mac.Value,
            Ipv4Address.ToUInt32(e.Entry.Subnet.BaseAddress), Ipv4Address.Mask(e.Entry.Subnet.PrefixLength),
            e.Entry.Resolver is { } resolver ? Ipv4Address.ToUInt32(resolver) : 0))];
        _remotes = [.. topology.Mappings.Where(m => m.LocalSlot is null)
            .Select(m => new Remote(m.Vni, Ipv4Address.ToUInt32(m.Ip), Ipv4Address.ToUInt32(m.UnderlayIp), m.Mac.Value))];
        _edges = [.. topology.Edges.Select(e => new Remote(e.Vni, 0, Ipv4Address.ToUInt32(e.UnderlayIp), 0))];
        var used = topology.Enis.Select(e => e.Slot).ToHashSet();
        _freeSlots = [.. Enumerable.Range(0, g.EniSlots).Where(s => !used.Contains(s)).Concat([g.EniSlots, 255]).Where(s => s <= 255)];
        _hosts = [.. _remotes.Select(r => r.Underlay).Concat(_edges.Select(e => e.Underlay)).Append(Ipv4Address.ToUInt32(System.Net.IPAddress.Parse("192.0.2.99"))).Distinct()];
        if (_locals.Length == 0)
            throw new ArgumentException("the topology needs at least one local ENI", nameof(topology));
    }

    /// <summary>The next frame: about half valid traffic, half invalid of every kind.</summary>
    public GeneratedFrame Next()
    {
        if (_random.Chance(0.5))
            return Next(_random.Pick(ValidKinds));
        return Next(AllKinds[_random.Next(AllKinds.Length)]);
    }

    /// <summary><paramref name="count"/> frames from <see cref="Next()"/>.</summary>
    public IEnumerable<GeneratedFrame> Take(int count)
    {
        for (var i = 0; i < count; i++)
            yield return Next();
    }

    /// <summary>The next frame of a given kind.</summary>
    public GeneratedFrame Next(GeneratedKind kind) => kind switch
    {
        GeneratedKind.SameHost => SameHost(kind),
        GeneratedKind.CrossHost => CrossHost(kind),
        GeneratedKind.Arp => ArpAnswered(kind),
        GeneratedKind.RxValid => RxValid(kind),
        GeneratedKind.RxFromEdge => RxFromEdge(kind),
        GeneratedKind.MtuBoundary => MtuBoundary(kind),
        GeneratedKind.BadChecksum => BadChecksum(kind),
        GeneratedKind.WrongSourceMac => WrongSourceMac(kind),
        GeneratedKind.WrongSourceIp => WrongSourceIp(kind),
        GeneratedKind.UnknownSlot => UnknownSlot(kind),
        GeneratedKind.UnknownDestination => UnknownDestination(kind),
        GeneratedKind.CrossVpc => CrossVpc(kind),
        GeneratedKind.TtlZero => TtlZero(kind),
        GeneratedKind.ArpUnanswered => ArpUnanswered(kind),
        GeneratedKind.Unsupported => Unsupported(kind),
        GeneratedKind.Spoofed => Spoofed(kind),
        GeneratedKind.NotOnHost => NotOnHost(kind),
        GeneratedKind.RxMalformed => RxMalformed(kind),
        GeneratedKind.Oversized => Oversized(kind),
        GeneratedKind.Truncated => Truncated(kind),
        GeneratedKind.Mutated => Mutated(kind),
        GeneratedKind.Garbage => Garbage(kind),
        GeneratedKind.Punt => Punt(kind),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown kind"),
    };

    // ---- valid traffic ------------------------------------------------------------------

    private GeneratedFrame SameHost(GeneratedKind kind)
    {
        var a = _random.Pick(_locals);
        var peers = _locals.Where(l => l.Vni == a.Vni && l.Slot != a.Slot).ToArray();
        var b = peers.Length > 0 ? _random.Pick(peers) : a;
        return Tx(kind, a, Inner(DestinationMac(a, b.Ip, b.Mac), a.Mac, a.Ip, b.Ip));
    }

    private GeneratedFrame CrossHost(GeneratedKind kind)
    {
        var a = _random.Pick(_locals);
        var remotes = _remotes.Where(r => r.Vni == a.Vni).ToArray();
        if (remotes.Length == 0)
            return SameHost(kind);
        var r = _random.Pick(remotes);
        return Tx(kind, a, Inner(DestinationMac(a, r.Ip, r.Mac), a.Mac, a.Ip, r.Ip));
    }

    private GeneratedFrame ArpAnswered(GeneratedKind kind)
    {
        var a = _random.Pick(_locals);
        var candidates = _locals.Where(l => l.Vni == a.Vni && l.Ip != a.Ip && (l.Ip & a.Mask) == a.Subnet).Select(l => l.Ip)
            .Concat(_remotes.Where(r => r.Vni == a.Vni && (r.Ip & a.Mask) == a.Subnet).Select(r => r.Ip))
            .Append(a.Subnet + 1).ToArray();
        var target = _random.Pick(candidates);
        var senderIp = _random.Chance(0.1) ? 0 : a.Ip;
        return Tx(kind, a, ArpFrame(a.Mac, ArpPacket.OpRequest, a.Mac, senderIp, target));
    }

    private GeneratedFrame RxValid(GeneratedKind kind)
    {
        var (vni, inner, outerSource) = RxFlow();
        return Rx(kind, vni, inner, outerSource, _underlayIp);
    }

    private GeneratedFrame RxFromEdge(GeneratedKind kind)
    {
        if (_edges.Length == 0)
            return RxValid(kind);
        var edge = _random.Pick(_edges);
        var targets = _locals.Where(l => l.Vni == edge.Vni).ToArray();
        if (targets.Length == 0)
            return RxValid(kind);
        var b = _random.Pick(targets);
        var outside = 0xCB00_7100u | (uint)_random.Between(1, 254); // 203.0.113.x
        return Rx(kind, edge.Vni, Inner(_random.Chance(0.5) ? b.Mac : _gatewayMac, _gatewayMac, outside, b.Ip), edge.Underlay, _underlayIp);
    }

    private GeneratedFrame MtuBoundary(GeneratedKind kind)
    {
        if (_random.Chance(0.5))
        {
            var a = _random.Pick(_locals);
            var peers = _locals.Where(l => l.Vni == a.Vni).Select(l => (l.Ip, l.Mac)).Concat(_remotes.Where(r => r.Vni == a.Vni).Select(r => (r.Ip, r.Mac))).Where(p => p.Ip != a.Ip).ToArray();
            var (ip, mac) = peers.Length > 0 ? _random.Pick(peers) : (a.Ip, a.Mac);
            return Tx(kind, a, InnerOfTotalLength(DestinationMac(a, ip, mac), a.Mac, a.Ip, ip, _ipMtu));
        }
        var (vni, inner, outerSource) = RxFlow(_ipMtu);
        return Rx(kind, vni, inner, outerSource, _underlayIp, pad: false);
    }

    // ---- invalid traffic ----------------------------------------------------------------

    private GeneratedFrame BadChecksum(GeneratedKind kind)
    {
        if (_random.Chance(0.5))
        {
            var f = Next(_random.Chance(0.5) ? GeneratedKind.CrossHost : GeneratedKind.SameHost);
            CorruptIpChecksum(f.Data, EthernetHeader.Length);
            return f with { Kind = kind };
        }
        var rx = ValidRx();
        CorruptIpChecksum(rx.Data, _random.Chance(0.5) ? EthernetHeader.Length : VxlanHeader.Overhead + EthernetHeader.Length);
        return rx with { Kind = kind };
    }

    private GeneratedFrame WrongSourceMac(GeneratedKind kind)
    {
        var a = _random.Pick(_locals);
        var otherMac = _random.Chance(0.5) ? _random.Pick(_locals).Mac ^ 0x0100 : (_random.NextUInt64() & 0xFFFF_FFFF_FFFF);
        if (_random.Chance(0.3))
            return Tx(kind, a, ArpFrame(a.Mac, ArpPacket.OpRequest, otherMac, a.Ip, a.Subnet + 1));
        var f = ValidTxFrom(a);
        EthernetHeader.WriteSource(f, otherMac);
        return Tx(kind, a, f);
    }

    private GeneratedFrame WrongSourceIp(GeneratedKind kind)
    {
        var a = _random.Pick(_locals);
        var wrong = a.Ip ^ (uint)_random.Between(1, 255);
        if (_random.Chance(0.3))
            return Tx(kind, a, ArpFrame(a.Mac, ArpPacket.OpRequest, a.Mac, wrong, a.Subnet + 1));
        var b = DestinationsOf(a);
        var (ip, mac) = _random.Pick(b);
        return Tx(kind, a, Inner(DestinationMac(a, ip, mac), a.Mac, wrong, ip));
    }

    private GeneratedFrame UnknownSlot(GeneratedKind kind)
    {
        var f = ValidTx();
        return f with { Kind = kind, Slot = _freeSlots.Length > 0 ? _random.Pick(_freeSlots) : 255 };
    }

    private GeneratedFrame UnknownDestination(GeneratedKind kind)
    {
        var a = _random.Pick(_locals);
        uint destination;
        do
            destination = (a.Subnet & 0xFFFF_0000) | (uint)_random.Between(0, 0xFFFF);
        while (IsMapped(a.Vni, destination));
        return Tx(kind, a, Inner(_gatewayMac, a.Mac, a.Ip, destination));
    }

    private GeneratedFrame CrossVpc(GeneratedKind kind)
    {
        if (_random.Chance(0.5))
        {
            // TX to an address only another VPC has.
            var a = _random.Pick(_locals);
            var foreign = _remotes.Select(r => (r.Vni, r.Ip)).Concat(_locals.Select(l => (l.Vni, l.Ip)))
                .Where(x => x.Vni != a.Vni && !IsMapped(a.Vni, x.Ip)).Select(x => x.Ip).ToArray();
            if (foreign.Length == 0)
                return UnknownDestination(kind);
            var ip = _random.Pick(foreign);
            return Tx(kind, a, Inner(_gatewayMac, a.Mac, a.Ip, ip));
        }
        // RX whose VNI does not own the inner destination, or whose inner source belongs to another VPC.
        var b = _random.Pick(_locals);
        var others = _locals.Select(l => l.Vni).Concat(_remotes.Select(r => r.Vni)).Where(v => v != b.Vni && !IsMapped(v, b.Ip)).Distinct().ToArray();
        var vni = others.Length > 0 ? _random.Pick(others) : b.Vni ^ 1;
        var sources = _remotes.Where(r => r.Vni == vni).ToArray();
        var source = sources.Length > 0 ? _random.Pick(sources) : new Remote(vni, 0x0A00_0909, _hosts[0], 0);
        return Rx(kind, vni, Inner(b.Mac, source.Mac, source.Ip, b.Ip), source.Underlay, _underlayIp);
    }

    private GeneratedFrame TtlZero(GeneratedKind kind)
    {
        if (_random.Chance(0.5))
        {
            var a = _random.Pick(_locals);
            var (ip, mac) = _random.Pick(DestinationsOf(a));
            return Tx(kind, a, Inner(DestinationMac(a, ip, mac), a.Mac, a.Ip, ip, ttl: 0));
        }
        var (vni, inner, outerSource) = RxFlow(ttl: 0);
        return Rx(kind, vni, inner, outerSource, _underlayIp);
    }

    private GeneratedFrame ArpUnanswered(GeneratedKind kind)
    {
        var a = _random.Pick(_locals);
        byte[] frame;
        switch (_random.Next(5))
        {
            case 0: // gratuitous / duplicate address probe
                frame = ArpFrame(EthernetHeader.Broadcast, ArpPacket.OpRequest, a.Mac, _random.Chance(0.5) ? a.Ip : 0, a.Ip);
                break;
            case 1: // unknown in-subnet target, or a mapped target outside the subnet
                uint target;
                do
                    target = a.Subnet | ((uint)_random.Between(2, 254) & ~a.Mask);
                while (IsMapped(a.Vni, target));
                if (_random.Chance(0.5))
                {
                    var outside = _remotes.Where(r => r.Vni == a.Vni && (r.Ip & a.Mask) != a.Subnet).Select(r => r.Ip)
                        .Concat(_locals.Where(l => l.Vni == a.Vni && (l.Ip & a.Mask) != a.Subnet).Select(l => l.Ip)).ToArray();
                    if (outside.Length > 0)
                        target = _random.Pick(outside);
                }
                frame = ArpFrame(EthernetHeader.Broadcast, ArpPacket.OpRequest, a.Mac, a.Ip, target);
                break;
            case 2: // reply, or another opcode
                frame = ArpFrame(_gatewayMac, (ushort)(_random.Chance(0.7) ? ArpPacket.OpReply : _random.Between(3, 9)), a.Mac, a.Ip, a.Subnet + 1);
                break;
            case 3: // bad hardware/protocol type or lengths
                frame = ArpFrame(EthernetHeader.Broadcast, ArpPacket.OpRequest, a.Mac, a.Ip, a.Subnet + 1);
                frame[EthernetHeader.Length + _random.Next(6)] ^= (byte)_random.Between(1, 255);
                break;
            default: // short ARP
                frame = ArpFrame(EthernetHeader.Broadcast, ArpPacket.OpRequest, a.Mac, a.Ip, a.Subnet + 1)[..(EthernetHeader.Length + _random.Next(ArpPacket.Length))];
                break;
        }
        return Tx(kind, a, frame);
    }

    private GeneratedFrame Unsupported(GeneratedKind kind)
    {
        var a = _random.Pick(_locals);
        switch (_random.Next(6))
        {
            case 0: // IPv6 or VLAN-tagged
                {
                    var payload = new byte[_random.Between(40, 80)];
                    _random.Fill(payload);
                    var type = _random.Chance(0.5) ? EthernetHeader.TypeIpv6 : EthernetHeader.TypeVlan;
                    return Tx(kind, a, Frames.Pad(EthernetHeader.Build(_gatewayMac, a.Mac, type, payload)));
                }
            case 1: // IPv4 options, TX
                {
                    var (ip, mac) = _random.Pick(DestinationsOf(a));
                    return Tx(kind, a, WithIpOptions(Inner(DestinationMac(a, ip, mac), a.Mac, a.Ip, ip), EthernetHeader.Length));
                }
            case 2: // substrate traffic that is not UDP
                {
                    var rx = ValidRx();
                    rx.Data[EthernetHeader.Length + 9] = _random.Chance(0.5) ? Ipv4Header.ProtocolTcp : (byte)47;
                    Ipv4Checksum.UpdateHeader(rx.Data.AsSpan(EthernetHeader.Length));
                    return rx with { Kind = kind };
                }
            case 3: // UDP, not port 4789
                {
                    var rx = ValidRx();
                    BinaryPrimitives.WriteUInt16BigEndian(rx.Data.AsSpan(36), (ushort)_random.Between(1, 4788));
                    return rx with { Kind = kind };
                }
            case 4: // inner ARP or IPv6
                {
                    var b = _random.Pick(_locals);
                    var inner = _random.Chance(0.5)
                        ? ArpFrame(EthernetHeader.Broadcast, ArpPacket.OpRequest, 0x0200_0000_0099, b.Ip ^ 0x5, b.Ip)
                        : EthernetHeader.Build(b.Mac, 0x0200_0000_0099, EthernetHeader.TypeIpv6, new byte[46]);
                    return Rx(kind, b.Vni, inner, _hosts[0], _underlayIp);
                }
            default: // inner IPv4 options
                {
                    var (vni, inner, outerSource) = RxFlow();
                    return Rx(kind, vni, WithIpOptions(inner, EthernetHeader.Length), outerSource, _underlayIp);
                }
        }
    }

    private GeneratedFrame Spoofed(GeneratedKind kind)
    {
        var (vni, inner, outerSource) = RxFlow();
        var candidates = _hosts.Where(h => h != outerSource && !_edges.Any(e => e.Vni == vni && e.Underlay == h)).ToArray();
        if (_random.Chance(0.3) || candidates.Length == 0)
        {
            // inner source nobody owns, from a host that is not an edge of the VNI
            var innerSource = 0x0A00_6300u | (uint)_random.Between(1, 254); // 10.0.99.x
            BinaryPrimitives.WriteUInt32BigEndian(inner.AsSpan(26), innerSource);
            Ipv4Checksum.UpdateHeader(inner.AsSpan(EthernetHeader.Length));
            return Rx(kind, vni, inner, candidates.Length > 0 ? _random.Pick(candidates) : 0xC000_0263u, _underlayIp);
        }
        return Rx(kind, vni, inner, _random.Pick(candidates), _underlayIp);
    }

    private GeneratedFrame NotOnHost(GeneratedKind kind)
    {
        var (vni, inner, outerSource) = RxFlow();
        switch (_random.Next(3))
        {
            case 0: // for another host
                return Rx(kind, vni, inner, outerSource, _random.Pick(_hosts));
            case 1: // inner destination is remote, or unmapped
                {
                    var remotes = _remotes.Where(r => r.Vni == vni).ToArray();
                    var destination = remotes.Length > 0 && _random.Chance(0.6) ? _random.Pick(remotes).Ip : 0x0A00_6400u | (uint)_random.Between(1, 254);
                    BinaryPrimitives.WriteUInt32BigEndian(inner.AsSpan(30), destination);
                    Ipv4Checksum.UpdateHeader(inner.AsSpan(EthernetHeader.Length));
                    return Rx(kind, vni, inner, outerSource, _underlayIp);
                }
            default: // unknown VNI
                return Rx(kind, (uint)_random.Between(3000, 0xFF_FFFF), inner, outerSource, _underlayIp);
        }
    }

    private GeneratedFrame RxMalformed(GeneratedKind kind)
    {
        var rx = ValidRx();
        var d = rx.Data.AsSpan();
        switch (_random.Next(5))
        {
            case 0: // UDP length disagrees
                BinaryPrimitives.WriteUInt16BigEndian(d[38..], (ushort)(UdpHeader.DatagramLength(d[34..]) + _random.Between(1, 40) * (_random.Chance(0.5) ? 1 : -1)));
                break;
            case 1: // VXLAN flags
                d[42] = (byte)(_random.Chance(0.5) ? 0x00 : _random.Between(0, 255) | 0x01);
                break;
            case 2: // outer total length longer than the frame
                BinaryPrimitives.WriteUInt16BigEndian(d[16..], (ushort)(d.Length - 14 + _random.Between(1, 40)));
                Ipv4Checksum.UpdateHeader(d[14..]);
                break;
            case 3: // inner total length longer than the inner frame
                BinaryPrimitives.WriteUInt16BigEndian(d[66..], (ushort)(BinaryPrimitives.ReadUInt16BigEndian(d[66..]) + _random.Between(60, 400)));
                Ipv4Checksum.UpdateHeader(d[64..]);
                break;
            default: // outer IHL/version wrong (checksum kept valid)
                d[14] = _random.Chance(0.5) ? (byte)0x44 : (byte)0x65;
                Ipv4Checksum.UpdateHeader(d[14..]);
                break;
        }
        return rx with { Kind = kind };
    }

    private GeneratedFrame Oversized(GeneratedKind kind)
    {
        var extra = _random.Chance(0.5) ? 1 : _random.Between(2, 64);
        if (_random.Chance(0.5))
        {
            var a = _random.Pick(_locals);
            var (ip, mac) = _random.Pick(DestinationsOf(a));
            return Tx(kind, a, InnerOfTotalLength(DestinationMac(a, ip, mac), a.Mac, a.Ip, ip, _ipMtu + extra));
        }
        var (vni, inner, outerSource) = RxFlow(_ipMtu + extra);
        return Rx(kind, vni, inner, outerSource, _underlayIp, pad: false);
    }

    private GeneratedFrame Truncated(GeneratedKind kind)
    {
        var f = _random.Chance(0.5) ? ValidTx() : ValidRx();
        // At least one byte: an AXI4-Stream frame has one beat at the least.
        var cut = 1 + (_random.Chance(0.7) ? _random.Next(Math.Min(f.Data.Length, 120) - 1) : _random.Next(f.Data.Length - 1));
        return f with { Kind = kind, Data = f.Data[..cut] };
    }

    private GeneratedFrame Mutated(GeneratedKind kind)
    {
        var f = _random.Chance(0.5) ? ValidTx() : ValidRx();
        var n = _random.Between(1, 3);
        for (var i = 0; i < n; i++)
        {
            var position = _random.Chance(0.8) ? _random.Next(Math.Min(f.Data.Length, 100)) : _random.Next(f.Data.Length);
            f.Data[position] ^= (byte)_random.Between(1, 255);
        }
        return f with { Kind = kind };
    }

    private GeneratedFrame Garbage(GeneratedKind kind)
    {
        var data = new byte[_random.Between(1, 128)];
        _random.Fill(data);
        var fromNetwork = _random.Chance(0.5);
        var a = _random.Pick(_locals);
        if (data.Length >= 14 && _random.Chance(0.5))
        {
            var type = _random.Chance(0.7) ? EthernetHeader.TypeIpv4 : EthernetHeader.TypeArp;
            EthernetHeader.Write(data, fromNetwork ? _underlayMac : _gatewayMac, fromNetwork ? _nextHopMac : a.Mac, type);
            if (data.Length >= 15 && type == EthernetHeader.TypeIpv4 && _random.Chance(0.5))
                data[14] = 0x45;
        }
        return new GeneratedFrame(kind, fromNetwork, fromNetwork ? 0 : a.Slot, data);
    }

    private GeneratedFrame Punt(GeneratedKind kind)
    {
        var a = _random.Pick(_locals);
        var services = new List<(uint Address, byte Protocol, ushort Port)>
        {
            (PuntRule.MetadataAddress, Ipv4Header.ProtocolTcp, PuntRule.HttpPort),
            (PuntRule.DnsAddress, _random.Chance(0.7) ? Ipv4Header.ProtocolUdp : Ipv4Header.ProtocolTcp, PuntRule.DnsPort),
            (PuntRule.TimeAddress, Ipv4Header.ProtocolUdp, PuntRule.NtpPort),
            // The VPC base + 2 whether or not the ENI's VPC has a resolver there: without one it is ordinary traffic.
            ((a.Subnet & 0xFFFF_0000) | 2, Ipv4Header.ProtocolUdp, PuntRule.DnsPort),
        };
        var (destination, protocol, port) = _random.Pick(services.ToArray());
        var variant = _random.Next(20);
        if (variant == 0)
            protocol = protocol == Ipv4Header.ProtocolTcp ? Ipv4Header.ProtocolUdp : Ipv4Header.ProtocolTcp;
        else if (variant == 1)
            port ^= (ushort)_random.Between(1, 0xFFFF);
        var size = variant == 2 ? _random.Between(4000, _ipMtu - 40) : _random.Between(0, 300);
        var payload = new byte[size];
        _random.Fill(payload);
        var l4 = protocol == Ipv4Header.ProtocolTcp
            ? TcpHeader.Build(a.Ip, destination, (ushort)_random.Between(1024, 65535), port, (uint)_random.NextUInt64(), (uint)_random.NextUInt64(), _random.Pick(TcpControls), payload)
            : UdpHeader.Build(a.Ip, destination, (ushort)_random.Between(1024, 65535), port, payload);
        var fragment = variant == 3;
        var fields = new Ipv4Fields(variant == 4 ? a.Ip ^ 0x1 : a.Ip, destination, protocol)
        {
            DontFragment = !fragment && _random.Chance(0.7),
            MoreFragments = fragment && _random.Chance(0.5),
            FragmentOffset = fragment ? (ushort)_random.Between(0, 100) : (ushort)0,
        };
        var frame = Frames.Ipv4(_gatewayMac, variant == 5 ? a.Mac ^ 0x0100 : a.Mac, fields, l4);
        if (frame.Length < EthernetHeader.MinimumFrameLength && _random.Chance(0.8))
            frame = Frames.Pad(frame);
        var slot = variant == 6 && _freeSlots.Length > 0 ? _random.Pick(_freeSlots) : a.Slot;
        return new GeneratedFrame(kind, false, slot, frame);
    }

    // ---- building blocks ----------------------------------------------------------------

    private GeneratedFrame ValidTx() => Next(_random.Chance(0.6) ? GeneratedKind.CrossHost : _random.Chance(0.5) ? GeneratedKind.SameHost : GeneratedKind.Arp);

    private GeneratedFrame ValidRx() => Next(_random.Chance(0.8) ? GeneratedKind.RxValid : GeneratedKind.RxFromEdge);

    private byte[] ValidTxFrom(Eni a)
    {
        var (ip, mac) = _random.Pick(DestinationsOf(a));
        return Inner(DestinationMac(a, ip, mac), a.Mac, a.Ip, ip);
    }

    /// <summary>A remote flow into a local ENI: (VNI, inner frame, owning host of the inner source).</summary>
    private (uint Vni, byte[] Inner, uint OuterSource) RxFlow(int totalLength = 0, byte? ttl = null)
    {
        var withRemote = _locals.Where(l => _remotes.Any(r => r.Vni == l.Vni)).ToArray();
        if (withRemote.Length == 0)
        {
            var l = _random.Pick(_locals);
            var source = new Remote(l.Vni, l.Ip ^ 0x3, _hosts[0], 0x0200_0000_0033);
            return (l.Vni, Inner(l.Mac, source.Mac, source.Ip, l.Ip, ttl), source.Underlay);
        }
        var b = _random.Pick(withRemote);
        var r = _random.Pick(_remotes.Where(x => x.Vni == b.Vni).ToArray());
        var sourceMac = (r.Ip & b.Mask) == b.Subnet ? r.Mac : _gatewayMac;
        var destinationMac = _random.Chance(0.8) ? b.Mac : _random.NextUInt64() & 0xFFFF_FFFF_FFFF;
        var inner = totalLength > 0
            ? InnerOfTotalLength(destinationMac, sourceMac, r.Ip, b.Ip, totalLength)
            : Inner(destinationMac, sourceMac, r.Ip, b.Ip, ttl);
        return (b.Vni, inner, r.Underlay);
    }

    private (uint Ip, ulong Mac)[] DestinationsOf(Eni a)
    {
        var list = _locals.Where(l => l.Vni == a.Vni && l.Slot != a.Slot).Select(l => (l.Ip, l.Mac))
            .Concat(_remotes.Where(r => r.Vni == a.Vni).Select(r => (r.Ip, r.Mac))).ToArray();
        return list.Length > 0 ? list : [(a.Ip, a.Mac)];
    }

    private ulong DestinationMac(Eni a, uint destination, ulong mac)
        => (destination & a.Mask) == a.Subnet && _random.Chance(0.8) ? mac : _gatewayMac;

    private bool IsMapped(uint vni, uint ip)
        => _remotes.Any(r => r.Vni == vni && r.Ip == ip) || _locals.Any(l => l.Vni == vni && l.Ip == ip);

    private static GeneratedFrame Tx(GeneratedKind kind, Eni a, byte[] frame) => new(kind, false, a.Slot, frame);

    private GeneratedFrame Rx(GeneratedKind kind, uint vni, byte[] inner, uint outerSource, uint outerDestination, bool pad = true)
    {
        var frame = VxlanHeader.Encapsulate(inner, _underlayMac, _nextHopMac, outerSource, outerDestination, vni);
        if (pad && _random.Chance(0.1))
            frame = Frames.Pad(frame, frame.Length + _random.Between(1, 16), (byte)_random.Between(0, 255));
        return new GeneratedFrame(kind, true, 0, frame);
    }

    /// <summary>A random IPv4 frame (UDP, TCP, ICMP or another protocol), usually padded to 60 bytes.</summary>
    private byte[] Inner(ulong destinationMac, ulong sourceMac, uint source, uint destination, byte? ttl = null)
    {
        var size = _random.Next(100) switch
        {
            < 70 => _random.Between(0, 64),
            < 97 => _random.Between(65, 1400),
            _ => _random.Between(1401, _ipMtu - 40),
        };
        var frame = Build(destinationMac, sourceMac, source, destination, size, ttl);
        if (frame.Length < EthernetHeader.MinimumFrameLength && _random.Chance(0.8))
            frame = Frames.Pad(frame);
        if (_random.Chance(0.05))
            frame = Frames.Pad(frame, Math.Min(frame.Length + _random.Between(1, 16), EthernetHeader.Length + _ipMtu), (byte)_random.Between(0, 255));
        return frame;
    }

    /// <summary>An IPv4 frame whose IPv4 total length is exactly <paramref name="totalLength"/> (no padding).</summary>
    private byte[] InnerOfTotalLength(ulong destinationMac, ulong sourceMac, uint source, uint destination, int totalLength)
    {
        var payload = new byte[totalLength - Ipv4Header.MinLength - UdpHeader.Length];
        _random.Fill(payload);
        var udp = UdpHeader.Build(source, destination, (ushort)_random.Between(1024, 65535), (ushort)_random.Between(1, 65535), payload);
        return Frames.Ipv4(destinationMac, sourceMac, new Ipv4Fields(source, destination, Ipv4Header.ProtocolUdp) { DontFragment = true }, udp);
    }

    private byte[] Build(ulong destinationMac, ulong sourceMac, uint source, uint destination, int size, byte? ttl)
    {
        var payload = new byte[size];
        _random.Fill(payload);
        var protocolChoice = _random.Next(20);
        byte protocol;
        byte[] l4;
        if (protocolChoice < 10)
        {
            protocol = Ipv4Header.ProtocolUdp;
            l4 = UdpHeader.Build(source, destination, (ushort)_random.Between(1024, 65535), (ushort)_random.Pick(new[] { 53, 80, 443, 4789, 8080, _random.Between(1, 65535) }), payload, withChecksum: _random.Chance(0.8));
        }
        else if (protocolChoice < 15)
        {
            protocol = Ipv4Header.ProtocolTcp;
            var control = _random.Pick(TcpControls);
            l4 = TcpHeader.Build(source, destination, (ushort)_random.Between(1024, 65535), (ushort)_random.Between(1, 65535), (uint)_random.NextUInt64(), (uint)_random.NextUInt64(), control, payload);
        }
        else if (protocolChoice < 19)
        {
            protocol = Ipv4Header.ProtocolIcmp;
            l4 = IcmpEcho.Build((ushort)_random.NextUInt64(), (ushort)_random.NextUInt64(), payload, reply: _random.Chance(0.3));
        }
        else
        {
            protocol = _random.Pick(OtherProtocols);
            l4 = payload;
        }
        var fragment = _random.Chance(0.05);
        var fields = new Ipv4Fields(source, destination, protocol)
        {
            Ttl = ttl ?? (_random.Chance(0.7) ? (byte)64 : (byte)_random.Between(1, 255)),
            Tos = _random.Chance(0.1) ? (byte)_random.Between(1, 255) : (byte)0,
            Identification = (ushort)_random.NextUInt64(),
            DontFragment = !fragment && _random.Chance(0.7),
            MoreFragments = fragment && _random.Chance(0.5),
            FragmentOffset = fragment ? (ushort)_random.Between(0, 100) : (ushort)0,
        };
        return Frames.Ipv4(destinationMac, sourceMac, fields, l4);
    }

    private static byte[] ArpFrame(ulong ethernetDestination, ushort opcode, ulong senderMac, uint senderIp, uint targetIp)
        => ArpPacket.BuildFrame(ethernetDestination, opcode, senderMac, senderIp, 0, targetIp);

    private void CorruptIpChecksum(byte[] frame, int ipOffset)
    {
        if (frame.Length < ipOffset + Ipv4Header.MinLength)
            return;
        frame[ipOffset + 10 + _random.Next(2)] ^= (byte)_random.Between(1, 255);
    }

    /// <summary>The frame with 4 bytes of IPv4 options (NOPs) inserted, lengths and checksum fixed.</summary>
    private static byte[] WithIpOptions(byte[] frame, int ipOffset)
    {
        var ip = frame.AsSpan(ipOffset);
        var totalLength = Ipv4Header.TotalLength(ip);
        var result = new byte[frame.Length + 4];
        frame.AsSpan(0, ipOffset + Ipv4Header.MinLength).CopyTo(result);
        result.AsSpan(ipOffset + Ipv4Header.MinLength, 4).Fill(1);
        frame.AsSpan(ipOffset + Ipv4Header.MinLength).CopyTo(result.AsSpan(ipOffset + Ipv4Header.MinLength + 4));
        var header = result.AsSpan(ipOffset);
        header[0] = 0x46;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(totalLength + 4));
        Ipv4Checksum.UpdateHeader(header);
        return result;
    }

    private readonly record struct Eni(int Slot, uint Vni, uint Ip, ulong Mac, uint Subnet, uint Mask, uint Resolver);

    private readonly record struct Remote(uint Vni, uint Ip, uint Underlay, ulong Mac);
}
