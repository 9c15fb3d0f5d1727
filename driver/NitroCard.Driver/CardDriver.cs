using System.Net;
using System.Net.Sockets;
using NitroCard.Driver.Registers;
using NitroCard.Driver.Simulation;
using NitroCard.Driver.Tables;

namespace NitroCard.Driver;

/// <summary>
/// The host driver of one card, over its CSR bus: settings, typed table programming (ENIs,
/// mappings with cuckoo placement, edges), counters and alarms.
/// Table changes are staged in the driver and validated when staged; <see cref="Commit"/>
/// places them, writes them through the indirect window and commits them on the card as one
/// batch (chunks of <see cref="CardGeometry.BatchDepth"/> writes, each chunk ordered so every
/// key stays findable). Any failure leaves the card and the driver's view exactly as they were.
/// </summary>
public sealed class CardDriver
{
    private const uint ExpectedId = RegisterMap.IdReset;
    private const int StagingWords = RegisterMap.TblDataCount;
    private const int BusyPollLimit = 100_000;

    private readonly ICsrBus _bus;
    private readonly EniEntry?[] _enis;
    private readonly EdgeEntry?[] _edges;
    private readonly Dictionary<MappingKey, MappingEntry> _mappings = [];
    private readonly CuckooPlacement _placement;
    private readonly List<StagedChange> _staged = [];

    public CardDriver(ICsrBus bus)
    {
        _bus = bus;
        var id = bus.Read(RegisterMap.Id);
        if (id != ExpectedId)
            throw new NitroCardException($"No NitroCard on this bus: ID register reads 0x{id:X8}, expected 0x{ExpectedId:X8}");
        var eni = bus.Read(RegisterMap.ParamEni);
        var map = bus.Read(RegisterMap.ParamMap);
        var misc = bus.Read(RegisterMap.ParamMisc);
        Geometry = new CardGeometry(
            EniSlots: (int)Field(eni, RegisterMap.ParamEniNumEniMask, RegisterMap.ParamEniNumEniShift),
            MappingWays: (int)Field(map, RegisterMap.ParamMapWaysMask, RegisterMap.ParamMapWaysShift),
            MappingWayDepth: 1 << (int)Field(map, RegisterMap.ParamMapWayDepthLog2Mask, RegisterMap.ParamMapWayDepthLog2Shift),
            EdgeEntries: (int)Field(misc, RegisterMap.ParamMiscEdgesMask, RegisterMap.ParamMiscEdgesShift),
            IpMtu: (int)Field(misc, RegisterMap.ParamMiscIpMtuMask, RegisterMap.ParamMiscIpMtuShift),
            BatchDepth: (int)Field(misc, RegisterMap.ParamMiscBatchDepthMask, RegisterMap.ParamMiscBatchDepthShift));
        if (Geometry.MappingWays != 2 || Geometry.BatchDepth < 2)
            throw new NitroCardException($"Unsupported card geometry {Geometry}: the driver places entries in exactly 2 ways and needs a batch of at least 2 writes");
        _enis = new EniEntry?[Geometry.EniSlots];
        _edges = new EdgeEntry?[Geometry.EdgeEntries];
        _placement = new CuckooPlacement(Geometry.MappingWayDepth);
    }

    public CardGeometry Geometry { get; }

    /// <summary>Mappings committed to the card.</summary>
    public int MappingCount => _mappings.Count;

    /// <summary>Changes staged and not yet committed.</summary>
    public int StagedCount => _staged.Count;

    public void Configure(CardSettings settings)
    {
        _bus.Write(RegisterMap.UnderlayIp, Ipv4.ToUInt32(RequireIpv4(settings.UnderlayIp, nameof(settings.UnderlayIp))));
        WriteMac(RegisterMap.UnderlayMacHi, RegisterMap.UnderlayMacLo, settings.UnderlayMac);
        WriteMac(RegisterMap.UnderlayNexthopMacHi, RegisterMap.UnderlayNexthopMacLo, settings.UnderlayNextHopMac);
        WriteMac(RegisterMap.GatewayMacHi, RegisterMap.GatewayMacLo, settings.GatewayMac);
        _bus.Write(RegisterMap.AlarmMask, settings.AlarmMask);
    }

    /// <summary>Loads the card's time base (microseconds).</summary>
    public void SetTime(ulong microseconds)
    {
        _bus.Write(RegisterMap.TimeLo, (uint)microseconds);
        _bus.Write(RegisterMap.TimeHi, (uint)(microseconds >> 32));
    }

    /// <summary>Reads the card's cycle counter (CYCLE_LO latches CYCLE_HI).</summary>
    public ulong ReadCycle()
    {
        Span<uint> words = stackalloc uint[2];
        _bus.ReadBurst(RegisterMap.CycleLo, words);
        return words[0] | ((ulong)words[1] << 32);
    }

    public EniEntry? GetEni(int slot) => _enis[CheckSlot(slot)];

    public bool TryGetMapping(MappingKey key, out MappingEntry? entry) => _mappings.TryGetValue(key, out entry);

    /// <summary>Stages an ENI into a slot (replacing what is there), or clears the slot.</summary>
    public void StageEni(int slot, EniEntry? entry)
    {
        CheckSlot(slot);
        if (entry is not null)
        {
            CheckVni(entry.Vni);
            RequireIpv4(entry.Ip, nameof(entry.Ip));
            if (entry.Subnet.BaseAddress.AddressFamily != AddressFamily.InterNetwork || !entry.Subnet.Contains(entry.Ip))
                throw new NitroCardException($"ENI slot {slot}: {entry.Ip} is not inside its subnet {entry.Subnet}");
        }
        _staged.Add(new StagedChange(ChangeKind.Eni, slot, entry, null));
    }

    /// <summary>Stages an edge table entry, or clears it.</summary>
    public void StageEdge(int index, EdgeEntry? entry)
    {
        if ((uint)index >= (uint)_edges.Length)
            throw new NitroCardException($"Edge index {index} is out of range: the card has {_edges.Length} edge entries");
        if (entry is not null)
        {
            CheckVni(entry.Vni);
            RequireIpv4(entry.UnderlayIp, nameof(entry.UnderlayIp));
        }
        _staged.Add(new StagedChange(ChangeKind.Edge, index, entry, null));
    }

    /// <summary>Stages a new mapping; a key that is already mapped (or staged) is an error.</summary>
    public void StageAddMapping(MappingEntry entry)
    {
        ValidateMapping(entry);
        if (IsMappedAfterStaging(entry.Key))
            throw new NitroCardException($"Duplicate mapping key {entry.Key}: it is already mapped");
        _staged.Add(new StagedChange(ChangeKind.AddMapping, 0, entry, entry.Key));
    }

    /// <summary>Stages an insert or an in-place replacement of the mapping for the entry's key.</summary>
    public void StageSetMapping(MappingEntry entry)
    {
        ValidateMapping(entry);
        var kind = IsMappedAfterStaging(entry.Key) ? ChangeKind.ReplaceMapping : ChangeKind.AddMapping;
        _staged.Add(new StagedChange(kind, 0, entry, entry.Key));
    }

    /// <summary>Stages the removal of a mapping; an unknown key is an error.</summary>
    public void StageRemoveMapping(MappingKey key)
    {
        if (!IsMappedAfterStaging(key))
            throw new NitroCardException($"Unknown mapping key {key}: nothing to remove");
        _staged.Add(new StagedChange(ChangeKind.RemoveMapping, 0, null, key));
    }

    /// <summary>Forgets every staged change.</summary>
    public void DiscardStaged() => _staged.Clear();

    /// <summary>
    /// Places, writes and commits every staged change. Throws <see cref="NitroCardException"/>
    /// (the mapping table is full, the card reports an error) with the card and this driver
    /// unchanged — except when the card itself fails mid-commit, which the message says.
    /// </summary>
    public void Commit()
    {
        if (_staged.Count == 0)
            return;
        var writes = new List<TableWrite>();
        var enis = (EniEntry?[])_enis.Clone();
        var edges = (EdgeEntry?[])_edges.Clone();
        var mappings = new Dictionary<MappingKey, MappingEntry>(_mappings);
        _placement.BeginBatch();
        try
        {
            foreach (var change in _staged)
                PlanChange(change, enis, edges, mappings, writes);
            foreach (var (key, entry) in mappings)
            {
                if (entry.LocalSlot is { } slot && enis[slot] is null)
                    throw new NitroCardException($"Mapping {key} points at ENI slot {slot}, which holds no ENI");
            }
        }
        catch
        {
            _placement.Rollback();
            throw;
        }
        _placement.EndBatch();

        WriteBatches(writes);
        Array.Copy(enis, _enis, enis.Length);
        Array.Copy(edges, _edges, edges.Length);
        _mappings.Clear();
        foreach (var (k, v) in mappings)
            _mappings[k] = v;
        _staged.Clear();
    }

    /// <summary>Reads back a committed entry's staging words through the indirect window.</summary>
    public uint[] ReadEntry(TableId table, int index)
    {
        Command(TableOp.Read, table, index);
        var words = new uint[StagingWords];
        _bus.ReadBurst(RegisterMap.TblRdata, words);
        return words;
    }

    public CardCounters ReadCounters()
    {
        var drops = new ulong[DropReasonNames.Count];
        Span<uint> words = stackalloc uint[2 * DropReasonNames.Count];
        _bus.ReadBurst(RegisterMap.DropCount, words);
        for (var i = 0; i < drops.Length; i++)
            drops[i] = words[2 * i] | ((ulong)words[(2 * i) + 1] << 32);

        var eniWords = new uint[Geometry.EniSlots * 8];
        _bus.ReadBurst(RegisterMap.EniCount, eniWords);
        var enis = new EniCounters[Geometry.EniSlots];
        for (var slot = 0; slot < enis.Length; slot++)
        {
            ulong Word(int counter) => eniWords[(slot * 8) + (counter * 2)] | ((ulong)eniWords[(slot * 8) + (counter * 2) + 1] << 32);
            enis[slot] = new EniCounters(Word(0), Word(1), Word(2), Word(3));
        }
        return new CardCounters(drops, enis, _bus.Read(RegisterMap.AlarmOverflow));
    }

    public void ClearCounters() => _bus.Write(RegisterMap.CounterClear, 1);

    /// <summary>Pops every alarm waiting in the card's FIFO, oldest first.</summary>
    public IReadOnlyList<CardAlarm> DrainAlarms()
    {
        var alarms = new List<CardAlarm>();
        Span<uint> words = stackalloc uint[RegisterMap.AlarmDataCount];
        var waiting = _bus.Read(RegisterMap.AlarmStatus) & RegisterMap.AlarmStatusCountMask;
        while (waiting-- > 0)
        {
            _bus.ReadBurst(RegisterMap.AlarmData, words);
            _bus.Write(RegisterMap.AlarmPop, 1);
            alarms.Add(new CardAlarm(
                Cycle: words[0] | ((ulong)words[1] << 32),
                Reason: (DropReason)(words[2] & 0xFF),
                Slot: (int)((words[2] >> 8) & 0xFF),
                Vni: words[3] & 0xFF_FFFF,
                OuterSource: Ipv4.FromUInt32(words[4]),
                InnerSource: Ipv4.FromUInt32(words[5]),
                InnerDestination: Ipv4.FromUInt32(words[6])));
        }
        return alarms;
    }

    private void PlanChange(StagedChange change, EniEntry?[] enis, EdgeEntry?[] edges, Dictionary<MappingKey, MappingEntry> mappings, List<TableWrite> writes)
    {
        switch (change.Kind)
        {
            case ChangeKind.Eni:
                enis[change.Index] = (EniEntry?)change.Entry;
                writes.Add(new TableWrite(TableId.Eni, change.Index, EncodeEni((EniEntry?)change.Entry)));
                break;
            case ChangeKind.Edge:
                edges[change.Index] = (EdgeEntry?)change.Entry;
                writes.Add(new TableWrite(TableId.Edge, change.Index, EncodeEdge((EdgeEntry?)change.Entry)));
                break;
            case ChangeKind.AddMapping:
            {
                var entry = (MappingEntry)change.Entry!;
                var moves = _placement.PlanInsert(entry.Key)
                    ?? throw new NitroCardException($"Mapping table full: no free bucket for {entry.Key} ({_placement.Count} of {_placement.Capacity} entries in use)");
                foreach (var move in moves)
                    writes.Add(new TableWrite(TableId.Mapping, move.To, EncodeMapping(move.Key == entry.Key ? entry : mappings[move.Key])));
                _placement.Apply(moves);
                mappings[entry.Key] = entry;
                break;
            }
            case ChangeKind.ReplaceMapping:
            {
                var entry = (MappingEntry)change.Entry!;
                _placement.TryGetIndex(entry.Key, out var index);
                writes.Add(new TableWrite(TableId.Mapping, index, EncodeMapping(entry)));
                mappings[entry.Key] = entry;
                break;
            }
            case ChangeKind.RemoveMapping:
            {
                var key = change.Key!.Value;
                writes.Add(new TableWrite(TableId.Mapping, _placement.Remove(key), new uint[StagingWords]));
                mappings.Remove(key);
                break;
            }
        }
    }

    private void WriteBatches(List<TableWrite> writes)
    {
        Span<uint> burst = stackalloc uint[StagingWords + 2];
        var queued = 0;
        foreach (var write in writes)
        {
            write.Words.CopyTo(burst);
            burst[StagingWords] = (uint)write.Index;
            burst[StagingWords + 1] = CommandWord(TableOp.Stage, write.Table);
            _bus.WriteBurst(RegisterMap.TblData, burst);
            WaitIdle(TableOp.Stage, write.Table, write.Index);
            if (++queued == Geometry.BatchDepth)
            {
                Command(TableOp.Commit, write.Table, 0);
                queued = 0;
            }
        }
        if (queued > 0)
            Command(TableOp.Commit, TableId.Eni, 0);
    }

    private void Command(TableOp op, TableId table, int index)
    {
        Span<uint> burst = [(uint)index, CommandWord(op, table)];
        _bus.WriteBurst(RegisterMap.TblIndex, burst);
        WaitIdle(op, table, index);
    }

    private void WaitIdle(TableOp op, TableId table, int index)
    {
        for (var i = 0; i < BusyPollLimit; i++)
        {
            var status = _bus.Read(RegisterMap.TblStatus);
            if ((status & RegisterMap.TblStatusBusyMask) != 0)
                continue;
            if ((status & RegisterMap.TblStatusErrorMask) != 0)
            {
                _bus.Write(RegisterMap.TblCmd, CommandWord(TableOp.Discard, table));
                throw new NitroCardException($"The card rejected {op} of {table} entry {index} (TBL_STATUS 0x{status:X8}); queued writes were discarded");
            }
            return;
        }
        throw new NitroCardException($"The card stayed busy for {BusyPollLimit} polls after {op} of {table} entry {index}");
    }

    private static uint CommandWord(TableOp op, TableId table)
        => ((uint)op << RegisterMap.TblCmdOpShift) | ((uint)table << RegisterMap.TblCmdTableShift);

    private bool IsMappedAfterStaging(MappingKey key)
    {
        var mapped = _mappings.ContainsKey(key);
        foreach (var change in _staged)
        {
            if (change.Key == key)
                mapped = change.Kind != ChangeKind.RemoveMapping;
        }
        return mapped;
    }

    private void ValidateMapping(MappingEntry entry)
    {
        CheckVni(entry.Vni);
        RequireIpv4(entry.Ip, nameof(entry.Ip));
        RequireIpv4(entry.UnderlayIp, nameof(entry.UnderlayIp));
        var ip = Ipv4.ToUInt32(entry.Ip);
        if (ip == 0 || ip == uint.MaxValue || (ip >> 28) == 0xE)
            throw new NitroCardException($"Invalid mapping address {entry.Ip}: a mapping names one unicast IPv4 address");
        if (entry.LocalSlot is { } slot)
            CheckSlot(slot);
    }

    private static uint[] EncodeEni(EniEntry? e)
    {
        var w = new uint[StagingWords];
        if (e is null)
            return w;
        TableLayout.Eni.Valid.Write(w, 1);
        TableLayout.Eni.SrcDstCheck.Write(w, e.SourceDestCheck ? 1u : 0u);
        TableLayout.Eni.SubnetLen.Write(w, (uint)e.Subnet.PrefixLength);
        TableLayout.Eni.Vni.Write(w, e.Vni);
        TableLayout.Eni.Ip.Write(w, Ipv4.ToUInt32(e.Ip));
        TableLayout.Eni.MacLo.Write(w, e.Mac.Low);
        TableLayout.Eni.MacHi.Write(w, e.Mac.High);
        TableLayout.Eni.Subnet.Write(w, Ipv4.ToUInt32(e.Subnet.BaseAddress));
        return w;
    }

    private static uint[] EncodeMapping(MappingEntry e)
    {
        var w = new uint[StagingWords];
        TableLayout.Mapping.Valid.Write(w, 1);
        TableLayout.Mapping.Local.Write(w, e.LocalSlot is null ? 0u : 1u);
        TableLayout.Mapping.LocalSlot.Write(w, (uint)(e.LocalSlot ?? 0));
        TableLayout.Mapping.Vni.Write(w, e.Vni);
        TableLayout.Mapping.Ip.Write(w, Ipv4.ToUInt32(e.Ip));
        TableLayout.Mapping.UnderlayIp.Write(w, Ipv4.ToUInt32(e.UnderlayIp));
        TableLayout.Mapping.MacLo.Write(w, e.Mac.Low);
        TableLayout.Mapping.MacHi.Write(w, e.Mac.High);
        return w;
    }

    private static uint[] EncodeEdge(EdgeEntry? e)
    {
        var w = new uint[StagingWords];
        if (e is null)
            return w;
        TableLayout.Edge.Valid.Write(w, 1);
        TableLayout.Edge.Vni.Write(w, e.Vni);
        TableLayout.Edge.UnderlayIp.Write(w, Ipv4.ToUInt32(e.UnderlayIp));
        return w;
    }

    private void WriteMac(uint high, uint low, MacAddress mac)
    {
        _bus.Write(high, mac.High);
        _bus.Write(low, mac.Low);
    }

    private int CheckSlot(int slot)
        => (uint)slot < (uint)_enis.Length ? slot : throw new NitroCardException($"ENI slot {slot} is out of range: the card has {_enis.Length} slots");

    private static void CheckVni(uint vni)
    {
        if (vni is 0 or > 0xFF_FFFF)
            throw new NitroCardException($"VNI {vni} is out of range 1..16777215");
    }

    private static IPAddress RequireIpv4(IPAddress address, string what)
        => address.AddressFamily == AddressFamily.InterNetwork ? address : throw new NitroCardException($"{what} {address} is not an IPv4 address");

    private static uint Field(uint value, uint mask, int shift) => (value & mask) >> shift;

    private enum ChangeKind
    {
        Eni,
        Edge,
        AddMapping,
        ReplaceMapping,
        RemoveMapping,
    }

    private sealed record StagedChange(ChangeKind Kind, int Index, object? Entry, MappingKey? Key);

    private sealed record TableWrite(TableId Table, int Index, uint[] Words);
}
