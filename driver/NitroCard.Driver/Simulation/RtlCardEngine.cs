using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.FlowRecords;
using NitroCard.Card.Punt;
using NitroCard.Card.Tables;

namespace NitroCard.Driver.Simulation;

/// <summary>
/// The Verilated RTL card behind <see cref="ICardEngine"/>: frames go through the simulated
/// AXI4-Stream ports, tables through <see cref="CardDriver"/> on the CSR bus.
/// Not thread-safe; use it from the thread that created it (Verilator's rule).
/// </summary>
public sealed class RtlCardEngine : ICardEngine, IPuntPath, IFlowRecordSource
{
    /// <summary>Bound on the cycles one <see cref="RunUntilIdle"/> may take before the card is declared hung.</summary>
    public const ulong MaxCyclesPerRun = 50_000_000;

    /// <summary>Idle cycles between FIFO drains while <see cref="DrainFlowRecords"/> clocks the sweeper: one bucket a cycle
    /// emits at most about one record a cycle, so 256 cycles cannot overflow the 513-record FIFO.</summary>
    private const ulong SweepChunkCycles = 256;

    private readonly VerilatedCard _card;
    private uint[] _flowIntervals = [];
    private ulong _now;
    private ulong _sweptUntil;

    /// <param name="writeMode">How the driver stages table writes (<see cref="TableWriteMode.Posted"/>, the default, or checked: <see cref="CardDriver"/>).</param>
    public RtlCardEngine(TableWriteMode writeMode = TableWriteMode.Posted)
    {
        _card = VerilatedCard.Create();
        try
        {
            Driver = new CardDriver(_card, writeMode);
        }
        catch
        {
            _card.Dispose();
            throw;
        }
    }

    public string Name => "rtl";

    public CardGeometry Geometry => Driver.Geometry;

    /// <summary>The register-level driver, for what the engine interface does not cover.</summary>
    public CardDriver Driver { get; }

    /// <summary>The simulated card, for clock-level control (backpressure, traces).</summary>
    public VerilatedCard Card => _card;

    public void Configure(CardSettings settings) => Driver.Configure(settings);

    public void SetEni(int slot, EniEntry? entry) => Driver.SetEni(slot, entry);

    public void SetMapping(MappingEntry entry) => Driver.SetMapping(entry);

    public void RemoveMapping(MappingKey key) => Driver.RemoveMapping(key);

    public void SetEdge(int index, EdgeEntry? entry) => Driver.SetEdge(index, entry);

    public void SetRouteTables(IReadOnlyList<RouteTableSpec?> tables) => Driver.SetRouteTables(tables);

    public void SetNetworkAcl(int index, NetworkAcl? acl) => Driver.SetNetworkAcl(index, acl);

    public void SetSecurityRules(int slot, SecurityRules? rules) => Driver.SetSecurityRules(slot, rules);

    public void SetConntrackTimeouts(int slot, ConntrackTimeouts timeouts) => Driver.SetConntrackTimeouts(slot, timeouts);

    public void Commit() => Driver.Commit();

    public void SetEdgeSet(IReadOnlyList<IPAddress> edges) => Driver.SetEdgeSet(edges);

    public void SetTime(ulong microseconds)
    {
        Driver.SetTime(microseconds);
        _now = microseconds;
    }

    /// <summary>Checks the slot against TUSER's 8 bits here, as the model does, so both engines refuse it with the same exception.</summary>
    public void PushHost(int slot, ReadOnlySpan<byte> frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slot, byte.MaxValue);
        _card.PushHost(slot, frame);
    }

    public void PushNetwork(ReadOnlySpan<byte> frame) => _card.PushNetwork(frame);

    public ulong? RunUntilIdle() => _card.RunUntilIdle(MaxCyclesPerRun);

    public IReadOnlyList<CardFrame> DrainHost()
    {
        var frames = new List<CardFrame>();
        _card.DrainHost(frames);
        return frames;
    }

    public IReadOnlyList<CardFrame> DrainNetwork()
    {
        var frames = new List<CardFrame>();
        _card.DrainNetwork(frames);
        return frames;
    }

    public CardCounters ReadCounters() => Driver.ReadCounters();

    public IReadOnlyList<CardAlarm> DrainAlarms() => Driver.DrainAlarms();

    public int PuntQueueBytes => Geometry.PuntQueueBytes;

    public void SetPuntLimit(PuntLimit limit) => Driver.SetPuntLimit(limit);

    public IReadOnlyList<CardFrame> DrainPunt()
    {
        var frames = new List<CardFrame>();
        _card.DrainPunt(frames);
        return frames;
    }

    /// <summary>Checks the slot against TUSER's 8 bits here, as the model does.</summary>
    public void Inject(int slot, ReadOnlySpan<byte> frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slot, byte.MaxValue);
        _card.PushInject(slot, frame);
    }

    public IReadOnlyList<PuntSlotCounters> ReadPuntCounters() => Driver.ReadPuntCounters();

    public void SetFlowRecordInterval(int slot, uint seconds)
    {
        Driver.SetFlowRecordInterval(slot, seconds);
        if (_flowIntervals.Length == 0)
            _flowIntervals = new uint[Geometry.EniSlots];
        if (seconds != 0 && _flowIntervals.All(i => i == 0))
            _sweptUntil = _now;
        _flowIntervals[slot] = seconds;
    }

    /// <summary>
    /// The records in the FIFO, after clocking the idle card for the sweeper's share of card time: the sweeper visits one
    /// tracking bucket per idle cycle, and a card host clocks the card only while it has frames, so interval and expiry
    /// records would wait for traffic. Each drain owes a whole pass of the table per shortest interval of card time
    /// (<see cref="SetTime"/>) since the last one, at most one pass, run in chunks with the FIFO drained between them.
    /// </summary>
    public IReadOnlyList<CardFlowRecord> DrainFlowRecords()
    {
        var records = new List<CardFlowRecord>();
        var shortest = _flowIntervals.Where(i => i != 0).DefaultIfEmpty(0u).Min();
        if (shortest != 0 && Geometry.Filtering is { } filtering && _now > _sweptUntil)
        {
            var buckets = (ulong)filtering.ConntrackBuckets;
            var owed = (ulong)Math.Min(buckets, Math.Ceiling((double)buckets * (_now - _sweptUntil) / (shortest * 1_000_000.0)));
            _sweptUntil = _now;
            for (ulong run = 0; run < owed; run += SweepChunkCycles)
            {
                _card.Step(Math.Min(SweepChunkCycles, owed - run));
                _card.DrainFlowRecords(records);
            }
        }
        _card.DrainFlowRecords(records);
        return records;
    }

    public ulong FlowRecordOverflows => Driver.ReadFlowRecordOverflows();

    public void Dispose() => _card.Dispose();
}
