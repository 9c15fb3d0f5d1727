using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using NitroCard.Card;
using NitroCard.Driver;
using NitroCard.Driver.Simulation;
using NitroCard.Firmware;
using NitroCard.Mapping.Api;
using NitroCard.Mapping.Distribution;
using NitroCard.Mapping.State;
using NitroCard.Mapping.Storage;
using NitroCard.Region;

namespace NitroCard.MappingBench;

/// <summary>What to measure and how big.</summary>
public sealed record MappingBenchOptions(int Hosts, int Enis, int SingleChanges, int BatchSize, int Batches, int ResyncMappings, int RtlResyncMappings, string? Output, string CommandLine)
{
    /// <summary>Every apply validated and diffed as a whole region (<see cref="MappingServiceOptions.WholeRegionApply"/>): the path the incremental one replaced.</summary>
    public bool WholeRegionApply { get; init; }

    public static MappingBenchOptions Quick { get; } = new(8, 400, 10, 40, 2, 2_000, 500, null, "--quick");

    public static MappingBenchOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = args.Contains("--quick") ? Quick : new MappingBenchOptions(1_000, 1_000_000, 200, 10_000, 3, 100_000, 60_000, null, "");
        for (var i = 0; i < args.Length; i++)
        {
            int Next() => int.Parse(args[++i], CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--hosts" => o with { Hosts = Next() },
                "--enis" => o with { Enis = Next() },
                "--singles" => o with { SingleChanges = Next() },
                "--batch" => o with { BatchSize = Next() },
                "--batches" => o with { Batches = Next() },
                "--resync" => o with { ResyncMappings = Next() },
                "--rtl-resync" => o with { RtlResyncMappings = Next() },
                "--out" => o with { Output = args[++i] },
                "--whole-region-apply" => o with { WholeRegionApply = true },
                "--quick" => o,
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o with { CommandLine = string.Join(' ', args) };
    }
}

/// <summary>The figures of one run.</summary>
public sealed record MappingBenchResult(
    int Hosts, int Enis, int Vpcs, double LoadSeconds,
    IReadOnlyList<double> SingleMs, IReadOnlyList<int> SingleHosts,
    IReadOnlyList<double> BatchMs, IReadOnlyList<int> BatchHosts,
    double ResyncMs, int ResyncMappings, double? RtlResyncMs, int RtlResyncMappings, string? RtlNote)
{
    /// <summary>The process's CPU time over each batch (service, mirrors and runtime: the machine's cores are shared, so wall time alone says little).</summary>
    public IReadOnlyList<double> BatchCpuMs { get; init; } = [];

    /// <summary>The time the runtime paused the process for garbage collection during each batch.</summary>
    public IReadOnlyList<double> BatchGcPauseMs { get; init; } = [];

    /// <summary>The load average (1 minute) when the batches started and ended (<c>/proc/loadavg</c>; null elsewhere).</summary>
    public (double Start, double End)? BatchLoadAverage { get; init; }
}

/// <summary>
/// The Mapping Service at scale, in one process: a region of hosts with agents without cards (each a
/// <see cref="CardProgrammer"/> mirror subscribed to the service's <see cref="DistributionHub"/> in process, no
/// gRPC), and the time from an API call to every affected host acknowledging it.
/// </summary>
public static class MappingBenchmark
{
    /// <summary>ENIs per VPC and hosts a VPC spans: each host serves a handful of VPCs, as in a real region.</summary>
    public const int EnisPerVpc = 100;
    public const int HostsPerVpc = 10;

    /// <summary>The geometry of an agent without a card (no slot or table limits in the way).</summary>
    public static CardGeometry ScaleGeometry { get; } = CardGeometry.Default with { EniSlots = 1 << 16, MappingWayDepth = 1 << 20 };

    public static async Task<string> RunAsync(MappingBenchOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var result = await MeasureAsync(options, log).ConfigureAwait(false);
        return Report(options, result);
    }

    public static async Task<MappingBenchResult> MeasureAsync(MappingBenchOptions options, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var dir = Path.Combine(Path.GetTempPath(), "nitrocard-mapping-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var region = Synthetic(options.Hosts, options.Enis);
            var clock = Stopwatch.StartNew();
            // Agents without cards: the per-host limits are a card's (64 ENI slots) only on real cards; the scale
            // region has about Enis/Hosts ENIs a host, so the service checks against a wide geometry.
            await using var service = await MappingService.OpenAsync(await SqliteRegionStore.OpenAsync(Path.Combine(dir, "region.db")).ConfigureAwait(false),
                new MappingServiceOptions(ScaleGeometry) { WholeRegionApply = options.WholeRegionApply }).ConfigureAwait(false);
            service.Hub.GateTimeout = TimeSpan.FromSeconds(30);
            await service.ApplyAsync(region).ConfigureAwait(false);
            var load = clock.Elapsed.TotalSeconds;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"region: {options.Hosts} hosts, {options.Enis} ENIs, {region.Vpcs.Length} VPCs applied in {load:F1} s"));

            // Agents without cards: one session and one mirror per host; acknowledgement right after applying.
            var agents = region.Hosts.Select(h => new CardProgrammer(ScaleGeometry)).ToArray();
            using var stop = new CancellationTokenSource();
            var pumps = new List<Task>();
            for (var i = 0; i < agents.Length; i++)
            {
                var programmer = agents[i];
                var session = service.Hub.Connect(region.Hosts[i].Name, 0);
                pumps.Add(Task.Run(() => session.PumpAsync(d =>
                {
                    programmer.Apply(null, d);
                    session.Ack(d.Version);
                    return Task.CompletedTask;
                }, stop.Token)));
            }
            await WaitAsync(() => region.Hosts.All(h => service.Hub.AckedVersion(h.Name) >= service.Version)).ConfigureAwait(false);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"every host synchronised after {clock.Elapsed.TotalSeconds:F1} s"));

            // Single ENI changes: move one ENI to another host of its VPC's span.
            var random = new Random(7);
            var singles = new List<double>();
            var singleHosts = new List<int>();
            for (var n = 0; n < options.SingleChanges; n++)
            {
                var vpc = random.Next(region.Vpcs.Length);
                var eni = service.Topology.Vpcs[vpc].Enis[random.Next(EnisPerVpc)];
                string to;
                do
                    to = region.Hosts[(vpc * HostsPerVpc + random.Next(HostsPerVpc)) % options.Hosts].Name;
                while (to == eni.Host);
                var (ms, hosts) = await TimedAsync(service, () => service.MoveNetworkInterfaceAsync(new MoveNetworkInterfaceRequest(eni.Id, to))).ConfigureAwait(false);
                singles.Add(ms);
                singleHosts.Add(hosts);
            }
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"single ENI move: p50 {Percentile(singles, 50):F2} ms, p99 {Percentile(singles, 99):F2} ms"));

            // Batches: one apply that moves BatchSize ENIs.
            var batches = new List<double>();
            var batchHosts = new List<int>();
            var batchCpu = new List<double>();
            var batchGc = new List<double>();
            var loadStart = LoadAverage();
            for (var n = 0; n < options.Batches; n++)
            {
                var current = service.Topology;
                var start = random.Next(current.Vpcs.Length);
                var moved = 0;
                var vpcs = current.Vpcs.ToBuilder();
                for (var v = 0; moved < options.BatchSize && v < vpcs.Count; v++)
                {
                    var index = (start + v) % vpcs.Count;
                    var vpc = vpcs[index];
                    var shift = 1 + random.Next(HostsPerVpc - 1);
                    vpcs[index] = vpc with
                    {
                        Enis = [.. vpc.Enis.Select(e => moved++ < options.BatchSize ? e with { Host = Shift(region, index, e.Host, shift) } : e)],
                    };
                }
                var next = current with { Vpcs = vpcs.ToImmutable() };
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var gc = GC.GetTotalPauseDuration();
                var collections = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
                var allocated = GC.GetTotalAllocatedBytes();
                var (ms, hosts) = await TimedAsync(service, () => service.ApplyAsync(next)).ConfigureAwait(false);
                batches.Add(ms);
                batchHosts.Add(hosts);
                batchCpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds);
                batchGc.Add((GC.GetTotalPauseDuration() - gc).TotalMilliseconds);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"batch {n + 1}: {ms:F0} ms, process CPU {batchCpu[^1]:F0} ms, {(GC.GetTotalAllocatedBytes() - allocated) >> 20} MiB allocated, GC pauses {batchGc[^1]:F0} ms (collections of generation 0, 1, 2: {string.Join(", ", Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - collections[g]))})"));
            }
            var loadEnd = LoadAverage();
            if (batches.Count > 0)
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{options.BatchSize}-ENI batch: p50 {Percentile(batches, 50):F0} ms, p99 {Percentile(batches, 99):F0} ms; CPU p50 {Percentile(batchCpu, 50):F0} ms; load average {loadStart} → {loadEnd}"));
            }

            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(pumps).ConfigureAwait(false);

            var (resyncMs, resyncMappings) = Resync(options.ResyncMappings, null);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"full resync of one host, {resyncMappings} mappings, no card: {resyncMs:F0} ms"));
            double? rtlMs = null;
            string? rtlNote = null;
            if (options.RtlResyncMappings > 0)
            {
                try
                {
                    (rtlMs, _) = Resync(options.RtlResyncMappings, () => new RtlCardEngine(TableWriteMode.Posted));
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"full resync of one host, {options.RtlResyncMappings} mappings, Verilated card: {rtlMs:F0} ms"));
                }
                catch (Exception e) when (e is DllNotFoundException or NitroCardException or InvalidOperationException)
                {
                    rtlNote = e.Message;
                    log.WriteLine("Verilated card not measured: " + e.Message);
                }
            }
            return new MappingBenchResult(options.Hosts, options.Enis, region.Vpcs.Length, load, singles, singleHosts, batches, batchHosts,
                resyncMs, resyncMappings, rtlMs, options.RtlResyncMappings, rtlNote)
            {
                BatchCpuMs = batchCpu,
                BatchGcPauseMs = batchGc,
                BatchLoadAverage = loadStart is { } a && loadEnd is { } b ? (a, b) : null,
            };
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The 1-minute load average, or null without <c>/proc/loadavg</c>.</summary>
    private static double? LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.AsSpan(0, text.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Shift(RegionTopology region, int vpc, string host, int shift)
    {
        var hosts = region.Hosts.Length;
        var index = int.Parse(host.AsSpan(5), CultureInfo.InvariantCulture);
        var baseHost = vpc * HostsPerVpc % hosts;
        var within = ((index - baseHost) % hosts + hosts) % hosts;
        return HostName((baseHost + (within + shift) % HostsPerVpc) % hosts);
    }

    /// <summary>Runs a change and waits until every host its version concerns has acknowledged it.</summary>
    private static async Task<(double Ms, int Hosts)> TimedAsync(MappingService service, Func<Task> change)
    {
        using var signal = new SemaphoreSlim(0);
        void OnAck(string host, long version) => signal.Release();
        service.Hub.Acknowledged += OnAck;
        try
        {
            var clock = Stopwatch.StartNew();
            await change().ConfigureAwait(false);
            var target = service.Version;
            var affected = service.Hub.HostsOf(target) ?? [];
            while (!affected.All(h => service.Hub.AckedVersion(h) >= target))
            {
                if (!await signal.WaitAsync(TimeSpan.FromMinutes(2)).ConfigureAwait(false))
                    throw new TimeoutException($"version {target} was not acknowledged");
            }
            return (clock.Elapsed.TotalMilliseconds, affected.Count);
        }
        finally
        {
            service.Hub.Acknowledged -= OnAck;
        }
    }

    /// <summary>One host's full resync: a snapshot with <paramref name="mappings"/> mappings applied to an empty card.</summary>
    private static (double Ms, int Mappings) Resync(int mappings, Func<ICardEngine>? card)
    {
        var snapshot = ResyncSnapshot(mappings);
        if (card is null)
        {
            var clock = Stopwatch.StartNew();
            new CardProgrammer(CardGeometry.Default with { MappingWayDepth = 1 << 20 }).Apply(null, snapshot);
            return (clock.Elapsed.TotalMilliseconds, snapshot.SetMappings.Length);
        }
        double ms = 0;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var engine = card();
                var programmer = new CardProgrammer(engine.Geometry);
                var clock = Stopwatch.StartNew();
                programmer.Apply(engine, snapshot);
                ms = clock.Elapsed.TotalMilliseconds;
            }
            catch (Exception e) when (e is DllNotFoundException or NitroCardException or InvalidOperationException)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw new InvalidOperationException(failure.Message, failure);
        return (ms, snapshot.SetMappings.Length);
    }

    /// <summary>
    /// The snapshot of one host's full resync: VPCs of up to 25,000 ENIs; the host resynchronised has one ENI in each,
    /// the other host the rest, so the snapshot holds about <paramref name="mappings"/> mappings.
    /// </summary>
    public static HostDelta ResyncSnapshot(int mappings)
    {
        var region = Synthetic(2, mappings, enisPerVpc: 25_000, hostOf: (_, e) => HostName(e == 0 ? 0 : 1));
        var state = RegionState.From(region, 1);
        return DeltaBuilder.Snapshot(state, HostName(0), 0);
    }

    public static string HostName(int i) => "host-" + i.ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>
    /// A region of <paramref name="hosts"/> hosts and <paramref name="enis"/> ENIs: VPCs of <see cref="EnisPerVpc"/>
    /// ENIs (one /17 subnet), each spread over <see cref="HostsPerVpc"/> consecutive hosts unless <paramref name="hostOf"/> says otherwise.
    /// </summary>
    public static RegionTopology Synthetic(int hosts, int enis, int enisPerVpc = EnisPerVpc, Func<int, int, string>? hostOf = null)
    {
        hostOf ??= (v, e) => HostName((v * HostsPerVpc + e % HostsPerVpc) % hosts);
        var hostList = Enumerable.Range(0, hosts).Select(h => new RegionHost(HostName(h), $"192.0.{2 + h / 250}.{1 + h % 250}")).ToImmutableArray();
        var vpcs = ImmutableArray.CreateBuilder<Vpc>();
        var perVpc = Math.Min(enisPerVpc, 32_000);
        for (var v = 0; v * perVpc < enis; v++)
        {
            var count = Math.Min(perVpc, enis - v * perVpc);
            var id = $"vpc-{v:D7}";
            var subnet = new Subnet("subnet-" + v.ToString("D7", CultureInfo.InvariantCulture), "10.0.0.0/17");
            var list = ImmutableArray.CreateBuilder<Eni>(count);
            for (var e = 0; e < count; e++)
            {
                var n = (long)v * perVpc + e;
                var mac = $"02:{(n >> 32) & 0xff:x2}:{(n >> 24) & 0xff:x2}:{(n >> 16) & 0xff:x2}:{(n >> 8) & 0xff:x2}:{n & 0xff:x2}";
                list.Add(new Eni($"eni-{n:D8}", subnet.Id, $"10.0.{(4 + e) / 256}.{(4 + e) % 256}", mac, hostOf(v, e)));
            }
            vpcs.Add(new Vpc(id, "10.0.0.0/16", (uint)(10_000 + v)) { Subnets = [subnet], Enis = list.ToImmutable() });
        }
        return new RegionTopology { Hosts = hostList, Vpcs = vpcs.ToImmutable(), SourceName = "synthetic" };
    }

    public static double Percentile(IReadOnlyList<double> values, int p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
                throw new TimeoutException("hosts did not synchronise");
            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    private static string Report(MappingBenchOptions o, MappingBenchResult r)
    {
        var command = "dotnet run --project tools/NitroCard.MappingBench -c Release -- " + o.CommandLine;
        var s = new StringBuilder();
        s.AppendLine("# Mapping Service benchmarks");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Produced by `{command.TrimEnd()}` on {Environment.ProcessorCount} cores ({DateTime.UtcNow:yyyy-MM-dd}).");
        s.AppendLine();
        s.AppendLine("Agents without cards (the service and the mirrors use a geometry of 65,536 ENI slots: a real card has 64): each host is a `CardProgrammer` mirror subscribed to the service's `DistributionHub` in");
        s.AppendLine("process (no gRPC, no TLS); it acknowledges each version right after applying it. The store is SQLite on local disk;");
        s.AppendLine("each change is validated, stored durably, distributed with make-before-break ordering for moves. Times run");
        s.AppendLine("from the API call to the last affected host's acknowledgement.");
        s.AppendLine(o.WholeRegionApply
            ? "Every `apply` took the whole-region path (`--whole-region-apply`): the full validator and a diff of the whole region."
            : "An `apply` that changes only some VPCs is validated and diffed in time proportional to them (`docs/mapping-service.md`, \"Incremental apply\").");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"Region: {r.Hosts} hosts, {r.Enis} ENIs in {r.Vpcs} VPCs of {EnisPerVpc} ENIs, each VPC spread over {HostsPerVpc} hosts; applied and every host synchronised in {r.LoadSeconds:F1} s.");
        s.AppendLine();
        s.AppendLine("| measurement | samples | hosts affected (median) | p50 | p99 |");
        s.AppendLine("|---|---|---|---|---|");
        s.AppendLine(CultureInfo.InvariantCulture, $"| single ENI move (`move-network-interface`) | {r.SingleMs.Count} | {Median(r.SingleHosts)} | {Percentile(r.SingleMs, 50):F2} ms | {Percentile(r.SingleMs, 99):F2} ms |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| {o.BatchSize}-ENI batch (one `apply` moving them) | {r.BatchMs.Count} | {Median(r.BatchHosts)} | {Percentile(r.BatchMs, 50):F0} ms | {Percentile(r.BatchMs, 99):F0} ms |");
        s.AppendLine();
        if (r.BatchCpuMs.Count > 0)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"A batch's process CPU time (the service and the mirrors; p50, p99): {Percentile(r.BatchCpuMs, 50):F0} ms, {Percentile(r.BatchCpuMs, 99):F0} ms;");
            var load = r.BatchLoadAverage is { } l ? string.Create(CultureInfo.InvariantCulture, $"; load average {l.Start:F2} when the batches started, {l.End:F2} when they ended.") : ".";
            s.AppendLine(CultureInfo.InvariantCulture, $"the runtime's garbage collection pauses during a batch: {Percentile(r.BatchGcPauseMs, 50):F0} ms, {Percentile(r.BatchGcPauseMs, 99):F0} ms of wall time{load}");
            s.AppendLine();
        }
        s.AppendLine("| full resync of one host (snapshot applied to an empty card) | mappings | time |");
        s.AppendLine("|---|---|---|");
        s.AppendLine(CultureInfo.InvariantCulture, $"| no card (mirror only) | {r.ResyncMappings} | {r.ResyncMs:F0} ms |");
        s.AppendLine(r.RtlResyncMs is { } rtl
            ? string.Create(CultureInfo.InvariantCulture, $"| Verilated card (`RtlCardEngine`, posted table writes through `CardDriver`; see \"Mapping load through the Verilated card\") | {r.RtlResyncMappings} | {rtl:F0} ms |")
            : $"| Verilated card | {r.RtlResyncMappings} | not measured: {r.RtlNote} |");
        s.AppendLine();
        if (r.RtlResyncMs is not null && r.RtlResyncMappings < r.ResyncMappings)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"The Verilated card at its default parameters holds 65,536 mappings (2 ways × 32,768; the driver places about 97.7% of");
            s.AppendLine(CultureInfo.InvariantCulture, $"random keys), so its resync is measured with {r.RtlResyncMappings:N0}; {r.ResyncMappings:N0} need `MAP_WAY_DEPTH_LOG2` 16 or more (up to 19, 1M entries).");
            s.AppendLine();
        }
        return s.ToString();
    }

    private static int Median(IReadOnlyList<int> values) => values.Count == 0 ? 0 : values.Order().ElementAt(values.Count / 2);
}
