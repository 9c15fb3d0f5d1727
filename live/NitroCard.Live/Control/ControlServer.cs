using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NitroCard.Live.Control;

/// <summary>
/// A node's control channel: the <c>NodeControl</c> gRPC service (Protos/control.proto) served by Kestrel, HTTP/2 without
/// TLS, on a Unix socket (<see cref="LiveState.SocketPath"/>) that only its owner may connect to: the socket is the
/// security boundary (there is no authentication on it), so it is owner read/write only.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    /// <summary>The socket's mode: connecting needs write permission, so only its owner (root, for a region) can.</summary>
    public const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly WebApplication _app;

    private ControlServer(WebApplication app, string path)
    {
        _app = app;
        Path = path;
    }

    /// <summary>The socket.</summary>
    public string Path { get; }

    /// <summary>Serves <paramref name="node"/> on <see cref="LiveState.SocketPath"/> of <paramref name="name"/>.</summary>
    public static Task<ControlServer> StartAsync(string name, IControlledNode node, CancellationToken cancellationToken = default) =>
        StartAtAsync(LiveState.SocketPath(name), node, cancellationToken);

    /// <summary>Serves <paramref name="node"/> on the socket <paramref name="path"/> (a stale socket there is replaced).</summary>
    public static async Task<ControlServer> StartAtAsync(string path, IControlledNode node, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(node);
        File.Delete(path);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(node);
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(path, listen => listen.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapGrpcService<NodeControlService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var server = new ControlServer(app, path);
        try
        {
            // Kestrel binds with the process's umask; whatever it is, only the owner may connect (a live region is Linux only).
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, SocketMode);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
