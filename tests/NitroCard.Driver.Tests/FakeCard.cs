using NitroCard.Card.Hashing;
using NitroCard.Driver.Registers;

namespace NitroCard.Driver.Tests;

/// <summary>
/// A register-level fake of the card: the indirect table window (stage queue, commit, read),
/// parameters, counters and an alarm FIFO, so driver logic is tested without the native library.
/// It also answers mapping lookups the way the RTL does (way 0 then way 1).
/// </summary>
internal sealed record FakeFilterGeometry(int RouteLevels = 4, int NaclCount = 4, int NaclRules = 8, int SgRulesLog2 = 6);

internal sealed class FakeCard : ICsrBus
{
    private readonly Dictionary<uint, uint> _registers = [];
    private readonly List<(int Table, int Index, uint[] Words)> _queue = [];
    private uint _status;

    public FakeCard(int eniSlots = 8, int wayDepthLog2 = 4, int edges = 4, int batchDepth = 8, FakeFilterGeometry? filtering = null, int bucketSlotsLog2 = 0)
    {
        WayDepth = 1 << wayDepthLog2;
        BucketSlots = 1 << bucketSlotsLog2;
        Tables = [new uint[eniSlots][], new uint[2 * WayDepth][], new uint[edges][]];
        if (filtering is { } f)
        {
            // route (2 banks), nacl, sgRule, eniConntrack, routeBank
            Tables = [.. Tables, new uint[2 << f.RouteLevels][], new uint[f.NaclCount * 2 * f.NaclRules][], new uint[1 << f.SgRulesLog2][], new uint[eniSlots][], new uint[1][]];
            _registers[RegisterMap.ParamFilter] = (uint)f.RouteLevels | ((uint)f.NaclCount << 8) | ((uint)f.NaclRules << 16) | ((uint)f.SgRulesLog2 << 24);
            _registers[RegisterMap.ParamConntrack] = 4u | (4u << 8);
        }
        foreach (var table in Tables)
        {
            for (var i = 0; i < table.Length; i++)
                table[i] = new uint[8];
        }
        BatchDepth = batchDepth;
        _registers[RegisterMap.Id] = RegisterMap.IdReset;
        _registers[RegisterMap.ParamEni] = (uint)eniSlots;
        _registers[RegisterMap.ParamMap] = (uint)wayDepthLog2 | (2u << 8) | ((uint)bucketSlotsLog2 << 16);
        _registers[RegisterMap.ParamMisc] = 9001u | ((uint)edges << 16) | ((uint)batchDepth << 24);
        _registers[RegisterMap.ParamPunt] = 64;   // the RTL's punt and injection queues (docs/card-punt.md)
        _registers[RegisterMap.ParamFlow] = 513;  // the RTL's flow record FIFO (docs/card-flow-records.md)
    }

    public int WayDepth { get; }

    public int BucketSlots { get; }

    public int BatchDepth { get; }

    /// <summary>Committed table contents: [table][index] → 8 staging words.</summary>
    public uint[][][] Tables { get; }

    public int Commits { get; private set; }

    public int LargestBatch { get; private set; }

    /// <summary>Makes every stage command of this (table, index) fail as the card would (ERROR set, nothing queued).</summary>
    public (int Table, int Index)? RejectStageOf { get; set; }

    /// <summary>Register reads and writes so far: each is one bus cycle on the card.</summary>
    public int BusReads { get; private set; }

    public int BusWrites { get; private set; }

    /// <summary>Called after each commit has applied its batch.</summary>
    public Action? Committed { get; set; }

    /// <summary>Stage commands the fake queued so far.</summary>
    public int Stages { get; private set; }

    /// <summary>Writes to TBL_DATA0..7 so far.</summary>
    public int StagingWordWrites { get; private set; }

    public List<uint[]> Alarms { get; } = [];

    public uint Register(uint address) => _registers.GetValueOrDefault(address);

    public void SetRegister(uint address, uint value) => _registers[address] = value;

    /// <summary>The mapping entry words the card's lookup would find for (vni, ip), or null.</summary>
    public uint[]? Lookup(uint vni, uint ip)
    {
        for (var way = 0; way < 2; way++)
        {
            var start = (way * WayDepth) + (CardHash.MappingBucket(way, vni, ip, WayDepth / BucketSlots) * BucketSlots);
            for (var slot = 0; slot < BucketSlots; slot++)
            {
                var words = Tables[1][start + slot];
                if (TableLayout.Mapping.Valid.Read(words) == 1 && TableLayout.Mapping.Vni.Read(words) == vni && TableLayout.Mapping.Ip.Read(words) == ip)
                    return words;
            }
        }
        return null;
    }

    public uint[][][] Snapshot() => Tables.Select(t => t.Select(w => (uint[])w.Clone()).ToArray()).ToArray();

    public uint Read(uint address)
    {
        BusReads++;
        if (address == RegisterMap.TblStatus)
            return _status | ((uint)_queue.Count << RegisterMap.TblStatusQueuedShift);
        if (address == RegisterMap.AlarmStatus)
            return (uint)Alarms.Count;
        if (address >= RegisterMap.AlarmData && address < RegisterMap.AlarmData + 32)
            return Alarms.Count == 0 ? 0 : Alarms[0][(address - RegisterMap.AlarmData) / 4];
        return _registers.GetValueOrDefault(address);
    }

    public void Write(uint address, uint value)
    {
        BusWrites++;
        if (address >= RegisterMap.TblData && address < RegisterMap.TblData + (4 * RegisterMap.TblDataCount))
            StagingWordWrites++;
        _registers[address] = value;
        if (address == RegisterMap.TblCmd)
            Execute(value);
        else if (address == RegisterMap.AlarmPop && Alarms.Count > 0)
            Alarms.RemoveAt(0);
    }

    public void ReadBurst(uint address, Span<uint> values)
    {
        for (var i = 0; i < values.Length; i++)
            values[i] = Read(address + (uint)(4 * i));
    }

    public void WriteBurst(uint address, ReadOnlySpan<uint> values)
    {
        for (var i = 0; i < values.Length; i++)
            Write(address + (uint)(4 * i), values[i]);
    }

    private void Execute(uint command)
    {
        var op = (TableOp)((command & RegisterMap.TblCmdOpMask) >> RegisterMap.TblCmdOpShift);
        var table = (int)((command & RegisterMap.TblCmdTableMask) >> RegisterMap.TblCmdTableShift);
        var index = (int)_registers.GetValueOrDefault(RegisterMap.TblIndex);
        _status = 0;
        switch (op)
        {
            case TableOp.Stage:
                if (RejectStageOf == (table, index) || table >= Tables.Length || index >= Tables[table].Length || _queue.Count >= BatchDepth)
                {
                    _status = RegisterMap.TblStatusErrorMask;
                    return;
                }
                var words = new uint[8];
                for (var i = 0; i < 8; i++)
                    words[i] = _registers.GetValueOrDefault(RegisterMap.TblData + (uint)(4 * i));
                _queue.Add((table, index, words));
                Stages++;
                break;
            case TableOp.Commit:
                LargestBatch = Math.Max(LargestBatch, _queue.Count);
                foreach (var (t, i, w) in _queue)
                    Tables[t][i] = w;
                _queue.Clear();
                Commits++;
                Committed?.Invoke();
                break;
            case TableOp.Read:
                for (var i = 0; i < 8; i++)
                    _registers[RegisterMap.TblRdata + (uint)(4 * i)] = Tables[table][index][i];
                break;
            case TableOp.Discard:
                _queue.Clear();
                break;
            default:
                _status = RegisterMap.TblStatusErrorMask;
                break;
        }
    }
}
