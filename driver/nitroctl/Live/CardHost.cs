using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using NitroCard.Driver;
using NitroCard.Driver.Simulation;
using NitroCard.Region;
using NitroCard.Packets;

namespace NitroCard.Cli.Live;

/// <summary>
/// One card host of a live region: the card (Verilated or model) on its own thread, a TAP per ENI (the
/// instance's <c>eth0</c>) on its host port, a TAP into the underlay router on its network port, and the pump
/// between them. Everything that touches the engine (frames, control requests) runs on the card thread,
/// because a Verilated model may only be used from the thread that created it.
/// </summary>
internal sealed class CardHost : IDisposable
{
    private const int MaxFrame = 16_384;
    private const int MaxFramesPerRun = 256;
    private const int AlarmsKept = 10_000;

    private readonly RegionTopology _region;
    private readonly string _engineName;
    private readonly int _index;
    private readonly ConcurrentQueue<(int Slot, byte[] Frame)> _inbox = new();
    private readonly ConcurrentQueue<(Func<ICardEngine, string> Action, TaskCompletionSource<string> Done)> _control = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _probes = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly TaskCompletionSource<HostCardPlan> _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<CardAlarm> _alarms = [];
    private readonly Dictionary<int, TapDevice> _slotTaps = [];
    private TapDevice? _underlay;
    private Thread? _thread;
    private volatile bool _stopping;

    public CardHost(RegionTopology region, RegionHost host, string engineName, int index)
    {
        _region = region;
        Host = host;
        _engineName = engineName;
        _index = index;
    }

    public RegionHost Host { get; }

    public HostCardPlan Plan => _loaded.Task.Result;

    /// <summary>Creates the card on its own thread and loads the host's plan into it.</summary>
    public HostCardPlan Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = $"card {Host.Name}" };
        _thread.Start();
        return _loaded.Task.GetAwaiter().GetResult();
    }

    /// <summary>Creates the TAPs: one per ENI into the ENI's namespace as <c>eth0</c>, one into the underlay router.</summary>
    public void Attach(LiveState state, string underlayNamespace, MacAddress routerMac)
    {
        var plan = Plan;
        foreach (var eni in plan.Enis)
        {
            var tap = TapDevice.Create(string.Create(CultureInfo.InvariantCulture, $"nct{_index}s{eni.Slot}"));
            _slotTaps[eni.Slot] = tap;
            state.AddLink(tap.Name);
            Instance.CreateNamespace(state, eni.EniId);
            Shell.Run("ip", "link", "set", "dev", tap.Name, "netns", eni.EniId);
            Instance.ConfigureEth0(eni.EniId, tap.Name, eni);
            StartReader(tap, eni.Slot);
        }
        var underlay = TapDevice.Create(string.Create(CultureInfo.InvariantCulture, $"ncu{_index}"));
        _underlay = underlay;
        state.AddLink(underlay.Name);
        Shell.Run("ip", "link", "set", "dev", underlay.Name, "netns", underlayNamespace);
        Shell.Ip(underlayNamespace, "link", "set", "dev", underlay.Name, "address", routerMac.ToString(), "mtu", Instance.UnderlayMtu.ToString(CultureInfo.InvariantCulture), "up");
        var ip = plan.Settings.UnderlayIp.ToString();
        Shell.Ip(underlayNamespace, "route", "add", $"{ip}/32", "dev", underlay.Name);
        Shell.Ip(underlayNamespace, "neigh", "replace", ip, "lladdr", plan.Settings.UnderlayMac.ToString(), "dev", underlay.Name, "nud", "permanent");
        StartReader(underlay, -1);
    }

    /// <summary>
    /// Waits until every ENI's <c>eth0</c> is up and the card has answered an ARP request for the ENI's
    /// gateway sent on the ENI's slot (the reply is consumed, not delivered).
    /// </summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var plan = Plan;
        var pending = new List<Task>();
        foreach (var eni in plan.Enis)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _probes[eni.Slot] = done;
            _inbox.Enqueue((eni.Slot, GatewayArpRequest(eni.Entry.Mac, eni.Entry.Ip, Instance.Gateway(eni.Entry.Subnet))));
            pending.Add(done.Task);
        }
        _wake.Set();
        await Task.WhenAll(pending).WaitAsync(timeout).ConfigureAwait(false);
        foreach (var eni in plan.Enis)
        {
            var link = Shell.Run("ip", "-n", eni.EniId, "-o", "link", "show", "dev", "eth0");
            if (!link.Contains("LOWER_UP", StringComparison.Ordinal))
                throw new CliException($"{eni.EniId}: eth0 is not up: {link.Trim()}");
        }
    }

    /// <summary>Runs a control request on the card thread.</summary>
    public Task<string> ExecuteAsync(Func<ICardEngine, string> action)
    {
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _control.Enqueue((action, done));
        _wake.Set();
        return done.Task;
    }

    /// <summary>The alarms the card raised since the region came up (the last 10,000).</summary>
    public IReadOnlyList<CardAlarm> Alarms()
    {
        lock (_alarms)
            return [.. _alarms];
    }

    private void StartReader(TapDevice tap, int slot)
    {
        var thread = new Thread(() =>
        {
            var buffer = new byte[MaxFrame];
            while (!_stopping)
            {
                var length = tap.Read(buffer);
                if (length <= 0)
                    return;
                _inbox.Enqueue((slot, buffer.AsSpan(0, length).ToArray()));
                _wake.Set();
            }
        })
        { IsBackground = true, Name = $"tap {tap.Name}" };
        thread.Start();
    }

    private void Run()
    {
        ICardEngine engine;
        try
        {
            engine = EngineFactory.Create(_engineName);
            var plan = RegionCompiler.ForHost(_region, Host.Name, engine.Geometry);
            plan.LoadInto(engine);
            _loaded.SetResult(plan);
        }
        catch (Exception e) when (e is NitroCardException or RegionException or CliException or DllNotFoundException)
        {
            _loaded.SetException(e);
            return;
        }
        using (engine)
        {
            var clock = Stopwatch.StartNew();
            while (!_stopping)
            {
                _wake.WaitOne(100);
                while (_control.TryDequeue(out var request))
                {
                    try
                    {
                        request.Done.SetResult(request.Action(engine));
                    }
                    catch (Exception e) when (e is NitroCardException or CliException or IOException or InvalidOperationException)
                    {
                        request.Done.SetException(e);
                    }
                }
                var pushed = 0;
                engine.SetTime((ulong)(clock.Elapsed.Ticks / 10));
                while (pushed < MaxFramesPerRun && _inbox.TryDequeue(out var item))
                {
                    if (item.Slot < 0)
                        engine.PushNetwork(item.Frame);
                    else
                        engine.PushHost(item.Slot, item.Frame);
                    pushed++;
                }
                if (pushed == 0)
                    continue;
                engine.RunUntilIdle();
                foreach (var frame in engine.DrainHost())
                {
                    if (!IsProbeReply(frame) && _slotTaps.TryGetValue(frame.Slot, out var tap))
                        tap.Write(frame.Data);
                }
                foreach (var frame in engine.DrainNetwork())
                    _underlay?.Write(frame.Data);
                var alarms = engine.DrainAlarms();
                if (alarms.Count > 0)
                {
                    lock (_alarms)
                    {
                        _alarms.AddRange(alarms);
                        if (_alarms.Count > AlarmsKept)
                            _alarms.RemoveRange(0, _alarms.Count - AlarmsKept);
                    }
                    foreach (var alarm in alarms)
                        Console.Error.WriteLine($"nitroctl region: {Host.Name}: alarm {Describe(alarm)}");
                }
                if (!_inbox.IsEmpty)
                    _wake.Set();
            }
        }
    }

    private bool IsProbeReply(CardFrame frame)
    {
        var data = frame.Data;
        if (_probes.IsEmpty || data.Length < 42 || BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(12)) != 0x0806 || BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(20)) != 2)
            return false;
        var eni = Plan.Enis.FirstOrDefault(e => e.Slot == frame.Slot);
        if (eni is null || BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(28)) != Ipv4Address.ToUInt32(Instance.Gateway(eni.Entry.Subnet)))
            return false;
        if (!_probes.TryRemove(frame.Slot, out var probe))
            return false;
        probe.TrySetResult();
        return true;
    }

    private static byte[] GatewayArpRequest(MacAddress mac, System.Net.IPAddress ip, System.Net.IPAddress gateway)
    {
        var frame = new byte[42];
        MacAddress.Broadcast.Write(frame);
        mac.Write(frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0806);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), 1);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 0x0800);
        frame[18] = 6;
        frame[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), 1);
        mac.Write(frame.AsSpan(22));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(28), Ipv4Address.ToUInt32(ip));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(38), Ipv4Address.ToUInt32(gateway));
        return frame;
    }

    public static string Describe(CardAlarm alarm) => string.Create(CultureInfo.InvariantCulture,
        $"cycle {alarm.Cycle} {alarm.Reason.ToWireName()} slot {alarm.Slot} vni {alarm.Vni} outer-src {alarm.OuterSource} inner {alarm.InnerSource} -> {alarm.InnerDestination}");

    /// <summary>The card's counters as <c>ethtool -S</c> prints a NIC's (ENA names where ENA has one).</summary>
    public static string FormatCounters(HostCardPlan plan, CardCounters counters)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"NIC statistics ({plan.HostName}):");
        foreach (var eni in plan.Enis)
        {
            var c = counters.Enis[eni.Slot];
            var prefix = $"     eni_{eni.Slot}_";
            text.AppendLine(CultureInfo.InvariantCulture, $"{prefix}id: {eni.EniId}");
            text.AppendLine(CultureInfo.InvariantCulture, $"{prefix}tx_cnt: {c.TxPackets}");
            text.AppendLine(CultureInfo.InvariantCulture, $"{prefix}tx_bytes: {c.TxBytes}");
            text.AppendLine(CultureInfo.InvariantCulture, $"{prefix}rx_cnt: {c.RxPackets}");
            text.AppendLine(CultureInfo.InvariantCulture, $"{prefix}rx_bytes: {c.RxBytes}");
        }
        for (var r = 0; r < DropReasonNames.Count; r++)
            text.AppendLine(CultureInfo.InvariantCulture, $"     drop_{((DropReason)r).ToWireName().Replace('-', '_')}: {counters.Drops[r]}");
        text.AppendLine(CultureInfo.InvariantCulture, $"     conntrack_allowance_exceeded: {counters[DropReason.ConntrackFull]}");
        text.AppendLine(CultureInfo.InvariantCulture, $"     conntrack_allowance_available: {counters.ConntrackFree}");
        text.AppendLine(CultureInfo.InvariantCulture, $"     alarm_overflow: {counters.AlarmOverflow}");
        return text.ToString();
    }

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        _thread?.Join(TimeSpan.FromSeconds(10));
        foreach (var tap in _slotTaps.Values)
            tap.Dispose();
        _underlay?.Dispose();
        _wake.Dispose();
    }
}
