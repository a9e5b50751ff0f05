using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Workflow.Benchmarks.Micro;

/// <summary>
/// The pure parts under BenchmarkDotNet: working-day maths, the decider, canonical hashing. Each class has a baseline, so
/// BenchmarkDotNet's table shows ratios; the last line is the JSON of every row.
/// </summary>
public static class MicroBenchmarks
{
    public static readonly Type[] All = [typeof(WorkingDayBenchmarks), typeof(DecideBenchmarks), typeof(HashingBenchmarks)];

    /// <param name="quick">One short in-process pass to check that every benchmark runs, in seconds; its figures mean nothing.</param>
    public static int Run(bool quick, TextWriter output)
    {
        var artifacts = Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts");
        IConfig config = quick
            ? ManualConfig.Create(DefaultConfig.Instance)
                .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance))
                .WithOptions(ConfigOptions.DisableOptimizationsValidator)
                .WithArtifactsPath(artifacts)
            : DefaultConfig.Instance.WithArtifactsPath(artifacts);
        var summaries = BenchmarkRunner.Run(All, config);
        var rows = summaries.SelectMany(Rows).ToList();
        var failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) || rows.Count == 0;
        Report.Print(output, new { benchmark = "micro", quick, machine = Report.Machine, rows, failed });
        return failed ? 1 : 0;
    }

    private sealed record Row(string Class, string Benchmark, bool Baseline, double MeanNs, double MedianNs, double Ratio,
        long AllocatedBytes);

    private static IEnumerable<Row> Rows(Summary summary)
    {
        var reports = summary.Reports.Where(r => r.ResultStatistics is not null).ToList();
        var baseline = reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.Baseline)?.ResultStatistics!.Mean ?? 0;
        return reports.Select(r => new Row(
            r.BenchmarkCase.Descriptor.Type.Name,
            r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\''),
            r.BenchmarkCase.Descriptor.Baseline,
            Report.Round(r.ResultStatistics!.Mean),
            Report.Round(r.ResultStatistics.Median),
            Statistics.Ratio(r.ResultStatistics.Mean, baseline),
            r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) ?? 0));
    }
}
