using System.Text.Json;
using NitroCard.Card;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Simulation;

/// <summary>
/// Writes a simulation's results in the contract's layout as they come: <c>network.pcap</c>, <c>&lt;eni-id&gt;.pcap</c>
/// per local ENI, <c>alarms.jsonl</c>, and <c>counters.json</c> at <see cref="Finish"/>. Every file name goes
/// through <see cref="SafePath"/>: an ENI id never writes outside the output directory.
/// </summary>
public sealed class SimulationOutput : IDisposable
{
    private readonly string _directory;
    private readonly HostCardPlan _plan;
    private readonly PcapWriter _network;
    private readonly Dictionary<int, PcapWriter> _enis = [];
    private readonly FileStream _alarms;
    private bool _disposed;

    private const string NetworkFileStem = "network";

    /// <param name="directory">An existing directory (the staging directory of the run).</param>
    /// <param name="plan">The host's plan: its ENIs name the files.</param>
    /// <exception cref="SimulationException">An ENI is called <c>network</c>: its file would be the substrate output.</exception>
    /// <exception cref="UnsafePathException">An ENI id would name a file outside <paramref name="directory"/>.</exception>
    public SimulationOutput(string directory, HostCardPlan plan)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(plan);
        _directory = directory;
        _plan = plan;
        // network.pcap is the contract's substrate output: an ENI called "network" would overwrite it.
        if (plan.Enis.FirstOrDefault(e => e.EniId == NetworkFileStem) is { } clash)
            throw new SimulationException($"ENI '{clash.EniId}' (slot {clash.Slot}) would write {NetworkFileStem}.pcap, the substrate output; rename the ENI");
        var paths = plan.Enis.Select(e => (e.Slot, Path: SafePath.Under(directory, e.EniId + ".pcap"))).ToList();
        _network = new PcapWriter(SafePath.Under(directory, NetworkFileStem + ".pcap"));
        try
        {
            foreach (var (slot, path) in paths)
                _enis[slot] = new PcapWriter(path);
            _alarms = File.Create(SafePath.Under(directory, "alarms.jsonl"));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public long NetworkFrames { get; private set; }

    public long HostFrames { get; private set; }

    public long AlarmCount { get; private set; }

    /// <summary>What the card did with the frames of one timestamp.</summary>
    public void Add(long timestamp, IReadOnlyList<CardFrame> network, IReadOnlyList<CardFrame> host, IReadOnlyList<CardAlarm> alarms)
    {
        foreach (var frame in network)
            _network.Write(timestamp, frame.Data);
        NetworkFrames += network.Count;
        foreach (var frame in host)
        {
            if (_enis.TryGetValue(frame.Slot, out var writer))
                writer.Write(timestamp, frame.Data);
        }
        HostFrames += host.Count;
        foreach (var alarm in alarms)
        {
            using (var json = new Utf8JsonWriter(_alarms))
            {
                json.WriteStartObject();
                CardJson.WriteAlarmFields(json, alarm, _plan.Enis.FirstOrDefault(e => e.Slot == alarm.Slot)?.EniId);
                json.WriteEndObject();
            }
            _alarms.WriteByte((byte)'\n');
        }
        AlarmCount += alarms.Count;
    }

    /// <summary>Writes counters.json and closes every file.</summary>
    public void Finish(CardCounters counters, ulong? cycles)
    {
        using (var stream = File.Create(SafePath.Under(_directory, "counters.json")))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            if (cycles is { } c)
                json.WriteNumber("cycles", c);
            CardJson.WriteCounterFields(json, _plan, counters);
            if (counters.Filters.Count > 0)
                json.WriteNumber("conntrackAllowanceAvailable", counters.ConntrackFree);
            json.WriteEndObject();
        }
        Dispose();
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _network?.Dispose();
        foreach (var writer in _enis.Values)
            writer.Dispose();
        _alarms?.Dispose();
    }
}
