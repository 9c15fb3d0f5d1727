using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NitroCard.Bench;

/// <summary>Where and on what the benchmark ran, for the report's header.</summary>
public sealed record MachineInfo(DateTimeOffset Date, int Cores, string CpuModel, string Verilator, string Runtime, string Os, string Commit, string Library)
{
    public static MachineInfo Collect(string root, string library)
    {
        var cpu = "unknown";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo")
                .Where(l => l.StartsWith("model name", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
                .FirstOrDefault() ?? cpu;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        var verilator = Run("verilator", ["--version"])?.Trim() ?? "verilator not found";
        var commit = Run("git", ["-C", root, "rev-parse", "--short", "HEAD"])?.Trim() ?? "unknown";
        var status = Run("git", ["-C", root, "status", "--porcelain", "--untracked-files=no"]);
        if (!string.IsNullOrWhiteSpace(status))
            commit += " with uncommitted changes";
        var libraryText = File.Exists(library)
            ? $"{Path.GetRelativePath(root, library)} (built {File.GetLastWriteTimeUtc(library):yyyy-MM-dd HH:mm} UTC)"
            : library;
        return new MachineInfo(DateTimeOffset.UtcNow, Environment.ProcessorCount, cpu, verilator,
            RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription, commit, libraryText);
    }

    /// <summary>Standard output of a short command, or null when it cannot run or fails.</summary>
    public static string? Run(string file, IEnumerable<string> arguments)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in arguments)
                info.ArgumentList.Add(a);
            using var process = Process.Start(info);
            if (process is null)
                return null;
            var output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
