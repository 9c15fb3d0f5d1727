using NitroCard.Card;
using NitroCard.Mapping.Distribution;
using P = NitroCard.Mapping.Grpc.Protocol;

namespace NitroCard.Mapping.Grpc;

/// <summary>Converts a host's reported counters between the record and the wire message.</summary>
public static class CounterCodec
{
    public static P.CardCounters ToMessage(HostCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var m = new P.CardCounters { AlarmOverflow = counters.AlarmOverflow };
        m.Drops.Add(counters.Drops.Select(d => new P.DropCount { Reason = d.Key, Count = d.Value }));
        m.NetworkInterfaces.Add(counters.Enis.Select(e => new P.NetworkInterfaceCounters
        {
            NetworkInterfaceId = e.Key, TxPackets = e.Value.TxPackets, TxBytes = e.Value.TxBytes, RxPackets = e.Value.RxPackets, RxBytes = e.Value.RxBytes,
        }));
        return m;
    }

    public static HostCounters ToRecord(P.CardCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        return new(
            [.. counters.Drops.Select(d => KeyValuePair.Create(d.Reason, d.Count))],
            [.. counters.NetworkInterfaces.Select(e => KeyValuePair.Create(e.NetworkInterfaceId, new EniCounters(e.TxPackets, e.TxBytes, e.RxPackets, e.RxBytes)))],
            counters.AlarmOverflow);
    }
}
