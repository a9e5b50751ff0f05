using System.Diagnostics;
using Workflow.Store.Applications;

namespace Workflow.Benchmarks;

/// <summary>
/// Throughput and latency of the command shell the API uses (submit-and-route, approve a step), beside raw single-row
/// INSERT+COMMIT on the same server in the same run, at one and at several concurrent clients; then the process's resident
/// memory after many more applications. Medians of rounds and ratios to the raw baseline, never absolute pass or fail.
/// </summary>
public static class CommandsBenchmark
{
    public sealed record Options(int Operations, int Rounds, int Warmup, int MemoryApplications, IReadOnlyList<int> Clients)
    {
        public static Options Full => new(2000, 3, 3000, 10_000, [1, 8]);
        public static Options Quick => new(20, 1, 20, 20, [1, 2]);
    }

    private sealed record Row(string Operation, int Clients, double OpsPerSecond, double RatioToRaw, double P50Ms, double P99Ms);

    private const string Raw = "raw INSERT+COMMIT";

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, TextWriter output,
        CancellationToken cancellation = default)
    {
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation);
        output.WriteLine($"PostgreSQL: {bench.Description}");
        output.WriteLine($"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
                         $"{options.Operations} operations x {options.Rounds} rounds per row");
        var commands = bench.Commands;
        await bench.CreateRawTableAsync();

        // Warm-up until tiered compilation has settled, so that the rows compare steady states: a server runs for weeks.
        for (var done = 0; done < options.Warmup; done += 1000)
        {
            var n = Math.Min(1000, options.Warmup - done);
            await RawInserts(n, 4);
            await Approve((await Submit(n, 4)).Ids, 4);
        }

        var measured = new List<(string Operation, int Clients, List<Run> Runs)>();
        foreach (var clients in options.Clients)
        {
            measured.Add((Raw, clients, await Repeat(() => RawInserts(options.Operations, clients))));
            measured.Add(("submit-and-route", clients, await Repeat(() => Submit(options.Operations, clients))));
            measured.Add(("approve step", clients, await Repeat(async () =>
                await Approve((await Submit(options.Operations, 8)).Ids, clients))));
        }
        var rows = measured.Select(m => (m.Operation, m.Clients, PerSecond: Statistics.Median(m.Runs.Select(r => r.PerSecond)),
                P50: Statistics.Median(m.Runs.Select(r => Statistics.Percentile(r.LatenciesMs, 0.50))),
                P99: Statistics.Median(m.Runs.Select(r => Statistics.Percentile(r.LatenciesMs, 0.99)))))
            .ToList();
        var table = rows.Select(r => new Row(r.Operation, r.Clients, Report.Round(r.PerSecond, 0),
            Statistics.Ratio(r.PerSecond, rows.First(b => b.Operation == Raw && b.Clients == r.Clients).PerSecond),
            Report.Round(r.P50), Report.Round(r.P99))).ToList();

        output.WriteLine();
        output.WriteLine("| operation | clients | ops/s (median) | ratio to raw | p50 ms | p99 ms |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var r in table)
            output.WriteLine($"| {r.Operation} | {r.Clients} | {r.OpsPerSecond:N0} | {r.RatioToRaw:P0} | {r.P50Ms:F2} | {r.P99Ms:F2} |");

        var before = Resident();
        var submitted = 0;
        while (submitted < options.MemoryApplications)
        {
            var batch = Math.Min(2000, options.MemoryApplications - submitted);
            await Submit(batch, 8);
            submitted += batch;
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var after = Resident();
        var heap = GC.GetTotalMemory(false) / 1024 / 1024;
        output.WriteLine();
        output.WriteLine($"Resident memory: {before:N0} MiB before, {after:N0} MiB after {submitted:N0} more applications " +
                         $"(managed heap {heap:N0} MiB)");
        await bench.DropRawTableAsync();

        Report.Print(output, new
        {
            benchmark = "commands",
            store = bench.Description,
            machine = Report.Machine,
            options,
            rows = table,
            memory = new { applications = submitted, residentBeforeMiB = before, residentAfterMiB = after, managedHeapMiB = heap },
        });
        return 0;

        async Task<List<Run>> Repeat(Func<Task<Run>> measure)
        {
            var runs = new List<Run>();
            for (var r = 0; r < options.Rounds; r++) runs.Add(await measure());
            return runs;
        }

        Task<Run> Submit(int n, int clients) => Load.Time(n, clients, async _ =>
        {
            var id = Guid.CreateVersion7();
            await commands.SubmitAsync(Samples.Application(id), Samples.Clerk, Samples.Context, cancellation);
            return id;
        });

        Task<Run> Approve(IReadOnlyList<Guid> ids, int clients) => Load.Time(ids.Count, clients, async i =>
        {
            await commands.HandleAsync(ids[i], null, Samples.CompletenessCheckPassed, Samples.Context, cancellation);
            return ids[i];
        });

        Task<Run> RawInserts(int n, int clients) => Load.Time(n, clients, _ => bench.RawCommitAsync(cancellation));
    }

    private static long Resident() => Process.GetCurrentProcess().WorkingSet64 / 1024 / 1024;
}
