// Requests per second of the firmware's instance services (docs/benchmarks/instance-services.md):
//   dotnet run -c Release --project tools/NitroCard.InstanceServices.Bench [-- BenchmarkDotNet options]
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;
using NitroCard.InstanceServices.Bench;
using Perfolizer.Horology;

// In-process: no generated project to build on a busy 2-core machine; one thread asks and answers, so the figures are
// per core.
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(15).WithIterationTime(TimeInterval.FromMilliseconds(250)).WithToolchain(InProcessNoEmitToolchain.Instance))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(InstanceServicesBenchmark).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
return 0;
