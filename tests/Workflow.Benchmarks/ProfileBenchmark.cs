using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Workflow.Benchmarks;

/// <summary>
/// Where a command's time goes, in process and one command at a time: the round trips it makes to PostgreSQL (each
/// command or batch Npgsql sends, seen through its tracing), the time spent waiting for them, the time left for .NET, and
/// the bytes it allocates, beside raw INSERT+COMMIT on the same server in the same run.
/// </summary>
public static partial class ProfileBenchmark
{
    public sealed record Options(int Operations, int Rounds, int Warmup)
    {
        public static Options Full => new(1000, 3, 2000);
        public static Options Quick => new(10, 1, 10);
    }

    public sealed record Row(string Command, double MsPerOperation, double RoundTrips, double DatabaseMs, double DotnetMs,
        double AllocatedKiB);

    public sealed record Statement(string Command, string Sql, double PerOperation, double MeanMs);

    private sealed class Recorder
    {
        public volatile bool On;
        public readonly ConcurrentQueue<(string Sql, double Ms)> Seen = new();
    }

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, TextWriter output,
        CancellationToken cancellation = default)
    {
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation);
        await bench.CreateRawTableAsync();
        output.WriteLine($"PostgreSQL: {bench.Description}; {Environment.ProcessorCount} cores, .NET {Environment.Version}, one client, " +
                         $"{options.Operations} operations x {options.Rounds} rounds");
        var commands = bench.Commands;
        var recorder = new Recorder();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (!recorder.On) return;
                var sql = activity.GetTagItem("db.query.text") as string ?? activity.GetTagItem("db.statement") as string
                    ?? activity.DisplayName;
                recorder.Seen.Enqueue((sql, activity.Duration.TotalMilliseconds));
            },
        };
        ActivitySource.AddActivityListener(listener);

        var ids = new List<Guid>();
        async Task<Guid> Submit()
        {
            var id = Guid.CreateVersion7();
            await commands.SubmitAsync(Samples.Application(id), Samples.Clerk, Samples.Context, cancellation);
            ids.Add(id);
            return id;
        }
        var approved = 0;
        async Task<Guid> Approve()
        {
            var id = ids[approved++];
            await commands.HandleAsync(id, null, Samples.CompletenessCheckPassed, Samples.Context, cancellation);
            return id;
        }
        Task<Guid> Raw() => bench.RawCommitAsync(cancellation);

        for (var i = 0; i < options.Warmup; i++) { await Raw(); await Submit(); await Approve(); }
        var operations = new (string Name, Func<Task<Guid>> Run)[]
            { ("raw INSERT+COMMIT", Raw), ("submit-and-route", Submit), ("approve step", Approve) };
        var measured = operations.ToDictionary(o => o.Name, _ => new List<(double Ms, int Trips, double DbMs, double Bytes)>());
        var statements = operations.ToDictionary(o => o.Name, _ => new List<(string Sql, double Ms)>());
        for (var round = 0; round < options.Rounds; round++)
            foreach (var (name, run) in operations)
            {
                recorder.Seen.Clear();
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                recorder.On = true;
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < options.Operations; i++) await run();
                var elapsed = watch.Elapsed.TotalMilliseconds;
                recorder.On = false;
                var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                var seen = recorder.Seen.ToList();
                measured[name].Add((elapsed / options.Operations, seen.Count, seen.Sum(s => s.Ms) / options.Operations,
                    (double)bytes / options.Operations));
                statements[name].AddRange(seen);
            }

        var rows = measured.Select(m =>
        {
            var ms = Statistics.Median(m.Value.Select(v => v.Ms));
            var db = Statistics.Median(m.Value.Select(v => v.DbMs));
            var trips = Statistics.Median(m.Value.Select(v => (double)v.Trips)) / options.Operations;
            return new Row(m.Key, Report.Round(ms, 3), Report.Round(trips, 2),
                Report.Round(db, 3), Report.Round(ms - db, 3), Report.Round(Statistics.Median(m.Value.Select(v => v.Bytes)) / 1024, 1));
        }).ToList();
        var total = options.Operations * options.Rounds;
        var detail = statements.SelectMany(s => s.Value.GroupBy(x => Shorten(x.Sql))
                .Select(g => new Statement(s.Key, g.Key, Report.Round((double)g.Count() / total, 2),
                    Report.Round(g.Average(x => x.Ms), 3))))
            .Where(s => s.Command != "raw INSERT+COMMIT").ToList();

        output.WriteLine();
        output.WriteLine("| command | ms per operation (median) | round trips | waiting for PostgreSQL ms | in .NET ms | allocated KiB |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            output.WriteLine($"| {r.Command} | {r.MsPerOperation:F3} | {r.RoundTrips:N2} | {r.DatabaseMs:F3} | {r.DotnetMs:F3} " +
                             $"| {r.AllocatedKiB:N1} |");
        output.WriteLine();
        output.WriteLine("| command | round trip (first words of its SQL) | per operation | mean ms |");
        output.WriteLine("|---|---|---:|---:|");
        foreach (var s in detail)
            output.WriteLine($"| {s.Command} | `{s.Sql}` | {s.PerOperation:N2} | {s.MeanMs:F3} |");
        await bench.DropRawTableAsync();

        Report.Print(output,
            new { benchmark = "profile", store = bench.Description, machine = Report.Machine, options, rows, statements = detail });
        return 0;
    }

    /// <summary>A round trip named by the start of its statements, parameters and literal numbers left out.</summary>
    private static string Shorten(string sql)
    {
        var words = Whitespace().Replace(sql, " ").Trim();
        return words.Length <= 90 ? words : words[..90] + " ...";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
