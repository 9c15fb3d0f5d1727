using System.Text.Json;
using NitroCard.Driver;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Cli.Simulate;

/// <summary>Writes a simulation's results in the contract's layout.</summary>
internal static class SimulationOutput
{
    public static void Write(string directory, HostCardPlan plan, SimulationResult result)
    {
        Directory.CreateDirectory(directory);
        PcapWriter.WriteFile(Path.Combine(directory, "network.pcap"), result.Network.Select(f => new PcapRecord(f.TimestampMicroseconds, f.Frame.Data)));
        foreach (var eni in plan.Enis)
        {
            PcapWriter.WriteFile(
                Path.Combine(directory, eni.EniId + ".pcap"),
                result.Host.Where(f => f.Frame.Slot == eni.Slot).Select(f => new PcapRecord(f.TimestampMicroseconds, f.Frame.Data)));
        }
        WriteAlarms(Path.Combine(directory, "alarms.jsonl"), plan, result.Alarms);
        WriteCounters(Path.Combine(directory, "counters.json"), plan, result);
    }

    private static void WriteAlarms(string path, HostCardPlan plan, IReadOnlyList<CardAlarm> alarms)
    {
        using var stream = File.Create(path);
        foreach (var alarm in alarms)
        {
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteNumber("cycle", alarm.Cycle);
                json.WriteString("reason", alarm.Reason.ToWireName());
                var eni = plan.Enis.FirstOrDefault(e => e.Slot == alarm.Slot);
                if (eni is null)
                    json.WriteNull("eni");
                else
                    json.WriteString("eni", eni.EniId);
                json.WriteNumber("vni", alarm.Vni);
                json.WriteString("outerSrc", alarm.OuterSource.ToString());
                json.WriteString("innerSrc", alarm.InnerSource.ToString());
                json.WriteString("innerDst", alarm.InnerDestination.ToString());
                json.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
        }
    }

    private static void WriteCounters(string path, HostCardPlan plan, SimulationResult result)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        if (result.Cycles is { } cycles)
            json.WriteNumber("cycles", cycles);
        json.WriteStartObject("drops");
        foreach (var reason in Enum.GetValues<DropReason>())
            json.WriteNumber(reason.ToWireName(), result.Counters[reason]);
        json.WriteEndObject();
        json.WriteStartObject("enis");
        foreach (var eni in plan.Enis)
        {
            var c = result.Counters.Enis[eni.Slot];
            json.WriteStartObject(eni.EniId);
            json.WriteNumber("txPackets", c.TxPackets);
            json.WriteNumber("txBytes", c.TxBytes);
            json.WriteNumber("rxPackets", c.RxPackets);
            json.WriteNumber("rxBytes", c.RxBytes);
            if (result.Counters.Filters.Count > eni.Slot)
            {
                var f = result.Counters.Filters[eni.Slot];
                json.WriteNumber("sgAllowedIn", f.SgAllowedIn);
                json.WriteNumber("sgDeniedIn", f.SgDeniedIn);
                json.WriteNumber("sgAllowedOut", f.SgAllowedOut);
                json.WriteNumber("sgDeniedOut", f.SgDeniedOut);
                json.WriteNumber("conntrackAllowanceExceeded", f.ConntrackAllowanceExceeded);
            }
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteNumber("alarmOverflow", result.Counters.AlarmOverflow);
        if (result.Counters.Filters.Count > 0)
            json.WriteNumber("conntrackAllowanceAvailable", result.Counters.ConntrackFree);
        json.WriteEndObject();
    }
}
