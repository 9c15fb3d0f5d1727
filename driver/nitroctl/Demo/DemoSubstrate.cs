using System.Globalization;
using System.Net;
using NitroCard.Cli.Simulate;
using NitroCard.Driver;
using NitroCard.Driver.Simulation;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Cli;

/// <summary>
/// Every host's card of a region in one process, joined by a substrate that carries each
/// VXLAN frame to the card whose underlay address it is sent to.
/// </summary>
internal sealed class DemoSubstrate : IDisposable
{
    private readonly Dictionary<string, (HostCardPlan Plan, ICardEngine Card)> _hosts = [];
    private readonly List<TimedFrame> _substrate = [];
    private readonly Dictionary<string, List<TimedFrame>> _delivered = [];
    private readonly List<(string Host, CardAlarm Alarm)> _alarms = [];
    private long _time;

    public DemoSubstrate(RegionTopology region, string engine)
    {
        foreach (var host in region.Hosts)
        {
            var card = EngineFactory.Create(engine);
            var plan = RegionCompiler.ForHost(region, host.Name, card.Geometry);
            CardSimulation.Load(card, plan);
            _hosts[host.Name] = (plan, card);
        }
    }

    public HostCardPlan Plan(string host) => _hosts[host].Plan;

    public DemoEni Eni(string id)
    {
        foreach (var (host, (plan, _)) in _hosts)
        {
            if (plan.Enis.FirstOrDefault(e => e.EniId == id) is { } eni)
                return new DemoEni(id, host, eni.Slot, eni.Entry.Mac.Value, eni.Entry.Ip);
        }
        throw new InvalidOperationException($"{id} is not in the demo region");
    }

    public void Send(string story, DemoEni from, byte[] frame)
    {
        var (_, card) = _hosts[from.Host];
        card.PushHost(from.Slot, frame);
        Report(story, from.Host, frame.Length);
    }

    public void SendFromSubstrate(string story, string host, byte[] frame)
    {
        _hosts[host].Card.PushNetwork(frame);
        Report(story, host, frame.Length);
    }

    private void Report(string story, string firstHost, int length)
    {
        _time += 1000;
        Console.WriteLine($"* {story} ({length} bytes)");
        var pending = new Queue<string>([firstHost]);
        while (pending.TryDequeue(out var host))
        {
            var (plan, card) = _hosts[host];
            card.SetTime((ulong)_time);
            var cycles = card.RunUntilIdle();
            var clock = cycles is { } c ? string.Create(CultureInfo.InvariantCulture, $" [{c} cycles]") : "";
            foreach (var frame in card.DrainHost())
            {
                var eni = plan.Enis.First(e => e.Slot == frame.Slot);
                Remember(eni.EniId, frame);
                Console.WriteLine($"    {host}: delivered to {eni.EniId}: {Describe(frame.Data)}{clock}");
            }
            foreach (var frame in card.DrainNetwork())
            {
                _substrate.Add(new TimedFrame(_time, frame));
                var outerDst = Ipv4Header.Destination(frame.Data.AsSpan(EthernetHeader.Length));
                var target = _hosts.FirstOrDefault(h => Ipv4Address.ToUInt32(h.Value.Plan.Settings.UnderlayIp) == outerDst);
                Console.WriteLine($"    {host}: VXLAN VNI {VxlanHeader.Vni(frame.Data.AsSpan(42))} to {Ipv4Address.FromUInt32(outerDst)}{(target.Key is null ? " (not a card host)" : $" ({target.Key})")}, {frame.Data.Length} bytes{clock}");
                if (target.Key is not null)
                {
                    target.Value.Card.PushNetwork(frame.Data);
                    pending.Enqueue(target.Key);
                }
            }
            foreach (var alarm in card.DrainAlarms())
            {
                _alarms.Add((host, alarm));
                Console.WriteLine($"    {host}: DROPPED {alarm.Reason.ToWireName()} - alarm: vni {alarm.Vni}, outer src {alarm.OuterSource}, inner {alarm.InnerSource} -> {alarm.InnerDestination}");
            }
        }
    }

    private void Remember(string eniId, CardFrame frame)
    {
        if (!_delivered.TryGetValue(eniId, out var list))
            _delivered[eniId] = list = [];
        list.Add(new TimedFrame(_time, frame));
    }

    private static string Describe(byte[] frame)
    {
        var type = EthernetHeader.EtherType(frame);
        var src = new MacAddress(EthernetHeader.Source(frame));
        if (type == EthernetHeader.TypeArp)
        {
            var arp = frame.AsSpan(EthernetHeader.Length);
            return $"ARP reply {Ipv4Address.FromUInt32(ArpPacket.SenderIp(arp))} is-at {new MacAddress(ArpPacket.SenderMac(arp))}";
        }
        var ip = frame.AsSpan(EthernetHeader.Length);
        return $"IPv4 {Ipv4Address.FromUInt32(Ipv4Header.Source(ip))} -> {Ipv4Address.FromUInt32(Ipv4Header.Destination(ip))} proto {Ipv4Header.Protocol(ip)} ttl {Ipv4Header.Ttl(ip)}, {frame.Length} bytes, from MAC {src}";
    }

    public void PrintCounters()
    {
        foreach (var (host, (plan, card)) in _hosts)
        {
            var counters = card.ReadCounters();
            Console.WriteLine($"{host} card counters:");
            foreach (var eni in plan.Enis)
            {
                var c = counters.Enis[eni.Slot];
                Console.WriteLine($"    {eni.EniId,-14} tx {c.TxPackets,3} pkts {c.TxBytes,6} B   rx {c.RxPackets,3} pkts {c.RxBytes,6} B");
            }
            var drops = Enum.GetValues<DropReason>().Where(r => counters[r] > 0).Select(r => $"{r.ToWireName()} {counters[r]}");
            Console.WriteLine($"    drops: {string.Join(", ", drops.DefaultIfEmpty("none"))}");
        }
        Console.WriteLine($"alarms raised: {_alarms.Count}");
    }

    public void WriteCaptures(string directory)
    {
        Directory.CreateDirectory(directory);
        PcapWriter.WriteFile(Path.Combine(directory, "substrate.pcap"), _substrate.Select(f => new PcapRecord(f.TimestampMicroseconds, f.Frame.Data)));
        foreach (var (eni, frames) in _delivered)
            PcapWriter.WriteFile(Path.Combine(directory, eni + ".pcap"), frames.Select(f => new PcapRecord(f.TimestampMicroseconds, f.Frame.Data)));
    }

    public void Dispose()
    {
        foreach (var (_, card) in _hosts.Values)
            card.Dispose();
    }
}

/// <summary>An ENI of the demo region and where it lives.</summary>
internal sealed record DemoEni(string Id, string Host, int Slot, ulong Mac, IPAddress Ip);
