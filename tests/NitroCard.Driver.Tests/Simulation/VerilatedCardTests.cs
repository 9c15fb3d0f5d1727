using NitroCard.Card;
using NitroCard.Driver.Simulation;

namespace NitroCard.Driver.Tests;

/// <summary>
/// libnitrocard.so through <see cref="VerilatedCard"/>. These tests rely only on what every
/// build of the card has (ID and SCRATCH registers, the stream handshakes), not on packet
/// semantics, so they hold for the real RTL as for any card with its ports.
/// </summary>
public class VerilatedCardTests
{
    private const uint IdAddress = 0x0000;
    private const uint ScratchAddress = 0x0014;
    private const uint IdValue = 0x4E495452; // "NITR"

    private const int ArgumentStatus = -1;
    private const int TimeoutStatus = -3;
    private const int IoStatus = -5;
    private const int ThreadStatus = -6;

    [Fact]
    public void Id_register_reads_NITR()
    {
        using var card = VerilatedCard.Create();
        Assert.Equal(IdValue, card.Read(IdAddress));
    }

    [Fact]
    public void Create_holds_reset_for_8_cycles_and_scratch_starts_at_zero()
    {
        using var card = VerilatedCard.Create();
        Assert.Equal(VerilatedCard.CreateResetCycles, card.Cycle);
        Assert.Equal(0u, card.Read(ScratchAddress));
    }

    [Fact]
    public void Several_cards_in_one_process_are_independent()
    {
        var cards = Enumerable.Range(0, 4).Select(_ => VerilatedCard.Create()).ToArray();
        try
        {
            for (var i = 0; i < cards.Length; i++)
            {
                cards[i].Write(ScratchAddress, 0x1111_1111u * (uint)(i + 1));
                cards[i].Step((ulong)(10 * i));
            }

            for (var i = 0; i < cards.Length; i++)
            {
                Assert.Equal(0x1111_1111u * (uint)(i + 1), cards[i].Read(ScratchAddress));
                Assert.Equal(IdValue, cards[i].Read(IdAddress));
                // create (8) + write (1) + step (10 i) + two reads (2)
                Assert.Equal(8ul + 1 + (ulong)(10 * i) + 2, cards[i].Cycle);
            }

            // Resetting one card leaves the others alone.
            cards[0].Reset();
            Assert.Equal(0u, cards[0].Read(ScratchAddress));
            Assert.Equal(0x2222_2222u, cards[1].Read(ScratchAddress));
        }
        finally
        {
            foreach (var card in cards)
            {
                card.Dispose();
            }
        }
    }

    [Fact]
    public void Burst_read_equals_single_reads()
    {
        using var card = VerilatedCard.Create();
        card.Write(ScratchAddress, 0xCAFE_F00D);
        var singles = Enumerable.Range(0, 6).Select(i => card.Read(IdAddress + (4u * (uint)i))).ToArray();

        var burst = new uint[6];
        card.ReadBurst(IdAddress, burst);

        Assert.Equal(singles, burst);
        Assert.Equal(IdValue, burst[0]);
        Assert.Equal(0xCAFE_F00Du, burst[5]);
    }

    [Fact]
    public void Burst_write_equals_single_writes()
    {
        using var card = VerilatedCard.Create();
        card.WriteBurst(ScratchAddress, [0x0BAD_CAFEu]);
        Assert.Equal(0x0BAD_CAFEu, card.Read(ScratchAddress));
        card.Write(ScratchAddress, 0x1234_5678);
        var back = new uint[1];
        card.ReadBurst(ScratchAddress, back);
        Assert.Equal(0x1234_5678u, back[0]);

        card.WriteBurst(ScratchAddress, ReadOnlySpan<uint>.Empty);
        card.ReadBurst(ScratchAddress, Span<uint>.Empty);
    }

    [Fact]
    public void Cycle_counter_advances_by_exactly_the_cycles_run()
    {
        using var card = VerilatedCard.Create();
        var start = card.Cycle;

        card.Step(0);
        Assert.Equal(start, card.Cycle);
        card.Step(1000);
        Assert.Equal(start + 1000, card.Cycle);

        // Every CSR access is exactly one cycle; a burst is one per register.
        _ = card.Read(IdAddress);
        Assert.Equal(start + 1001, card.Cycle);
        card.Write(ScratchAddress, 7);
        Assert.Equal(start + 1002, card.Cycle);
        card.ReadBurst(IdAddress, new uint[6]);
        Assert.Equal(start + 1008, card.Cycle);
        card.WriteBurst(ScratchAddress, [1u]);
        Assert.Equal(start + 1009, card.Cycle);

        // An idle card is idle at once; reset counts its cycles.
        Assert.Equal(0ul, card.RunUntilIdle(100));
        Assert.Equal(start + 1009, card.Cycle);
        card.Reset(5);
        Assert.Equal(start + 1014, card.Cycle);
    }

    [Fact]
    public void Queued_input_frames_all_enter_the_card_through_gaps()
    {
        using var card = VerilatedCard.Create();
        card.SetInputValidity(CardPort.HostIn, 40, seed: 1);
        card.SetInputValidity(CardPort.NetworkIn, 60, seed: 2);
        foreach (var length in new[] { 1, 63, 64, 65, 128, 1500 })
        {
            var frame = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
            card.PushHost(3, frame);
            card.PushNetwork(frame);
        }

        Assert.Equal(12, card.PendingInputFrames);
        var ran = card.RunUntilIdle(100_000);
        Assert.True(ran > 0);
        Assert.Equal(0, card.PendingInputFrames);
    }

    [Fact]
    public void Same_seeds_give_the_same_cycle_counts()
    {
        ulong Run()
        {
            using var card = VerilatedCard.Create();
            card.SetInputValidity(CardPort.HostIn, 30, seed: 42);
            card.SetOutputReadiness(CardPort.HostOut, 50, seed: 43);
            card.SetOutputReadiness(CardPort.NetworkOut, 50, seed: 44);
            card.PushHost(1, new byte[700]);
            card.PushHost(2, new byte[90]);
            return card.RunUntilIdle(100_000);
        }

        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Reset_drops_queued_frames()
    {
        using var card = VerilatedCard.Create();
        card.SetInputValidity(CardPort.HostIn, 0, seed: 0);
        card.PushHost(0, new byte[100]);
        card.PushNetwork(new byte[100]);
        Assert.Equal(2, card.PendingInputFrames);
        card.Reset();
        Assert.Equal(0, card.PendingInputFrames);
        Assert.False(card.TryPullHost(out _));
        Assert.False(card.TryPullNetwork(out _));
    }

    [Fact]
    public void Run_until_idle_times_out_after_exactly_max_cycles()
    {
        using var card = VerilatedCard.Create();
        card.SetInputValidity(CardPort.NetworkIn, 0, seed: 0); // never offers the beat
        card.PushNetwork(new byte[60]);
        var before = card.Cycle;

        var e = Assert.Throws<NitroCardException>(() => card.RunUntilIdle(250));

        Assert.Equal(TimeoutStatus, e.NativeStatus);
        Assert.Contains("250", e.Message, StringComparison.Ordinal);
        Assert.Equal(before + 250, card.Cycle);
    }

    [Fact]
    public void Fst_trace_writes_a_non_empty_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nitrocard-{Guid.NewGuid():N}.fst");
        try
        {
            using (var card = VerilatedCard.Create())
            {
                if (!VerilatedCard.TracingLibraryLoaded)
                {
                    // The default library has no tracing: it says which library has.
                    var refused = Assert.Throws<NitroCardException>(() => card.StartTrace(path));
                    Assert.Contains("libnitrocard-trace.so", refused.Message, StringComparison.Ordinal);
                    card.StopTrace(); // nothing open: no-op
                    card.Step(1);
                    return;
                }

                card.StartTrace(path);
                card.Write(ScratchAddress, 0xA5A5_A5A5);
                card.Step(200);
                Assert.Throws<NitroCardException>(() => card.StartTrace(path + ".second"));
                card.StopTrace();
                card.StopTrace(); // nothing open: no-op

                // A second trace on the same card after the first is closed.
                card.StartTrace(path + ".2");
                card.Step(10);
                card.StopTrace();
            }

            Assert.True(new FileInfo(path).Length > 0);
            Assert.True(new FileInfo(path + ".2").Length > 0);
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".2");
        }
    }

    public static TheoryData<string, Action<VerilatedCard>> BadArguments => new()
    {
        { "unaligned CSR read", card => card.Read(0x0003) },
        { "CSR read beyond the 16-bit bus", card => card.Read(0x1_0000) },
        { "CSR write beyond the 16-bit bus", card => card.Write(0xFFFF_FFFC, 0) },
        { "burst running off the bus", card => card.ReadBurst(0xFFF8, new uint[4]) },
        { "slot beyond tuser", card => card.PushHost(256, new byte[64]) },
        { "negative slot", card => card.PushHost(-1, new byte[64]) },
        { "readiness on an input", card => card.SetOutputReadiness(CardPort.HostIn, 50, 1) },
        { "validity on an output", card => card.SetInputValidity(CardPort.NetworkOut, 50, 1) },
        { "percent above 100", card => card.SetOutputReadiness(CardPort.HostOut, 101, 1) },
        { "negative percent", card => card.SetInputValidity(CardPort.HostIn, -5, 1) },
        { "zero-cycle reset", card => card.Reset(0) },
        { "write sequence with an address beyond the bus after good ones", card => card.WriteSequence([ScratchAddress, 0x1_0000], [7, 8]) },
        { "write sequence with an unaligned address", card => card.WriteSequence([0x0016], [7]) },
        { "poll of an unaligned address", card => card.Poll(0x0003, 0, 0, 1, out _) },
    };

    [Fact]
    public void A_write_sequence_is_one_write_cycle_per_register_in_order()
    {
        using var card = VerilatedCard.Create();
        const uint tblData2 = 0x0108;
        const uint tblIndex = 0x0120;
        var before = card.Cycle;
        // Not consecutive, and SCRATCH twice: the later write wins.
        card.WriteSequence([ScratchAddress, tblData2, tblIndex, ScratchAddress], [1, 0xDEAD_BEEF, 42, 0x1234_5678]);
        Assert.Equal(before + 4, card.Cycle);
        Assert.Equal(0x1234_5678u, card.Read(ScratchAddress));
        Assert.Equal(0xDEAD_BEEFu, card.Read(tblData2));
        Assert.Equal(42u, card.Read(tblIndex));
        card.WriteSequence([], []);
        Assert.Equal(before + 7, card.Cycle);
    }

    [Fact]
    public void A_poll_reads_once_a_cycle_until_the_value_matches_or_the_reads_run_out()
    {
        using var card = VerilatedCard.Create();
        card.Write(ScratchAddress, 0x0000_00A5);
        var before = card.Cycle;
        Assert.True(card.Poll(ScratchAddress, 0xFF, 0xA5, 10, out var value));
        Assert.Equal(0xA5u, value);
        Assert.Equal(before + 1, card.Cycle);
        Assert.False(card.Poll(ScratchAddress, 0xFF, 0x5A, 7, out value));
        Assert.Equal(0xA5u, value);
        Assert.Equal(before + 1 + 7, card.Cycle);
        Assert.Throws<ArgumentOutOfRangeException>(() => card.Poll(ScratchAddress, 0, 0, 0, out _));
    }

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_arguments_throw_NitroCardException_and_leave_the_card_usable(string what, Action<VerilatedCard> call)
    {
        using var card = VerilatedCard.Create();
        var before = card.Cycle;

        var e = Assert.Throws<NitroCardException>(() => call(card));

        Assert.Equal(ArgumentStatus, e.NativeStatus);
        Assert.False(string.IsNullOrWhiteSpace(e.Message), what);
        Assert.Equal(before, card.Cycle); // refused before any cycle ran
        Assert.Equal(IdValue, card.Read(IdAddress));
    }

    [Fact]
    public void Trace_to_an_unwritable_path_throws_an_io_error()
    {
        using var card = VerilatedCard.Create();
        var e = Assert.Throws<NitroCardException>(() => card.StartTrace("/nonexistent-nitrocard-dir/trace.fst"));
        if (VerilatedCard.TracingLibraryLoaded)
        {
            Assert.Equal(IoStatus, e.NativeStatus);
            Assert.Contains("/nonexistent-nitrocard-dir/trace.fst", e.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("libnitrocard-trace.so", e.Message, StringComparison.Ordinal);   // no tracing in the default library
        }
        card.Step(1);
    }

    [Fact]
    public void Use_from_another_thread_throws_a_clear_NitroCardException()
    {
        using var card = VerilatedCard.Create();
        card.Write(ScratchAddress, 99);
        var cycle = card.Cycle;

        Exception? stepError = null, readError = null;
        ulong cycleSeenThere = 0;
        var other = new Thread(() =>
        {
            stepError = Record.Exception(() => card.Step(1));
            readError = Record.Exception(() => card.Read(ScratchAddress));
            cycleSeenThere = card.Cycle; // reading the counter is allowed anywhere
        });
        other.Start();
        other.Join();

        foreach (var error in new[] { stepError, readError })
        {
            var e = Assert.IsType<NitroCardException>(error);
            Assert.Equal(ThreadStatus, e.NativeStatus);
            Assert.Contains("thread that created it", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(cycle, cycleSeenThere);
        Assert.Equal(cycle, card.Cycle); // nothing ran
        Assert.Equal(99u, card.Read(ScratchAddress)); // still fine on its own thread
    }

    [Fact]
    public void Dispose_twice_is_safe_and_use_after_dispose_throws_ObjectDisposedException()
    {
        var card = VerilatedCard.Create();
        card.Dispose();
        card.Dispose();
        Assert.Throws<ObjectDisposedException>(() => card.Read(IdAddress));
        Assert.Throws<ObjectDisposedException>(() => card.Step(1));
    }

    [Fact]
    public void Dispose_from_another_thread_is_safe()
    {
        var card = VerilatedCard.Create();
        card.Step(10);
        var other = new Thread(card.Dispose);
        other.Start();
        other.Join();
        card.Dispose();

        using var next = VerilatedCard.Create(); // the library is still healthy
        Assert.Equal(IdValue, next.Read(IdAddress));
    }

    [Fact]
    public void Library_candidates_follow_the_documented_order()
    {
        var candidates = Interop.LibraryCandidates().ToList();
        var baseDirectory = AppContext.BaseDirectory;

        Assert.Equal(Path.Combine(baseDirectory, "libnitrocard.so"), candidates[0]);
        Assert.Equal(Path.GetFullPath(Path.Combine(baseDirectory, "..", "lib", "libnitrocard.so")), candidates[1]);
        Assert.Contains(Path.Combine(Path.GetPathRoot(baseDirectory)!, "out", "lib", "libnitrocard.so"), candidates);
        Assert.All(candidates.Skip(2), c => Assert.EndsWith(Path.Combine("out", "lib", "libnitrocard.so"), c, StringComparison.Ordinal));
    }
}
