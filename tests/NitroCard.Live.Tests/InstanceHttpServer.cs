using System.Diagnostics;

namespace NitroCard.Live.Tests;

/// <summary>An HTTP server (python3 http.server on port 80) in an instance serving hello.txt, stopped on dispose.</summary>
internal sealed class InstanceHttpServer : IDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _root;

    private InstanceHttpServer(Process process, DirectoryInfo root)
    {
        _process = process;
        _root = root;
    }

    /// <summary>Starts the server in an instance and waits until it listens.</summary>
    /// <param name="eni">The instance's namespace.</param>
    /// <param name="ip">The address it listens on (port 80).</param>
    /// <param name="body">hello.txt's content (default: <c>hello from ENI</c>).</param>
    public static InstanceHttpServer Start(string eni, string ip, string? body = null)
    {
        var root = Directory.CreateTempSubdirectory("nitrocard-http-");
        File.WriteAllText(Path.Combine(root.FullName, "hello.txt"), body ?? $"hello from {eni}\n");
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "netns", "exec", eni, "python3", "-m", "http.server", "80", "--bind", ip, "--directory", root.FullName })
            start.ArgumentList.Add(a);
        var server = new InstanceHttpServer(Process.Start(start)!, root);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Host.In(eni, "ss", "-Hltn").Output.Contains($"{ip}:80 ", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                server.Dispose();
                Assert.Fail($"python3 http.server did not listen on {ip}:80 in {eni}");
            }
            Thread.Sleep(100);
        }
        return server;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
        _root.Delete(recursive: true);
    }
}
