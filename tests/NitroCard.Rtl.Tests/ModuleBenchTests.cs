using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace NitroCard.Rtl.Tests;

/// <summary>
/// Runs every module-level RTL bench in hw/tb/&lt;name&gt;/ (self-checking SystemVerilog built with
/// <c>verilator --binary</c>). Builds are cached in out/tb/&lt;name&gt; by a hash of the bench's files.
/// </summary>
public class ModuleBenchTests
{
    public static TheoryData<string> Benches()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(RepoPaths.File("hw/tb")).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(dir, "bench.f")))
                data.Add(Path.GetFileName(dir));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Benches))]
    public void Bench_passes(string name)
    {
        var benchFile = RepoPaths.File($"hw/tb/{name}/bench.f");
        var mdir = RepoPaths.File($"out/tb/{name}");
        var exe = Path.Combine(mdir, $"Vtb_{name}");
        var stamp = Path.Combine(mdir, "bench.stamp");
        var hash = HashInputs(benchFile);
        if (!File.Exists(exe) || !File.Exists(stamp) || File.ReadAllText(stamp) != hash)
        {
            // Verilator 5.006 creates only the last level of --Mdir.
            Directory.CreateDirectory(mdir);
            var (code, output) = Run("verilator", ["--binary", "--timing", "-j", "2", "-Wno-fatal", "--top-module", $"tb_{name}", "-f", benchFile, "--Mdir", mdir]);
            Assert.True(code == 0, $"verilator failed for bench {name}:\n{output}");
            File.WriteAllText(stamp, hash);
        }
        var (exit, log) = Run(exe, []);
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // Verilator prints its own "$finish" note after the bench's verdict line.
        Assert.True(exit == 0 && lines.Contains("PASS") && !lines.Any(l => l.StartsWith("FAIL", StringComparison.Ordinal)), $"bench {name} exited {exit}:\n{log}");
    }

    private static string HashInputs(string benchFile)
    {
        var sb = new StringBuilder(File.ReadAllText(benchFile));
        foreach (var line in File.ReadLines(benchFile))
        {
            var path = line.Trim();
            if (path.Length == 0 || path.StartsWith('#') || path.StartsWith('-'))
                continue;
            var full = Path.Combine(RepoPaths.Root, path);
            if (File.Exists(full))
                sb.Append(File.ReadAllText(full));
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private static (int Code, string Output) Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
