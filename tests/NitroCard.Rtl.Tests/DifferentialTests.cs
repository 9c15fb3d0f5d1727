using System.Text;
using NitroCard.Card;
using NitroCard.Card.Punt;
using NitroCard.Driver.Simulation;
using NitroCard.Model;
using NitroCard.Packets;
using Xunit.Abstractions;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// The RTL and the software model must agree on every frame, counter and alarm for the same
/// seeded random traffic: valid, invalid, spoofed, cross-VPC, truncated at random bytes, and frames to the
/// link-local services, which both must punt alike (the same frames, slots, token bucket drops and punt counters).
/// A mismatch writes a reproducer pcap (the inputs of the failing batch) under out/differential/.
/// The suite runs 100,000 frames of one seed; <c>dotnet pwsh ./build.ps1 soak</c> runs the same test on more frames and
/// other seeds through <see cref="FramesVariable"/> and <see cref="SeedVariable"/>.
/// </summary>
public class DifferentialTests(ITestOutputHelper output)
{
    /// <summary>How many frames to run (default 100,000, at least one batch).</summary>
    public const string FramesVariable = "NITROCARD_DIFFERENTIAL_FRAMES";

    /// <summary>The generator's seed (default 20261127).</summary>
    public const string SeedVariable = "NITROCARD_DIFFERENTIAL_SEED";

    private const int BatchSize = 500;

    // A small bucket and a clock that moves a little every batch, so the mix has punts and rate-limit drops alike.
    private static readonly PuntLimit TestPuntLimit = new(Burst: 6, RefillLog2: 6);
    private const ulong MicrosecondsPerBatch = 200;

    [Fact]
    public void Rtl_and_model_agree_on_seeded_random_frames()
    {
        var totalFrames = Setting(FramesVariable, 100_000L, minimum: BatchSize);
        var seed = (ulong)Setting(SeedVariable, 20261127L, minimum: 0);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var topology = CardTopology.Sample();
        using var rtl = new RtlCardEngine();
        using var model = new ModelCard(CardGeometry.Default);
        topology.LoadInto(rtl);
        topology.LoadInto(model);
        rtl.SetPuntLimit(TestPuntLimit);
        model.SetPuntLimit(TestPuntLimit);
        var generator = new FrameGenerator(topology, seed);
        var kinds = new Dictionary<GeneratedKind, int>();
        var punted = 0;

        for (var sent = 0L; sent < totalFrames; sent += BatchSize)
        {
            var now = (ulong)(sent / BatchSize) * MicrosecondsPerBatch;
            rtl.SetTime(now);
            model.SetTime(now);
            var batch = generator.Take(BatchSize).ToList();
            foreach (var frame in batch)
                kinds[frame.Kind] = kinds.GetValueOrDefault(frame.Kind) + 1;
            // One port at a time: each port keeps its order, so outputs compare in sequence.
            foreach (var fromNetwork in new[] { false, true })
            {
                var part = batch.Where(f => f.FromNetwork == fromNetwork).ToList();
                foreach (var frame in part)
                {
                    frame.PushTo(rtl);
                    frame.PushTo(model);
                }
                rtl.RunUntilIdle();
                model.RunUntilIdle();
                var rtlPunts = rtl.DrainPunt();
                punted += rtlPunts.Count;
                var mismatch = Compare("host", rtl.DrainHost(), model.DrainHost())
                    ?? Compare("network", rtl.DrainNetwork(), model.DrainNetwork())
                    ?? Compare("punt", rtlPunts, model.DrainPunt())
                    ?? CompareAlarms(rtl.DrainAlarms(), model.DrainAlarms());
                if (mismatch is not null)
                    Assert.Fail($"RTL and model disagree in frames {sent}..{sent + BatchSize} ({(fromNetwork ? "network" : "host")} port): {mismatch}\nreproducer: {WriteReproducer(seed, sent, part)}");
            }
        }
        var rtlCounters = rtl.ReadCounters();
        var modelCounters = model.ReadCounters();
        Assert.Equal(modelCounters.Drops, rtlCounters.Drops);
        Assert.Equal(modelCounters.Enis, rtlCounters.Enis);
        Assert.Equal(modelCounters.AlarmOverflow, rtlCounters.AlarmOverflow);
        Assert.Equal(model.ReadPuntCounters(), rtl.ReadPuntCounters());
        Assert.True(punted > totalFrames / 100, $"only {punted} frames punted");
        Assert.Equal((ulong)punted, rtl.ReadPuntCounters().Aggregate(0UL, (sum, c) => sum + c.Punted));
        Assert.True(rtlCounters[DropReason.PuntRateLimit] > 0, "no punt-rate-limit drops in the mix");
        Assert.True(rtlCounters[DropReason.PuntQueueFull] > 0, "no punt-queue-full drops in the mix");
        // The mix must really exercise the card: every kind of frame, and every reason the card can give without route tables and security groups.
        Assert.All(Enum.GetValues<GeneratedKind>(), k => Assert.True(kinds.GetValueOrDefault(k) > totalFrames / 1000, $"{k}: only {kinds.GetValueOrDefault(k)} frames"));
        DropReason[] expected = [DropReason.Malformed, DropReason.Unsupported, DropReason.SourceCheck, DropReason.UnknownDestination, DropReason.NotOnHost, DropReason.SpoofedSource, DropReason.MtuExceeded, DropReason.TtlExpired];
        Assert.All(expected, r => Assert.True(rtlCounters[r] > 0, $"no {r.ToWireName()} drops in the mix"));
        // build.ps1 soak reads this line.
        output.WriteLine(FormattableString.Invariant(
            $"differential: {totalFrames} frames, seed {seed}, rtl == model, {clock.Elapsed.TotalSeconds:F1} s, {totalFrames / clock.Elapsed.TotalSeconds:F0} frames/s"));
    }

    private static long Setting(string variable, long fallback, long minimum)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(text))
            return fallback;
        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new ArgumentException($"{variable}={text}: expected a whole number of at least {minimum}");
    }

    private static string? Compare(string port, IReadOnlyList<CardFrame> rtl, IReadOnlyList<CardFrame> model)
    {
        for (var i = 0; i < Math.Max(rtl.Count, model.Count); i++)
        {
            if (i >= rtl.Count || i >= model.Count)
                return $"{port} output count: rtl {rtl.Count}, model {model.Count}";
            if (rtl[i].Slot != model[i].Slot || !rtl[i].Data.AsSpan().SequenceEqual(model[i].Data))
                return $"{port} output {i}: rtl slot {rtl[i].Slot} {Convert.ToHexString(rtl[i].Data)}\n  model slot {model[i].Slot} {Convert.ToHexString(model[i].Data)}";
        }
        return null;
    }

    private static string? CompareAlarms(IReadOnlyList<CardAlarm> rtl, IReadOnlyList<CardAlarm> model)
    {
        var r = rtl.Select(a => a with { Cycle = 0 }).ToList();
        for (var i = 0; i < Math.Max(r.Count, model.Count); i++)
        {
            if (i >= r.Count || i >= model.Count)
                return $"alarm count: rtl {r.Count}, model {model.Count}";
            if (r[i] != model[i])
                return $"alarm {i}: rtl {r[i]}, model {model[i]}";
        }
        return null;
    }

    private static string WriteReproducer(ulong seed, long offset, IReadOnlyList<GeneratedFrame> frames)
    {
        var dir = RepoPaths.File("out/differential");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"seed{seed}-frame{offset}.pcap");
        PcapWriter.WriteFile(path, frames.Select((f, i) => new PcapRecord(i, f.Data)));
        var notes = new StringBuilder();
        foreach (var f in frames)
            notes.AppendLine(f.ToString());
        File.WriteAllText(Path.ChangeExtension(path, ".txt"), notes.ToString());
        return path;
    }
}
