using System.Net;
using NitroCard.Card;
using NitroCard.Card.Tables;
using NitroCard.Driver.Registers;
using NitroCard.Packets;

namespace NitroCard.Driver.Tests;

public class CardDriverTests
{
    private static readonly IPAddress Underlay = IPAddress.Parse("192.0.2.11");

    private static MappingEntry Mapping(uint vni, int host, int? slot = null)
        => new(vni, Ipv4Address.FromUInt32(0x0A00_0000u | (uint)host), Underlay, new MacAddress(0x0200_0000_0000UL | (uint)host), slot);

    private static EniEntry Eni(uint vni, string ip)
        => new(vni, IPAddress.Parse(ip), MacAddress.Parse("02:00:0a:00:01:0a"), IPNetwork.Parse("10.0.1.0/24"));

    [Fact]
    public void Reads_geometry_from_the_parameter_registers()
    {
        var driver = new CardDriver(new FakeCard(eniSlots: 8, wayDepthLog2: 4, edges: 4, batchDepth: 8));
        Assert.Equal(new CardGeometry(8, 2, 16, 4, 9001, 8), driver.Geometry);
    }

    [Fact]
    public void Refuses_a_bus_without_a_card()
    {
        var fake = new FakeCard();
        fake.SetRegister(RegisterMap.Id, 0xDEADBEEF);
        var e = Assert.Throws<NitroCardException>(() => new CardDriver(fake));
        Assert.Contains("0xDEADBEEF", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_writes_settings_registers_with_mac_byte_order()
    {
        var fake = new FakeCard();
        var driver = new CardDriver(fake);
        driver.Configure(new CardSettings(Underlay, MacAddress.Parse("02:4e:c0:00:02:0b"), MacAddress.Parse("02:4e:00:00:00:01"), MacAddress.Parse("02:4e:47:57:00:01"), 0b101));
        Assert.Equal(0xC000_020Bu, fake.Register(RegisterMap.UnderlayIp));
        Assert.Equal(0x0000_024Eu, fake.Register(RegisterMap.UnderlayMacHi));
        Assert.Equal(0xC000_020Bu, fake.Register(RegisterMap.UnderlayMacLo));
        Assert.Equal(0x4757_0001u, fake.Register(RegisterMap.GatewayMacLo));
        Assert.Equal(0b101u, fake.Register(RegisterMap.AlarmMask));
    }

    [Fact]
    public void Eni_entry_is_encoded_per_the_register_map()
    {
        var fake = new FakeCard();
        var driver = new CardDriver(fake);
        driver.SetEni(3, Eni(1001, "10.0.1.10"));
        driver.Commit();
        var w = fake.Tables[(int)TableId.Eni][3];
        Assert.Equal(1u, TableLayout.Eni.Valid.Read(w));
        Assert.Equal(1u, TableLayout.Eni.SrcDstCheck.Read(w));
        Assert.Equal(24u, TableLayout.Eni.SubnetLen.Read(w));
        Assert.Equal(1001u, TableLayout.Eni.Vni.Read(w));
        Assert.Equal(0x0A00_010Au, TableLayout.Eni.Ip.Read(w));
        Assert.Equal(0x0A00_0100u, TableLayout.Eni.Subnet.Read(w));
        Assert.Equal(0x0200u, TableLayout.Eni.MacHi.Read(w));
        Assert.Equal(0x0A00_010Au, TableLayout.Eni.MacLo.Read(w));
        Assert.Equal(w, driver.ReadEntry(TableId.Eni, 3));
    }

    [Fact]
    public void Staged_changes_reach_the_card_only_at_commit()
    {
        var fake = new FakeCard();
        var driver = new CardDriver(fake);
        driver.AddMapping(Mapping(7, 1));
        Assert.Null(fake.Lookup(7, 0x0A00_0001));
        driver.Commit();
        Assert.NotNull(fake.Lookup(7, 0x0A00_0001));
    }

    /// <summary>Adds mappings one commit at a time until the driver finds no place; returns how many it placed.</summary>
    private static int FillUntilFull(CardDriver driver, uint vni, int firstHost, int capacity)
    {
        for (var i = 0; i < capacity; i++)
        {
            driver.AddMapping(Mapping(vni, firstHost + i));
            try
            {
                driver.Commit();
            }
            catch (CardTableFullException)
            {
                driver.DiscardStaged();
                return i;
            }
        }
        return capacity;
    }

    [Fact]
    public void Four_slot_buckets_let_the_table_fill_past_ninety_percent()
    {
        var fake = new FakeCard(wayDepthLog2: 10, batchDepth: 64, bucketSlotsLog2: 2);
        var driver = new CardDriver(fake);
        Assert.Equal(4, driver.Geometry.MappingBucketSlots);
        var capacity = 2 * fake.WayDepth;
        var placed = FillUntilFull(driver, 77, 5000, capacity);
        Assert.True(placed >= capacity * 9 / 10, $"only {placed} of {capacity} placed");
        for (var i = 0; i < placed; i++)
            Assert.NotNull(fake.Lookup(77, 0x0A00_0000u | (uint)(5000 + i)));
    }

    [Fact]
    public void Cuckoo_placement_fills_the_table_to_capacity_and_every_key_stays_findable()
    {
        var fake = new FakeCard(wayDepthLog2: 6, batchDepth: 16);
        var driver = new CardDriver(fake);
        var capacity = 2 * fake.WayDepth;
        var placed = FillUntilFull(driver, 42, 1000, capacity);
        // Two-way cuckoo hashing with one slot per bucket and a BFS path search reaches about
        // 50% load; anything placed must be findable by the card's lookup.
        Assert.True(placed >= capacity / 2, $"only {placed} of {capacity} placed");
        for (var i = 0; i < placed; i++)
            Assert.NotNull(fake.Lookup(42, 0x0A00_0000u | (uint)(1000 + i)));
        Assert.Equal(placed, driver.MappingCount);
    }

    [Fact]
    public void A_full_table_throws_and_leaves_the_card_exactly_as_it_was()
    {
        var fake = new FakeCard(wayDepthLog2: 2, batchDepth: 4);
        var driver = new CardDriver(fake);
        var host = 0;
        while (true)
        {
            driver.AddMapping(Mapping(5, ++host));
            try
            {
                driver.Commit();
            }
            catch (CardTableFullException e)
            {
                Assert.Contains("Mapping table full", e.Message, StringComparison.Ordinal);
                break;
            }
        }
        driver.DiscardStaged();
        var before = fake.Snapshot();
        var count = driver.MappingCount;
        driver.AddMapping(Mapping(6, 1));
        driver.AddMapping(Mapping(6, 2));
        driver.AddMapping(Mapping(6, 3));
        driver.AddMapping(Mapping(6, 4));
        driver.AddMapping(Mapping(6, 5));
        Assert.Throws<CardTableFullException>(driver.Commit);
        Assert.Equal(before, fake.Snapshot());
        Assert.Equal(count, driver.MappingCount);
    }

    [Fact]
    public void Batches_are_split_at_the_card_batch_depth()
    {
        var fake = new FakeCard(wayDepthLog2: 8, batchDepth: 8);
        var driver = new CardDriver(fake);
        for (var i = 0; i < 20; i++)
            driver.AddMapping(Mapping(9, i + 1));
        driver.Commit();
        Assert.Equal(8, fake.LargestBatch);
        Assert.Equal(3, fake.Commits);
    }

    [Fact]
    public void Duplicate_key_unknown_key_bad_vni_and_bad_slot_are_refused_with_the_problem_named()
    {
        var driver = new CardDriver(new FakeCard());
        driver.AddMapping(Mapping(9, 1));
        Assert.Contains("Duplicate mapping key vni 9 10.0.0.1", Assert.Throws<ArgumentException>(() => driver.AddMapping(Mapping(9, 1))).Message, StringComparison.Ordinal);
        Assert.Contains("Unknown mapping key", Assert.Throws<ArgumentException>(() => driver.RemoveMapping(new MappingKey(9, 2))).Message, StringComparison.Ordinal);
        Assert.Contains("VNI 16777216", Assert.Throws<ArgumentOutOfRangeException>(() => driver.AddMapping(Mapping(1 << 24, 1))).Message, StringComparison.Ordinal);
        Assert.Contains("slot 8 is out of range", Assert.Throws<ArgumentOutOfRangeException>(() => driver.SetEni(8, Eni(1, "10.0.1.5"))).Message, StringComparison.Ordinal);
        Assert.Contains("not inside its subnet", Assert.Throws<ArgumentException>(() => driver.SetEni(0, Eni(1, "10.0.2.5"))).Message, StringComparison.Ordinal);
        Assert.Contains("unicast", Assert.Throws<ArgumentException>(() => driver.AddMapping(new MappingEntry(9, IPAddress.Parse("224.0.0.1"), Underlay, default))).Message, StringComparison.Ordinal);
        Assert.Equal(1, driver.StagedCount);
    }

    [Fact]
    public void A_mapping_to_an_empty_eni_slot_is_refused_at_commit_with_nothing_written()
    {
        var fake = new FakeCard();
        var driver = new CardDriver(fake);
        var before = fake.Snapshot();
        driver.AddMapping(Mapping(9, 1, slot: 2));
        var e = Assert.Throws<NitroCardException>(driver.Commit);
        Assert.Contains("slot 2, which holds no ENI", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, fake.Snapshot());
        Assert.Equal(0, driver.MappingCount);
    }

    [Theory]
    [InlineData(TableWriteMode.Posted)]
    [InlineData(TableWriteMode.Checked)]
    public void A_card_error_discards_the_queued_batch(TableWriteMode mode)
    {
        var fake = new FakeCard();
        var driver = new CardDriver(fake, mode);
        fake.RejectStageOf = ((int)TableId.Eni, 0);
        driver.SetEni(0, Eni(1, "10.0.1.5"));
        var e = Assert.Throws<NitroCardException>(driver.Commit);
        Assert.Contains("rejected Stage of Eni entry 0", e.Message, StringComparison.Ordinal);
        Assert.Null(driver.GetEni(0));
        Assert.Equal(0u, fake.Read(RegisterMap.TblStatus) & RegisterMap.TblStatusQueuedMask);
    }

    [Fact]
    public void A_posted_write_the_card_rejects_mid_batch_is_named_and_nothing_is_committed()
    {
        var fake = new FakeCard(batchDepth: 8);
        var driver = new CardDriver(fake, TableWriteMode.Posted);
        var before = fake.Snapshot();
        for (var slot = 0; slot < 5; slot++)
            driver.SetEni(slot, Eni(1, $"10.0.1.{5 + slot}"));
        fake.RejectStageOf = ((int)TableId.Eni, 3);
        var e = Assert.Throws<NitroCardException>(driver.Commit);
        Assert.Contains("rejected Stage of Eni entry 3", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, fake.Commits);
        Assert.Equal(before, fake.Snapshot());
        Assert.Null(driver.GetEni(0));
        Assert.Equal(0u, fake.Read(RegisterMap.TblStatus) & RegisterMap.TblStatusQueuedMask);
    }

    [Fact]
    public void Posted_and_checked_commits_leave_the_same_tables_with_fewer_bus_cycles()
    {
        static (FakeCard Fake, CardDriver Driver) Load(TableWriteMode mode)
        {
            var fake = new FakeCard(wayDepthLog2: 10, batchDepth: 8, bucketSlotsLog2: 2);
            var driver = new CardDriver(fake, mode);
            driver.SetEni(1, Eni(9, "10.0.1.5"));
            for (var host = 1; host <= 300; host++)
                driver.AddMapping(Mapping((uint)(9 + (host % 3)), host, host % 7 == 0 ? 1 : null));
            driver.Commit();
            for (var host = 1; host <= 300; host += 5)
                driver.RemoveMapping(new MappingKey((uint)(9 + (host % 3)), 0x0A00_0000u | (uint)host));
            for (var host = 2; host <= 300; host += 5)
                driver.SetMapping(Mapping((uint)(9 + (host % 3)), host, 1));
            driver.SetEdge(2, new EdgeEntry(9, Underlay));
            driver.Commit();
            return (fake, driver);
        }

        var posted = Load(TableWriteMode.Posted);
        var checkedPath = Load(TableWriteMode.Checked);
        Assert.Equal(checkedPath.Fake.Snapshot(), posted.Fake.Snapshot());
        Assert.Equal(checkedPath.Fake.Commits, posted.Fake.Commits);
        Assert.Equal(checkedPath.Driver.MappingCount, posted.Driver.MappingCount);
        // Posted: per commit one TBL_STATUS read before it and one poll after it, nothing per entry; checked: a read per entry too.
        var probe = new FakeCard(wayDepthLog2: 10, batchDepth: 8, bucketSlotsLog2: 2);
        _ = new CardDriver(probe);
        Assert.Equal(probe.BusReads + (2 * posted.Fake.Commits), posted.Fake.BusReads);
        Assert.True(checkedPath.Fake.BusReads - posted.Fake.BusReads > 300, $"{checkedPath.Fake.BusReads} reads checked, {posted.Fake.BusReads} posted");
        Assert.True(posted.Fake.StagingWordWrites < checkedPath.Fake.StagingWordWrites / 2,
            $"{posted.Fake.StagingWordWrites} staging word writes posted, {checkedPath.Fake.StagingWordWrites} checked");
    }

    [Fact]
    public void Filling_an_empty_table_in_one_commit_writes_each_mapping_once_however_the_cuckoo_paths_moved_them()
    {
        // Scrambled addresses: the card's CRC hashes spread consecutive ones without a single collision.
        static MappingEntry Scrambled(int n) => Mapping(9, (int)(((uint)n * 2_654_435_761u) & 0xFF_FFFF));
        var fake = new FakeCard(wayDepthLog2: 8, batchDepth: 8, bucketSlotsLog2: 1);
        var driver = new CardDriver(fake);
        var placed = new List<int>();
        for (var n = 1; placed.Count < 460; n++)
        {
            // Near full (460 of 512): one commit per key, so every cuckoo move is a write the card needs.
            driver.AddMapping(Scrambled(n));
            try
            {
                driver.Commit();
                placed.Add(n);
            }
            catch (CardTableFullException)
            {
                driver.DiscardStaged();
            }
        }
        var fresh = new FakeCard(wayDepthLog2: 8, batchDepth: 8, bucketSlotsLog2: 1);
        var loader = new CardDriver(fresh);
        foreach (var n in placed)
            loader.AddMapping(Scrambled(n));
        loader.Commit();
        Assert.True(fake.Stages > placed.Count + 20, $"the one-by-one fill moved few keys ({fake.Stages} stages for {placed.Count} mappings)");
        Assert.Equal(placed.Count, fresh.Stages);
        Assert.Equal(placed.Count, loader.MappingCount);
        foreach (var n in placed)
        {
            var key = Scrambled(n).Key;
            Assert.NotNull(fresh.Lookup(key.Vni, key.Ip));
        }
    }

    [Fact]
    public void Keys_committed_before_a_load_stay_findable_at_every_batch_of_it()
    {
        static MappingEntry Scrambled(int n) => Mapping(9, (int)(((uint)n * 2_654_435_761u) & 0xFF_FFFF));
        var fake = new FakeCard(wayDepthLog2: 8, batchDepth: 8, bucketSlotsLog2: 1);
        var driver = new CardDriver(fake);
        var old = Enumerable.Range(1, 300).Select(Scrambled).ToList();
        foreach (var m in old)
            driver.AddMapping(m);
        driver.Commit();
        var checkedBatches = 0;
        fake.Committed = () =>
        {
            checkedBatches++;
            foreach (var m in old)
                Assert.NotNull(fake.Lookup(m.Key.Vni, m.Key.Ip));
        };
        // 140 more in one commit: near full, their cuckoo paths move old keys and keys of this same load.
        var added = Enumerable.Range(301, 140).Select(Scrambled).ToList();
        foreach (var m in added)
            driver.AddMapping(m);
        driver.Commit();
        Assert.True(checkedBatches > 10, $"{checkedBatches} batches");
        foreach (var m in old.Concat(added))
            Assert.NotNull(fake.Lookup(m.Key.Vni, m.Key.Ip));
    }

    [Fact]
    public void A_posted_stage_writes_only_the_staging_words_that_changed()
    {
        var fake = new FakeCard(wayDepthLog2: 8, batchDepth: 8);
        var driver = new CardDriver(fake, TableWriteMode.Posted);
        driver.AddMapping(Mapping(9, 1));
        driver.AddMapping(Mapping(9, 2));
        driver.Commit();
        // The first entry writes all 8 words; the second differs in IP (TBL_DATA2) and MAC_LO (TBL_DATA4) only.
        Assert.Equal(8 + 2, fake.StagingWordWrites);
        Assert.NotNull(fake.Lookup(9, 0x0A00_0001));
        Assert.NotNull(fake.Lookup(9, 0x0A00_0002));
    }

    [Fact]
    public void Replace_and_remove_write_in_place()
    {
        var fake = new FakeCard();
        var driver = new CardDriver(fake);
        driver.SetEni(1, Eni(9, "10.0.1.5"));
        driver.AddMapping(Mapping(9, 1));
        driver.Commit();
        driver.SetMapping(Mapping(9, 1, slot: 1));
        driver.Commit();
        Assert.Equal(1u, TableLayout.Mapping.Local.Read(fake.Lookup(9, 0x0A00_0001)!));
        driver.RemoveMapping(new MappingKey(9, 0x0A00_0001));
        driver.Commit();
        Assert.Null(fake.Lookup(9, 0x0A00_0001));
    }

    [Fact]
    public void Counters_are_read_as_64_bit_pairs()
    {
        var fake = new FakeCard(eniSlots: 2);
        fake.SetRegister(RegisterMap.DropCount + (8 * (uint)DropReason.SpoofedSource), 5);
        fake.SetRegister(RegisterMap.DropCount + (8 * (uint)DropReason.SpoofedSource) + 4, 1);
        fake.SetRegister(RegisterMap.EniCount + (8 * ((1 * 4) + 3)), 1500);
        var counters = new CardDriver(fake).ReadCounters();
        Assert.Equal((1UL << 32) + 5, counters[DropReason.SpoofedSource]);
        Assert.Equal(1500UL, counters.Enis[1].RxBytes);
        Assert.Equal(0UL, counters.Enis[0].TxPackets);
    }

    [Fact]
    public void Alarms_are_decoded_and_popped()
    {
        var fake = new FakeCard();
        fake.Alarms.Add([77, 1, (uint)DropReason.SpoofedSource | (3u << 8), 1001, 0xC000_020C, 0x0A00_0114, 0x0A00_010A, 0]);
        var driver = new CardDriver(fake);
        var alarm = Assert.Single(driver.DrainAlarms());
        Assert.Equal(new CardAlarm((1UL << 32) + 77, DropReason.SpoofedSource, 3, 1001, IPAddress.Parse("192.0.2.12"), IPAddress.Parse("10.0.1.20"), IPAddress.Parse("10.0.1.10")), alarm);
        Assert.Empty(fake.Alarms);
        Assert.Empty(driver.DrainAlarms());
    }
}
