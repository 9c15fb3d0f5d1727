using System.Diagnostics;

namespace NitroCard.Cli.Tests;

/// <summary>Runs the built CLI (out/bin/nitroctl) as a user would.</summary>
internal static class NitroctlProcess
{
    public static string Executable => RepoPaths.File("out/bin/nitroctl");

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunTool(Executable, args);

    /// <summary>Runs the CLI with <paramref name="environment"/> added to this process's environment.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunWith(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunTool(Executable, args, environment);

    public static (int ExitCode, string Stdout, string Stderr) RunTool(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (file == Executable && !File.Exists(file))
            throw new InvalidOperationException($"{file} is missing: run 'dotnet pwsh ./build.ps1 build' first");
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return (process.ExitCode, stdout, stderr.Result);
    }
}
