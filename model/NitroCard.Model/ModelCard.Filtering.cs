using System.Buffers.Binary;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.FlowRecords;
using NitroCard.Card.Hashing;
using NitroCard.Card.Tables;
using NitroCard.Packets;

namespace NitroCard.Model;

/// <summary>docs/card-filtering.md: route tables, network ACLs, security groups and connection tracking.</summary>
public sealed partial class ModelCard
{
    private const byte ProtocolIcmp = 1;
    private const byte ProtocolTcp = 6;
    private const byte ProtocolUdp = 17;
    private const byte TcpFin = 0x01;
    private const byte TcpRst = 0x04;
    private const ulong OtherTimeoutSeconds = 600;
    private const ulong TcpClosedTimeoutSeconds = 5;

    private readonly FilterGeometry? _filter;
    private RouteInterval[] _routes = [];
    private readonly RuleRecord[] _nacl = [];
    private readonly RuleRecord[][] _sgIn;
    private readonly RuleRecord[][] _sgOut;
    private readonly bool[] _untracked;
    private readonly TimeoutRecord[] _timeouts;
    private readonly EniFilterCounters[] _filterCounters;
    private CtEntry[]? _conntrack;
    private int _conntrackOccupied;

    /// <summary>Tracking table entries in use (written and not yet freed by <see cref="Sweep"/>).</summary>
    public int ConntrackOccupied => _conntrackOccupied;

    /// <inheritdoc />
    public void SetRouteTables(IReadOnlyList<RouteTableSpec?> tables)
    {
        var filter = RequireFiltering();
        var intervals = RouteTableCompiler.CompileBank(tables, filter.RouteCapacity);
        _staged.Add(new StagedChange.Routes(intervals));
    }

    /// <inheritdoc />
    public void SetNetworkAcl(int index, NetworkAcl? acl)
    {
        var filter = RequireFiltering();
        TableArguments.NetworkAcl(index, filter);
        var rules = new RuleRecord[2 * filter.NaclRules];
        if (acl is not null)
        {
            var ingress = NetworkAcl.Sorted(acl.Ingress, filter.NaclRules, $"Network ACL {index} ingress");
            var egress = NetworkAcl.Sorted(acl.Egress, filter.NaclRules, $"Network ACL {index} egress");
            for (var k = 0; k < ingress.Length; k++)
                rules[k] = RuleRecord.From(ingress[k].Match, ingress[k].Allow);
            for (var k = 0; k < egress.Length; k++)
                rules[filter.NaclRules + k] = RuleRecord.From(egress[k].Match, egress[k].Allow);
        }
        _staged.Add(new StagedChange.Nacl(index, rules));
    }

    /// <inheritdoc />
    public void SetSecurityRules(int slot, SecurityRules? rules)
    {
        var filter = RequireFiltering();
        TableArguments.Slot(slot, _enis.Length);
        rules?.Validate(filter.SgRuleCapacity, $"ENI slot {slot}");
        var record = new SecurityRecord(
            rules is null ? [] : [.. rules.Ingress.Select(r => RuleRecord.From(r, true))],
            rules is null ? [] : [.. rules.Egress.Select(r => RuleRecord.From(r, true))],
            rules?.Untracked ?? false);
        _staged.Add(new StagedChange.Security(slot, record));
    }

    /// <inheritdoc />
    public void SetConntrackTimeouts(int slot, ConntrackTimeouts timeouts)
    {
        RequireFiltering();
        TableArguments.Slot(slot, _enis.Length);
        ArgumentNullException.ThrowIfNull(timeouts);
        timeouts.Validate($"ENI slot {slot} connection tracking");
        _staged.Add(new StagedChange.Conntrack(slot, new TimeoutRecord(timeouts.TcpEstablished, timeouts.UdpStream, timeouts.Udp)));
    }

    /// <summary>
    /// The background sweeper, run to completion: frees every entry that is not live at the current time.
    /// It changes only <see cref="CardCounters.ConntrackFree"/> (an entry that is not live is absent anyway) and,
    /// on slots with flow records on, emits the records of what it frees (expired) and of live flows whose first
    /// unrecorded packet is as old as the slot's interval (docs/card-flow-records.md).
    /// </summary>
    public void Sweep()
    {
        if (_conntrack is null)
            return;
        for (var i = 0; i < _conntrack.Length; i++)
        {
            ref var entry = ref _conntrack[i];
            if (!entry.InUse)
                continue;
            if (!IsLive(in entry))
            {
                EmitFlowRecords(in entry, FlowRecordCause.Expired);
                entry = default;
                _conntrackOccupied--;
            }
            else if (IntervalDue(in entry))
            {
                EmitFlowRecords(in entry, FlowRecordCause.Interval);
                entry = entry with { Flow = default };
            }
        }
    }

    private FilterGeometry RequireFiltering()
        => _filter ?? throw new NitroCardException("this card has no filtering hardware (CardGeometry.Filtering is null): route tables, network ACLs and security groups cannot be programmed");

    private void CommitFilter(StagedChange change)
    {
        switch (change)
        {
            case StagedChange.Routes(var intervals):
                _routes = intervals;
                break;
            case StagedChange.Nacl(var index, var rules):
                Array.Copy(rules, 0, _nacl, index * rules.Length, rules.Length);
                break;
            case StagedChange.Security(var slot, var record):
                _sgIn[slot] = record.Ingress;
                _sgOut[slot] = record.Egress;
                _untracked[slot] = record.Untracked;
                break;
            case StagedChange.Conntrack(var slot, var timeouts):
                _timeouts[slot] = timeouts;
                break;
        }
    }

    /// <summary>The route of (table, ip): the interval with the greatest key ≤ (table, ip) when it is of that table.</summary>
    private RouteKind RouteLookup(int table, uint ip, out uint edgeIp)
    {
        edgeIp = 0;
        var routes = _routes;
        int lo = 0, hi = routes.Length - 1, found = -1;
        var key = ((ulong)(uint)table << 32) | ip;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var midKey = ((ulong)(uint)routes[mid].Table << 32) | routes[mid].Start;
            if (midKey <= key)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        if (found < 0 || routes[found].Table != table)
            return RouteKind.None;
        edgeIp = routes[found].EdgeIp;
        return routes[found].Kind;
    }

    /// <summary>Network ACL <paramref name="acl"/>, direction 0 ingress / 1 egress: the first matching rule decides; none → deny.</summary>
    private bool NaclAllows(int acl, int direction, in PacketInfo p, uint remote)
    {
        var rulesPerDirection = _filter!.NaclRules;
        if ((uint)acl >= (uint)_filter.NaclCount)
            return false;
        var rules = _nacl.AsSpan(((acl * 2) + direction) * rulesPerDirection, rulesPerDirection);
        foreach (ref readonly var rule in rules)
        {
            if (rule.Matches(in p, remote))
                return rule.Allow;
        }
        return false;
    }

    /// <summary>The security group stage at <paramref name="slot"/>: null when allowed, else the drop reason.</summary>
    private DropReason? SecurityGroupStage(int slot, bool ingress, in PacketInfo p)
    {
        ref var counters = ref _filterCounters[slot];
        var local = ingress ? p.Destination : p.Source;
        var remote = ingress ? p.Source : p.Destination;
        ushort localPort, remotePort;
        if (p.Protocol == ProtocolIcmp)
        {
            var echo = p.IcmpType is 0 or 8;
            localPort = echo ? p.IcmpId : (ushort)0;
            remotePort = 0;
        }
        else if (p.Protocol is ProtocolTcp or ProtocolUdp)
        {
            localPort = ingress ? p.DestinationPort : p.SourcePort;
            remotePort = ingress ? p.SourcePort : p.DestinationPort;
        }
        else
        {
            localPort = 0;
            remotePort = 0;
        }
        var key = new CtKey((byte)slot, p.Protocol, local, remote, localPort, remotePort);
        var filter = _filter!;
        var ways = filter.ConntrackWays;
        var bucket = CardHash.ConntrackBucket(p.Protocol, local, remote, localPort, remotePort, filter.ConntrackBuckets);

        // 1. A live entry with the key (a count-only entry never admits a packet).
        if (_conntrack is { } table)
        {
            for (var w = 0; w < ways; w++)
            {
                ref var entry = ref table[(bucket * ways) + w];
                if (entry.InUse && !entry.CountOnly && entry.Key == key && IsLive(in entry))
                {
                    Refresh(ref entry, ingress, in p);
                    Allowed(ref counters, ingress);
                    return null;
                }
            }
        }

        // 2. The rules of the direction.
        var rules = ingress ? _sgIn[slot] : _sgOut[slot];
        var match = false;
        foreach (ref readonly var rule in rules.AsSpan())
        {
            if (rule.Matches(in p, remote))
            {
                match = true;
                break;
            }
        }
        if (!match)
        {
            Denied(ref counters, ingress);
            RejectFlowRecord(slot, in p);
            return DropReason.SgDeny;
        }

        // 3. Untracked: allowed; with flow records on, counted in a count-only entry (docs/card-flow-records.md).
        if (_untracked[slot] && p.Protocol != ProtocolIcmp)
        {
            if (FlowRecordsOn(slot))
                CountUntracked(key, bucket, ingress, in p);
            Allowed(ref counters, ingress);
            return null;
        }

        // 4. A new entry in the lowest-numbered way that is not live.
        if (NewEntry(key, bucket, ingress, in p, countOnly: false))
        {
            Allowed(ref counters, ingress);
            return null;
        }
        counters = counters with { ConntrackAllowanceExceeded = counters.ConntrackAllowanceExceeded + 1 };
        Denied(ref counters, ingress);
        RejectFlowRecord(slot, in p);
        return DropReason.ConntrackFull;
    }

    /// <summary>
    /// An untracked packet of a slot with flow records on: its live count-only entry counts it, else a new one in the
    /// lowest way that is not live; with no such way it passes uncounted (counted in <see cref="FlowRecordOverflows"/>).
    /// </summary>
    private void CountUntracked(CtKey key, int bucket, bool ingress, in PacketInfo p)
    {
        var ways = _filter!.ConntrackWays;
        if (_conntrack is { } table)
        {
            for (var w = 0; w < ways; w++)
            {
                ref var entry = ref table[(bucket * ways) + w];
                if (entry.InUse && entry.CountOnly && entry.Key == key && IsLive(in entry))
                {
                    Refresh(ref entry, ingress, in p);
                    return;
                }
            }
        }
        if (!NewEntry(key, bucket, ingress, in p, countOnly: true))
            _flowRecordOverflows++;
    }

    /// <summary>Writes a new entry holding the packet into the lowest way of the bucket that is not live; false when every way is.</summary>
    private bool NewEntry(CtKey key, int bucket, bool ingress, in PacketInfo p, bool countOnly)
    {
        var ways = _filter!.ConntrackWays;
        _conntrack ??= new CtEntry[_filter.ConntrackCapacity];
        for (var w = 0; w < ways; w++)
        {
            ref var entry = ref _conntrack[(bucket * ways) + w];
            if (entry.InUse && IsLive(in entry))
                continue;
            if (!entry.InUse)
                _conntrackOccupied++;
            else
                EmitFlowRecords(in entry, FlowRecordCause.Expired);  // its unrecorded packets, before the way is reused
            var state = p.Protocol switch
            {
                ProtocolTcp => (p.TcpFlags & TcpRst) != 0 ? CtState.TcpClosed : CtState.TcpOpen,
                ProtocolUdp => CtState.UdpNew,
                _ => CtState.None,
            };
            entry = new CtEntry(key, true, ingress, state, 0, _now, CountFlow(default, ingress, p.Length), countOnly);
            return true;
        }
        return false;
    }

    private void Refresh(ref CtEntry entry, bool ingress, in PacketInfo p)
    {
        var state = entry.State;
        var fins = entry.Fins;
        if (p.Protocol == ProtocolTcp)
        {
            if ((p.TcpFlags & TcpRst) != 0)
            {
                state = CtState.TcpClosed;
            }
            if ((p.TcpFlags & TcpFin) != 0)
            {
                fins |= ingress ? (byte)1 : (byte)2;
                if (fins == 3)
                    state = CtState.TcpClosed;
            }
        }
        else if (p.Protocol == ProtocolUdp && ingress != entry.CreatedIngress)
        {
            state = CtState.UdpStream;
        }
        entry = entry with { State = state, Fins = fins, LastSeen = _now, Flow = CountFlow(entry.Flow, ingress, p.Length) };
    }

    private bool IsLive(in CtEntry entry)
    {
        var t = _timeouts[entry.Key.Slot];
        ulong seconds = entry.State switch
        {
            CtState.TcpOpen => t.TcpEstablished,
            CtState.TcpClosed => TcpClosedTimeoutSeconds,
            CtState.UdpNew => t.Udp,
            CtState.UdpStream => t.UdpStream,
            _ => OtherTimeoutSeconds,
        };
        return unchecked(_now - entry.LastSeen) <= seconds * 1_000_000UL;
    }

    private static void Allowed(ref EniFilterCounters c, bool ingress)
        => c = ingress ? c with { SgAllowedIn = c.SgAllowedIn + 1 } : c with { SgAllowedOut = c.SgAllowedOut + 1 };

    private static void Denied(ref EniFilterCounters c, bool ingress)
        => c = ingress ? c with { SgDeniedIn = c.SgDeniedIn + 1 } : c with { SgDeniedOut = c.SgDeniedOut + 1 };

    /// <summary>
    /// The fields of an IPv4 packet the filters look at (docs/card-filtering.md, "Definitions"), and its frame
    /// length (what the ENI counters and the flow records count).
    /// </summary>
    private readonly record struct PacketInfo(
        byte Protocol, uint Source, uint Destination, ushort SourcePort, ushort DestinationPort,
        byte IcmpType, byte IcmpCode, ushort IcmpId, byte TcpFlags, int Length)
    {
        /// <summary>Reads an Ethernet/IPv4 frame (IHL 5, checks passed); a field the frame does not hold is 0.</summary>
        public static PacketInfo Read(ReadOnlySpan<byte> frame)
        {
            var ip = frame[EthernetHeader.Length..];
            var protocol = Ipv4Header.Protocol(ip);
            var source = Ipv4Header.Source(ip);
            var destination = Ipv4Header.Destination(ip);
            var length = frame.Length;
            if (Ipv4Header.IsFragment(ip))
                return new PacketInfo(protocol, source, destination, 0, 0, 0, 0, 0, 0, length);
            const int l4 = EthernetHeader.Length + Ipv4Header.MinLength;
            return protocol switch
            {
                ProtocolTcp => new PacketInfo(protocol, source, destination, Read16(frame, l4), Read16(frame, l4 + 2), 0, 0, 0, Read8(frame, l4 + 13), length),
                ProtocolUdp => new PacketInfo(protocol, source, destination, Read16(frame, l4), Read16(frame, l4 + 2), 0, 0, 0, 0, length),
                ProtocolIcmp => new PacketInfo(protocol, source, destination, 0, 0, Read8(frame, l4), Read8(frame, l4 + 1), Read16(frame, l4 + 4), 0, length),
                _ => new PacketInfo(protocol, source, destination, 0, 0, 0, 0, 0, 0, length),
            };
        }

        private static byte Read8(ReadOnlySpan<byte> frame, int offset) => frame.Length > offset ? frame[offset] : (byte)0;

        private static ushort Read16(ReadOnlySpan<byte> frame, int offset)
            => frame.Length >= offset + 2 ? BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]) : (ushort)0;
    }

    /// <summary>One NACL or security group rule as the card holds it.</summary>
    private readonly record struct RuleRecord(bool Valid, bool Allow, bool AnyProtocol, byte Protocol, uint Cidr, uint Mask, ushort P1Lo, ushort P1Hi, ushort P2Lo, ushort P2Hi)
    {
        public static RuleRecord From(FilterRule r, bool allow)
        {
            var length = r.Remote.PrefixLength;
            return new RuleRecord(true, allow, r.Protocol is null, (byte)(r.Protocol ?? 0), Ipv4Address.ToUInt32(r.Remote.BaseAddress), Ipv4Address.Mask(length),
                (ushort)r.FromPort, (ushort)r.ToPort, (ushort)r.FromCode, (ushort)r.ToCode);
        }

        public bool Matches(in PacketInfo p, uint remote)
        {
            if (!Valid || (remote & Mask) != Cidr)
                return false;
            if (AnyProtocol)
                return true;
            if (Protocol != p.Protocol)
                return false;
            return p.Protocol switch
            {
                ProtocolTcp or ProtocolUdp => P1Lo <= p.DestinationPort && p.DestinationPort <= P1Hi,
                ProtocolIcmp => P1Lo <= p.IcmpType && p.IcmpType <= P1Hi && P2Lo <= p.IcmpCode && p.IcmpCode <= P2Hi,
                _ => true,
            };
        }
    }

    private sealed record SecurityRecord(RuleRecord[] Ingress, RuleRecord[] Egress, bool Untracked);

    private readonly record struct TimeoutRecord(uint TcpEstablished, uint UdpStream, uint Udp);

    private enum CtState : byte
    {
        None,
        TcpOpen,
        TcpClosed,
        UdpNew,
        UdpStream,
    }

    private readonly record struct CtKey(byte Slot, byte Protocol, uint Local, uint Remote, ushort LocalPort, ushort RemotePort);

    /// <summary>
    /// A tracking entry: key, in use, the direction that created it, state, FINs seen (bit 0 ingress, bit 1 egress),
    /// last seen (µs), the flow's counts since its last flow record, and whether it only counts an untracked flow
    /// (a count-only entry ages like a tracked one but never admits a packet).
    /// </summary>
    private readonly record struct CtEntry(CtKey Key, bool InUse, bool CreatedIngress, CtState State, byte Fins, ulong LastSeen, FlowCounts Flow, bool CountOnly);
}
