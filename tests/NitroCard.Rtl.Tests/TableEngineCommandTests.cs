using System.Net;
using NitroCard.Card;
using NitroCard.Card.Filtering;
using NitroCard.Card.Hashing;
using NitroCard.Card.Tables;
using NitroCard.Driver.Registers;
using NitroCard.Driver.Simulation;
using NitroCard.Packets;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// The table engine's command path on the Verilated card, register by register (docs/registers.md, TBL_CMD and
/// TBL_STATUS): commands the card must refuse set ERROR and change nothing, a command that meets a commit in flight is
/// refused without disturbing it, and the tables the driver's own tests never read back (routes, the route bank,
/// mappings) read back what was committed. The driver never issues the refused commands, so only these tests reach
/// those paths (docs/benchmarks/rtl-coverage.md).
/// </summary>
public sealed class TableEngineCommandTests
{
    private static readonly IPAddress EdgeIp = IPAddress.Parse("192.0.2.250");

    private static uint CommandWord(int op, int table)
        => ((uint)op << RegisterMap.TblCmdOpShift) | ((uint)table << RegisterMap.TblCmdTableShift);

    /// <summary>Writes TBL_INDEX and TBL_CMD, then polls TBL_STATUS until BUSY clears and returns it.</summary>
    private static uint Command(VerilatedCard card, int op, int table, int index)
    {
        card.Write(RegisterMap.TblIndex, (uint)index);
        card.Write(RegisterMap.TblCmd, CommandWord(op, table));
        return Idle(card);
    }

    private static uint Idle(VerilatedCard card)
    {
        Assert.True(card.Poll(RegisterMap.TblStatus, RegisterMap.TblStatusBusyMask, 0, 10_000, out var status), "TBL_STATUS stayed busy");
        return status;
    }

    private static bool Error(uint status) => (status & RegisterMap.TblStatusErrorMask) != 0;

    private static int Queued(uint status) => (int)((status & RegisterMap.TblStatusQueuedMask) >> RegisterMap.TblStatusQueuedShift);

    private static void StageEdge(VerilatedCard card, int index, uint vni)
    {
        Span<uint> words = stackalloc uint[RegisterMap.TblDataCount];
        words.Clear();
        TableLayout.Edge.Valid.Write(words, 1);
        TableLayout.Edge.Vni.Write(words, vni);
        TableLayout.Edge.UnderlayIp.Write(words, Ipv4Address.ToUInt32(EdgeIp));
        card.WriteBurst(RegisterMap.TblData, words);
        Assert.False(Error(Command(card, (int)TableOp.Stage, (int)TableId.Edge, index)));
    }

    private static uint EdgeVni(RtlCardEngine engine, int index)
    {
        var entry = engine.Driver.ReadEntry(TableId.Edge, index);
        return TableLayout.Edge.Valid.Read(entry) == 1 ? TableLayout.Edge.Vni.Read(entry) : 0;
    }

    [Fact]
    public void Stage_commands_outside_the_tables_or_past_the_batch_are_refused_and_queue_nothing()
    {
        using var engine = new RtlCardEngine();
        var card = engine.Card;
        var geometry = engine.Geometry;

        // A table id past the last table (ROUTE_BANK = 7), an index past the ENI table, an unknown opcode.
        var status = Command(card, (int)TableOp.Stage, 9, 0);
        Assert.True(Error(status));
        Assert.Equal(0, Queued(status));
        status = Command(card, (int)TableOp.Stage, (int)TableId.Eni, geometry.EniSlots);
        Assert.True(Error(status));
        Assert.Equal(0, Queued(status));
        Assert.True(Error(Command(card, 0, (int)TableId.Eni, 0)));
        Assert.True(Error(Command(card, 7, (int)TableId.Eni, 0)));

        // ERROR is sticky until the next command, which clears it: an empty commit is accepted and does nothing.
        status = Command(card, (int)TableOp.Commit, (int)TableId.Eni, 0);
        Assert.False(Error(status));
        Assert.Equal(0, Queued(status));

        // The batch holds BATCH_DEPTH writes; the next one is refused and the batch is left as it was.
        for (var i = 0; i < geometry.BatchDepth; i++)
            StageEdge(card, i % geometry.EdgeEntries, 2000u + (uint)i);
        status = Command(card, (int)TableOp.Stage, (int)TableId.Edge, 0);
        Assert.True(Error(status));
        Assert.Equal(geometry.BatchDepth, Queued(status));

        // Discarded: nothing of the batch reaches the table.
        status = Command(card, (int)TableOp.Discard, (int)TableId.Edge, 0);
        Assert.False(Error(status));
        Assert.Equal(0, Queued(status));
        for (var e = 0; e < geometry.EdgeEntries; e++)
            Assert.Equal(0u, EdgeVni(engine, e));

        // The engine still works: a staged write commits.
        StageEdge(card, 3, 4242);
        Assert.False(Error(Command(card, (int)TableOp.Commit, (int)TableId.Edge, 0)));
        Assert.Equal(4242u, EdgeVni(engine, 3));
    }

    [Fact]
    public void A_command_that_meets_a_commit_in_flight_is_refused_and_the_commit_completes()
    {
        using var engine = new RtlCardEngine();
        var card = engine.Card;
        StageEdge(card, 1, 1001);
        StageEdge(card, 2, 1002);

        // COMMIT and DISCARD in consecutive bus cycles: the DISCARD arrives while the commit runs.
        uint[] addresses = [RegisterMap.TblCmd, RegisterMap.TblCmd];
        uint[] values = [CommandWord((int)TableOp.Commit, (int)TableId.Edge), CommandWord((int)TableOp.Discard, (int)TableId.Edge)];
        card.WriteSequence(addresses, values);
        var status = Idle(card);
        Assert.True(Error(status));
        Assert.Equal(0, Queued(status));
        Assert.Equal(1001u, EdgeVni(engine, 1));
        Assert.Equal(1002u, EdgeVni(engine, 2));

        // A READ refused the same way leaves TBL_RDATA as the last read left it.
        var before = engine.Driver.ReadEntry(TableId.Edge, 2);
        StageEdge(card, 0, 1000);
        values = [CommandWord((int)TableOp.Commit, (int)TableId.Edge), CommandWord((int)TableOp.Read, (int)TableId.Edge)];
        card.Write(RegisterMap.TblIndex, 0);
        card.WriteSequence(addresses, values);
        Assert.True(Error(Idle(card)));
        var rdata = new uint[RegisterMap.TblRdataCount];
        card.ReadBurst(RegisterMap.TblRdata, rdata);
        Assert.Equal(before, rdata);
        Assert.Equal(1000u, EdgeVni(engine, 0));
    }

    [Fact]
    public void Route_intervals_the_route_bank_and_mappings_read_back_as_committed()
    {
        using var engine = new RtlCardEngine();
        var driver = engine.Driver;
        var filters = engine.Geometry.Filtering!;
        driver.Configure(new CardSettings(IPAddress.Parse("192.0.2.11"), MacAddress.Parse("02:4e:c0:00:02:0b"),
            MacAddress.Parse("02:4e:00:00:00:01"), MacAddress.Parse("02:4e:47:57:00:01")));
        driver.SetEni(0, new EniEntry(1001, IPAddress.Parse("10.0.1.10"), MacAddress.Parse("02:00:0a:01:01:0a"), IPNetwork.Parse("10.0.1.0/24")));
        driver.SetMapping(new MappingEntry(1001, IPAddress.Parse("10.0.1.11"), IPAddress.Parse("192.0.2.12"), MacAddress.Parse("02:00:0a:01:01:0b"), null));
        driver.SetRouteTables(
        [
            new RouteTableSpec(IPNetwork.Parse("10.0.0.0/16"),
            [
                new RouteSpec(IPNetwork.Parse("0.0.0.0/0"), RouteKind.Edge, EdgeIp: EdgeIp),
                new RouteSpec(IPNetwork.Parse("203.0.113.0/24"), RouteKind.Blackhole),
            ]),
        ]);
        driver.Commit();

        var bank = (int)TableLayout.RouteBank.Active.Read(driver.ReadEntry(TableId.RouteBank, 0));
        Assert.Equal(driver.ActiveRouteBank, bank);
        var intervals = new List<(uint Start, uint Kind, uint EdgeIp)>();
        for (var position = 0; position < filters.RouteCapacity; position++)
        {
            var entry = driver.ReadEntry(TableId.Route, (bank * filters.RouteDepth) + position);
            if (TableLayout.Route.Valid.Read(entry) == 0)
                break;
            Assert.Equal(0u, TableLayout.Route.Table.Read(entry));
            intervals.Add((TableLayout.Route.Start.Read(entry), TableLayout.Route.Kind.Read(entry), TableLayout.Route.EdgeIp.Read(entry)));
        }
        const uint Local = 1, Edge = 2, Blackhole = 3;
        var edge = Ipv4Address.ToUInt32(EdgeIp);
        Assert.Equal(
        [
            (0x0000_0000u, Edge, edge), (0x0A00_0000u, Local, 0u), (0x0A01_0000u, Edge, edge),
            (0xCB00_7100u, Blackhole, 0u), (0xCB00_7200u, Edge, edge),
        ], intervals);

        // A new route set is written to the other bank and switched in by the route bank entry.
        driver.SetRouteTables([new RouteTableSpec(IPNetwork.Parse("10.0.0.0/16"), [])]);
        driver.Commit();
        Assert.Equal(1 - bank, (int)TableLayout.RouteBank.Active.Read(driver.ReadEntry(TableId.RouteBank, 0)));

        // The mapping reads back from one slot of its bucket in one of the ways, every field as committed.
        var geometry = engine.Geometry;
        var remote = Ipv4Address.Parse("10.0.1.11");
        var hits = new List<uint[]>();
        for (var way = 0; way < geometry.MappingWays; way++)
        {
            var first = (way * geometry.MappingWayDepth) + (CardHash.MappingBucket(way, 1001, remote, geometry.MappingWayDepth / geometry.MappingBucketSlots) * geometry.MappingBucketSlots);
            for (var slot = 0; slot < geometry.MappingBucketSlots; slot++)
            {
                var entry = driver.ReadEntry(TableId.Mapping, first + slot);
                if (TableLayout.Mapping.Valid.Read(entry) == 1)
                    hits.Add(entry);
            }
        }
        var mapping = Assert.Single(hits);
        Assert.Equal(1001u, TableLayout.Mapping.Vni.Read(mapping));
        Assert.Equal(remote, TableLayout.Mapping.Ip.Read(mapping));
        Assert.Equal(0xC000_020Cu, TableLayout.Mapping.UnderlayIp.Read(mapping));
        Assert.Equal(0u, TableLayout.Mapping.Local.Read(mapping));
        Assert.Equal(0x0200u, TableLayout.Mapping.MacHi.Read(mapping));
        Assert.Equal(0x0A01_010Bu, TableLayout.Mapping.MacLo.Read(mapping));
    }
}
