using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.FlowRecords;
using NitroCard.Card.Punt;
using NitroCard.Card.Tables;
using NitroCard.Packets;

namespace NitroCard.Model;

/// <summary>
/// The software Virtual Router: docs/card-semantics.md in plain C#, frame for frame, counter for
/// counter and alarm for alarm what the RTL card does (alarms carry cycle 0). It is the oracle of
/// the differential test and the baseline the card is benchmarked against.
/// </summary>
/// <remarks>
/// <para>Table changes are staged and validated when staged, with the driver's checks
/// (<see cref="TableArguments"/>: slot and edge index range, VNI 1..2^24−1, IPv4 addresses, an ENI inside its
/// subnet, a unicast mapping address, local slot range; removal of a key that is absent after the staged changes):
/// a caller's mistake throws <see cref="ArgumentException"/>, a mapping count beyond
/// <see cref="CardGeometry.MappingCapacity"/> <see cref="CardTableFullException"/>, and a rejected change stages
/// nothing. Each staged change is one case of a closed record hierarchy; <see cref="Commit"/> applies them in the
/// order they were staged.</para>
/// <para><see cref="RunUntilIdle"/> processes the two input queues round-robin, one frame at a time
/// (host, network, host, ...), each queue in push order. Outputs of each port are in the order their
/// inputs were processed.</para>
/// <para>With <see cref="CardGeometry.Filtering"/> set (as in <see cref="CardGeometry.Default"/>) the model also
/// implements docs/card-filtering.md: route tables, network ACLs, security groups and connection tracking,
/// with time from <see cref="SetTime"/> only. A card without filtering geometry forwards by mapping lookup alone.</para>
/// <para>Frames an instance sends to the link-local services go to the punt queue (<see cref="IPuntPath"/>,
/// docs/card-punt.md) before any other check, as on the card; <see cref="Inject"/>ed answers are delivered in
/// <see cref="RunUntilIdle"/>, round-robin with the two input queues.</para>
/// <para>With filtering, the tracking table also counts each flow's packets and bytes and emits flow records
/// (<see cref="IFlowRecordSource"/>, docs/card-flow-records.md).</para>
/// <para>The alarm FIFO holds <c>alarmDepth</c> undrained alarms (ALARM_DEPTH, 64 by default); further
/// alarms count in <see cref="CardCounters.AlarmOverflow"/> as on the card.</para>
/// </remarks>
public sealed partial class ModelCard : ICardEngine, IPuntPath, IFlowRecordSource
{
    /// <summary>The card's default alarm FIFO depth (ALARM_DEPTH).</summary>
    public const int DefaultAlarmDepth = 64;

    private const int Encap = VxlanHeader.Overhead;
    private const byte NoSlot = 0xFF;

    private readonly EniRecord[] _enis;
    private readonly EdgeRecord[] _edges;
    private readonly Dictionary<MappingKey, MappingRecord> _mappings = [];
    private readonly List<StagedChange> _staged = [];
    private readonly Dictionary<MappingKey, bool> _stagedPresence = [];
    private int _stagedMappingCount;

    private readonly ulong[] _drops = new ulong[DropReasonNames.Count];
    private readonly EniCounters[] _eniCounters;
    private ulong _alarmOverflow;
    private readonly Queue<RawAlarm> _alarms;
    private readonly int _alarmDepth;

    private readonly Queue<(int Slot, byte[] Frame)> _hostInput = new();
    private readonly Queue<byte[]> _networkInput = new();
    private readonly Queue<(int Slot, byte[] Frame)> _injectInput = new();
    private readonly List<CardFrame> _puntOutput = [];
    private readonly PuntBuckets _puntBuckets;
    private readonly PuntSlotCounters[] _puntCounters;
    private ulong _injectDrops;
    private readonly List<CardFrame> _hostOutput = [];
    private readonly List<CardFrame> _networkOutput = [];
    private readonly byte[] _scratch;
    private readonly int _maxInnerFrame;

    private uint _underlayIp;
    private ulong _underlayMac;
    private ulong _nextHopMac;
    private ulong _gatewayMac;
    private uint _alarmMask = uint.MaxValue;

    /// <summary>A model card with <paramref name="geometry"/> (default <see cref="CardGeometry.Default"/>).</summary>
    public ModelCard(CardGeometry? geometry = null, int alarmDepth = DefaultAlarmDepth)
    {
        Geometry = geometry ?? CardGeometry.Default;
        ArgumentOutOfRangeException.ThrowIfNegative(alarmDepth);
        ArgumentOutOfRangeException.ThrowIfLessThan(Geometry.EniSlots, 1, nameof(geometry));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Geometry.EniSlots, 256, nameof(geometry));
        _alarmDepth = alarmDepth;
        _alarms = new Queue<RawAlarm>(Math.Min(alarmDepth, 1024));
        _enis = new EniRecord[Geometry.EniSlots];
        _eniCounters = new EniCounters[Geometry.EniSlots];
        _puntBuckets = new PuntBuckets(Geometry.EniSlots);
        _puntCounters = new PuntSlotCounters[Geometry.EniSlots];
        _edges = new EdgeRecord[Geometry.EdgeEntries];
        _maxInnerFrame = Geometry.MaxInnerFrame;
        _scratch = new byte[_maxInnerFrame + Encap];
        _filter = Geometry.Filtering;
        _sgIn = new RuleRecord[Geometry.EniSlots][];
        _sgOut = new RuleRecord[Geometry.EniSlots][];
        Array.Fill(_sgIn, []);
        Array.Fill(_sgOut, []);
        _untracked = new bool[Geometry.EniSlots];
        _timeouts = new TimeoutRecord[Geometry.EniSlots];
        _filterCounters = new EniFilterCounters[Geometry.EniSlots];
        _flowIntervals = new uint[Geometry.EniSlots];
        if (_filter is not null)
            _nacl = new RuleRecord[_filter.NaclCount * 2 * _filter.NaclRules];
    }

    /// <inheritdoc />
    public string Name => "model";

    /// <inheritdoc />
    public CardGeometry Geometry { get; }

    /// <summary>The time last set with <see cref="SetTime"/> (microseconds): connection tracking ages by it.</summary>
    public ulong TimeMicroseconds => _now;

    private ulong _now;
    private ImmutableArray<uint> _edgeSet = EdgeSet.Empty;

    /// <summary>Table changes staged and not yet committed.</summary>
    public int StagedCount => _staged.Count;

    /// <summary>Mappings committed.</summary>
    public int MappingCount => _mappings.Count;

    /// <inheritdoc />
    public void Configure(CardSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _underlayIp = Ipv4Address.ToUInt32(TableArguments.Ipv4(settings.UnderlayIp, nameof(settings.UnderlayIp)));
        _underlayMac = settings.UnderlayMac.Value;
        _nextHopMac = settings.UnderlayNextHopMac.Value;
        _gatewayMac = settings.GatewayMac.Value;
        _alarmMask = settings.AlarmMask;
    }

    /// <inheritdoc />
    public void SetEni(int slot, EniEntry? entry)
    {
        TableArguments.Eni(slot, entry, _enis.Length, _filter);
        var record = default(EniRecord);
        if (entry is not null)
        {
            record = new EniRecord(
                Valid: true,
                Vni: entry.Vni,
                Ip: Ipv4Address.ToUInt32(entry.Ip),
                Mac: entry.Mac.Value,
                SubnetBase: Ipv4Address.ToUInt32(entry.Subnet.BaseAddress),
                SubnetMask: Ipv4Address.Mask(entry.Subnet.PrefixLength),
                SourceDestCheck: entry.SourceDestCheck,
                RouteTable: entry.RouteTable,
                Nacl: entry.Nacl,
                Resolver: entry.Resolver is { } resolver ? Ipv4Address.ToUInt32(resolver) : 0);
        }
        _staged.Add(new StagedChange.Eni(slot, record));
    }

    /// <inheritdoc />
    public void SetMapping(MappingEntry entry)
    {
        TableArguments.Mapping(entry, _enis.Length);
        var key = entry.Key;
        var present = IsPresentAfterStaging(key);
        if (!present && _stagedMappingCount >= Geometry.MappingCapacity)
            throw new CardTableFullException($"mapping {key}: the mapping table is full ({Geometry.MappingCapacity} entries)");
        var record = new MappingRecord(Ipv4Address.ToUInt32(entry.UnderlayIp), entry.Mac.Value, entry.LocalSlot ?? -1);
        _staged.Add(new StagedChange.SetMapping(key, record));
        _stagedPresence[key] = true;
        if (!present)
            _stagedMappingCount++;
    }

    /// <inheritdoc />
    public void RemoveMapping(MappingKey key)
    {
        if (!IsPresentAfterStaging(key))
            throw new ArgumentException($"Unknown mapping key {key}: nothing to remove", nameof(key));
        _staged.Add(new StagedChange.RemoveMapping(key));
        _stagedPresence[key] = false;
        _stagedMappingCount--;
    }

    /// <inheritdoc />
    public void SetEdge(int index, EdgeEntry? entry)
    {
        TableArguments.Edge(index, entry, _edges.Length);
        var record = entry is null ? default : new EdgeRecord(true, entry.Vni, Ipv4Address.ToUInt32(entry.UnderlayIp));
        _staged.Add(new StagedChange.Edge(index, record));
    }

    /// <inheritdoc />
    public void Commit()
    {
        foreach (var change in _staged)
        {
            switch (change)
            {
                case StagedChange.Eni(var slot, var record):
                    _enis[slot] = record;
                    break;
                case StagedChange.SetMapping(var key, var record):
                    _mappings[key] = record;
                    break;
                case StagedChange.RemoveMapping(var key):
                    _mappings.Remove(key);
                    break;
                case StagedChange.Edge(var index, var record):
                    _edges[index] = record;
                    break;
                case StagedChange.Routes or StagedChange.Nacl or StagedChange.Security or StagedChange.Conntrack:
                    CommitFilter(change);
                    break;
            }
        }
        DiscardStaged();
    }

    /// <summary>Forgets every staged change (TableOp.discard).</summary>
    public void DiscardStaged()
    {
        _staged.Clear();
        _stagedPresence.Clear();
        _stagedMappingCount = _mappings.Count;
    }

    /// <inheritdoc />
    public void SetTime(ulong microseconds) => _now = microseconds;

    /// <inheritdoc />
    public void SetEdgeSet(IReadOnlyList<IPAddress> edges) => _edgeSet = EdgeSet.SlotWords(edges, _edgeSet);

    /// <inheritdoc />
    public void PushHost(int slot, ReadOnlySpan<byte> frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slot, 255);
        _hostInput.Enqueue((slot, frame.ToArray()));
    }

    /// <inheritdoc />
    public void PushNetwork(ReadOnlySpan<byte> frame) => _networkInput.Enqueue(frame.ToArray());

    /// <inheritdoc />
    public ulong? RunUntilIdle()
    {
        while (_hostInput.Count > 0 || _networkInput.Count > 0 || _injectInput.Count > 0)
        {
            if (_hostInput.TryDequeue(out var host))
                Emit(ProcessHost(host.Slot, host.Frame, _scratch));
            if (_networkInput.TryDequeue(out var network))
                Emit(ProcessNetwork(network, _scratch));
            if (_injectInput.TryDequeue(out var answer))
                DeliverInjected(answer.Slot, answer.Frame);
        }
        return null;
    }

    /// <inheritdoc />
    public IReadOnlyList<CardFrame> DrainHost()
    {
        var frames = _hostOutput.ToArray();
        _hostOutput.Clear();
        return frames;
    }

    /// <inheritdoc />
    public IReadOnlyList<CardFrame> DrainNetwork()
    {
        var frames = _networkOutput.ToArray();
        _networkOutput.Clear();
        return frames;
    }

    /// <inheritdoc />
    public CardCounters ReadCounters() => _filter is null
        ? new(_drops.ToArray(), _eniCounters.ToArray(), _alarmOverflow)
        : new(_drops.ToArray(), _eniCounters.ToArray(), _alarmOverflow, _filterCounters.ToArray(), (ulong)(_filter.ConntrackCapacity - _conntrackOccupied));

    /// <summary>Zeroes every drop and ENI counter (COUNTER_CLEAR). The alarm overflow count is kept, as on the card.</summary>
    public void ClearCounters()
    {
        Array.Clear(_drops);
        Array.Clear(_eniCounters);
        Array.Clear(_filterCounters);
        Array.Clear(_puntCounters);
    }

    /// <inheritdoc />
    public IReadOnlyList<CardAlarm> DrainAlarms()
    {
        var alarms = new CardAlarm[_alarms.Count];
        for (var i = 0; i < alarms.Length; i++)
        {
            var a = _alarms.Dequeue();
            alarms[i] = new CardAlarm(0, a.Reason, a.Slot, a.Vni, Ipv4Address.FromUInt32(a.OuterSource), Ipv4Address.FromUInt32(a.InnerSource), Ipv4Address.FromUInt32(a.InnerDestination));
        }
        return alarms;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>
    /// Processes one frame from the host port (slot = <c>tuser</c>) at once, bypassing the input
    /// queue: counters and alarms are updated, the output frame (if any) is written to
    /// <paramref name="output"/>, which must hold <c>frame.Length + 50</c> bytes. Allocation-free.
    /// </summary>
    public FrameVerdict ProcessHost(int slot, ReadOnlySpan<byte> frame, Span<byte> output)
    {
        var len = frame.Length;
        var slotValid = (uint)slot < (uint)_enis.Length && _enis[slot].Valid;
        if (slotValid && PuntRule.IsPuntBound(frame, _enis[slot].Resolver))
            return Punt(slot, frame);
        if (len > _maxInnerFrame)
            return DropTx(DropReason.MtuExceeded, slot, slotValid, frame);
        if (len < EthernetHeader.Length)
            return DropTx(DropReason.Malformed, slot, slotValid, frame);
        if (!slotValid)
            return DropTx(DropReason.SourceCheck, slot, slotValid, frame);
        ref readonly var e = ref _enis[slot];
        if (EthernetHeader.Source(frame) != e.Mac)
            return DropTx(DropReason.SourceCheck, slot, slotValid, frame);
        var etherType = EthernetHeader.EtherType(frame);
        if (etherType == EthernetHeader.TypeArp)
            return ProcessArp(slot, in e, frame, output);
        if (etherType != EthernetHeader.TypeIpv4)
            return DropTx(DropReason.Unsupported, slot, slotValid, frame);

        var check = CheckIpv4(frame);
        if (check != Ipv4Check.Ok)
            return DropTx(check == Ipv4Check.Unsupported ? DropReason.Unsupported : DropReason.Malformed, slot, slotValid, frame);
        var ip = frame[EthernetHeader.Length..];
        var source = Ipv4Header.Source(ip);
        var destination = Ipv4Header.Destination(ip);
        if (e.SourceDestCheck && source != e.Ip)
            return DropTx(DropReason.SourceCheck, slot, slotValid, frame);
        if (Ipv4Header.Ttl(ip) == 0)
            return DropTx(DropReason.TtlExpired, slot, slotValid, frame);
        if (_filter is not null)
            return ProcessHostFiltered(slot, in e, frame, output, source, destination);
        if (!_mappings.TryGetValue(new MappingKey(e.Vni, destination), out var m))
            return DropTx(DropReason.UnknownDestination, slot, slotValid, frame);
        return Forward(slot, in e, frame, output, destination, m);
    }

    /// <summary>TX IPv4 steps 7–11 of docs/card-filtering.md.</summary>
    private FrameVerdict ProcessHostFiltered(int slot, in EniRecord e, ReadOnlySpan<byte> frame, Span<byte> output, uint source, uint destination)
    {
        var kind = RouteLookup(e.RouteTable, destination, out var edgeIp);
        if (kind == RouteKind.None)
            return DropTx(DropReason.UnknownDestination, slot, true, frame);
        if (kind == RouteKind.Blackhole)
            return DropTx(DropReason.Blackhole, slot, true, frame);
        var m = default(MappingRecord);
        if (kind == RouteKind.Local && !_mappings.TryGetValue(new MappingKey(e.Vni, destination), out m))
            return DropTx(DropReason.UnknownDestination, slot, true, frame);
        var p = PacketInfo.Read(frame);
        if ((destination & e.SubnetMask) != e.SubnetBase && !NaclAllows(e.Nacl, 1, in p, destination))
        {
            RejectFlowRecord(slot, in p);
            return DropTx(DropReason.NaclDeny, slot, true, frame);
        }
        if (SecurityGroupStage(slot, ingress: false, in p) is { } egressDrop)
            return DropTx(egressDrop, slot, true, frame);
        if (kind == RouteKind.Local && m.LocalSlot >= 0)
        {
            ref readonly var l = ref _enis[m.LocalSlot];
            if ((source & l.SubnetMask) != l.SubnetBase && !NaclAllows(l.Nacl, 0, in p, source))
            {
                RejectFlowRecord(m.LocalSlot, in p);
                return DropTx(DropReason.NaclDeny, slot, true, frame);
            }
            if (SecurityGroupStage(m.LocalSlot, ingress: true, in p) is { } ingressDrop)
                return DropTx(ingressDrop, slot, true, frame);
        }
        if (kind == RouteKind.Edge)
            return ForwardToEdge(slot, in e, frame, output, edgeIp);
        return Forward(slot, in e, frame, output, destination, m);
    }

    /// <summary>An edge route: inner destination MAC the gateway's, inner source MAC the ENI's, outer destination the edge.</summary>
    private FrameVerdict ForwardToEdge(int slot, in EniRecord e, ReadOnlySpan<byte> frame, Span<byte> output, uint edgeIp)
    {
        var len = frame.Length;
        CountTx(slot, len);
        var t = FlowHash.ReadTuple(frame);
        var sourcePort = FlowHash.SourcePort(t);
        VxlanHeader.WriteOuter(output, len, _nextHopMac, _underlayMac, _underlayIp, EdgeSet.NextHop(_edgeSet, sourcePort, edgeIp), sourcePort, e.Vni);
        var inner = output.Slice(Encap, len);
        frame.CopyTo(inner);
        EthernetHeader.WriteDestination(inner, _gatewayMac);
        EthernetHeader.WriteSource(inner, e.Mac);
        return new FrameVerdict(FrameDisposition.Network, len + Encap, -1, default);
    }

    /// <summary>TX IPv4 steps 8–9 of docs/card-semantics.md: rewrite, then deliver locally or encapsulate to the owner.</summary>
    private FrameVerdict Forward(int slot, in EniRecord e, ReadOnlySpan<byte> frame, Span<byte> output, uint destination, MappingRecord m)
    {
        var len = frame.Length;
        var sourceMac = (destination & e.SubnetMask) == e.SubnetBase ? e.Mac : _gatewayMac;
        CountTx(slot, len);
        if (m.LocalSlot >= 0)
        {
            var delivered = output[..len];
            frame.CopyTo(delivered);
            EthernetHeader.WriteDestination(delivered, m.Mac);
            EthernetHeader.WriteSource(delivered, sourceMac);
            CountRx(m.LocalSlot, len);
            return new FrameVerdict(FrameDisposition.Host, len, m.LocalSlot, default);
        }

        var t = FlowHash.ReadTuple(frame);
        var sourcePort = FlowHash.SourcePort(t);
        VxlanHeader.WriteOuter(output, len, _nextHopMac, _underlayMac, _underlayIp, m.UnderlayIp, sourcePort, e.Vni);
        var inner = output.Slice(Encap, len);
        frame.CopyTo(inner);
        EthernetHeader.WriteDestination(inner, m.Mac);
        EthernetHeader.WriteSource(inner, sourceMac);
        return new FrameVerdict(FrameDisposition.Network, len + Encap, -1, default);
    }

    /// <summary>
    /// Processes one frame from the network port at once, bypassing the input queue (see
    /// <see cref="ProcessHost"/>); <paramref name="output"/> must hold <c>frame.Length</c> bytes.
    /// </summary>
    public FrameVerdict ProcessNetwork(ReadOnlySpan<byte> frame, Span<byte> output)
    {
        var len = frame.Length;
        if (len > _maxInnerFrame + Encap)
            return DropRx(DropReason.MtuExceeded, NoSlot, frame);
        if (len < EthernetHeader.Length)
            return DropRx(DropReason.Malformed, NoSlot, frame);
        if (EthernetHeader.EtherType(frame) != EthernetHeader.TypeIpv4)
            return DropRx(DropReason.Unsupported, NoSlot, frame);
        var check = CheckIpv4(frame);
        if (check != Ipv4Check.Ok)
            return DropRx(check == Ipv4Check.Unsupported ? DropReason.Unsupported : DropReason.Malformed, NoSlot, frame);
        var outer = frame[EthernetHeader.Length..];
        if (Ipv4Header.Destination(outer) != _underlayIp)
            return DropRx(DropReason.NotOnHost, NoSlot, frame);
        if (Ipv4Header.Protocol(outer) != Ipv4Header.ProtocolUdp)
            return DropRx(DropReason.Unsupported, NoSlot, frame);
        if (len < 42)
            return DropRx(DropReason.Malformed, NoSlot, frame);
        var udp = outer[Ipv4Header.MinLength..];
        if (UdpHeader.DestinationPort(udp) != VxlanHeader.Port)
            return DropRx(DropReason.Unsupported, NoSlot, frame);
        int totalLength = Ipv4Header.TotalLength(outer);
        if (UdpHeader.DatagramLength(udp) != totalLength - Ipv4Header.MinLength)
            return DropRx(DropReason.Malformed, NoSlot, frame);
        if (len < Encap)
            return DropRx(DropReason.Malformed, NoSlot, frame);
        if (frame[VxlanHeader.OffsetInFrame] != VxlanHeader.FlagI)
            return DropRx(DropReason.Malformed, NoSlot, frame);
        var innerLength = totalLength - 36;
        if (innerLength > _maxInnerFrame)
            return DropRx(DropReason.MtuExceeded, NoSlot, frame);
        if (innerLength < EthernetHeader.Length)
            return DropRx(DropReason.Malformed, NoSlot, frame);
        var inner = frame.Slice(Encap, innerLength);
        if (EthernetHeader.EtherType(inner) != EthernetHeader.TypeIpv4)
            return DropRx(DropReason.Unsupported, NoSlot, frame);
        check = CheckIpv4(inner);
        if (check != Ipv4Check.Ok)
            return DropRx(check == Ipv4Check.Unsupported ? DropReason.Unsupported : DropReason.Malformed, NoSlot, frame);
        var innerIp = inner[EthernetHeader.Length..];
        if (Ipv4Header.Ttl(innerIp) == 0)
            return DropRx(DropReason.TtlExpired, NoSlot, frame);

        var vni = VxlanHeader.Vni(frame[VxlanHeader.OffsetInFrame..]);
        var innerDestination = Ipv4Header.Destination(innerIp);
        if (!_mappings.TryGetValue(new MappingKey(vni, innerDestination), out var target) || target.LocalSlot < 0)
            return DropRx(DropReason.NotOnHost, NoSlot, frame);
        ref readonly var e = ref _enis[target.LocalSlot];
        if (!e.Valid || e.Vni != vni || e.Ip != innerDestination)
            return DropRx(DropReason.NotOnHost, NoSlot, frame);

        var outerSource = Ipv4Header.Source(outer);
        var innerSource = Ipv4Header.Source(innerIp);
        if (!SourceAllowed(vni, innerSource, outerSource))
            return DropRx(DropReason.SpoofedSource, (byte)target.LocalSlot, frame);
        if (_filter is not null)
        {
            var p = PacketInfo.Read(inner);
            if ((innerSource & e.SubnetMask) != e.SubnetBase && !NaclAllows(e.Nacl, 0, in p, innerSource))
            {
                RejectFlowRecord(target.LocalSlot, in p);
                return DropRx(DropReason.NaclDeny, (byte)target.LocalSlot, frame);
            }
            if (SecurityGroupStage(target.LocalSlot, ingress: true, in p) is { } drop)
                return DropRx(drop, (byte)target.LocalSlot, frame);
        }

        var delivered = output[..innerLength];
        inner.CopyTo(delivered);
        EthernetHeader.WriteDestination(delivered, e.Mac);
        CountRx(target.LocalSlot, innerLength);
        return new FrameVerdict(FrameDisposition.Host, innerLength, target.LocalSlot, default);
    }

    private FrameVerdict ProcessArp(int slot, in EniRecord e, ReadOnlySpan<byte> frame, Span<byte> output)
    {
        if (frame.Length < ArpPacket.FrameLength)
            return DropTx(DropReason.Malformed, slot, true, frame);
        var arp = frame[EthernetHeader.Length..];
        if (!ArpPacket.IsEthernetIpv4(arp))
            return DropTx(DropReason.Malformed, slot, true, frame);
        if (ArpPacket.Opcode(arp) != ArpPacket.OpRequest)
            return DropTx(DropReason.Unsupported, slot, true, frame);
        var senderMac = ArpPacket.SenderMac(arp);
        var senderIp = ArpPacket.SenderIp(arp);
        if (senderMac != e.Mac || (senderIp != e.Ip && senderIp != 0))
            return DropTx(DropReason.SourceCheck, slot, true, frame);
        var targetIp = ArpPacket.TargetIp(arp);
        if (targetIp == e.Ip)
            return DropTx(DropReason.Unsupported, slot, true, frame);
        ulong answer;
        if (targetIp == e.SubnetBase + 1)
            answer = _gatewayMac;
        else if ((targetIp & e.SubnetMask) == e.SubnetBase && _mappings.TryGetValue(new MappingKey(e.Vni, targetIp), out var m))
            answer = m.Mac;
        else
            return DropTx(DropReason.UnknownDestination, slot, true, frame);

        var reply = output[..ArpPacket.FrameLength];
        frame[..ArpPacket.FrameLength].CopyTo(reply);
        EthernetHeader.Write(reply, senderMac, answer, EthernetHeader.TypeArp);
        ArpPacket.Write(reply[EthernetHeader.Length..], ArpPacket.OpReply, answer, targetIp, senderMac, senderIp);
        CountTx(slot, frame.Length);
        CountRx(slot, ArpPacket.FrameLength);
        return new FrameVerdict(FrameDisposition.Host, ArpPacket.FrameLength, slot, default);
    }

    private bool SourceAllowed(uint vni, uint innerSource, uint outerSource)
    {
        if (_mappings.TryGetValue(new MappingKey(vni, innerSource), out var owner) && owner.UnderlayIp == outerSource)
            return true;
        foreach (ref readonly var edge in _edges.AsSpan())
        {
            if (edge.Valid && edge.Vni == vni && edge.UnderlayIp == outerSource)
                return true;
        }
        return false;
    }

    /// <summary>TX IPv4 steps 1–4 on an Ethernet frame (also RX step 8 on the inner frame).</summary>
    private static Ipv4Check CheckIpv4(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < EthernetHeader.Length + Ipv4Header.MinLength)
            return Ipv4Check.Malformed;
        var ip = frame[EthernetHeader.Length..];
        if (Ipv4Header.Version(ip) != 4 || Ipv4Header.Ihl(ip) < 5)
            return Ipv4Check.Malformed;
        if (Ipv4Header.Ihl(ip) > 5)
            return Ipv4Check.Unsupported;
        if (!Ipv4Checksum.VerifyHeader(ip[..Ipv4Header.MinLength]))
            return Ipv4Check.Malformed;
        int totalLength = Ipv4Header.TotalLength(ip);
        if (totalLength < Ipv4Header.MinLength || EthernetHeader.Length + totalLength > frame.Length)
            return Ipv4Check.Malformed;
        return Ipv4Check.Ok;
    }

    /// <inheritdoc />
    public int PuntQueueBytes => Geometry.PuntQueueBytes;

    /// <summary>Injected frames dropped for being longer than the injection queue (PUNT_INJECT_DROPS).</summary>
    public ulong InjectDrops => _injectDrops;

    /// <inheritdoc />
    public void SetPuntLimit(PuntLimit limit) => _puntBuckets.SetLimit(limit);

    /// <inheritdoc />
    public IReadOnlyList<CardFrame> DrainPunt()
    {
        var frames = _puntOutput.ToArray();
        _puntOutput.Clear();
        return frames;
    }

    /// <inheritdoc />
    public void Inject(int slot, ReadOnlySpan<byte> frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slot, 255);
        _injectInput.Enqueue((slot, frame.ToArray()));
    }

    /// <inheritdoc />
    public IReadOnlyList<PuntSlotCounters> ReadPuntCounters() => _puntCounters.ToArray();

    // The card takes the token at the first beat, before it knows whether the frame fits the queue.
    // Punt drops raise no alarm: an instance flooding its own services is not a forwarding event.
    private FrameVerdict Punt(int slot, ReadOnlySpan<byte> frame)
    {
        ref var counters = ref _puntCounters[slot];
        if (!_puntBuckets.TryTake(slot, _now))
        {
            counters = counters with { RateLimited = unchecked(counters.RateLimited + 1) };
            _drops[(int)DropReason.PuntRateLimit]++;
            return new FrameVerdict(FrameDisposition.Dropped, 0, -1, DropReason.PuntRateLimit);
        }
        if (frame.Length > PuntQueueBytes)
        {
            _drops[(int)DropReason.PuntQueueFull]++;
            return new FrameVerdict(FrameDisposition.Dropped, 0, -1, DropReason.PuntQueueFull);
        }
        counters = counters with { Punted = unchecked(counters.Punted + 1) };
        _puntOutput.Add(new CardFrame(frame.ToArray(), slot, 0));
        return new FrameVerdict(FrameDisposition.Punted, 0, slot, default);
    }

    private void DeliverInjected(int slot, byte[] frame)
    {
        if (frame.Length > PuntQueueBytes)
            _injectDrops++;
        else
            _hostOutput.Add(new CardFrame(frame, slot, 0));
    }

    private FrameVerdict DropTx(DropReason reason, int slot, bool slotValid, ReadOnlySpan<byte> frame)
    {
        if (Count(reason))
        {
            var arp = frame.Length >= EthernetHeader.Length && EthernetHeader.EtherType(frame) == EthernetHeader.TypeArp;
            var vni = slotValid ? _enis[slot].Vni : 0;
            var source = arp ? Field(frame, 28) : Field(frame, 26);
            var destination = arp ? Field(frame, 38) : Field(frame, 30);
            PushAlarm(new RawAlarm(reason, slot, vni, 0, source, destination));
        }
        return new FrameVerdict(FrameDisposition.Dropped, 0, -1, reason);
    }

    private FrameVerdict DropRx(DropReason reason, byte slot, ReadOnlySpan<byte> frame)
    {
        if (Count(reason))
        {
            var vni = frame.Length >= 49 ? ((uint)frame[46] << 16) | ((uint)frame[47] << 8) | frame[48] : 0;
            PushAlarm(new RawAlarm(reason, slot, vni, Field(frame, 26), Field(frame, 76), Field(frame, 80)));
        }
        return new FrameVerdict(FrameDisposition.Dropped, 0, -1, reason);
    }

    /// <summary>Counts a drop; true when it raises an alarm.</summary>
    private bool Count(DropReason reason)
    {
        _drops[(int)reason]++;
        return (_alarmMask & (1u << (int)reason)) != 0;
    }

    private void PushAlarm(in RawAlarm alarm)
    {
        if (_alarms.Count < _alarmDepth)
            _alarms.Enqueue(alarm);
        else if (_alarmOverflow < uint.MaxValue)
            _alarmOverflow++;
    }

    private static uint Field(ReadOnlySpan<byte> frame, int offset)
        => frame.Length >= offset + 4 ? BinaryPrimitives.ReadUInt32BigEndian(frame[offset..]) : 0;

    private void CountTx(int slot, int length)
    {
        ref var c = ref _eniCounters[slot];
        c = c with { TxPackets = c.TxPackets + 1, TxBytes = c.TxBytes + (ulong)length };
    }

    private void CountRx(int slot, int length)
    {
        ref var c = ref _eniCounters[slot];
        c = c with { RxPackets = c.RxPackets + 1, RxBytes = c.RxBytes + (ulong)length };
    }

    private void Emit(FrameVerdict verdict)
    {
        switch (verdict.Disposition)
        {
            case FrameDisposition.Host:
                _hostOutput.Add(new CardFrame(_scratch.AsSpan(0, verdict.Length).ToArray(), verdict.Slot, 0));
                break;
            case FrameDisposition.Network:
                _networkOutput.Add(new CardFrame(_scratch.AsSpan(0, verdict.Length).ToArray(), -1, 0));
                break;
        }
    }

    private bool IsPresentAfterStaging(MappingKey key)
        => _stagedPresence.TryGetValue(key, out var present) ? present : _mappings.ContainsKey(key);

    private enum Ipv4Check
    {
        Ok,
        Malformed,
        Unsupported,
    }

    private readonly record struct EniRecord(bool Valid, uint Vni, uint Ip, ulong Mac, uint SubnetBase, uint SubnetMask, bool SourceDestCheck, int RouteTable, int Nacl, uint Resolver);

    private readonly record struct MappingRecord(uint UnderlayIp, ulong Mac, int LocalSlot);

    private readonly record struct EdgeRecord(bool Valid, uint Vni, uint UnderlayIp);

    private readonly record struct RawAlarm(DropReason Reason, int Slot, uint Vni, uint OuterSource, uint InnerSource, uint InnerDestination);

    /// <summary>One staged table change, already in the card's form: a closed hierarchy, matched by type at <see cref="Commit"/>.</summary>
    private abstract record StagedChange
    {
        private StagedChange()
        {
        }

        public sealed record Eni(int Slot, EniRecord Record) : StagedChange;

        public sealed record SetMapping(MappingKey Key, MappingRecord Record) : StagedChange;

        public sealed record RemoveMapping(MappingKey Key) : StagedChange;

        public sealed record Edge(int Index, EdgeRecord Record) : StagedChange;

        public sealed record Routes(RouteInterval[] Intervals) : StagedChange;

        /// <summary>Ingress rules, then egress rules, NACL_RULES each.</summary>
        public sealed record Nacl(int Index, RuleRecord[] Rules) : StagedChange;

        public sealed record Security(int Slot, SecurityRecord Record) : StagedChange;

        public sealed record Conntrack(int Slot, TimeoutRecord Timeouts) : StagedChange;
    }
}
