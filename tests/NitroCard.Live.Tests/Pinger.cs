using System.Globalization;
using System.Text.RegularExpressions;

namespace NitroCard.Live.Tests;

/// <summary><c>ping -D -i 0.05</c> in a namespace, its replies timestamped.</summary>
internal sealed partial class Pinger : IDisposable
{
    private readonly BackgroundProcess _ping;
    private readonly List<DateTime> _replies = [];
    private bool _disposed;

    private Pinger(BackgroundProcess ping)
    {
        _ping = ping;
        ping.Process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && Reply().Match(e.Data) is { Success: true } m)
            {
                var at = DateTime.UnixEpoch.AddSeconds(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
                lock (_replies)
                    _replies.Add(at);
            }
        };
        ping.Process.BeginOutputReadLine();
        ping.Process.BeginErrorReadLine();
    }

    public static Pinger Start(string ns, string destination) => new(Host.StartIn(ns, "ping", "-D", "-n", "-i", "0.05", destination));

    /// <summary>The longest time without a reply since <paramref name="from"/> (up to now).</summary>
    public TimeSpan LongestGap(DateTime from)
    {
        lock (_replies)
        {
            var times = _replies.Where(t => t >= from).Append(DateTime.UtcNow).ToList();
            var gap = TimeSpan.Zero;
            var previous = from;
            foreach (var t in times)
            {
                gap = t - previous > gap ? t - previous : gap;
                previous = t;
            }
            return gap;
        }
    }

    public int RepliesSince(DateTime from)
    {
        lock (_replies)
            return _replies.Count(t => t >= from);
    }

    /// <summary>Stops the ping (again: a no-op).</summary>
    public void Dispose()
    {
        if (!_disposed)
            _ping.Dispose();
        _disposed = true;
    }

    [GeneratedRegex(@"^\[(\d+\.\d+)\] \d+ bytes from ")]
    private static partial Regex Reply();
}
