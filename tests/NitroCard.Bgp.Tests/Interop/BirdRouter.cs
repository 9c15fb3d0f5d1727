using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NitroCard.Bgp.Tests.Interop;

/// <summary>
/// BIRD 2 as the customer's router: a <c>bird -f</c> child process with a config written into a temp directory, its
/// control socket for <c>birdc</c>. The process never outlives the test: Dispose kills it, and a shell watchdog
/// around it kills it within half a second if the test host itself dies.
/// </summary>
internal sealed class BirdRouter : IDisposable
{
    public const string Bird = "/usr/sbin/bird";
    public const string Birdc = "/usr/sbin/birdc";

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TempDir _dir = new("nitrocard-bird-");

    /// <summary>Starts bird with this config, inside the network namespace <paramref name="netns"/> when given.</summary>
    public BirdRouter(string config, string? netns = null)
    {
        File.WriteAllText(_dir.File("bird.conf"), config);
        Socket = _dir.File("bird.ctl");
        string bird = (netns is null ? "" : $"ip netns exec {netns} ") + $"{Bird} -c {_dir.File("bird.conf")} -s {Socket} -P {_dir.File("bird.pid")} -f";
        string watchdog = $"{bird} & b=$!; trap 'kill -9 $b 2>/dev/null' EXIT INT TERM; "
            + $"while kill -0 {Environment.ProcessId} 2>/dev/null && kill -0 $b 2>/dev/null; do sleep 0.5; done";
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(watchdog);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Socket { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static bool Installed => File.Exists(Bird) && File.Exists(Birdc);

    /// <summary>Runs a birdc command and returns what it printed.</summary>
    public string Control(string command)
    {
        var start = new ProcessStartInfo(Birdc) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-s");
        start.ArgumentList.Add(Socket);
        foreach (string word in command.Split(' '))
        {
            start.ArgumentList.Add(word);
        }

        using var birdc = Process.Start(start)!;
        var stdout = birdc.StandardOutput.ReadToEndAsync();
        var stderr = birdc.StandardError.ReadToEndAsync();
        if (!birdc.WaitForExit(10_000))
        {
            birdc.Kill();
            throw new TimeoutException($"birdc {command} did not answer");
        }

        return stdout.Result + stderr.Result;
    }

    /// <summary>The pid of bird itself (from its pidfile), once written.</summary>
    public int? BirdPid => File.Exists(_dir.File("bird.pid")) && int.TryParse(File.ReadAllText(_dir.File("bird.pid")).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;

    /// <summary>Kills bird without letting it say goodbye (no NOTIFICATION: the kernel closes its TCP connections).</summary>
    public void KillBird()
    {
        if (BirdPid is { } pid)
        {
            try
            {
                using var bird = Process.GetProcessById(pid);
                bird.Kill();
                bird.WaitForExit(5000);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // already gone
            }
        }
    }

    public void Dispose()
    {
        KillBird();
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        _process.WaitForExit(5000);
        _process.Dispose();
        _dir.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
