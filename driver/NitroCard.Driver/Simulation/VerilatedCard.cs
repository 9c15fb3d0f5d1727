using NitroCard.Card;
using NitroCard.Card.FlowRecords;

namespace NitroCard.Driver.Simulation;

/// <summary>
/// One Verilated <c>nitro_card</c> in this process, clocked cycle by cycle: its CSR bus, its
/// host and network ports as frame queues, backpressure and gap patterns, and FST waveforms.
/// </summary>
/// <remarks>
/// <para>
/// A card belongs to the thread that created it (Verilator's rule): calls from any other
/// thread throw a <see cref="NitroCardException"/> with <see cref="NitroCardException.NativeStatus"/>
/// -6 (NC_E_THREAD). <see cref="Cycle"/>, <see cref="PendingInputFrames"/> and
/// <see cref="Dispose"/> work from any thread (never concurrently with another call).
/// </para>
/// <para>
/// Time is counted in rising edges of the card's clock since creation (creation holds reset
/// for 8 of them). Every CSR access is exactly one cycle; frames keep moving during it.
/// An RTL <c>$fatal</c>/<c>$error</c>/<c>$stop</c> never ends the process: the call fails with
/// status -2 (NC_E_FATAL) and the card refuses every later call.
/// </para>
/// </remarks>
public sealed class VerilatedCard : ICsrBus, IDisposable
{
    private const int InitialFrameBuffer = 16 * 1024;

    // Drain takes up to this many frames, and this many bytes, per call into the library.
    private const int DrainFrames = 1024;
    private const int DrainBuffer = 256 * 1024;

    // DrainFlowRecords takes up to this many records per call into the library.
    private const int FlowRecordChunk = 256;

    private readonly CardSafeHandle _handle;
    private byte[] _frameBuffer = new byte[InitialFrameBuffer];
    private byte[]? _drainBuffer;
    private uint[]? _flowWords;
    private Interop.FrameInfo[]? _drainFrames;

    private VerilatedCard(CardSafeHandle handle) => _handle = handle;

    /// <summary>
    /// Makes this process load the traced variant of the library (libnitrocard-trace.so), which
    /// <see cref="StartTrace"/> needs: the default libnitrocard.so has no tracing compiled in,
    /// because that code slows every simulated cycle. Call it before the first card is created
    /// (or set NITROCARD_TRACE=1); throws if the default library is already loaded.
    /// </summary>
    public static void UseTracingLibrary()
    {
        if (!Interop.RequestTracing())
            throw new NitroCardException("this process already loaded libnitrocard.so without tracing: ask for tracing before the first card (NITROCARD_TRACE=1)");
    }

    /// <summary>
    /// As <see cref="UseTracingLibrary"/> when libnitrocard-trace.so can be found; otherwise (or
    /// when a library is already loaded) nothing changes. For long-running hosts that may be asked
    /// for a waveform later (a live region).
    /// </summary>
    public static void UseTracingLibraryIfBuilt() => Interop.RequestTracingIfBuilt();

    /// <summary>Whether the loaded library is the traced variant (false before the first card).</summary>
    public static bool TracingLibraryLoaded => Interop.TracingLibraryLoaded;

    /// <summary>Cycles <see cref="Create"/> holds reset for.</summary>
    public const uint CreateResetCycles = 8;

    /// <summary>
    /// Creates a card: loads libnitrocard.so if needed, builds a new model and holds reset for
    /// <see cref="CreateResetCycles"/> cycles. The calling thread owns the card.
    /// </summary>
    /// <exception cref="NitroCardException">The library is missing or the model failed to start.</exception>
    public static VerilatedCard Create()
    {
        Interop.EnsureLibraryLoaded();
        var status = Interop.NcCreate(out var handle);
        if (status < 0)
        {
            handle.Dispose();
            Interop.ThrowOnError(status, null, "nc_create");
        }

        return new VerilatedCard(handle);
    }

    /// <summary>Rising edges of the clock since creation, including reset and CSR cycles.</summary>
    public ulong Cycle => Interop.NcCycle(Handle);

    /// <summary>Input frames queued or partly sent, both input ports together.</summary>
    public int PendingInputFrames => (int)Interop.NcInputPending(Handle);

    /// <summary>
    /// Drops every queued input frame and every collected output frame, then holds reset for
    /// <paramref name="cycles"/> cycles. Backpressure and gap patterns are kept.
    /// </summary>
    public void Reset(uint cycles = 8) => Check(Interop.NcReset(Handle, cycles), "nc_reset");

    /// <summary>Runs <paramref name="cycles"/> clock cycles.</summary>
    public void Step(ulong cycles) => Check(Interop.NcStep(Handle, cycles), "nc_step");

    /// <summary>
    /// Runs until no input frame is queued or in flight, the card's <c>idle</c> output is high
    /// and no output beat is offered or partly collected.
    /// </summary>
    /// <returns>The cycles run (0 when the card was already idle).</returns>
    /// <exception cref="NitroCardException">Not idle after <paramref name="maxCycles"/> (status -3).</exception>
    public ulong RunUntilIdle(ulong maxCycles)
    {
        Check(Interop.NcRunUntilIdle(Handle, maxCycles, out var cyclesRun), "nc_run_until_idle");
        return cyclesRun;
    }

    /// <inheritdoc />
    public uint Read(uint address)
    {
        Check(Interop.NcCsrRead(Handle, address, out var value), "nc_csr_read");
        return value;
    }

    /// <inheritdoc />
    public void Write(uint address, uint value) => Check(Interop.NcCsrWrite(Handle, address, value), "nc_csr_write");

    /// <inheritdoc />
    public unsafe void ReadBurst(uint address, Span<uint> values)
    {
        fixed (uint* p = values)
        {
            Check(Interop.NcCsrReadBurst(Handle, address, p, (uint)values.Length), "nc_csr_read_burst");
        }
    }

    /// <inheritdoc />
    public unsafe void WriteBurst(uint address, ReadOnlySpan<uint> values)
    {
        fixed (uint* p = values)
        {
            Check(Interop.NcCsrWriteBurst(Handle, address, p, (uint)values.Length), "nc_csr_write_burst");
        }
    }

    /// <inheritdoc />
    /// <remarks>One P/Invoke (nc_csr_write_seq) for the whole sequence.</remarks>
    public unsafe void WriteSequence(ReadOnlySpan<uint> addresses, ReadOnlySpan<uint> values)
    {
        if (addresses.Length != values.Length)
            throw new ArgumentException($"{addresses.Length} addresses for {values.Length} values", nameof(values));
        fixed (uint* a = addresses)
        fixed (uint* v = values)
        {
            Check(Interop.NcCsrWriteSeq(Handle, a, v, (uint)values.Length), "nc_csr_write_seq");
        }
    }

    /// <inheritdoc />
    /// <remarks>One P/Invoke (nc_csr_poll) for all the reads.</remarks>
    public bool Poll(uint address, uint mask, uint expected, int maxReads, out uint value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReads, 1);
        var status = Interop.NcCsrPoll(Handle, address, mask, expected, (uint)maxReads, out value, out _);
        if (status == Interop.Status.Timeout)
            return false;
        Check(status, "nc_csr_poll");
        return true;
    }

    /// <summary>Queues a copy of <paramref name="frame"/> for the host input port, from ENI slot <paramref name="slot"/> (0..255).</summary>
    public unsafe void PushHost(int slot, ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            Check(Interop.NcPushHost(Handle, unchecked((uint)slot), p, (uint)frame.Length), "nc_push_host");
        }
    }

    /// <summary>Queues a copy of <paramref name="frame"/> for the network input port.</summary>
    public unsafe void PushNetwork(ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            Check(Interop.NcPushNet(Handle, p, (uint)frame.Length), "nc_push_net");
        }
    }

    /// <summary>
    /// Takes every frame the card has sent to instances, oldest first, into <paramref name="frames"/>:
    /// what <see cref="TryPullHost"/> until false gives, in a few calls into the library instead of one per frame.
    /// </summary>
    /// <returns>How many frames were added.</returns>
    public int DrainHost(ICollection<CardFrame> frames) => Drain(frames, host: true);

    /// <summary>As <see cref="DrainHost"/>, for the frames the card sent to the substrate (their <see cref="CardFrame.Slot"/> is -1).</summary>
    public int DrainNetwork(ICollection<CardFrame> frames) => Drain(frames, host: false);

    /// <summary>Takes the oldest frame the card sent to an instance, if any.</summary>
    /// <param name="frame">The frame when this returns true; null (despite the type) when false.</param>
    public bool TryPullHost(out CardFrame frame) => TryPullWithSlot(punt: false, out frame);

    /// <summary>
    /// Takes the oldest frame the card handed to its punt queue (docs/card-punt.md), if any; its
    /// <see cref="CardFrame.Slot"/> is the ENI slot it came from.
    /// </summary>
    /// <param name="frame">The frame when this returns true; null (despite the type) when false.</param>
    public bool TryPullPunt(out CardFrame frame) => TryPullWithSlot(punt: true, out frame);

    /// <summary>Takes every punted frame, oldest first, into <paramref name="frames"/>; returns how many.</summary>
    public int DrainPunt(ICollection<CardFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var count = 0;
        while (TryPullPunt(out var frame))
        {
            frames.Add(frame);
            count++;
        }
        return count;
    }

    /// <summary>
    /// Takes every flow record the card's record FIFO holds (docs/card-flow-records.md), oldest first, into
    /// <paramref name="records"/>; returns how many. Runs the clock while it reads (one record a cycle).
    /// </summary>
    public unsafe int DrainFlowRecords(ICollection<CardFlowRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        _flowWords ??= new uint[FlowRecordChunk * FlowRecordWords.Words];
        var count = 0;
        while (true)
        {
            int status;
            fixed (uint* p = _flowWords)
            {
                status = Interop.NcPullFlowRecords(Handle, p, FlowRecordChunk, out _);
            }
            var taken = Check(status, "nc_pull_flow_records");
            for (var i = 0; i < taken; i++)
                records.Add(FlowRecordWords.Decode(_flowWords.AsSpan(i * FlowRecordWords.Words, FlowRecordWords.Words)));
            count += taken;
            if (taken < FlowRecordChunk)
                return count;
        }
    }

    /// <summary>Queues a copy of <paramref name="frame"/> for the injection port: delivered to ENI slot <paramref name="slot"/> (0..255) only.</summary>
    public unsafe void PushInject(int slot, ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            Check(Interop.NcPushInject(Handle, unchecked((uint)slot), p, (uint)frame.Length), "nc_push_inject");
        }
    }

    // The host output and the punt queue both carry a slot: one loop for both.
    private unsafe bool TryPullWithSlot(bool punt, out CardFrame frame)
    {
        while (true)
        {
            int status;
            uint length, slot;
            ulong cycle;
            fixed (byte* p = _frameBuffer)
            {
                status = punt
                    ? Interop.NcPullPunt(Handle, p, (uint)_frameBuffer.Length, out length, out slot, out cycle)
                    : Interop.NcPullHost(Handle, p, (uint)_frameBuffer.Length, out length, out slot, out cycle);
            }

            if (status == Interop.Status.Buffer)
            {
                _frameBuffer = new byte[length];
                continue;
            }

            frame = Check(status, punt ? "nc_pull_punt" : "nc_pull_host") == 1 ? new CardFrame(_frameBuffer[..(int)length], (int)slot, cycle) : null!;
            return frame is not null;
        }
    }

    /// <summary>Takes the oldest frame the card sent to the substrate, if any (its <see cref="CardFrame.Slot"/> is -1).</summary>
    /// <param name="frame">The frame when this returns true; null (despite the type) when false.</param>
    public unsafe bool TryPullNetwork(out CardFrame frame)
    {
        while (true)
        {
            int status;
            uint length;
            ulong cycle;
            fixed (byte* p = _frameBuffer)
            {
                status = Interop.NcPullNet(Handle, p, (uint)_frameBuffer.Length, out length, out cycle);
            }

            if (status == Interop.Status.Buffer)
            {
                _frameBuffer = new byte[length];
                continue;
            }

            frame = Check(status, "nc_pull_net") == 1 ? new CardFrame(_frameBuffer[..(int)length], -1, cycle) : null!;
            return frame is not null;
        }
    }

    /// <summary>
    /// Backpressure on an output port (<see cref="CardPort.HostOut"/> or <see cref="CardPort.NetworkOut"/>):
    /// <c>tready</c> is high in a cycle with probability <paramref name="percent"/>/100 (100 = always),
    /// drawn from a deterministic generator seeded with <paramref name="seed"/>.
    /// </summary>
    public void SetOutputReadiness(CardPort port, int percent, ulong seed) =>
        Check(Interop.NcSetReady(Handle, (uint)port, unchecked((uint)percent), seed), "nc_set_ready");

    /// <summary>
    /// Gaps on an input port (<see cref="CardPort.HostIn"/> or <see cref="CardPort.NetworkIn"/>): a beat is
    /// offered in a cycle with probability <paramref name="percent"/>/100 (100 = back to back) and stays
    /// valid until taken, deterministic from <paramref name="seed"/>.
    /// </summary>
    public void SetInputValidity(CardPort port, int percent, ulong seed) =>
        Check(Interop.NcSetValid(Handle, (uint)port, unchecked((uint)percent), seed), "nc_set_valid");

    /// <summary>
    /// Starts writing an FST waveform (both clock phases of every later cycle) to <paramref name="path"/>.
    /// Needs the traced library (<see cref="UseTracingLibrary"/>); the default one throws a
    /// <see cref="NitroCardException"/> that says so.
    /// </summary>
    public void StartTrace(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Check(Interop.NcTraceStart(Handle, Path.GetFullPath(path)), "nc_trace_start");
    }

    /// <summary>Flushes and closes the waveform, if one is open.</summary>
    public void StopTrace() => Check(Interop.NcTraceStop(Handle), "nc_trace_stop");

    /// <summary>Destroys the model (running its final blocks). Safe to call more than once, from any thread.</summary>
    public void Dispose() => _handle.Dispose();

    private unsafe int Drain(ICollection<CardFrame> frames, bool host)
    {
        ArgumentNullException.ThrowIfNull(frames);
        _drainBuffer ??= new byte[DrainBuffer];
        _drainFrames ??= new Interop.FrameInfo[DrainFrames];
        var added = 0;
        while (true)
        {
            int taken;
            fixed (byte* buffer = _drainBuffer)
            fixed (Interop.FrameInfo* info = _drainFrames)
            {
                taken = host
                    ? Interop.NcPullHostMany(Handle, buffer, (uint)_drainBuffer.Length, info, (uint)_drainFrames.Length)
                    : Interop.NcPullNetMany(Handle, buffer, (uint)_drainBuffer.Length, info, (uint)_drainFrames.Length);
            }

            if (taken == Interop.Status.Buffer)
            {
                _drainBuffer = new byte[_drainFrames[0].Length];
                continue;
            }

            Check(taken, host ? "nc_pull_host_many" : "nc_pull_net_many");
            if (taken == 0)
                return added;
            var offset = 0;
            for (var i = 0; i < taken; i++)
            {
                var info = _drainFrames[i];
                var length = (int)info.Length;
                frames.Add(new CardFrame(_drainBuffer.AsSpan(offset, length).ToArray(), host ? (int)info.Slot : -1, info.Cycle));
                offset += length;
            }

            added += taken;
        }
    }

    private CardSafeHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle;
        }
    }

    private int Check(int status, string operation) => Interop.ThrowOnError(status, _handle, operation);
}
