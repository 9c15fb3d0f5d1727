using NitroCard.Driver.Registers;
using NitroCard.Driver.Simulation;
using NitroCard.Model;
using NitroCard.Packets;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// Registers of the Verilated card that no forwarding test reads or writes out of range (docs/registers.md): the cycle
/// counter, a punt entry write for a slot the card does not have, the injection queue's drop counter. Aimed at RTL
/// the other suites leave untaken (docs/benchmarks/rtl-coverage.md).
/// </summary>
public sealed class CardRegisterTests
{
    private static readonly CardTopology Topology = CardTopology.Sample();

    [Fact]
    public void The_cycle_counter_reads_the_cards_cycle_and_counts_the_cycles_run()
    {
        using var engine = new RtlCardEngine();
        // CYCLE counts from the end of reset; the shim's cycle count includes the reset cycles. Their difference,
        // taken just before each read, stays the same when the counter counts every clock.
        (ulong Value, ulong Offset) Read()
        {
            var from = engine.Card.Cycle;
            var value = engine.Driver.ReadCycle();
            Assert.InRange(value, 1UL, from);
            return (value, from - value);
        }

        var before = Read();
        engine.Card.Step(1_000);
        var after = Read();
        Assert.Equal(before.Offset, after.Offset);
        Assert.InRange(after.Value - before.Value, 1_000UL, 1_010UL);
        // CYCLE_LO latched CYCLE_HI when it was read: both words are one instant (below 2^32 cycles, 0).
        Assert.Equal((uint)(after.Value >> 32), engine.Card.Read(RegisterMap.CycleHi));
    }

    [Fact]
    public void A_punt_entry_write_for_a_slot_past_the_table_changes_no_slot()
    {
        using var engine = new RtlCardEngine();
        Topology.LoadInto(engine);
        var eni = Topology.Enis.Single(e => e.Slot == 0).Entry;
        var resolver = Ipv4Address.Parse("10.0.0.2");
        var dns = Frames.Pad(Frames.Udp(Topology.Settings.GatewayMac.Value, eni.Mac.Value, eni.Ip, Ipv4Address.FromUInt32(resolver), 40000, 53, new byte[20]));

        int Punted()
        {
            engine.PushHost(0, dns);
            engine.RunUntilIdle();
            engine.DrainHost();
            engine.DrainNetwork();
            engine.DrainAlarms();
            return engine.DrainPunt().Count;
        }

        Assert.Equal(1, Punted());
        // Slot 64 (the table has 64 slots) would be slot 0 with its upper bit dropped: the write must be ignored.
        engine.Card.Write(RegisterMap.PuntEniAddr, 0);
        engine.Card.Write(RegisterMap.PuntEniSet, (uint)engine.Geometry.EniSlots);
        Assert.Equal(1, Punted());
        // The same write for slot 0 itself takes its punt entry away.
        engine.Card.Write(RegisterMap.PuntEniSet, 0);
        Assert.Equal(0, Punted());
    }

    [Fact]
    public void An_injected_frame_longer_than_the_injection_queue_is_dropped_and_counted_and_the_next_is_delivered()
    {
        using var engine = new RtlCardEngine();
        Topology.LoadInto(engine);
        var eni = Topology.Enis.Single(e => e.Slot == 1).Entry;
        var answer = Frames.Pad(Frames.Ipv4(eni.Mac.Value, Topology.Settings.GatewayMac.Value,
            new Ipv4Fields(PuntRule.DnsAddress, Ipv4Address.ToUInt32(eni.Ip), Ipv4Header.ProtocolUdp),
            UdpHeader.Build(PuntRule.DnsAddress, Ipv4Address.ToUInt32(eni.Ip), 53, 40000, new byte[100])));
        var tooLong = Frames.Pad(answer, engine.PuntQueueBytes + 64);

        engine.Inject(1, tooLong);
        engine.Inject(1, answer);
        engine.RunUntilIdle();
        Assert.Equal(1u, engine.Driver.ReadInjectDrops());
        var delivered = Assert.Single(engine.DrainHost());
        Assert.Equal(1, delivered.Slot);
        Assert.Equal(answer, delivered.Data);
    }
}
