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
                CardJson.WriteAlarmFields(json, alarm, plan.Enis.FirstOrDefault(e => e.Slot == alarm.Slot)?.EniId);
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
        CardJson.WriteCounterFields(json, plan, result.Counters);
        if (result.Counters.Filters.Count > 0)
            json.WriteNumber("conntrackAllowanceAvailable", result.Counters.ConntrackFree);
        json.WriteEndObject();
    }
}
