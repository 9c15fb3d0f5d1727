using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using NitroCard.Card;
using NitroCard.Driver.Simulation;
using NitroCard.Model;

namespace NitroCard.Bench;

/// <summary>
/// Simulated packets per wall-clock second (BenchmarkDotNet, in-process): one invocation pushes
/// a batch of <see cref="BatchFrames"/> frames, runs the card until idle and drains its outputs.
/// Engines: <c>rtl</c> (the Verilated card through the driver), <c>model</c> (the software
/// Virtual Router through the same <see cref="ICardEngine"/> calls) and <c>model-direct</c>
/// (<see cref="ModelCard.ProcessHost"/>/<see cref="ModelCard.ProcessNetwork"/>, the
/// allocation-free path a hypervisor would run).
/// </summary>
/// <remarks>
/// Alarms are not drained: on both engines the 64-entry alarm FIFO fills and further alarms only
/// count in ALARM_OVERFLOW. The Verilated card belongs to the thread that created it, so it is created in
/// <see cref="Setup"/>; every invocation checks it runs on that thread, and
/// <see cref="ThroughputLedger"/> records the threads for the report.
/// </remarks>
public class SimulationThroughput : IDisposable
{
    /// <summary>Frames per benchmark invocation.</summary>
    public const int BatchFrames = 256;

    /// <summary>Seed of the generated mixes.</summary>
    public const ulong Seed = 20261127;

    private ICardEngine? _engine;
    private ModelCard? _direct;
    private GeneratedFrame[] _frames = [];
    private byte[] _output = [];
    private int _thread;
    private ulong _startCycle;
    private long _packets;

    public static IEnumerable<string> Engines => ["rtl", "model", "model-direct"];

    public static IEnumerable<string> Workloads => ["encap-64", "encap-1514", "valid-mix", "differential-mix"];

    [ParamsSource(nameof(Engines))]
    public string Engine { get; set; } = "rtl";

    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = "encap-64";

    /// <summary>The ledger key of this case.</summary>
    public string Key => $"{Engine}/{Workload}";

    [GlobalSetup]
    public void Setup()
    {
        _thread = Environment.CurrentManagedThreadId;
        ThroughputLedger.SetupOn(Key, _thread);
        var traffic = BenchTraffic.Sample();
        _frames = BuildWorkload(traffic, Workload, BatchFrames);
        _output = new byte[_frames.Max(f => f.Data.Length) + BenchTraffic.Encap];
        switch (Engine)
        {
            case "rtl":
                _engine = CycleBench.CreateCard(traffic);
                _startCycle = ((RtlCardEngine)_engine).Card.Cycle;
                break;
            case "model":
                _engine = new ModelCard(CardGeometry.Default);
                traffic.Topology.LoadInto(_engine);
                break;
            case "model-direct":
                _direct = new ModelCard(CardGeometry.Default);
                traffic.Topology.LoadInto(_direct);
                break;
            default:
                throw new InvalidOperationException($"unknown engine '{Engine}'");
        }
        _packets = 0;
    }

    /// <summary>One batch: push every frame, run until idle, drain. Returns the frames that came out.</summary>
    [Benchmark(OperationsPerInvoke = BatchFrames)]
    public int RunBatch()
    {
        if (Environment.CurrentManagedThreadId != _thread)
        {
            ThroughputLedger.RanOn(Key, Environment.CurrentManagedThreadId);
            throw new InvalidOperationException($"the benchmark ran on thread {Environment.CurrentManagedThreadId}, setup on {_thread}: the Verilated card cannot be used there");
        }
        var delivered = 0;
        if (_direct is { } model)
        {
            foreach (var frame in _frames)
            {
                var verdict = frame.FromNetwork ? model.ProcessNetwork(frame.Data, _output) : model.ProcessHost(frame.Slot, frame.Data, _output);
                if (!verdict.Dropped)
                    delivered++;
            }
        }
        else
        {
            var engine = _engine!;
            foreach (var frame in _frames)
                frame.PushTo(engine);
            engine.RunUntilIdle();
            delivered = engine.DrainHost().Count + engine.DrainNetwork().Count;
        }
        _packets += _frames.Length;
        return delivered;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var cycles = _engine is RtlCardEngine rtl ? rtl.Card.Cycle - _startCycle : 0;
        ThroughputLedger.Finish(Key, Environment.CurrentManagedThreadId, _packets, cycles);
        Dispose();
    }

    /// <summary>Destroys the card (also what <see cref="Cleanup"/> ends with); safe to call more than once.</summary>
    public void Dispose()
    {
        _engine?.Dispose();
        _engine = null;
        _direct?.Dispose();
        _direct = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// <paramref name="count"/> frames of a workload: <c>encap-64</c> and <c>encap-1514</c> are
    /// TX frames of that size to a remote address; <c>valid-mix</c> draws
    /// <see cref="FrameGenerator"/>'s valid kinds (same-host, cross-host, ARP, RX from a host and
    /// from an edge; mostly small frames, some up to the MTU); <c>differential-mix</c> is the
    /// differential test's stream (half valid, half invalid frames of every kind).
    /// </summary>
    public static GeneratedFrame[] BuildWorkload(BenchTraffic traffic, string workload, int count)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        var generator = new FrameGenerator(traffic.Topology, Seed);
        GeneratedKind[] valid = [GeneratedKind.SameHost, GeneratedKind.CrossHost, GeneratedKind.CrossHost, GeneratedKind.Arp, GeneratedKind.RxValid, GeneratedKind.RxValid, GeneratedKind.RxFromEdge];
        var pick = new Random((int)Seed);
        return workload switch
        {
            "encap-64" => Fixed(64),
            "encap-1514" => Fixed(1514),
            "valid-mix" => [.. Enumerable.Range(0, count).Select(_ => generator.Next(valid[pick.Next(valid.Length)]))],
            "differential-mix" => [.. generator.Take(count)],
            _ => throw new ArgumentException($"unknown workload '{workload}'", nameof(workload)),
        };

        GeneratedFrame[] Fixed(int size)
            => [.. Enumerable.Range(0, count).Select(i => new GeneratedFrame(GeneratedKind.CrossHost, false, traffic.Source.Slot, traffic.InstanceFrame(Direction.TxEncap, size, i)))];
    }
}

/// <summary>What the benchmark cases did, for the report: threads, packets and simulated cycles.</summary>
public static class ThroughputLedger
{
    private static readonly ConcurrentDictionary<string, Entry> Entries = new();

    /// <summary>One case: the setup thread, every other thread the benchmark ran on, and totals.</summary>
    public sealed class Entry
    {
        public int SetupThread { get; set; }

        public int CleanupThread { get; set; }

        public ConcurrentDictionary<int, bool> OtherThreads { get; } = new();

        public long Packets { get; set; }

        public ulong Cycles { get; set; }

        /// <summary>Setup, every invocation and cleanup on one thread.</summary>
        public bool OneThread => OtherThreads.IsEmpty && CleanupThread == SetupThread;

        public double CyclesPerPacket => Packets == 0 ? 0 : (double)Cycles / Packets;
    }

    public static void SetupOn(string key, int thread) => Entries[key] = new Entry { SetupThread = thread };

    public static void RanOn(string key, int thread) => Entries.GetOrAdd(key, _ => new Entry()).OtherThreads[thread] = true;

    public static void Finish(string key, int thread, long packets, ulong cycles)
    {
        var entry = Entries.GetOrAdd(key, _ => new Entry());
        entry.CleanupThread = thread;
        entry.Packets += packets;
        entry.Cycles += cycles;
    }

    public static Entry? Get(string key) => Entries.TryGetValue(key, out var e) ? e : null;
}
