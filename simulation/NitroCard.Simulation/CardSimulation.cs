using NitroCard.Card;
using NitroCard.Driver.Simulation;
using NitroCard.Packets;
using NitroCard.Region;

namespace NitroCard.Simulation;

/// <summary>
/// Runs pcaps through one host's card. Frames are offered in timestamp order across all
/// inputs (ties keep the inputs' order); frames with equal timestamps are pushed back to back,
/// paced only by the card's tready, and the card runs until idle before the next timestamp.
/// The card's time base follows the timestamps; idle gaps are not clocked cycle by cycle.
/// Inputs are read and outputs written one timestamp group at a time, so memory does not grow with the files.
/// </summary>
public static class CardSimulation
{
    /// <summary>
    /// What <c>nitroctl simulate</c> runs once its options are parsed: checks every input's pcap file header, loads
    /// <paramref name="plan"/> (a card without filtering hardware is reported through <paramref name="warning"/>), runs
    /// the inputs' records merged in timestamp order through <paramref name="engine"/> and writes the contract's files
    /// into a staging directory beside <paramref name="outputDirectory"/>, moved into place only when the whole run
    /// succeeded: a bad record or a failure part-way changes nothing there. With <paramref name="tracePath"/> the
    /// Verilated card writes an FST waveform of the run.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tracePath"/> is given and <paramref name="engine"/> is not the Verilated card.</exception>
    /// <exception cref="SimulationException">An input is missing, or the output directory cannot be staged (the message names the file).</exception>
    /// <exception cref="PcapFormatException">An input is not a pcap or has a bad record (the message names the file, the record and the field).</exception>
    public static SimulationResult Run(ICardEngine engine, HostCardPlan plan, IReadOnlyList<SimulationInput> inputs, string outputDirectory, string? tracePath = null, Action<string>? warning = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(inputs);
        var traced = tracePath is null ? null
            : (engine as RtlCardEngine)?.Card ?? throw new ArgumentException($"a waveform needs the rtl engine, not {engine.Name}", nameof(tracePath));
        // Every file header is checked before the run; the records are read as the run goes.
        using var pcaps = new PcapInputs<int>();
        foreach (var input in inputs)
            pcaps.Add(input.Slot, input.File);

        if (!plan.LoadInto(engine))
            warning?.Invoke($"{engine.Name}: this card has no filtering hardware: route tables, network ACLs and security groups are not enforced");
        using var staged = new StagedOutputDirectory(outputDirectory);
        traced?.StartTrace(tracePath!);
        SimulationResult result;
        using (var writer = new SimulationOutput(staged.Staging, plan))
            result = Run(engine, pcaps.Records(), writer);
        traced?.StopTrace();
        staged.Commit();
        return result;
    }

    /// <summary>Offers <paramref name="frames"/> (in timestamp order; slot -1: from the network) and hands each group's results to <paramref name="output"/>.</summary>
    public static SimulationResult Run(ICardEngine engine, IEnumerable<(int Slot, PcapRecord Record)> frames, SimulationOutput output)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(output);
        long framesIn = 0;
        ulong? cycles = null;
        using var next = frames.GetEnumerator();
        var pending = next.MoveNext();
        while (pending)
        {
            var timestamp = next.Current.Record.TimestampMicroseconds;
            engine.SetTime((ulong)Math.Max(timestamp, 0));
            for (; pending && next.Current.Record.TimestampMicroseconds == timestamp; pending = next.MoveNext())
            {
                var (slot, record) = next.Current;
                if (slot < 0)
                    engine.PushNetwork(record.Data);
                else
                    engine.PushHost(slot, record.Data);
                framesIn++;
            }
            if (engine.RunUntilIdle() is { } ran)
                cycles = (cycles ?? 0) + ran;
            output.Add(timestamp, engine.DrainNetwork(), engine.DrainHost(), engine.DrainAlarms());
        }
        var counters = engine.ReadCounters();
        output.Finish(counters, cycles);
        return new SimulationResult(framesIn, output.NetworkFrames, output.HostFrames, output.AlarmCount, counters, cycles);
    }
}
