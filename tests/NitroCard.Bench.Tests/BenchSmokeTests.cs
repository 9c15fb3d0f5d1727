namespace NitroCard.Bench.Tests;

/// <summary>
/// The benchmark's measurement code (tools/NitroCard.Bench, <c>dotnet pwsh ./build.ps1 bench</c>)
/// run with tiny sizes: the numbers it produces must be sane. Cycle counts and frame counts are deterministic and
/// asserted exactly; wall-clock figures must be the ones derived from what was measured (never timed here).
/// </summary>
public class BenchSmokeTests
{
    [Theory]
    [InlineData(Direction.TxEncap, 64)]
    [InlineData(Direction.TxLocal, 65)]
    [InlineData(Direction.RxDecap, 1514)]
    public void Steady_state_is_measured_at_or_above_the_bus_bound(Direction direction, int size)
    {
        var traffic = BenchTraffic.Sample();
        using var card = CycleBench.CreateCard(traffic);
        var r = CycleBench.Measure(card, traffic, direction, size, frames: 8);
        Assert.Null(r.Problem);
        Assert.Equal(8, r.Delivered);
        Assert.Equal(0UL, r.Drops);
        Assert.Equal(Math.Max((r.InBytes + 63) / 64, (r.OutBytes + 63) / 64), r.Bound);
        Assert.True(r.CyclesPerPacket >= r.Bound, $"{r.CyclesPerPacket} cycles per packet is below the bus bound {r.Bound}: the measurement is wrong");
        Assert.True(r.LatencyCycles >= (ulong)BenchTraffic.Beats(r.OutBytes), $"latency {r.LatencyCycles} cycles is shorter than the output frame");
    }

    [Fact]
    public void The_tracking_table_offer_accounts_for_every_flow_and_replays_the_admitted_ones_at_the_bound()
    {
        // 2% of the 1M-flow table: a few buckets may fill; every flow is either admitted or counted conntrack-full.
        var r = ExhaustionBench.Run(BenchTraffic.Sample(), 0.02, lateNew: 10);
        Assert.Null(r.Problem);
        Assert.Equal(1 << 20, r.Capacity);
        Assert.Equal(20_971, r.Offered);
        Assert.Equal((ulong)(r.Offered - r.Admitted), r.ConntrackFull);
        Assert.Equal(r.ConntrackFull, r.AllowanceExceeded);
        Assert.Equal((ulong)(r.Capacity - r.Admitted), r.FreeAfter);
        Assert.Equal(r.Admitted, r.Established);
        Assert.Equal(ExhaustionResult.Bound, r.EstablishedCyclesPerPacket);
        Assert.Equal(0UL, r.OtherDrops);
    }

    [Fact]
    public void Mapping_load_places_every_entry_and_counts_csr_cycles()
    {
        var traffic = BenchTraffic.Sample();
        using var card = CycleBench.CreateCard(traffic);
        var entries = traffic.RandomMappings(seed: 7).Take(100).ToList();
        var load = MappingLoad.Load(card, entries, "smoke");
        Assert.Null(load.Failure);
        Assert.Equal(100, load.Loaded);
        Assert.Equal(100 + traffic.Topology.Mappings.Count, load.TableEntries);
        Assert.True(load.CyclesPerEntry >= 2, $"{load.CyclesPerEntry} CSR cycles per entry");
        Assert.True(load.Elapsed > TimeSpan.Zero, "the load was not timed");
        Assert.Equal(load.Loaded / load.Elapsed.TotalSeconds, load.EntriesPerSecond);

        // The loaded tables still pass traffic.
        Assert.Null(CycleBench.Measure(card, traffic, Direction.RxDecap, 60, frames: 4).Problem);
    }

    [Fact]
    public void Mapping_load_that_does_not_fit_is_reported_not_thrown()
    {
        var traffic = BenchTraffic.Sample();
        using var card = CycleBench.CreateCard(traffic);
        var duplicate = traffic.RandomMappings(seed: 8).First();
        var load = MappingLoad.Load(card, [duplicate, duplicate], "duplicate");
        Assert.NotNull(load.Failure);
        Assert.Equal(0, load.Loaded);
        Assert.Equal(traffic.Topology.Mappings.Count, load.TableEntries);
    }

    [Theory]
    [InlineData("rtl", "encap-64")]
    [InlineData("rtl", "differential-mix")]
    [InlineData("model", "valid-mix")]
    [InlineData("model-direct", "encap-1514")]
    public void Wall_clock_benchmark_runs_setup_and_batches_on_one_thread(string engine, string workload)
    {
        var bench = new SimulationThroughput { Engine = engine, Workload = workload };
        bench.Setup();
        var delivered = bench.RunBatch() + bench.RunBatch();
        bench.Cleanup();

        // Valid workloads come out frame for frame (an ARP request as its reply); the differential mix drops some.
        if (workload == "differential-mix")
            Assert.InRange(delivered, 1, (2 * SimulationThroughput.BatchFrames) - 1);
        else
            Assert.Equal(2 * SimulationThroughput.BatchFrames, delivered);
        var ledger = ThroughputLedger.Get(bench.Key);
        Assert.NotNull(ledger);
        Assert.True(ledger.OneThread);
        Assert.Equal(2 * SimulationThroughput.BatchFrames, ledger.Packets);
        if (engine == "rtl")
            Assert.True(ledger.CyclesPerPacket >= 1, $"{ledger.CyclesPerPacket} simulated cycles per packet");
        else
            Assert.Equal(0, ledger.CyclesPerPacket);
    }

    [Fact]
    public void Workloads_pass_on_the_card_where_they_should()
    {
        var traffic = BenchTraffic.Sample();
        foreach (var workload in new[] { "encap-64", "encap-1514", "valid-mix" })
        {
            using var card = CycleBench.CreateCard(traffic);
            var frames = SimulationThroughput.BuildWorkload(traffic, workload, 32);
            foreach (var f in frames)
                f.PushTo(card);
            card.RunUntilIdle();
            // Valid traffic only: every frame comes out (an ARP request comes back as a reply).
            Assert.Equal(32, card.DrainHost().Count + card.DrainNetwork().Count);
        }
    }

    [Fact]
    public void Report_renders_markdown_tables()
    {
        var options = BenchOptions.Parse(["--root", RepoPaths.Root, "--quick", "--out", Path.Combine(Path.GetTempPath(), "bench-smoke.md")]);
        var results = new BenchResults();
        results.Cycles.Add(new SteadyState(Direction.TxEncap, 64, 10, 10, 2.0, 11, 0, null));
        results.Cycles.Add(new SteadyState(Direction.RxDecap, 65, 10, 10, 2.5, 14, 0, null));
        results.WallClock.Add(new WallClockResult("rtl", "encap-64", 8000, 7000, 9000, 7, 2.04, true, null));
        results.WallClock.Add(new WallClockResult("model", "encap-64", 500, 450, 550, 7, 0, true, null));
        var text = Report.Render(options, new MachineInfo(DateTimeOffset.UnixEpoch, 2, "cpu", "Verilator 5.006", ".NET", "Linux", "abc", "lib"), results);

        Assert.Contains("Generated by `dotnet pwsh ./build.ps1 bench --quick`", text, StringComparison.Ordinal);
        Assert.Contains("| 64 | 64 | 114 | 2 | 2.000 | 1.000 | 11 | yes |", text, StringComparison.Ordinal);
        // 2.5 cycles against a bound of 2 is reported, precisely.
        Assert.Contains("RX decapsulation (network in = inner + 50 → host out), 65 B (in 115 B, out 65 B): 2.500 cycles/packet against a bound of 2 — ratio 1.250", text, StringComparison.Ordinal);
        Assert.Contains("| encap-64 | rtl | 125,000 |", text, StringComparison.Ordinal);
        Assert.Contains("| encap-64 | model | 2,000,000 |", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Pictures_are_drawn_from_the_results_and_linked_from_their_sections()
    {
        var results = new BenchResults();
        foreach (var size in new[] { 64, 1514 })
        {
            results.Cycles.Add(new SteadyState(Direction.TxEncap, size, 10, 10, BenchTraffic.Bound(Direction.TxEncap, size), 11, 0, null));
            results.Cycles.Add(new SteadyState(Direction.RxDecap, size, 10, 10, BenchTraffic.Bound(Direction.RxDecap, size) * 1.1, 14, 0, null));
        }
        results.WallClock.Add(new WallClockResult("rtl", "encap-64", 8000, 7000, 9000, 7, 2.04, true, null));
        results.WallClock.Add(new WallClockResult("model", "encap-64", 500, 450, 550, 7, 0, true, null));
        var dir = Directory.CreateTempSubdirectory("bench-plots-");
        try
        {
            var written = Plots.Write(results, dir.FullName, quick: false);
            Assert.Equal([Plots.CyclesFile, Plots.SpeedFile, Plots.RtlCyclesFile], written);
            foreach (var file in written)
            {
                var bytes = File.ReadAllBytes(Path.Combine(dir.FullName, file));
                Assert.True(bytes.Length > 5_000, $"{file}: {bytes.Length} bytes");
                Assert.Equal("89504E470D0A1A0A", Convert.ToHexString(bytes.AsSpan(0, 8))); // a PNG
            }

            var options = BenchOptions.Parse(["--root", RepoPaths.Root, "--out", Path.Combine(dir.FullName, "BENCHMARKS.md")]);
            var text = Report.Render(options, new MachineInfo(DateTimeOffset.UnixEpoch, 2, "cpu", "Verilator 5.006", ".NET", "Linux", "abc", "lib"), results, written);
            Assert.True(text.IndexOf($"(benchmarks/{Plots.CyclesFile})", StringComparison.Ordinal) < text.IndexOf("## 2.", StringComparison.Ordinal));
            Assert.True(text.IndexOf($"(benchmarks/{Plots.RtlCyclesFile})", StringComparison.Ordinal) > text.IndexOf("## 2.", StringComparison.Ordinal));
            // No wall-clock figures: no speed pictures, and none linked.
            results.WallClock.Clear();
            Assert.Equal([Plots.CyclesFile], Plots.Write(results, dir.FullName, quick: true));
            Assert.DoesNotContain(Plots.SpeedFile, Report.Render(options, new MachineInfo(DateTimeOffset.UnixEpoch, 2, "cpu", "v", ".NET", "Linux", "abc", "lib"), results, [Plots.CyclesFile]), StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Yosys_stat_summary_takes_the_design_hierarchy_total()
    {
        const string log = """
            === sub ===

               Number of cells:                 18
                 CARRY4                          2
                 FDRE                            8
                 LUT2                            8

            === design hierarchy ===

               t                                 1
                 sub                             2

               Number of wires:                 48
               Number of cells:                112
                 BUFG                            1
                 CARRY8                          4
                 FDRE                           16
                 FDSE                            2
                 LUT2                           16
                 LUT6                            3
                 RAM64M                          5
                 RAMB18E2                        1
                 RAMB36E2                        4

            Warnings: 31 unique messages, 31 total
            """;
        var stat = YosysStat.Parse(log);
        Assert.NotNull(stat);
        Assert.Equal(19, stat.Luts);
        Assert.Equal(18, stat.FlipFlops);
        Assert.Equal(4.5, stat.BramTiles);
        Assert.Equal(5, stat.LutRam);
        Assert.Equal(4, stat.Carry);
        Assert.Null(YosysStat.Parse("no statistics here"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("--root")]
    [InlineData("--root {root} --frobnicate")]
    [InlineData("--root {root} --only cycles,nonsense")]
    [InlineData("--quick")]
    public void Bad_command_lines_are_refused(string commandLine)
    {
        var args = commandLine.Replace("{root}", RepoPaths.Root, StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(args));
    }
}
