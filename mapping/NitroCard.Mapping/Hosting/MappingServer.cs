using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Replication;
using NitroCard.Mapping.Security;
using NitroCard.Mapping.Storage;

namespace NitroCard.Mapping.Hosting;

/// <summary>Where and how the service runs.</summary>
/// <param name="Store">A SQLite file path, or <c>etcd://host:port[,host:port...]</c> (every member of the cluster).</param>
/// <param name="Listen">The loopback endpoint (port 0: any free port).</param>
/// <param name="CaDirectory">The region CA directory (created on first start).</param>
public sealed record MappingServerOptions(string Store, IPEndPoint Listen, string CaDirectory)
{
    public MappingServiceOptions Service { get; init; } = new();

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>On etcd: the replica's election lease TTL, how long a killed leader holds the leadership before another replica takes it.</summary>
    public TimeSpan LeaseTtl { get; init; } = DefaultLeaseTtl;

    /// <summary>On etcd: how long a commit may wait for the cluster before the write fails (quorum lost).</summary>
    public TimeSpan CommitTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan DefaultLeaseTtl = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The Mapping Service over gRPC with mutual TLS: Kestrel on the given endpoint, HTTP/2 only, a client
/// certificate required and accepted only when issued by the region CA. On etcd the server is one replica of the
/// region's service: it campaigns in the replica election (<see cref="ReplicaElection"/>) with its endpoint and
/// writes only while it leads; any number of replicas may serve one cluster.
/// </summary>
public sealed class MappingServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private ReplicaElection? _election;

    private MappingServer(WebApplication app, MappingService service, int port, RegionCa ca)
    {
        _app = app;
        Service = service;
        Port = port;
        Ca = ca;
    }

    /// <summary>The replica election (null on SQLite: one process owns the store).</summary>
    public ReplicaElection? Election => _election;

    /// <summary>Waits until this replica leads (a fresh single replica does within milliseconds; after a crash, within the dead leader's lease TTL).</summary>
    public async Task WaitUntilLeaderAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_election is null)
            return;
        var deadline = DateTime.UtcNow + timeout;
        while (!_election.IsLeader)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Endpoint}: not elected leader of the Mapping Service replicas within {timeout.TotalSeconds:0.#} s (leader: {await _election.LeaderAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false) ?? "none"})");
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    public MappingService Service { get; }

    /// <summary>The port the service listens on.</summary>
    public int Port { get; }

    public RegionCa Ca { get; }

    public Uri Endpoint => new($"https://127.0.0.1:{Port}");

    /// <summary>Opens a store from its command-line form.</summary>
    /// <param name="store">A SQLite file path or an etcd URL.</param>
    /// <param name="replica">On etcd: this is a replica that leaves recovery to the leader it may become.</param>
    /// <param name="commitTimeout">On etcd: <see cref="MappingServerOptions.CommitTimeout"/>.</param>
    /// <param name="cancellationToken">Ends the attempt.</param>
    public static async Task<IRegionStore> OpenStoreAsync(string store, bool replica = false, TimeSpan? commitTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(store);
        if (store.StartsWith("etcd://", StringComparison.OrdinalIgnoreCase))
            return await EtcdRegionStore.OpenAsync(store, recover: !replica, commitTimeout: commitTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await SqliteRegionStore.OpenAsync(store, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<MappingServer> StartAsync(MappingServerOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IPAddress.IsLoopback(options.Listen.Address))
            throw new ArgumentException($"--listen {options.Listen}: the service listens on loopback addresses only", nameof(options));
        var ca = RegionCa.OpenOrCreate(options.CaDirectory);
        var serverCertificate = RegionCa.LoadIdentity(options.CaDirectory, "server");
        var caCertificate = ca.Certificate;

        var store = await OpenStoreAsync(options.Store, replica: true, options.CommitTimeout, cancellationToken).ConfigureAwait(false);
        var logger = loggerFactory?.CreateLogger("NitroCard.Mapping");
        var service = await MappingService.OpenAsync(store, options.Service, logger, options.Time, cancellationToken).ConfigureAwait(false);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (loggerFactory is not null)
            builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(service);
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = MappingLimits.MaxRequestBytes);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MappingLimits.MaxRequestBodyBytes;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 4096;
            kestrel.Listen(options.Listen, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = serverCertificate;
                    https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                    https.ClientCertificateValidation = (certificate, _, _) => RegionCa.IsIssuedBy(certificate, caCertificate);
                });
            });
        });
        var app = builder.Build();
        app.MapGrpcService<RegionMappingService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var port = options.Listen.Port;
        if (port == 0)
        {
            var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
            port = new Uri(addresses.First()).Port;
        }
        var server = new MappingServer(app, service, port, ca);
        if (store is EtcdRegionStore etcd)
        {
            server._election = new ReplicaElection(etcd, server.Endpoint.ToString(), options.LeaseTtl, service.TakeLeadershipAsync, logger);
            service.Election = server._election;
            server._election.Start();
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        // Leave the election first (the lease is revoked): another replica takes over at once.
        if (_election is not null)
            await _election.DisposeAsync().ConfigureAwait(false);
        Service.Stop();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await Service.DisposeAsync().ConfigureAwait(false);
        Ca.Dispose();
    }

    /// <summary>Waits until the server stops (SIGINT/SIGTERM or cancellation).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);
}
