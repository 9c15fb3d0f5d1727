namespace NitroCard.MappingBench.Tests;

/// <summary>The Mapping Service benchmark, run tiny: it completes, every change reaches its hosts and each figure has its sample (never timed).</summary>
public sealed class MappingBenchSmokeTests
{
    [Fact]
    public async Task The_quick_benchmark_runs_and_every_change_reaches_its_hosts()
    {
        var options = MappingBenchOptions.Quick with { RtlResyncMappings = 0, SingleChanges = 3, Batches = 1 };
        var r = await MappingBenchmark.MeasureAsync(options, TextWriter.Null);
        Assert.Equal(3, r.SingleMs.Count);
        // A move concerns the ENI's old and new host and the other hosts of its VPC.
        Assert.All(r.SingleHosts, h => Assert.InRange(h, 2, MappingBenchmark.HostsPerVpc));
        Assert.Equal(r.SingleMs.Count, r.SingleHosts.Count);
        Assert.Equal(r.BatchMs.Count, r.BatchHosts.Count);
        Assert.Single(r.BatchMs);
        // Each batch's CPU time and GC pauses are counted with it (a batch compiles and applies deltas: it takes CPU).
        Assert.Equal(r.BatchMs.Count, r.BatchCpuMs.Count);
        Assert.Equal(r.BatchMs.Count, r.BatchGcPauseMs.Count);
        Assert.All(r.BatchCpuMs, cpu => Assert.True(cpu > 0, $"a batch took {cpu} ms of CPU"));
        Assert.Equal(options.ResyncMappings, r.ResyncMappings);
    }
}
