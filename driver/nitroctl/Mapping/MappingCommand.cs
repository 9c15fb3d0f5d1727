using System.CommandLine;
using System.Net;
using Grpc.Core;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Edges;
using NitroCard.Mapping.Grpc;
using NitroCard.Mapping.Grpc.Protocol;
using NitroCard.Mapping.Hosting;
using NitroCard.Mapping.Security;

namespace NitroCard.Cli.Mapping;

/// <summary><c>nitroctl mapping serve|issue-host-identity</c>.</summary>
internal static class MappingCommand
{
    public static Command Create()
    {
        var store = new Option<string>("--store") { Description = "A SQLite file path (the embedded store) or etcd://host:port[,host:port...] (every member of the cluster; each serve on it is one replica, one of them the leader).", Required = true };
        var listen = new Option<string>("--listen") { Description = "127.0.0.1:<port> (loopback only; port 0 picks a free one).", Required = true };
        var retention = new Option<string>("--alarm-retention")
        {
            Description = "How long alarms are kept: <n>d, <n>h, <n>m or <n>s (default 7d).",
            DefaultValueFactory = _ => "7d",
        };
        var leaseTtl = new Option<string>("--lease-ttl")
        {
            Description = "On etcd: the replica's election lease, how long a killed leader keeps the leadership: <n>s (default 5s, at least 2s).",
            DefaultValueFactory = _ => "5s",
        };
        var commitTimeout = new Option<string>("--commit-timeout")
        {
            Description = "On etcd: how long a write may wait for the cluster before it fails (quorum lost): <n>s (default 5s).",
            DefaultValueFactory = _ => "5s",
        };
        var heartbeat = new Option<string>("--edge-heartbeat")
        {
            Description = "How often each edge heartbeats, and how often the service checks: <n>s (default 1s; docs/card-edges.md).",
            DefaultValueFactory = _ => "1s",
        };
        var missed = new Option<int>("--edge-missed-heartbeats")
        {
            Description = "Heartbeats an edge may miss before it leaves the cards' edge set (default 3, 1..60).",
            DefaultValueFactory = _ => EdgeHealthOptions.Default.MissedHeartbeats,
        };
        var serve = new Command("serve", "Run the Mapping Service until SIGINT/SIGTERM (creates the region CA, server certificate and operator identity in --ca-dir on first start).")
        {
            store, listen, retention, leaseTtl, commitTimeout, heartbeat, missed,
        };
        serve.SetAction(async (parse, cancellationToken) =>
        {
            var caDir = MappingOptions.RequireCaDir(parse);
            if (!IPEndPoint.TryParse(parse.GetValue(listen)!, out var endpoint))
                throw new CliException($"--listen '{parse.GetValue(listen)}': expected 127.0.0.1:<port>");
            var keep = ParseDuration(parse.GetValue(retention)!)
                ?? throw new CliException($"--alarm-retention '{parse.GetValue(retention)}': expected <n>d, <n>h, <n>m or <n>s with n at least 1, for example 7d");
            var ttl = ParseDuration(parse.GetValue(leaseTtl)!) is { TotalSeconds: >= 2 and <= 3600 } t ? t
                : throw new CliException($"--lease-ttl '{parse.GetValue(leaseTtl)}': expected <n>s with n from 2 to 3600, for example 5s");
            var commit = ParseDuration(parse.GetValue(commitTimeout)!) is { TotalSeconds: <= 3600 } c ? c
                : throw new CliException($"--commit-timeout '{parse.GetValue(commitTimeout)}': expected <n>s with n from 1 to 3600, for example 5s");
            var interval = ParseDuration(parse.GetValue(heartbeat)!) is { TotalSeconds: >= 1 and <= 3600 } h ? h
                : throw new CliException($"--edge-heartbeat '{parse.GetValue(heartbeat)}': expected <n>s with n from 1 to 3600, for example 1s");
            var misses = parse.GetValue(missed) is >= 1 and <= 60 and var m ? m
                : throw new CliException($"--edge-missed-heartbeats {parse.GetValue(missed)}: expected 1 to 60");
            using var logging = MappingOptions.StderrLogging();
            MappingServer server;
            try
            {
                server = await MappingServer.StartAsync(new MappingServerOptions(parse.GetValue(store)!, endpoint, caDir)
                {
                    Service = new MappingServiceOptions { AlarmRetention = keep, EdgeHealth = new EdgeHealthOptions(interval, misses) },
                    LeaseTtl = ttl,
                    CommitTimeout = commit,
                }, logging, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message, e);
            }
            await using (server.ConfigureAwait(false))
            {
                Console.WriteLine($"mapping service listening on {server.Endpoint} (store {server.Service.Store.Description}, version {server.Service.Version})");
                try
                {
                    await server.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // SIGINT/SIGTERM
                }
            }
            return 0;
        });

        var host = new Option<string>("--host") { Description = "The host name (the certificate's CN and DNS SAN).", Required = true }.MustBeResourceName();
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for host.crt, host.key and ca.crt.", Required = true };
        var issue = new Command("issue-host-identity", "Issue a host's certificate and key from the region CA.") { host, output };
        issue.SetAction((parse, _) =>
        {
            var caDir = MappingOptions.RequireCaDir(parse);
            if (!File.Exists(Path.Combine(caDir, RegionCa.CaFile)))
                throw new CliException($"--ca-dir {caDir}: no region CA there (start `nitroctl mapping serve --ca-dir {caDir}` once to create it)");
            using var ca = RegionCa.OpenOrCreate(caDir);
            var outDir = parse.GetValue(output)!.FullName;
            try
            {
                ca.IssueHost(parse.GetValue(host)!, outDir);
            }
            catch (ArgumentException e)
            {
                throw new CliException($"--host: {e.Message}", e);
            }
            Console.WriteLine(Path.Combine(outDir, "host.crt"));
            Console.WriteLine(Path.Combine(outDir, "host.key"));
            return Task.FromResult(0);
        });

        var replicas = new Command("replicas",
            "Every replica of --endpoint as it describes itself: its version, whether it leads, the leader it knows, its store (JSON; a replica that does not answer within 3 s: its error). Fails when none answers.");
        replicas.SetAction(async (parse, cancellationToken) =>
        {
            var endpoints = MappingOptions.RequireEndpoints(parse);
            var caDir = MappingOptions.RequireCaDir(parse);
            using var clients = MappingReplicas.ForOperator(endpoints, caDir);
            var described = new List<(Uri, DescribeReplicaReply?, string?)>();
            for (var i = 0; i < endpoints.Count; i++)
            {
                try
                {
                    var reply = await clients.Client(i).DescribeReplicaAsync(new DescribeReplicaRequest(), deadline: DateTime.UtcNow.AddSeconds(3), cancellationToken: cancellationToken).ConfigureAwait(false);
                    described.Add(reply.Refusal is { } refusal ? (endpoints[i], null, $"{refusal.Code}: {refusal.Message}") : (endpoints[i], reply, null));
                }
                catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
                {
                    described.Add((endpoints[i], null, MappingChannel.Explain(e, caDir)));
                }
            }
            Console.WriteLine(ReplyJson.Render(described));
            return described.Any(d => d.Item2 is not null) ? 0 : CliRunner.Failure;
        });

        return new Command("mapping", "The Mapping Service.") { serve, issue, replicas };
    }

    /// <summary><c>7d</c>, <c>12h</c>, <c>30m</c>, <c>90s</c>; null when it is not one.</summary>
    internal static TimeSpan? ParseDuration(string text)
    {
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1 || n > 100_000)
            return null;
        return text[^1] switch
        {
            'd' => TimeSpan.FromDays(n),
            'h' => TimeSpan.FromHours(n),
            'm' => TimeSpan.FromMinutes(n),
            's' => TimeSpan.FromSeconds(n),
            _ => null,
        };
    }
}
