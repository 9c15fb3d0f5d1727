using System.Net;
using NitroCard.Driver;
using NitroCard.Driver.Tables;
using NitroCard.Mapping.Distribution;
using P = NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Mapping.Grpc;

/// <summary>Converts deltas between their records and the wire messages.</summary>
public static class DeltaCodec
{
    public static P.Delta ToMessage(HostDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var m = new P.Delta { Host = delta.Host, Version = (ulong)delta.Version, BaseVersion = (ulong)delta.BaseVersion, Full = delta.Full };
        if (delta.Settings is { } s)
        {
            m.Settings = new P.Settings
            {
                UnderlayIp = Ipv4.ToUInt32(s.UnderlayIp), UnderlayMac = s.UnderlayMac.Value, NextHopMac = s.UnderlayNextHopMac.Value,
                GatewayMac = s.GatewayMac.Value, AlarmMask = s.AlarmMask,
            };
        }
        foreach (var e in delta.SetEnis)
        {
            m.SetEnis.Add(new P.Eni
            {
                Id = e.Id, VpcId = e.VpcId, SubnetId = e.SubnetId, Vni = e.Entry.Vni, Ip = Ipv4.ToUInt32(e.Entry.Ip), Mac = e.Entry.Mac.Value,
                SubnetBase = Ipv4.ToUInt32(e.Entry.Subnet.BaseAddress), SubnetPrefix = (uint)e.Entry.Subnet.PrefixLength, SourceDestCheck = e.Entry.SourceDestCheck,
            });
        }
        m.RemoveEnis.AddRange(delta.RemoveEnis);
        foreach (var x in delta.SetMappings)
            m.SetMappings.Add(new P.Mapping { Vni = x.Key.Vni, Ip = x.Key.Ip, UnderlayIp = x.UnderlayIp, Mac = x.Mac.Value, LocalEni = x.LocalEniId ?? "" });
        foreach (var k in delta.RemoveMappings)
            m.RemoveMappings.Add(new P.MappingKey { Vni = k.Vni, Ip = k.Ip });
        foreach (var e in delta.SetEdges)
            m.SetEdges.Add(new P.Edge { Vni = e.Vni, UnderlayIp = Ipv4.ToUInt32(e.UnderlayIp) });
        foreach (var e in delta.RemoveEdges)
            m.RemoveEdges.Add(new P.Edge { Vni = e.Vni, UnderlayIp = Ipv4.ToUInt32(e.UnderlayIp) });
        return m;
    }

    public static HostDelta FromMessage(P.Delta m)
    {
        ArgumentNullException.ThrowIfNull(m);
        CardSettings? settings = m.Settings is { } s
            ? new CardSettings(Ipv4.FromUInt32(s.UnderlayIp), new MacAddress(s.UnderlayMac), new MacAddress(s.NextHopMac), new MacAddress(s.GatewayMac), s.AlarmMask)
            : null;
        return new HostDelta(m.Host, (long)m.Version, (long)m.BaseVersion, m.Full, settings,
            [.. m.SetEnis.Select(e => new HostEni(e.Id, e.VpcId, e.SubnetId,
                new EniEntry(e.Vni, Ipv4.FromUInt32(e.Ip), new MacAddress(e.Mac), new IPNetwork(Ipv4.FromUInt32(e.SubnetBase), (int)e.SubnetPrefix), e.SourceDestCheck)))],
            [.. m.RemoveEnis],
            [.. m.SetMappings.Select(x => new HostMapping(new MappingKey(x.Vni, x.Ip), x.UnderlayIp, new MacAddress(x.Mac), x.LocalEni.Length == 0 ? null : x.LocalEni))],
            [.. m.RemoveMappings.Select(k => new MappingKey(k.Vni, k.Ip))],
            [.. m.SetEdges.Select(e => new EdgeEntry(e.Vni, Ipv4.FromUInt32(e.UnderlayIp)))],
            [.. m.RemoveEdges.Select(e => new EdgeEntry(e.Vni, Ipv4.FromUInt32(e.UnderlayIp)))]);
    }
}
