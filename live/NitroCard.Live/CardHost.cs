using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using NitroCard.Card;
using NitroCard.Card.Punt;
using NitroCard.Driver.Simulation;
using NitroCard.Firmware;
using NitroCard.Live.Control;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Live;

/// <summary>
/// One card host of a live region: the card (Verilated or model) on its own thread, programmed by the host's firmware
/// agent from the Mapping Service (<see cref="HostAgent"/>); a TAP per ENI (the instance's <c>eth0</c>) on its host port,
/// created and removed as the pushed state says; a TAP into the underlay router on its network port; and the pump between
/// them; the firmware's instance services answer what the card punts (<see cref="InstanceServicesRuntime"/>,
/// docs/card-punt.md). Everything that touches the engine (frames, firmware updates, control requests) runs on the card thread, because
/// a Verilated model may only be used from the thread that created it.
/// </summary>
public sealed class CardHost : ICardAccess, IControlledCard, IAsyncDisposable
{
    private const int MaxFrame = 16_384;
    private const int MaxFramesPerRun = 256;
    private const int AlarmsKept = 10_000;

    /// <summary>
    /// Frames the pump queues for the card per port at most (each ENI's TAP, the underlay TAP); a port's frames beyond it
    /// are dropped and counted: a flood must not grow memory, and fills only its own port's queue.
    /// </summary>
    private const int MaxQueuedPerPort = 8_192;

    /// <summary>Frames the pump takes from one port before it turns to the next (round robin over the ports with frames).</summary>
    private const int FramesPerTurn = 8;

    /// <summary>
    /// Queues of the network port, a frame's chosen by its outer UDP source port (the flow entropy VXLAN puts there), as a
    /// NIC's receive-side scaling would: one flow flooding the substrate fills one queue, not every flow's.
    /// </summary>
    private const int NetworkQueues = 8;

    private readonly string _engineName;
    private readonly Func<ICardEngine> _createEngine;
    private readonly int _index;
    private readonly Instance _instances;
    private readonly LiveState _state;
    private PortQueue[] _ports = [];   // [0, NetworkQueues) the network port's, then one per ENI slot; set before the card reports it started
    private int _nextPort;
    private readonly ConcurrentQueue<Action<ICardEngine>> _control = new();
    private readonly ConcurrentDictionary<int, (uint Gateway, TaskCompletionSource Done)> _probes = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly TaskCompletionSource<CardGeometry> _created = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<CardAlarm> _alarms = [];
    private readonly List<CardAlarm> _unreported = [];
    private readonly ConcurrentDictionary<int, TapDevice> _slotTaps = new();
    private readonly Dictionary<string, (int Slot, TapDevice Tap)> _attached = new(StringComparer.Ordinal);
    private PumpDrops? _drops;
    private volatile CardGeometry? _geometry;
    private HostAgent? _agent;
    private readonly CancellationTokenSource _servicesStop = new();
    private InstanceServicesRuntime? _services;
    private Task? _servicesRunning;
    private FlowLogRuntime? _flowLogs;
    private Task? _flowLogsRunning;
    private readonly Stopwatch _cardClock = new();
    private DateTimeOffset _cardEpoch;
    private TapDevice? _underlay;
    private readonly SubstrateFaultInjector? _toCard;
    private readonly SubstrateFaultInjector? _fromCard;
    private Thread? _thread;
    private volatile bool _stopping;

    internal CardHost(RegionHost host, string engineName, Func<ICardEngine> createEngine, int index, Instance instances, LiveState state, SubstrateFaults? faults = null)
    {
        Host = host;
        _engineName = engineName;
        _createEngine = createEngine;
        _index = index;
        _instances = instances;
        _state = state;
        if (faults is { IsNone: false })
        {
            // Each card's two directions draw from their own streams of the seed.
            _toCard = new SubstrateFaultInjector(faults, (2 * index) + 0);
            _fromCard = new SubstrateFaultInjector(faults, (2 * index) + 1);
        }
    }

    public RegionHost Host { get; }

    /// <summary>The engine's name (<c>rtl</c> or <c>model</c>).</summary>
    public string EngineName => _engineName;

    /// <summary>The card's geometry (known once <see cref="StartAsync"/> completed).</summary>
    public CardGeometry Geometry => _geometry ?? throw new InvalidOperationException($"card {Host.Name} has not started");

    /// <summary>What the card holds now, as a plan (slots as the firmware chose them).</summary>
    public HostCardPlan Tables => _agent!.Agent.Programmer.Describe(Host.Name, Geometry);

    /// <summary>Creates the card on its own thread; completes with its geometry once it is created.</summary>
    public Task<CardGeometry> StartAsync()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = $"card {Host.Name}" };
        _thread.Start();
        return _created.Task;
    }

    /// <summary>
    /// Starts the firmware agent and waits until it has programmed the card from the service's first push; the TAPs
    /// follow every push from then on (see <see cref="Reconcile"/>). The instance services' resolver reaches the region's
    /// <c>dnsUpstream</c> on sockets from <paramref name="upstreamSockets"/> (null: ordinary sockets in this namespace).
    /// </summary>
    public async Task ProgramAsync(IReadOnlyList<Uri> endpoints, string identityDirectory, string underlayNamespace, MacAddress routerMac, TimeSpan timeout,
        Func<System.Net.Sockets.SocketType, System.Net.Sockets.ProtocolType, System.Net.Sockets.Socket>? upstreamSockets = null)
    {
        var services = new InstanceServicesRuntime(InjectAsync) { UpstreamSockets = upstreamSockets };
        _services = services;
        _servicesRunning = Task.Run(() => services.RunAsync(_servicesStop.Token));
        _agent = new HostAgent(Host.Name, endpoints, identityDirectory, this, Geometry, programmer =>
        {
            if (_underlay is null)
                AttachUnderlay(programmer.Settings!, underlayNamespace, routerMac);
            Reconcile(programmer);
            services.Follow(programmer);
            if (_flowLogs is null)
            {
                // The card's records carry its time base (SetTime: microseconds of _cardClock); the IPFIX observation
                // domain is the card's underlay address, one per host.
                _flowLogs = new FlowLogRuntime(this, LiveState.FlowLogRoot, micros => _cardEpoch + TimeSpan.FromMicroseconds((long)micros),
                    Ipv4Address.ToUInt32(programmer.Settings!.UnderlayIp));
                var flowLogs = _flowLogs;
                _flowLogsRunning = Task.Run(() => flowLogs.RunAsync(_servicesStop.Token));
            }
            // Before the region is ready: traffic right after 'region ready' is already recorded.
            _flowLogs.FollowAsync(programmer).GetAwaiter().GetResult();
        });
        await _agent.StartAsync(timeout).ConfigureAwait(false);
    }

    /// <summary>The instance services' answers, injected on the card thread, each to its slot only.</summary>
    private Task<int> InjectAsync(IReadOnlyList<(int Slot, byte[] Frame)> answers) => InvokeAsync(engine =>
    {
        if (engine is IPuntPath punt)
        {
            foreach (var (slot, frame) in answers)
                punt.Inject(slot, frame);
        }
        return answers.Count;
    });

    /// <summary>The card's network port: a TAP in the underlay router, with the router's route and neighbour for the card.</summary>
    private void AttachUnderlay(CardSettings settings, string underlayNamespace, MacAddress routerMac)
    {
        var underlay = TapDevice.Create(LiveNames.CardUnderlayTap(_index));
        _state.AddLink(underlay.Name);
        Shell.Run("ip", "link", "set", "dev", underlay.Name, "netns", underlayNamespace);
        Shell.Ip(underlayNamespace, "link", "set", "dev", underlay.Name, "address", routerMac.ToString(), "mtu", Instance.UnderlayMtu.ToString(CultureInfo.InvariantCulture), "up");
        var ip = settings.UnderlayIp.ToString();
        Shell.Ip(underlayNamespace, "route", "add", $"{ip}/32", "dev", underlay.Name);
        Shell.Ip(underlayNamespace, "neigh", "replace", ip, "lladdr", settings.UnderlayMac.ToString(), "dev", underlay.Name, "nud", "permanent");
        _underlay = underlay;
        StartReader(underlay, -1);
    }

    /// <summary>
    /// Makes the TAPs follow the ENIs the firmware put on the card: a TAP per new ENI (its slot) attached to the ENI's
    /// namespace as <c>eth0</c>; the TAP of an ENI that left (moved away or deleted) is closed, which removes the device.
    /// </summary>
    private void Reconcile(CardProgrammer programmer)
    {
        var slots = programmer.Slots;
        var enis = programmer.Enis;
        foreach (var (id, (slot, tap)) in _attached.ToList())
        {
            if (slots.TryGetValue(id, out var now) && now == slot)
                continue;
            _slotTaps.TryRemove(slot, out _);
            _attached.Remove(id);
            tap.Dispose();
        }
        foreach (var (id, slot) in slots.OrderBy(s => s.Value))
        {
            if (_attached.ContainsKey(id))
                continue;
            var tap = TapDevice.Create(LiveNames.CardEniTap(_index, slot));
            _state.AddLink(tap.Name);
            _instances.Attach(id, tap.Name, enis[id].Entry);
            _attached[id] = (slot, tap);
            _slotTaps[slot] = tap;
            StartReader(tap, slot);
        }
    }

    /// <summary>
    /// Waits until every ENI's <c>eth0</c> is up and the card has answered an ARP request for the ENI's
    /// gateway sent on the ENI's slot (the reply is consumed, not delivered).
    /// </summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var enis = _agent!.Agent.Programmer.Enis;
        var slots = _agent.Agent.Programmer.Slots;
        var pending = new List<Task>();
        foreach (var (id, slot) in slots)
        {
            var entry = enis[id].Entry;
            var gateway = Instance.Gateway(entry.Subnet);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _probes[slot] = (Ipv4Address.ToUInt32(gateway), done);
            PortOf(slot).Enqueue(GatewayArpRequest(entry.Mac, entry.Ip, gateway));
            pending.Add(done.Task);
        }
        _wake.Set();
        await Task.WhenAll(pending).WaitAsync(timeout).ConfigureAwait(false);
        foreach (var id in slots.Keys)
        {
            var link = Shell.Run("ip", "-n", id, "-o", "link", "show", "dev", "eth0");
            if (!link.Contains("LOWER_UP", StringComparison.Ordinal))
                throw new LiveException($"{id}: eth0 is not up: {link.Trim()}");
        }
    }

    /// <inheritdoc/>
    public Task<T> InvokeAsync<T>(Func<ICardEngine, T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _control.Enqueue(engine =>
        {
            try
            {
                done.SetResult(work(engine));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        _wake.Set();
        return done.Task;
    }

    /// <summary>The alarms the pump drained since the firmware last asked (the firmware reports them to the service).</summary>
    public Task<IReadOnlyList<CardAlarm>> DrainAlarmsAsync()
    {
        lock (_alarms)
        {
            IReadOnlyList<CardAlarm> list = [.. _unreported];
            _unreported.Clear();
            return Task.FromResult(list);
        }
    }

    public Task<AlarmsReply> AlarmsAsync() => Task.FromResult(new AlarmsReply { Card = { Alarms().Select(ControlReplies.Alarm) } });

    public Task<TablesReply> TablesAsync() => InvokeAsync(_ => new TablesReply { Text = Tables.Describe() });

    public Task<TraceReply> StartTraceAsync(string file) => InvokeAsync(engine =>
    {
        var path = Path.GetFullPath(file);
        Rtl(engine).Card.StartTrace(path);
        return new TraceReply { Host = Host.Name, Tracing = true, File = path };
    });

    public Task<TraceReply> StopTraceAsync() => InvokeAsync(engine =>
    {
        Rtl(engine).Card.StopTrace();
        return new TraceReply { Host = Host.Name, Tracing = false };
    });

    public string Unsupported(string request) => $"unknown request '{request}' (counters, alarms, tables, trace start <file>, trace stop)";

    private static RtlCardEngine Rtl(ICardEngine engine) =>
        engine as RtlCardEngine ?? throw new LiveException($"trace needs the rtl engine; this card runs the {engine.Name} engine");

    /// <summary>The alarms the card raised since the region came up (the last 10,000).</summary>
    public IReadOnlyList<CardAlarm> Alarms()
    {
        lock (_alarms)
            return [.. _alarms];
    }

    private void StartReader(TapDevice tap, int slot) => tap.StartReading(frame =>
    {
        var port = slot >= 0 ? PortOf(slot) : _ports[NetworkQueueOf(frame)];
        if (!port.TryEnqueue(frame, MaxQueuedPerPort))
        {
            _drops?.QueueOverflow(slot);
            return;
        }
        try
        {
            _wake.Set();
        }
        catch (ObjectDisposedException)
        {
            // A read in flight when the card stopped returns after the pump is gone: the frame is lost, as on a wire.
        }
    }, MaxFrame);

    /// <summary>The card's counters with the pump's and the TAPs' drops (read outside the card thread: they need <c>ip</c>).</summary>
    public async Task<CountersReply> CountersAsync()
    {
        var plan = await InvokeAsync(_ => Tables).ConfigureAwait(false);
        var kernel = plan.Enis.ToDictionary(e => e.Slot, e => PumpDrops.KernelDrops(e.EniId));
        var card = await InvokeAsync(engine => ControlReplies.Counters(plan, engine.ReadCounters(), _drops, kernel,
            _toCard is null || _fromCard is null ? null : (_toCard, _fromCard))).ConfigureAwait(false);
        return new CountersReply { Card = card };
    }

    private void Run()
    {
        ICardEngine engine;
        try
        {
            _cardEpoch = DateTimeOffset.UtcNow;
            _cardClock.Start();
            engine = _createEngine();
            _drops = new PumpDrops(engine.Geometry.EniSlots);
            _ports = [.. Enumerable.Range(0, NetworkQueues + engine.Geometry.EniSlots).Select(_ => new PortQueue())];
            _geometry = engine.Geometry;
            _created.SetResult(engine.Geometry);
        }
        catch (Exception e) when (e is NitroCardException or DllNotFoundException)
        {
            _created.SetException(e);
            return;
        }
        using (engine)
        {
            while (!_stopping)
            {
                _wake.WaitOne(PumpWait());
                // Substrate frames the fault injector held that are due now: the card's to the underlay, the underlay's to the card.
                _fromCard?.Release(WriteUnderlay);
                var released = _toCard?.Release(f => engine.PushNetwork(f)) ?? 0;
                // A control request may have queued work for the card (the services' answers): run it like input.
                var controlled = false;
                while (_control.TryDequeue(out var request))
                {
                    request(engine);
                    controlled = true;
                }
                var pushed = released;
                engine.SetTime((ulong)(_cardClock.Elapsed.Ticks / 10));
                // Round robin over the ports, a few frames a turn: an instance flooding its TAP gets its share of the card,
                // not the others'.
                for (var taken = true; taken && pushed < MaxFramesPerRun;)
                {
                    taken = false;
                    for (var i = 0; i < _ports.Length && pushed < MaxFramesPerRun; i++)
                    {
                        var index = (_nextPort + i) % _ports.Length;
                        for (var k = 0; k < FramesPerTurn && pushed < MaxFramesPerRun && _ports[index].TryDequeue(out var frame); k++)
                        {
                            if (index >= NetworkQueues)
                                engine.PushHost(index - NetworkQueues, frame);
                            else if (_toCard is null)
                                engine.PushNetwork(frame);
                            else
                                _toCard.Offer(frame);
                            pushed++;
                            taken = true;
                        }
                    }
                }
                _nextPort = (_nextPort + 1) % Math.Max(1, _ports.Length);
                pushed += _toCard?.Release(f => engine.PushNetwork(f)) ?? 0;
                if (pushed == 0 && !controlled)
                    continue;
                engine.RunUntilIdle();
                if (engine is IPuntPath punt && _services is { } services)
                {
                    foreach (var frame in punt.DrainPunt())
                        services.Post(frame);
                }
                foreach (var frame in engine.DrainHost())
                {
                    if (!IsProbeReply(frame) && _slotTaps.TryGetValue(frame.Slot, out var tap) && !tap.Write(frame.Data))
                        _drops.TapWriteFailed(frame.Slot);
                }
                foreach (var frame in engine.DrainNetwork())
                {
                    if (_fromCard is null)
                        WriteUnderlay(frame.Data);
                    else
                        _fromCard.Offer(frame.Data);
                }
                _fromCard?.Release(WriteUnderlay);
                var alarms = engine.DrainAlarms();
                if (alarms.Count > 0)
                {
                    lock (_alarms)
                    {
                        _alarms.AddRange(alarms);
                        if (_alarms.Count > AlarmsKept)
                            _alarms.RemoveRange(0, _alarms.Count - AlarmsKept);
                        _unreported.AddRange(alarms);
                        if (_unreported.Count > AlarmsKept)
                            _unreported.RemoveRange(0, _unreported.Count - AlarmsKept);
                    }
                    foreach (var alarm in alarms)
                        Console.Error.WriteLine($"nitroctl region: {Host.Name}: alarm {Describe(alarm)}");
                }
                if (_ports.Any(p => !p.IsEmpty))
                    _wake.Set();
            }
        }
    }

    private PortQueue PortOf(int slot) => _ports[NetworkQueues + slot];

    /// <summary>The network queue of a substrate frame: its outer UDP source port (an IPv4 header without options), else the first.</summary>
    private static int NetworkQueueOf(byte[] frame)
        => frame.Length >= 36 && frame[12] == 0x08 && frame[13] == 0x00 && frame[14] == 0x45 ? ((frame[34] << 8) | frame[35]) % NetworkQueues : 0;

    /// <summary>One port's frames waiting for the card: filled by its TAP's reader thread, emptied by the card thread.</summary>
    private sealed class PortQueue
    {
        private readonly ConcurrentQueue<byte[]> _frames = new();
        private int _count;

        public bool IsEmpty => _frames.IsEmpty;

        /// <summary>Queues a frame unless <paramref name="limit"/> are waiting.</summary>
        public bool TryEnqueue(byte[] frame, int limit)
        {
            if (Interlocked.Increment(ref _count) > limit)
            {
                Interlocked.Decrement(ref _count);
                return false;
            }
            _frames.Enqueue(frame);
            return true;
        }

        /// <summary>Queues a frame of the pump's own (a probe), whatever is waiting.</summary>
        public void Enqueue(byte[] frame)
        {
            Interlocked.Increment(ref _count);
            _frames.Enqueue(frame);
        }

        public bool TryDequeue(out byte[] frame)
        {
            if (!_frames.TryDequeue(out frame!))
                return false;
            Interlocked.Decrement(ref _count);
            return true;
        }
    }

    private void WriteUnderlay(byte[] frame)
    {
        if (_underlay is not null && !_underlay.Write(frame))
            _drops!.TapWriteFailed(-1);
    }

    /// <summary>How long the pump sleeps without input: until the next frame the fault injector holds is due, at most 100 ms.</summary>
    private int PumpWait()
    {
        var next = Min(_toCard?.UntilNext(), _fromCard?.UntilNext());
        return next is { } due ? (int)Math.Clamp(Math.Ceiling(due.TotalMilliseconds), 0, 100) : 100;

        static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;
    }

    private bool IsProbeReply(CardFrame frame)
    {
        var data = frame.Data;
        if (_probes.IsEmpty || data.Length < 42 || BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(12)) != EthernetHeader.TypeArp || BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(20)) != 2)
            return false;
        if (!_probes.TryGetValue(frame.Slot, out var probe) || BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(28)) != probe.Gateway)
            return false;
        _probes.TryRemove(frame.Slot, out _);
        probe.Done.TrySetResult();
        return true;
    }

    private static byte[] GatewayArpRequest(MacAddress mac, IPAddress ip, IPAddress gateway) => Frames.ArpRequest(mac.Value, ip, gateway);

    /// <summary>An alarm as <c>nitroctl card alarms</c> prints it.</summary>
    public static string Describe(CardAlarm alarm) => ControlText.Alarm(ControlReplies.Alarm(alarm));

    public async ValueTask DisposeAsync()
    {
        if (_agent is not null)
            await _agent.DisposeAsync().ConfigureAwait(false);
        await _servicesStop.CancelAsync().ConfigureAwait(false);
        if (_servicesRunning is not null)
            await _servicesRunning.ConfigureAwait(false);
        if (_flowLogsRunning is not null)
            await _flowLogsRunning.ConfigureAwait(false);
        // The last records: the card's FIFO and the intervals that ended, before the card stops (a card thread that
        // no longer answers must not hold the teardown).
        if (_flowLogs is not null && !_stopping)
        {
            try
            {
                await _flowLogs.DrainAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Console.Error.WriteLine($"nitroctl region: {Host.Name}: the card did not hand over its last flow records in 5 s");
            }
        }
        _flowLogs?.Dispose();
        _servicesStop.Dispose();
        _stopping = true;
        _wake.Set();
        _thread?.Join(TimeSpan.FromSeconds(10));
        foreach (var (_, tap) in _attached.Values)
            tap.Dispose();
        _underlay?.Dispose();
        _wake.Dispose();
    }
}
