using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Core.Applications;
using Workflow.Store;
using Workflow.Store.Applications;
using Workflow.Store.Audit;

namespace Workflow.Benchmarks;

/// <summary>
/// The whole-store projection check (<c>workflow verify --projections</c>, <c>?projections=true</c>) on a large store, beside
/// a raw read of what it reads (every event and every stored read model, each deserialised, nothing kept) measured in the
/// same run on the same server: its time, and the memory of the process that runs it (resident and managed heap).
/// </summary>
public static class ProjectionsBenchmark
{
    public sealed record Options(int Applications, int Rounds)
    {
        public static Options Full => new(100_000, 3);
        public static Options Quick => new(300, 1);
    }

    /// <param name="PeakResidentMiB">The highest resident memory of this process sampled while it ran, in MiB.</param>
    /// <param name="PeakHeapMiB">The highest managed heap sampled while it ran, in MiB.</param>
    public sealed record Round(int Number, double RawMs, double CheckMs, double Ratio, int Differences, double ResidentBeforeMiB,
        double PeakResidentMiB, double PeakHeapMiB, double AllocatedMiB);

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, TextWriter output,
        CancellationToken cancellation = default)
    {
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation);
        output.WriteLine($"PostgreSQL: {bench.Description}; {Environment.ProcessorCount} cores, .NET {Environment.Version}");

        // Two real cases, as the inbox benchmark makes them: one waiting at the ministry, one at the centre's completeness check.
        var atAgency = Guid.CreateVersion7();
        await bench.Commands.SubmitAsync(Samples.Application(atAgency), Samples.Clerk, Samples.Context, cancellation);
        await bench.Commands.HandleAsync(atAgency, null, Samples.CompletenessCheckPassed, Samples.Context, cancellation);
        var atCentre = Guid.CreateVersion7();
        await bench.Commands.SubmitAsync(Samples.Application(atCentre), Samples.Clerk, Samples.Context, cancellation);
        output.WriteLine($"Copying them into {options.Applications:N0} applications, each exactly what its events fold into ...");
        var watch = Stopwatch.StartNew();
        var half = options.Applications / 2;
        await ScaleStore.CopyAsync(bench, atAgency, 1, half - 1, cancellation, faithful: true);
        await ScaleStore.CopyAsync(bench, atCentre, half, options.Applications - half - 1, cancellation, faithful: true);
        await ScaleStore.AnalyzeAsync(bench);
        var events = await CountAsync(bench, $"select count(*) from {WorkflowStore.Schema}.mt_events");
        var items = await CountAsync(bench, $"select count(*) from {WorkflowStore.Schema}.mt_doc_inboxitem");
        var rows = await CountAsync(bench, $"select count(*) from {WorkflowStore.Schema}.{OpenDeadlines.Table}");
        output.WriteLine($"{options.Applications:N0} applications, {events:N0} events, {items:N0} inbox items, {rows:N0} deadline " +
                         $"rows, made in {watch.Elapsed.TotalSeconds:N0} s");

        var check = bench.Services.GetRequiredService<ProjectionCheck>();
        var rounds = new List<Round>();
        await RawReadAsync(bench, cancellation);
        for (var round = 1; round <= options.Rounds; round++)
        {
            var raw = Stopwatch.StartNew();
            await RawReadAsync(bench, cancellation);
            var rawMs = raw.Elapsed.TotalMilliseconds;

            GC.Collect();
            var before = Memory.Now();
            var allocated = GC.GetTotalAllocatedBytes();
            using var sampler = new Memory.Sampler();
            var timed = Stopwatch.StartNew();
            var differences = await check.RunAsync([], cancellation: cancellation);
            var checkMs = timed.Elapsed.TotalMilliseconds;
            var (peakResident, peakHeap) = sampler.Stop();
            if (differences.Count > 0) output.WriteLine($"Round {round}: first difference: {differences[0]}");
            rounds.Add(new Round(round, Report.Round(rawMs, 0), Report.Round(checkMs, 0), Statistics.Ratio(checkMs, rawMs),
                differences.Count, Report.Round(before.Resident, 1), Report.Round(peakResident, 1), Report.Round(peakHeap, 1),
                Report.Round((GC.GetTotalAllocatedBytes() - allocated) / 1048576.0, 0)));
        }

        output.WriteLine();
        output.WriteLine("| round | applications | raw read + deserialise (ms) | projection check (ms) | ratio | differences " +
                         "| resident before MiB | peak resident MiB | peak managed heap MiB | allocated MiB |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rounds)
            output.WriteLine($"| {r.Number} | {options.Applications:N0} | {r.RawMs:N0} | {r.CheckMs:N0} | {r.Ratio:N2} | {r.Differences} " +
                             $"| {r.ResidentBeforeMiB:N1} | {r.PeakResidentMiB:N1} | {r.PeakHeapMiB:N1} | {r.AllocatedMiB:N0} |");
        var median = new
        {
            rawMs = Report.Round(Statistics.Median(rounds.Select(r => r.RawMs)), 0),
            checkMs = Report.Round(Statistics.Median(rounds.Select(r => r.CheckMs)), 0),
            ratio = Statistics.Ratio(Statistics.Median(rounds.Select(r => r.CheckMs)), Statistics.Median(rounds.Select(r => r.RawMs))),
            perApplicationMs = Report.Round(Statistics.Median(rounds.Select(r => r.CheckMs)) / options.Applications, 4),
            peakResidentGrowthMiB = Report.Round(Statistics.Median(rounds.Select(r => r.PeakResidentMiB - r.ResidentBeforeMiB)), 1),
        };
        output.WriteLine($"Median: the check {median.checkMs:N0} ms against {median.rawMs:N0} ms ({median.ratio:N2}x), " +
                         $"{median.perApplicationMs:N4} ms per application; resident memory grew by {median.peakResidentGrowthMiB:N1} MiB " +
                         "at its peak.");
        var named = rounds.Sum(r => r.Differences);
        if (named > 0) output.WriteLine($"{named} difference(s) named in a store that has none!");

        Report.Print(output, new
        {
            benchmark = "projections",
            store = bench.Description,
            machine = Report.Machine,
            options,
            events,
            inboxItems = items,
            deadlineRows = rows,
            rounds,
            median,
        });
        return named == 0 ? 0 : 1;
    }

    /// <summary>
    /// What the check reads, read as plainly as it can be: every event deserialised into its type, every case document,
    /// tracking document and inbox item into its type, every deadline row's columns; in order, nothing kept.
    /// </summary>
    private static async Task RawReadAsync(BenchStore bench, CancellationToken cancellation)
    {
        var serializer = bench.Store.Options.Serializer();
        var types = ApplicationEvents.Aliases.Concat(DeskEvents.Aliases).ToDictionary(kv => kv.Value, kv => kv.Key);
        var s = WorkflowStore.Schema;
        (string Sql, Func<Npgsql.NpgsqlDataReader, object?> Read)[] reads =
        [
            ($"select type, data from {s}.mt_events where type = any(@types) order by stream_id, seq_id",
                r => serializer.FromJson(types[r.GetString(0)], r, 1)),
            ($"select data from {s}.mt_doc_applicationdetails order by id", r => serializer.FromJson<ApplicationDetails>(r, 0)),
            ($"select data from {s}.mt_doc_citizentracking order by id",
                r => serializer.FromJson<Workflow.Store.Tracking.CitizenTracking>(r, 0)),
            ($"select data from {s}.mt_doc_inboxitem order by (data ->> 'applicationId')::uuid", r => serializer.FromJson<InboxItem>(r, 0)),
            ($"select application_id, scope, kind, level, agency, due_at, fire_at from {s}.{OpenDeadlines.Table} order by application_id",
                r => (r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.IsDBNull(4) ? null : r.GetString(4),
                    r.GetFieldValue<DateTimeOffset>(5), r.IsDBNull(6) ? (DateTimeOffset?)null : r.GetFieldValue<DateTimeOffset>(6))),
        ];
        foreach (var (sql, read) in reads)
        {
            await using var command = bench.Database.CreateCommand(sql);
            command.CommandTimeout = 0;
            if (sql.Contains("@types")) command.Parameters.AddWithValue("types", types.Keys.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation)) _ = read(reader);
        }
    }

    private static async Task<long> CountAsync(BenchStore bench, string sql)
    {
        await using var command = bench.Database.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>This process's resident memory and managed heap, read and sampled.</summary>
    private static class Memory
    {
        public static (double Resident, double Heap) Now() =>
            (Resident(), GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0);

        private static double Resident()
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? Environment.WorkingSet / 1048576.0
                : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]) / 1024.0;
        }

        /// <summary>Samples both every 20 ms on a thread of its own until stopped, and keeps the highest of each.</summary>
        public sealed class Sampler : IDisposable
        {
            private readonly CancellationTokenSource stop = new();
            private readonly Thread thread;
            private double resident, heap;

            public Sampler()
            {
                thread = new Thread(() =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        Sample();
                        stop.Token.WaitHandle.WaitOne(20);
                    }
                }) { IsBackground = true };
                thread.Start();
            }

            private void Sample()
            {
                var (r, h) = Now();
                lock (stop) (resident, heap) = (Math.Max(resident, r), Math.Max(heap, h));
            }

            public (double Resident, double Heap) Stop()
            {
                stop.Cancel();
                thread.Join();
                Sample();
                return (resident, heap);
            }

            public void Dispose() => stop.Dispose();
        }
    }
}
