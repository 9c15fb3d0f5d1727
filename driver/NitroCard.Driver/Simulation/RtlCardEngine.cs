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

    private readonly VerilatedCard _card;

    public RtlCardEngine()
    {
        _card = VerilatedCard.Create();
        try
        {
            Driver = new CardDriver(_card);
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

    public void SetTime(ulong microseconds) => Driver.SetTime(microseconds);

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

    public void SetFlowRecordInterval(int slot, uint seconds) => Driver.SetFlowRecordInterval(slot, seconds);

    public IReadOnlyList<CardFlowRecord> DrainFlowRecords()
    {
        var records = new List<CardFlowRecord>();
        _card.DrainFlowRecords(records);
        return records;
    }

    public ulong FlowRecordOverflows => Driver.ReadFlowRecordOverflows();

    public void Dispose() => _card.Dispose();
}
