using System.Collections.Immutable;
using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Tables;
using NitroCard.Driver.Registers;
using NitroCard.Driver.Tables;
using NitroCard.Packets;

namespace NitroCard.Driver;

/// <summary>
/// The host driver of one card, over its CSR bus: settings, typed table programming (ENIs,
/// mappings with cuckoo placement, edges, and on a card with filtering hardware route tables,
/// network ACLs, security group rules and connection tracking timeouts), counters and alarms.
/// Table changes are staged in the driver and validated when staged; <see cref="Commit"/>
/// places them, writes them through the indirect window and commits them on the card as one
/// batch (chunks of <see cref="CardGeometry.BatchDepth"/> writes, each chunk ordered so every
/// key stays findable). Any failure leaves the card and the driver's view exactly as they were.
/// <para>Stage commands are posted by default (<see cref="TableWriteMode"/>): a chunk's stage writes reach the bus as one
/// write sequence carrying only the staging words that changed, and one TBL_STATUS read checks the chunk before its
/// commit, in less than half the card cycles of the checked path (a status read after every stage).</para>
/// <para>Filtering (docs/card-filtering.md): the whole route set is compiled into intervals and written
/// into the route bank packets do not use, then the bank switch is committed, so a route change of any
/// size takes effect between two packets. Security group rules of a slot are written into a free range
/// of the shared rule array before the ENI entry that points at them; the old range is freed after the
/// commit. Network ACL rules are rewritten in place, one ACL and direction per commit.</para>
/// </summary>
public sealed partial class CardDriver
{
    private const uint ExpectedId = RegisterMap.IdReset;
    private const int StagingWords = RegisterMap.TblDataCount;
    private const int BusyPollLimit = 100_000;

    private readonly ICsrBus _bus;
    private ImmutableArray<uint> _edgeSetWords = EdgeSet.Empty;
    private readonly EniEntry?[] _enis;
    private readonly EdgeEntry?[] _edges;
    private readonly Dictionary<MappingKey, MappingEntry> _mappings = [];
    private readonly CuckooPlacement _placement;
    private readonly List<StagedChange> _staged = [];

    /// <summary>Whether each key touched by a staged mapping change is mapped once the staged changes apply.</summary>
    private readonly Dictionary<MappingKey, bool> _stagedMapped = [];

    private readonly TableWriteMode _writeMode;

    // Posted stage writes of one chunk (addresses and values), and the staging words the card holds (what this
    // commit last wrote to TBL_DATA0..7; unknown at the start of each commit).
    private readonly uint[] _postAddresses;
    private readonly uint[] _postValues;
    private readonly uint[] _stagingShadow = new uint[StagingWords];
    private bool _stagingShadowKnown;

    // Filtering state (empty arrays on a card without filtering hardware).
    private readonly FilterGeometry? _filter;
    private RouteTableSpec?[] _routeTables = [];
    private int _activeBank;
    private readonly int[] _bankUsed = new int[2];
    private readonly NetworkAcl?[] _nacls = [];
    private readonly uint[]?[] _naclShadow = [];
    private readonly SecurityRules?[] _securityRules;
    private readonly SgBlock[] _sgBlocks;
    private readonly ConntrackTimeouts?[] _timeouts;

    /// <param name="bus">The card's CSR bus.</param>
    /// <param name="writeMode">How commits stage table writes; both leave the card in the same state.</param>
    public CardDriver(ICsrBus bus, TableWriteMode writeMode = TableWriteMode.Posted)
    {
        ArgumentNullException.ThrowIfNull(bus);
        _bus = bus;
        _writeMode = writeMode;
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
            BatchDepth: (int)Field(misc, RegisterMap.ParamMiscBatchDepthMask, RegisterMap.ParamMiscBatchDepthShift),
            MappingBucketSlots: 1 << (int)Field(map, RegisterMap.ParamMapBucketSlotsLog2Mask, RegisterMap.ParamMapBucketSlotsLog2Shift),
            Filtering: ReadFilterGeometry(bus),
            PuntQueueBeats: (int)Field(bus.Read(RegisterMap.ParamPunt), RegisterMap.ParamPuntQueueBeatsMask, RegisterMap.ParamPuntQueueBeatsShift),
            FlowRecordDepth: (int)Field(bus.Read(RegisterMap.ParamFlow), RegisterMap.ParamFlowDepthMask, RegisterMap.ParamFlowDepthShift));
        if (Geometry.MappingWays != 2 || Geometry.BatchDepth < 2)
            throw new NitroCardException($"Unsupported card geometry {Geometry}: the driver places entries in exactly 2 ways and needs a batch of at least 2 writes");
        _enis = new EniEntry?[Geometry.EniSlots];
        _edges = new EdgeEntry?[Geometry.EdgeEntries];
        _placement = new CuckooPlacement(Geometry.MappingWayDepth, Geometry.MappingBucketSlots);
        _filter = Geometry.Filtering;
        _securityRules = new SecurityRules?[Geometry.EniSlots];
        _sgBlocks = new SgBlock[Geometry.EniSlots];
        _timeouts = new ConntrackTimeouts?[Geometry.EniSlots];
        _postAddresses = new uint[Geometry.BatchDepth * (StagingWords + 2)];
        _postValues = new uint[_postAddresses.Length];
        if (_filter is not null)
        {
            _nacls = new NetworkAcl?[_filter.NaclCount];
            _naclShadow = new uint[]?[_filter.NaclCount * 2 * _filter.NaclRules];
        }
    }

    /// <summary>
    /// The filtering geometry from PARAM_FILTER and PARAM_CONNTRACK, or null when a field reads 0: the
    /// card has no filtering hardware (a build before docs/card-filtering.md).
    /// </summary>
    private static FilterGeometry? ReadFilterGeometry(ICsrBus bus)
    {
        var filter = bus.Read(RegisterMap.ParamFilter);
        var conntrack = bus.Read(RegisterMap.ParamConntrack);
        var g = new FilterGeometry(
            RouteLevels: (int)Field(filter, RegisterMap.ParamFilterRouteLevelsMask, RegisterMap.ParamFilterRouteLevelsShift),
            NaclCount: (int)Field(filter, RegisterMap.ParamFilterNumNaclMask, RegisterMap.ParamFilterNumNaclShift),
            NaclRules: (int)Field(filter, RegisterMap.ParamFilterNaclRulesMask, RegisterMap.ParamFilterNaclRulesShift),
            SgRulesLog2: (int)Field(filter, RegisterMap.ParamFilterSgRulesLog2Mask, RegisterMap.ParamFilterSgRulesLog2Shift),
            ConntrackBucketsLog2: (int)Field(conntrack, RegisterMap.ParamConntrackBucketsLog2Mask, RegisterMap.ParamConntrackBucketsLog2Shift),
            ConntrackWays: (int)Field(conntrack, RegisterMap.ParamConntrackWaysMask, RegisterMap.ParamConntrackWaysShift));
        return g.RouteLevels == 0 || g.NaclCount == 0 || g.NaclRules == 0 || g.SgRulesLog2 == 0 || g.ConntrackBucketsLog2 == 0 || g.ConntrackWays == 0
            ? null
            : g;
    }

    public CardGeometry Geometry { get; }

    /// <summary>Mappings committed to the card.</summary>
    public int MappingCount => _mappings.Count;

    /// <summary>Changes staged and not yet committed.</summary>
    public int StagedCount => _staged.Count;

    public void Configure(CardSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _bus.Write(RegisterMap.UnderlayIp, Ipv4Address.ToUInt32(TableArguments.Ipv4(settings.UnderlayIp, nameof(settings.UnderlayIp))));
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

    /// <summary>Writes EDGE_SET0..7 from the healthy edges (<see cref="EdgeSet.SlotWords"/>, from the words it wrote last), in one burst.</summary>
    public void SetEdgeSet(IReadOnlyList<IPAddress> edges)
    {
        var words = EdgeSet.SlotWords(edges, _edgeSetWords);
        _bus.WriteBurst(RegisterMap.EdgeSet, words.AsSpan());
        _edgeSetWords = words;
    }

    /// <summary>Reads EDGE_SET0..7.</summary>
    public uint[] ReadEdgeSet()
    {
        var words = new uint[RegisterMap.EdgeSetCount];
        _bus.ReadBurst(RegisterMap.EdgeSet, words);
        return words;
    }

    /// <summary>Reads the card's cycle counter (CYCLE_LO latches CYCLE_HI).</summary>
    public ulong ReadCycle()
    {
        Span<uint> words = stackalloc uint[2];
        _bus.ReadBurst(RegisterMap.CycleLo, words);
        return words[0] | ((ulong)words[1] << 32);
    }

    public EniEntry? GetEni(int slot) => _enis[TableArguments.Slot(slot, _enis.Length)];

    public bool TryGetMapping(MappingKey key, out MappingEntry? entry) => _mappings.TryGetValue(key, out entry);

    /// <summary>Stages an ENI into a slot (replacing what is there), or clears the slot (checks: <see cref="TableArguments.Eni"/>).</summary>
    public void SetEni(int slot, EniEntry? entry)
    {
        TableArguments.Eni(slot, entry, _enis.Length, _filter);
        _staged.Add(new StagedChange.Eni(slot, entry));
    }

    /// <summary>Stages an edge table entry, or clears it (checks: <see cref="TableArguments.Edge"/>).</summary>
    public void SetEdge(int index, EdgeEntry? entry)
    {
        TableArguments.Edge(index, entry, _edges.Length);
        _staged.Add(new StagedChange.Edge(index, entry));
    }

    /// <summary>Stages a new mapping; a key that is already mapped (or staged) is an <see cref="ArgumentException"/>.</summary>
    public void AddMapping(MappingEntry entry)
    {
        TableArguments.Mapping(entry, _enis.Length);
        var key = entry.Key;
        if (IsMappedAfterStaging(key))
            throw new ArgumentException($"Duplicate mapping key {key}: it is already mapped", nameof(entry));
        _staged.Add(new StagedChange.AddMapping(entry));
        _stagedMapped[key] = true;
    }

    /// <summary>Stages an insert or an in-place replacement of the mapping for the entry's key.</summary>
    public void SetMapping(MappingEntry entry)
    {
        TableArguments.Mapping(entry, _enis.Length);
        var key = entry.Key;
        _staged.Add(IsMappedAfterStaging(key) ? new StagedChange.ReplaceMapping(entry) : new StagedChange.AddMapping(entry));
        _stagedMapped[key] = true;
    }

    /// <summary>Stages the removal of a mapping; an unknown key is an <see cref="ArgumentException"/>.</summary>
    public void RemoveMapping(MappingKey key)
    {
        if (!IsMappedAfterStaging(key))
            throw new ArgumentException($"Unknown mapping key {key}: nothing to remove", nameof(key));
        _staged.Add(new StagedChange.RemoveMapping(key));
        _stagedMapped[key] = false;
    }

    /// <summary>
    /// Stages the card's whole route set: <paramref name="tables"/>[t] is route table t in the card's
    /// numbering (what <see cref="EniEntry.RouteTable"/> names), null for an unused number. Compiled and
    /// checked against the bank's capacity now; at commit written into the inactive bank and switched in.
    /// </summary>
    public void SetRouteTables(IReadOnlyList<RouteTableSpec?> tables)
    {
        var filter = RequireFiltering();
        ArgumentNullException.ThrowIfNull(tables);
        var copy = tables.ToArray();
        var intervals = RouteTableCompiler.CompileBank(copy, filter.RouteCapacity);
        _staged.Add(new StagedChange.Routes(new RouteStage(copy, intervals)));
    }

    /// <summary>Stages network ACL <paramref name="index"/> (card numbering), or clears it (every packet across a subnet boundary is then denied).</summary>
    public void SetNetworkAcl(int index, NetworkAcl? acl)
    {
        var filter = RequireFiltering();
        TableArguments.NetworkAcl(index, filter);
        if (acl is not null)
        {
            NetworkAcl.Sorted(acl.Ingress, filter.NaclRules, $"Network ACL {index} ingress");
            NetworkAcl.Sorted(acl.Egress, filter.NaclRules, $"Network ACL {index} egress");
        }
        _staged.Add(new StagedChange.Nacl(index, acl));
    }

    /// <summary>Stages the security group rules of the ENI in <paramref name="slot"/> (null: no rules, nothing new passes).</summary>
    public void SetSecurityRules(int slot, SecurityRules? rules)
    {
        var filter = RequireFiltering();
        TableArguments.Slot(slot, _enis.Length);
        rules?.Validate(filter.SgRuleCapacity, $"ENI slot {slot}");
        _staged.Add(new StagedChange.Security(slot, rules));
    }

    /// <summary>Stages the connection tracking timeouts of the ENI in <paramref name="slot"/> (AWS's ranges are enforced).</summary>
    public void SetConntrackTimeouts(int slot, ConntrackTimeouts timeouts)
    {
        RequireFiltering();
        TableArguments.Slot(slot, _enis.Length);
        ArgumentNullException.ThrowIfNull(timeouts);
        timeouts.Validate($"ENI slot {slot} connection tracking");
        _staged.Add(new StagedChange.Conntrack(slot, timeouts));
    }

    /// <summary>The route bank packets use (as last committed by this driver).</summary>
    public int ActiveRouteBank => _activeBank;

    /// <summary>The shared rule array range of a slot's security rules: first index, ingress and egress counts.</summary>
    public (int Base, int Ingress, int Egress) SecurityRuleRange(int slot)
    {
        var b = _sgBlocks[TableArguments.Slot(slot, _enis.Length)];
        return (b.Base, b.In, b.Out);
    }

    private FilterGeometry RequireFiltering()
        => _filter ?? throw new NitroCardException("This card has no filtering hardware (PARAM_FILTER/PARAM_CONNTRACK read 0): route tables, network ACLs and security groups cannot be programmed");

    /// <summary>Forgets every staged change.</summary>
    public void DiscardStaged()
    {
        _staged.Clear();
        _stagedMapped.Clear();
    }

    /// <summary>
    /// Places, writes and commits every staged change. Throws <see cref="CardTableFullException"/> (no free
    /// mapping bucket or security rule range) or <see cref="NitroCardException"/> (a mapping points at an empty
    /// slot, the card reports an error) with the card and this driver unchanged — except when the card itself
    /// fails mid-commit, which the message says.
    /// </summary>
    public void Commit()
    {
        if (_staged.Count == 0)
            return;
        var enis = (EniEntry?[])_enis.Clone();
        var edges = (EdgeEntry?[])_edges.Clone();
        var mappings = new Dictionary<MappingKey, MappingEntry>(_mappings);
        var filters = PlanFilters();
        var writes = new List<List<TableWrite>>(filters.Before);
        _placement.BeginBatch();
        try
        {
            var mainWrites = new List<TableWrite>();
            var freshIndexes = new Dictionary<int, bool>();
            foreach (var change in _staged)
                PlanChange(change, enis, edges, mappings, mainWrites, filters, freshIndexes);
            mainWrites = WithoutSupersededFills(mainWrites);
            foreach (var (key, entry) in mappings)
            {
                if (entry.LocalSlot is { } slot && enis[slot] is null)
                    throw new NitroCardException($"Mapping {key} points at ENI slot {slot}, which holds no ENI");
            }
            writes.AddRange(mainWrites.Select(w => new List<TableWrite> { w }));
            // ENIs whose security rule range moved without the ENI itself being staged.
            foreach (var slot in filters.MovedSlots)
            {
                if (!_staged.Any(c => c is StagedChange.Eni staged && staged.Slot == slot) && enis[slot] is { } eni)
                    writes.Add([new TableWrite(TableId.Eni, slot, EncodeEni(eni, filters.Blocks[slot], filters.Rules[slot]))]);
            }
            writes.AddRange(filters.After);
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
        filters.Apply(this);
        foreach (var change in _staged)
        {
            if (change is StagedChange.Eni staged)
                WritePuntEntry(staged.Slot, staged.Entry);
        }
        _staged.Clear();
        _stagedMapped.Clear();
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
        if (_filter is null)
            return new CardCounters(drops, enis, _bus.Read(RegisterMap.AlarmOverflow));

        // ENI_SG_COUNT: 8 counters per slot (EniCounter - 4), 5 in use.
        var sgWords = new uint[Geometry.EniSlots * 16];
        _bus.ReadBurst(RegisterMap.EniSgCount, sgWords);
        var filters = new EniFilterCounters[Geometry.EniSlots];
        for (var slot = 0; slot < filters.Length; slot++)
        {
            ulong Word(EniCounter counter)
            {
                var i = (slot * 16) + (((int)counter - 4) * 2);
                return sgWords[i] | ((ulong)sgWords[i + 1] << 32);
            }
            filters[slot] = new EniFilterCounters(Word(EniCounter.SgAllowedIn), Word(EniCounter.SgDeniedIn), Word(EniCounter.SgAllowedOut), Word(EniCounter.SgDeniedOut), Word(EniCounter.ConntrackAllowanceExceeded));
        }
        return new CardCounters(drops, enis, _bus.Read(RegisterMap.AlarmOverflow), filters, _bus.Read(RegisterMap.CtFree));
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
                OuterSource: Ipv4Address.FromUInt32(words[4]),
                InnerSource: Ipv4Address.FromUInt32(words[5]),
                InnerDestination: Ipv4Address.FromUInt32(words[6])));
        }
        return alarms;
    }

    private void PlanChange(StagedChange change, EniEntry?[] enis, EdgeEntry?[] edges, Dictionary<MappingKey, MappingEntry> mappings, List<TableWrite> writes, FilterPlan filters,
        Dictionary<int, bool> freshIndexes)
    {
        // A mapping write of a key new in this commit to an index that was empty when the commit began and has held only
        // keys new in this commit since: if a later write of the commit overwrites it, nothing anyone relies on sees it.
        TableWrite MappingWrite(int index, MappingKey key, uint[] words)
        {
            var fresh = freshIndexes.TryGetValue(index, out var f) ? f : _placement.IsFree(index);
            var supersedable = fresh && !_mappings.ContainsKey(key);
            freshIndexes[index] = supersedable;
            return new TableWrite(TableId.Mapping, index, words, supersedable);
        }

        switch (change)
        {
            case StagedChange.Eni(var slot, var eni):
                enis[slot] = eni;
                writes.Add(new TableWrite(TableId.Eni, slot, EncodeEni(eni, filters.Blocks[slot], filters.Rules[slot])));
                break;
            case StagedChange.Edge(var index, var edge):
                edges[index] = edge;
                writes.Add(new TableWrite(TableId.Edge, index, EncodeEdge(edge)));
                break;
            case StagedChange.AddMapping(var entry):
            {
                var moves = _placement.PlanInsert(entry.Key)
                    ?? throw new CardTableFullException($"Mapping table full: no free bucket for {entry.Key} ({_placement.Count} of {_placement.Capacity} entries in use)");
                foreach (var move in moves)
                    writes.Add(MappingWrite(move.To, move.Key, EncodeMapping(move.Key == entry.Key ? entry : mappings[move.Key])));
                _placement.Apply(moves);
                mappings[entry.Key] = entry;
                break;
            }
            case StagedChange.ReplaceMapping(var entry):
            {
                _placement.TryGetIndex(entry.Key, out var index);
                writes.Add(MappingWrite(index, entry.Key, EncodeMapping(entry)));
                mappings[entry.Key] = entry;
                break;
            }
            case StagedChange.RemoveMapping(var key):
            {
                var index = _placement.Remove(key);
                writes.Add(new TableWrite(TableId.Mapping, index, new uint[StagingWords]));
                freshIndexes[index] = false;
                mappings.Remove(key);
                break;
            }
            case StagedChange.Routes or StagedChange.Nacl or StagedChange.Security or StagedChange.Conntrack:
                break; // planned by PlanFilters
        }
    }

    /// <summary>
    /// Leaves out mapping writes a later write of the same commit overwrites when they only ever put keys new in this
    /// commit into an index empty before it (<see cref="TableWrite.Supersedable"/>): a cuckoo path places a new key and
    /// moves it on within one load, and near a full table that is one write in six. Every key committed before stays
    /// findable at every batch boundary; a new key appears with its last write.
    /// </summary>
    private static List<TableWrite> WithoutSupersededFills(List<TableWrite> writes)
    {
        var last = new Dictionary<int, int>();
        for (var i = 0; i < writes.Count; i++)
        {
            if (writes[i].Table == TableId.Mapping)
                last[writes[i].Index] = i;
        }
        var kept = new List<TableWrite>(writes.Count);
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            if (!(write.Supersedable && last[write.Index] != i))
                kept.Add(write);
        }
        return kept;
    }

    /// <summary>
    /// Stages and commits the writes in chunks of at most BATCH_DEPTH. A group is never split across two
    /// commits unless it is larger than a batch (then it is split at batch boundaries).
    /// </summary>
    private void WriteBatches(List<List<TableWrite>> groups)
    {
        var chunk = new List<TableWrite>(Geometry.BatchDepth);
        _stagingShadowKnown = false;
        foreach (var group in groups)
        {
            if (chunk.Count > 0 && chunk.Count + group.Count > Geometry.BatchDepth && group.Count <= Geometry.BatchDepth)
                StageAndCommit(chunk);
            foreach (var write in group)
            {
                chunk.Add(write);
                if (chunk.Count == Geometry.BatchDepth)
                    StageAndCommit(chunk);
            }
        }
        if (chunk.Count > 0)
            StageAndCommit(chunk);
    }

    /// <summary>Stages a chunk of at most BATCH_DEPTH writes, commits it on the card and empties it.</summary>
    private void StageAndCommit(List<TableWrite> chunk)
    {
        if (_writeMode == TableWriteMode.Checked)
        {
            foreach (var write in chunk)
                StageChecked(write);
        }
        else
        {
            StagePosted(chunk);
        }
        Command(TableOp.Commit, chunk[0].Table, 0);
        chunk.Clear();
    }

    /// <summary>The reference path: all ten staging registers in one burst, then TBL_STATUS until the stage is done.</summary>
    private void StageChecked(TableWrite write)
    {
        Span<uint> burst = stackalloc uint[StagingWords + 2];
        write.Words.CopyTo(burst);
        burst[StagingWords] = (uint)write.Index;
        burst[StagingWords + 1] = CommandWord(TableOp.Stage, write.Table);
        _bus.WriteBurst(RegisterMap.TblData, burst);
        _stagingShadowKnown = false;
        WaitIdle(TableOp.Stage, write.Table, write.Index);
    }

    /// <summary>
    /// Posts the chunk's stage commands as one write sequence: per entry the staging words that differ from what
    /// TBL_DATA holds (the registers keep their value, and a stage copies all of them), TBL_INDEX and TBL_CMD. A stage
    /// is done in the cycle of its TBL_CMD write (it never sets BUSY), so the next one may follow at once; a rejected
    /// stage queues nothing, so one read of TBL_STATUS.QUEUED before the commit tells whether all of them were taken.
    /// If not, the queue is discarded and the chunk staged again the checked way, which names the entry the card refuses.
    /// </summary>
    private void StagePosted(List<TableWrite> chunk)
    {
        var n = 0;
        foreach (var write in chunk)
        {
            for (var w = 0; w < StagingWords; w++)
            {
                if (_stagingShadowKnown && _stagingShadow[w] == write.Words[w])
                    continue;
                _postAddresses[n] = RegisterMap.TblData + (uint)(RegisterMap.TblDataStride * w);
                _postValues[n++] = write.Words[w];
                _stagingShadow[w] = write.Words[w];
            }
            _stagingShadowKnown = true;
            _postAddresses[n] = RegisterMap.TblIndex;
            _postValues[n++] = (uint)write.Index;
            _postAddresses[n] = RegisterMap.TblCmd;
            _postValues[n++] = CommandWord(TableOp.Stage, write.Table);
        }
        _bus.WriteSequence(_postAddresses.AsSpan(0, n), _postValues.AsSpan(0, n));

        var status = _bus.Read(RegisterMap.TblStatus);
        var queued = Field(status, RegisterMap.TblStatusQueuedMask, RegisterMap.TblStatusQueuedShift);
        if ((status & (RegisterMap.TblStatusBusyMask | RegisterMap.TblStatusErrorMask)) == 0 && queued == (uint)chunk.Count)
            return;
        _bus.Write(RegisterMap.TblCmd, CommandWord(TableOp.Discard, chunk[0].Table));
        foreach (var write in chunk)
            StageChecked(write); // throws naming the entry the card rejects
        _bus.Write(RegisterMap.TblCmd, CommandWord(TableOp.Discard, chunk[0].Table));
        throw new NitroCardException($"The card queued {queued} of {chunk.Count} posted table writes (TBL_STATUS 0x{status:X8}) but took every one staged again one by one; queued writes were discarded");
    }

    private void Command(TableOp op, TableId table, int index)
    {
        Span<uint> burst = [(uint)index, CommandWord(op, table)];
        _bus.WriteBurst(RegisterMap.TblIndex, burst);
        WaitIdle(op, table, index);
    }

    private void WaitIdle(TableOp op, TableId table, int index)
    {
        if (!_bus.Poll(RegisterMap.TblStatus, RegisterMap.TblStatusBusyMask, 0, BusyPollLimit, out var status))
            throw new NitroCardException($"The card stayed busy for {BusyPollLimit} polls after {op} of {table} entry {index}");
        if ((status & RegisterMap.TblStatusErrorMask) != 0)
        {
            _bus.Write(RegisterMap.TblCmd, CommandWord(TableOp.Discard, table));
            throw new NitroCardException($"The card rejected {op} of {table} entry {index} (TBL_STATUS 0x{status:X8}); queued writes were discarded");
        }
    }

    private static uint CommandWord(TableOp op, TableId table)
        => ((uint)op << RegisterMap.TblCmdOpShift) | ((uint)table << RegisterMap.TblCmdTableShift);

    private bool IsMappedAfterStaging(MappingKey key)
        => _stagedMapped.TryGetValue(key, out var mapped) ? mapped : _mappings.ContainsKey(key);

    private uint[] EncodeEni(EniEntry? e, SgBlock block, SecurityRules? rules)
    {
        var w = new uint[StagingWords];
        if (e is null)
            return w;
        if (_filter is not null)
        {
            TableLayout.Eni.RouteTable.Write(w, (uint)e.RouteTable);
            TableLayout.Eni.Nacl.Write(w, (uint)e.Nacl);
            TableLayout.Eni.Untracked.Write(w, rules?.Untracked == true ? 1u : 0u);
            TableLayout.Eni.SgInBase.Write(w, (uint)block.Base);
            TableLayout.Eni.SgInCount.Write(w, (uint)block.In);
            TableLayout.Eni.SgOutBase.Write(w, (uint)(block.Base + block.In));
            TableLayout.Eni.SgOutCount.Write(w, (uint)block.Out);
        }
        TableLayout.Eni.Valid.Write(w, 1);
        TableLayout.Eni.SrcDstCheck.Write(w, e.SourceDestCheck ? 1u : 0u);
        TableLayout.Eni.SubnetLen.Write(w, (uint)e.Subnet.PrefixLength);
        TableLayout.Eni.Vni.Write(w, e.Vni);
        TableLayout.Eni.Ip.Write(w, Ipv4Address.ToUInt32(e.Ip));
        TableLayout.Eni.MacLo.Write(w, e.Mac.Low);
        TableLayout.Eni.MacHi.Write(w, e.Mac.High);
        TableLayout.Eni.Subnet.Write(w, Ipv4Address.ToUInt32(e.Subnet.BaseAddress));
        return w;
    }

    private static uint[] EncodeMapping(MappingEntry e)
    {
        var w = new uint[StagingWords];
        TableLayout.Mapping.Valid.Write(w, 1);
        TableLayout.Mapping.Local.Write(w, e.LocalSlot is null ? 0u : 1u);
        TableLayout.Mapping.LocalSlot.Write(w, (uint)(e.LocalSlot ?? 0));
        TableLayout.Mapping.Vni.Write(w, e.Vni);
        TableLayout.Mapping.Ip.Write(w, Ipv4Address.ToUInt32(e.Ip));
        TableLayout.Mapping.UnderlayIp.Write(w, Ipv4Address.ToUInt32(e.UnderlayIp));
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
        TableLayout.Edge.UnderlayIp.Write(w, Ipv4Address.ToUInt32(e.UnderlayIp));
        return w;
    }

    private void WriteMac(uint high, uint low, MacAddress mac)
    {
        _bus.Write(high, mac.High);
        _bus.Write(low, mac.Low);
    }

    private static uint Field(uint value, uint mask, int shift) => (value & mask) >> shift;

    private sealed record RouteStage(RouteTableSpec?[] Tables, RouteInterval[] Intervals);

    /// <summary>A slot's range of the shared security group rule array: ingress rules from Base, then egress rules.</summary>
    private readonly record struct SgBlock(int Base, int In, int Out)
    {
        public int Size => In + Out;
    }

    /// <summary>One staged table change: a closed hierarchy, matched by type where the commit plans it.</summary>
    private abstract record StagedChange
    {
        private StagedChange()
        {
        }

        public sealed record Eni(int Slot, EniEntry? Entry) : StagedChange;

        public sealed record Edge(int Index, EdgeEntry? Entry) : StagedChange;

        public sealed record AddMapping(MappingEntry Entry) : StagedChange;

        public sealed record ReplaceMapping(MappingEntry Entry) : StagedChange;

        public sealed record RemoveMapping(MappingKey Key) : StagedChange;

        public sealed record Routes(RouteStage Stage) : StagedChange;

        public sealed record Nacl(int Index, NetworkAcl? Acl) : StagedChange;

        public sealed record Security(int Slot, SecurityRules? Rules) : StagedChange;

        public sealed record Conntrack(int Slot, ConntrackTimeouts Timeouts) : StagedChange;
    }

    /// <summary>One entry write; <paramref name="Supersedable"/>: may be left out when a later write of the commit goes to the same index.</summary>
    private sealed record TableWrite(TableId Table, int Index, uint[] Words, bool Supersedable = false);
}
