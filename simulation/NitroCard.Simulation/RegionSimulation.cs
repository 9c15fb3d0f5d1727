using NitroCard.Card;
using NitroCard.Edge;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Simulation;

/// <summary>A frame offered to the region on one of its ports.</summary>
/// <param name="Port">An ENI id (the frame the instance sends), <c>internet</c>, <c>services</c>, <c>vpn:&lt;id&gt;</c> or <c>dx:&lt;connection&gt;</c>.</param>
/// <param name="TimestampMicroseconds">When.</param>
/// <param name="Data">The Ethernet frame.</param>
public sealed record RegionInput(string Port, long TimestampMicroseconds, byte[] Data);

/// <summary>An alarm raised by a node of the region (a host's card or the edge).</summary>
/// <param name="Node">The host or edge name.</param>
/// <param name="TimestampMicroseconds">The time of the input that caused it.</param>
/// <param name="Card">The card's alarm, for a host.</param>
/// <param name="CardEni">The ENI of the card alarm's slot, when the slot is one.</param>
/// <param name="Edge">The edge's alarm, for the edge.</param>
public sealed record RegionAlarm(string Node, long TimestampMicroseconds, CardAlarm? Card, string? CardEni, EdgeAlarm? Edge);

/// <summary>
/// A whole region in one process: every host's card (the engine the factory makes), the Blackfoot edge (the
/// region's first edge, where non-local routes lead) and the substrate between them, which carries every VXLAN
/// frame to the node whose underlay address it is sent to. A frame offered on a port is processed to quiescence —
/// every frame it causes, on every node, within the same timestamp — before the next is offered.
/// The card engines are used only from the thread that created this object.
/// </summary>
public sealed class RegionSimulation : IDisposable
{
    private readonly Dictionary<string, HostNode> _hosts = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, HostNode> _hostsByUnderlay = [];
    private readonly Dictionary<string, (HostNode Host, int Slot)> _enis = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PcapRecord>> _received = new(StringComparer.Ordinal);
    private readonly List<PcapRecord> _substrate = [];
    private readonly List<RegionAlarm> _alarms = [];
    private readonly List<BlackfootEdge> _edges = [];
    private readonly Dictionary<uint, BlackfootEdge> _edgesByUnderlay = [];
    private readonly Dictionary<FlowTuple, BlackfootEdge> _serviceFlows = [];
    private readonly Queue<HostNode> _pending = new();
    private long _now;

    /// <param name="region">A validated region.</param>
    /// <param name="createEngine">Makes one card engine per host (called on this thread).</param>
    public RegionSimulation(RegionTopology region, Func<ICardEngine> createEngine)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(createEngine);
        try
        {
            foreach (var host in region.Hosts)
            {
                var engine = createEngine();
                var node = new HostNode(host.Name, engine);
                _hosts[host.Name] = node;
                // Every edge is up, so the cards spread edge routes over all of them (the edge set the Mapping Service
                // pushes while they are healthy); with one edge, an empty set (each route's EDGE_IP) as before.
                node.Plan = RegionCompiler.ForHost(region, host.Name, engine.Geometry);
                if (region.Edges.Length == 1)
                    node.Plan = node.Plan with { EdgeSet = [] };
                node.Filtering = node.Plan.LoadInto(engine);
                _hostsByUnderlay[Ipv4Address.ToUInt32(node.Plan.Settings.UnderlayIp)] = node;
                foreach (var eni in node.Plan.Enis)
                    _enis[eni.EniId] = (node, eni.Slot);
            }
            for (var i = 0; i < region.Edges.Length; i++)
            {
                var edge = new BlackfootEdge(region, i);
                _edges.Add(edge);
                _edgesByUnderlay[edge.UnderlayIp] = edge;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        Ports = [.. _enis.Keys, .. Edge?.ExternalPorts ?? []];
    }

    /// <summary>Every port frames may be offered on: the ENI ids, then the edge's external ports.</summary>
    public IReadOnlyList<string> Ports { get; }

    /// <summary>The first edge, which holds the customer sites (null when the region has none).</summary>
    public BlackfootEdge? Edge => _edges.Count == 0 ? null : _edges[0];

    /// <summary>Every edge of the region, in file order.</summary>
    public IReadOnlyList<BlackfootEdge> Edges => _edges;

    /// <summary>The host names, in file order.</summary>
    public IEnumerable<string> Hosts => _hosts.Keys;

    /// <summary>True when every card enforces route tables, ACLs and security groups (docs/card-filtering.md).</summary>
    public bool Filtering => _hosts.Values.All(h => h.Filtering);

    /// <summary>Frames each port received (ENIs: what their card delivered; edge ports: what the edge sent), in order.</summary>
    public IReadOnlyDictionary<string, List<PcapRecord>> Received => _received;

    /// <summary>Every frame carried on the substrate (cards ↔ cards, cards ↔ edge), in order.</summary>
    public IReadOnlyList<PcapRecord> Substrate => _substrate;

    /// <summary>Alarms of every node, in the order raised.</summary>
    public IReadOnlyList<RegionAlarm> Alarms => _alarms;

    /// <summary>Substrate frames addressed to no node.</summary>
    public long Unroutable { get; private set; }

    /// <summary>Frames a port received (empty when none).</summary>
    public IReadOnlyList<PcapRecord> ReceivedOn(string port) => _received.TryGetValue(port, out var list) ? list : [];

    /// <summary>The plan a host's card was loaded with.</summary>
    public HostCardPlan Plan(string host) => _hosts[host].Plan;

    /// <summary>A host card's counters.</summary>
    public CardCounters CardCounters(string host) => _hosts[host].Engine.ReadCounters();

    /// <summary>Offers every input in timestamp order (ties keep the list's order), each processed to quiescence.</summary>
    public void Run(IEnumerable<RegionInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var input in inputs.Select((input, index) => (input, index)).OrderBy(x => x.input.TimestampMicroseconds).ThenBy(x => x.index))
            Send(input.input.Port, input.input.TimestampMicroseconds, input.input.Data);
    }

    /// <summary>
    /// What <c>nitroctl simulate-region</c> runs once its options are parsed: offers every record of
    /// <paramref name="inputs"/> in timestamp order, then writes what every port received, the substrate, the alarms and
    /// the counters (<see cref="RegionSimulationOutput"/>) into a staging directory beside
    /// <paramref name="outputDirectory"/>, moved into place only when the whole run succeeded. Returns the frames offered.
    /// </summary>
    /// <exception cref="ArgumentException">An input's port is not one of <see cref="Ports"/>.</exception>
    /// <exception cref="SimulationException">The output directory cannot be staged.</exception>
    /// <exception cref="PcapFormatException">A record is bad (the message names the file, the record and the field); <paramref name="outputDirectory"/> is unchanged.</exception>
    public long Run(PcapInputs<string> inputs, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using var staged = new StagedOutputDirectory(outputDirectory);
        long framesIn = 0;
        foreach (var (port, record) in inputs.Records())
        {
            Send(port, record.TimestampMicroseconds, record.Data);
            framesIn++;
        }
        RegionSimulationOutput.Write(staged.File, this);
        staged.Commit();
        return framesIn;
    }

    /// <summary>Offers one frame on a port and processes it and everything it causes.</summary>
    /// <exception cref="ArgumentException">The port is not one of <see cref="Ports"/>.</exception>
    public void Send(string port, long timestampMicroseconds, byte[] frame)
    {
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(frame);
        _now = Math.Max(_now, timestampMicroseconds);
        if (_enis.TryGetValue(port, out var eni))
        {
            Wake(eni.Host);
            eni.Host.Engine.PushHost(eni.Slot, frame);
        }
        else if (Edge is not null && Edge.ExternalPorts.Contains(port))
        {
            ToEdge(EdgeFor(port, frame), port, frame);
        }
        else
        {
            throw new ArgumentException($"'{port}' is not a port of the region (ports: {string.Join(", ", Ports)})", nameof(port));
        }
        while (_pending.TryDequeue(out var host))
        {
            host.Queued = false;
            host.Engine.RunUntilIdle();
            foreach (var delivered in host.Engine.DrainHost())
            {
                var eniId = host.Plan.Enis.First(e => e.Slot == delivered.Slot).EniId;
                Record(eniId, delivered.Data);
            }
            foreach (var sent in host.Engine.DrainNetwork())
                OnSubstrate(sent.Data);
            foreach (var alarm in host.Engine.DrainAlarms())
                _alarms.Add(new RegionAlarm(host.Name, _now, alarm, host.Plan.Enis.FirstOrDefault(e => e.Slot == alarm.Slot)?.EniId, null));
        }
    }

    private void Wake(HostNode host)
    {
        if (host.Queued)
            return;
        host.Engine.SetTime((ulong)Math.Max(_now, 0));
        host.Queued = true;
        _pending.Enqueue(host);
    }

    private void OnSubstrate(byte[] frame)
    {
        _substrate.Add(new PcapRecord(_now, frame));
        var destination = frame.Length >= EthernetHeader.Length + Ipv4Header.MinLength ? Ipv4Header.Destination(frame.AsSpan(EthernetHeader.Length)) : 0;
        if (_edgesByUnderlay.TryGetValue(destination, out var edge))
        {
            ToEdge(edge, EdgePorts.Substrate, frame);
        }
        else if (_hostsByUnderlay.TryGetValue(destination, out var host))
        {
            Wake(host);
            host.Engine.PushNetwork(frame);
        }
        else
        {
            Unroutable++;
        }
    }

    /// <summary>
    /// The edge an outside frame enters through. The customer sites are attached to the first edge. The internet reaches
    /// every edge, and a flow takes one of them by its hash (as the live region's multipath routes do); a reply from the
    /// services goes back to the edge its request left from, which holds the flow's state (the live region's conntrack
    /// marks).
    /// </summary>
    private BlackfootEdge EdgeFor(string port, byte[] frame)
    {
        if (_edges.Count == 1 || port is not (EdgePorts.Internet or EdgePorts.Services))
            return _edges[0];
        var tuple = FlowHash.ReadTuple(frame);
        if (port == EdgePorts.Services && _serviceFlows.TryGetValue(tuple, out var edge))
            return edge;
        return _edges[FlowHash.SourcePort(tuple) % _edges.Count];
    }

    private void ToEdge(BlackfootEdge edge, string port, byte[] frame)
    {
        var output = new List<EdgeFrame>();
        edge.Receive(port, frame, output);
        foreach (var alarm in edge.DrainAlarms())
            _alarms.Add(new RegionAlarm(edge.Name, _now, null, null, alarm));
        foreach (var sent in output)
        {
            if (sent.Port == EdgePorts.Substrate)
            {
                OnSubstrate(sent.Data);
                continue;
            }
            if (sent.Port == EdgePorts.Services && _edges.Count > 1)
            {
                var request = FlowHash.ReadTuple(sent.Data);
                _serviceFlows[new FlowTuple(request.Destination, request.Source, request.Protocol, request.DestinationPort, request.SourcePort)] = edge;
            }
            Record(sent.Port, sent.Data);
        }
    }

    private void Record(string port, byte[] frame)
    {
        if (!_received.TryGetValue(port, out var list))
            _received[port] = list = [];
        list.Add(new PcapRecord(_now, frame));
    }

    public void Dispose()
    {
        foreach (var edge in _edges)
            edge.Dispose();
        foreach (var host in _hosts.Values)
            host.Engine.Dispose();
    }

    private sealed class HostNode(string name, ICardEngine engine)
    {
        public string Name { get; } = name;

        public ICardEngine Engine { get; } = engine;

        public HostCardPlan Plan { get; set; } = null!;

        public bool Filtering { get; set; }

        public bool Queued { get; set; }
    }
}
