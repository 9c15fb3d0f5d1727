using System.Globalization;

namespace NitroCard.Live;

/// <summary>
/// Faults a card host's pump puts on its substrate link (this kernel has no netem): each frame the card sends to the
/// underlay, and each frame the underlay sends to the card, is dropped with probability <see cref="Drop"/>, sent twice
/// with <see cref="Duplicate"/>, held <see cref="Delay"/> ± <see cref="Jitter"/>, and with <see cref="Reorder"/> held
/// <see cref="ReorderHold"/> longer, so the frames behind it overtake it. Each direction of each card has its own seeded
/// generator (<see cref="Seed"/> mixed with the card and the direction): a run is repeatable frame by frame.
/// </summary>
public sealed record SubstrateFaults(double Drop = 0, double Duplicate = 0, double Reorder = 0, TimeSpan Delay = default, TimeSpan Jitter = default, int Seed = 1)
{
    /// <summary>How much longer than its delay a reordered frame is held.</summary>
    public static readonly TimeSpan ReorderHold = TimeSpan.FromMilliseconds(2);

    /// <summary>The text <see cref="Parse"/> takes.</summary>
    public const string Syntax = "drop=P,duplicate=P,reorder=P,delay=MS,jitter=MS,seed=N (P a probability from 0 to 1, MS milliseconds; any subset)";

    /// <summary>No fault at all.</summary>
    public bool IsNone => Drop == 0 && Duplicate == 0 && Reorder == 0 && Delay == TimeSpan.Zero && Jitter == TimeSpan.Zero;

    /// <summary>Parses <see cref="Syntax"/>; a <see cref="FormatException"/> names the field that is wrong.</summary>
    public static SubstrateFaults Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var faults = new SubstrateFaults();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                throw new FormatException($"substrate faults: '{part}' is not name=value; expected {Syntax}");
            var name = part[..equals];
            var value = part[(equals + 1)..];
            if (!seen.Add(name))
                throw new FormatException($"substrate faults: {name} is given twice");
            faults = name switch
            {
                "drop" => faults with { Drop = Probability(name, value) },
                "duplicate" => faults with { Duplicate = Probability(name, value) },
                "reorder" => faults with { Reorder = Probability(name, value) },
                "delay" => faults with { Delay = Milliseconds(name, value) },
                "jitter" => faults with { Jitter = Milliseconds(name, value) },
                "seed" => faults with { Seed = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : throw new FormatException($"substrate faults: seed '{value}' is not an integer") },
                _ => throw new FormatException($"substrate faults: unknown fault '{name}'; expected {Syntax}"),
            };
        }
        if (faults.Jitter > faults.Delay)
            throw new FormatException($"substrate faults: jitter ({faults.Jitter.TotalMilliseconds} ms) is larger than delay ({faults.Delay.TotalMilliseconds} ms): a frame cannot leave before it arrived");
        return faults;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"drop={Drop},duplicate={Duplicate},reorder={Reorder},delay={Delay.TotalMilliseconds},jitter={Jitter.TotalMilliseconds},seed={Seed}");

    private static double Probability(string name, string value)
        => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 1
            ? p
            : throw new FormatException($"substrate faults: {name} '{value}' is not a probability from 0 to 1");

    private static TimeSpan Milliseconds(string name, string value)
        => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms is >= 0 and <= 10_000
            ? TimeSpan.FromMilliseconds(ms)
            : throw new FormatException($"substrate faults: {name} '{value}' is not a number of milliseconds from 0 to 10000");
}

/// <summary>
/// One direction of one card's substrate link under <see cref="SubstrateFaults"/>: frames are offered as they come and
/// released when due, in due order (frames due at the same time in the order offered). One thread (the card's) offers
/// and releases; the counts may be read from any thread.
/// </summary>
public sealed class SubstrateFaultInjector(SubstrateFaults faults, int stream, TimeProvider? time = null)
{
    private readonly Random _random = new(HashCode.Combine(faults.Seed, stream));
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly PriorityQueue<byte[], (long Due, long Sequence)> _held = new();
    private long _sequence;
    private long _dropped;
    private long _duplicated;
    private long _reordered;

    /// <summary>Frames dropped.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Frames sent twice.</summary>
    public long Duplicated => Interlocked.Read(ref _duplicated);

    /// <summary>Frames held back so that later ones overtook them.</summary>
    public long Reordered => Interlocked.Read(ref _reordered);

    /// <summary>Frames held now.</summary>
    public int Held => _held.Count;

    /// <summary>Takes a frame onto the link.</summary>
    public void Offer(byte[] frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (faults.Drop > 0 && _random.NextDouble() < faults.Drop)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }
        var copies = 1;
        if (faults.Duplicate > 0 && _random.NextDouble() < faults.Duplicate)
        {
            Interlocked.Increment(ref _duplicated);
            copies = 2;
        }
        var now = _time.GetTimestamp();
        for (var c = 0; c < copies; c++)
        {
            var hold = faults.Delay;
            if (faults.Jitter > TimeSpan.Zero)
                hold += faults.Jitter * ((2 * _random.NextDouble()) - 1);
            if (faults.Reorder > 0 && _random.NextDouble() < faults.Reorder)
            {
                Interlocked.Increment(ref _reordered);
                hold += SubstrateFaults.ReorderHold;
            }
            _held.Enqueue(frame, (now + (long)(hold.TotalSeconds * _time.TimestampFrequency), _sequence++));
        }
    }

    /// <summary>Hands every frame due by now to <paramref name="send"/>, in due order; returns how many.</summary>
    public int Release(Action<byte[]> send)
    {
        ArgumentNullException.ThrowIfNull(send);
        var now = _time.GetTimestamp();
        var released = 0;
        while (_held.TryPeek(out var frame, out var at) && at.Due <= now)
        {
            _held.Dequeue();
            send(frame);
            released++;
        }
        return released;
    }

    /// <summary>How long until the next held frame is due (zero if one is due now), or null when none is held.</summary>
    public TimeSpan? UntilNext()
    {
        if (!_held.TryPeek(out _, out var at))
            return null;
        var ticks = at.Due - _time.GetTimestamp();
        return ticks <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)ticks / _time.TimestampFrequency);
    }
}
