using System.Text.Json;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Simulation;

/// <summary>
/// Writes a region simulation in the contract's layout: <c>&lt;port&gt;.pcap</c> for every port that received frames,
/// <c>substrate.pcap</c>, <c>alarms.jsonl</c> (one object per alarm, with <c>node</c>) and <c>counters.json</c> (per node).
/// </summary>
public static class RegionSimulationOutput
{
    public static void Write(string directory, RegionSimulation simulation)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        Write(name => Path.Combine(directory, name), simulation);
    }

    /// <summary>
    /// Writes every file at <paramref name="pathOf"/>(its name); port files are named from ENI ids and edge ports, so
    /// a caller writing where input must not reach passes a resolver that refuses a name leaving its folder.
    /// </summary>
    public static void Write(Func<string, string> pathOf, RegionSimulation simulation)
    {
        ArgumentNullException.ThrowIfNull(pathOf);
        ArgumentNullException.ThrowIfNull(simulation);
        var ports = simulation.Received.Where(p => p.Value.Count > 0).Select(p => (Path: pathOf(p.Key + ".pcap"), Frames: p.Value)).ToList();
        foreach (var (path, frames) in ports)
            PcapWriter.WriteFile(path, frames);
        PcapWriter.WriteFile(pathOf("substrate.pcap"), simulation.Substrate);
        WriteAlarms(pathOf("alarms.jsonl"), simulation);
        WriteCounters(pathOf("counters.json"), simulation);
    }

    private static void WriteAlarms(string path, RegionSimulation simulation)
    {
        using var stream = File.Create(path);
        foreach (var alarm in simulation.Alarms)
        {
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteString("node", alarm.Node);
                json.WriteNumber("timestamp", alarm.TimestampMicroseconds);
                if (alarm.Card is { } card)
                    CardJson.WriteAlarmFields(json, card, alarm.CardEni);
                else if (alarm.Edge is { } edge)
                {
                    json.WriteString("reason", edge.Reason);
                    json.WriteString("port", edge.Port);
                    json.WriteNumber("vni", edge.Vni);
                    WriteOptional(json, "outerSrc", edge.OuterSource);
                    WriteOptional(json, "innerSrc", edge.InnerSource);
                    WriteOptional(json, "innerDst", edge.InnerDestination);
                }
                json.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteString(name, value);
    }

    private static void WriteCounters(string path, RegionSimulation simulation)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        foreach (var host in simulation.Hosts)
        {
            var counters = simulation.CardCounters(host);
            var plan = simulation.Plan(host);
            json.WriteStartObject(host);
            json.WriteString("kind", "card");
            CardJson.WriteCounterFields(json, plan, counters);
            json.WriteEndObject();
        }
        foreach (var edge in simulation.Edges)
        {
            json.WriteStartObject(edge.Name);
            json.WriteString("kind", "edge");
            foreach (var (name, value) in edge.Counters.All)
                json.WriteNumber(name, value);
            json.WriteEndObject();
        }
        json.WriteStartObject("substrate");
        json.WriteString("kind", "substrate");
        json.WriteNumber("frames", simulation.Substrate.Count);
        json.WriteNumber("unroutable", simulation.Unroutable);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
