using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Store;
using Workflow.Store.Applications;

namespace Workflow.Benchmarks;

/// <summary>
/// The deadline sweep under a midnight burst, and server start-up with many open deadlines, each beside a baseline
/// measured in the same run on the same server: the sweeper's own claim query with nothing done per row, and start-up
/// on an empty database.
/// </summary>
public static class DeadlinesBenchmark
{
    /// <param name="StartupRounds">Alternating starts of the API on each database after one warm-up start each; 0 skips start-up.</param>
    public sealed record Options(int Open, int Due, int ClaimRounds, int StartupRounds)
    {
        public static Options Full => new(100_000, 10_000, 3, 5);
        public static Options Quick => new(200, 20, 1, 0);
    }

    /// <summary>Application time stands still unless moved: the burst is released at one instant.</summary>
    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private const int Batch = 500;
    private const int Parallelism = 8;

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, string apiPath,
        TextWriter output, CancellationToken cancellation = default)
    {
        var clock = new StoppedClock(new DateTimeOffset(2024, 6, 3, 9, 0, 0, TimeSpan.FromHours(7)));
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, clock, cancellation);
        output.WriteLine($"PostgreSQL: {bench.Description}; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var commands = bench.Commands;
        var table = $"{WorkflowStore.Schema}.{OpenDeadlines.Table}";

        // Real applications whose registration step's 75% warning is the deadline that comes due; the rest of the open
        // deadlines are rows of the same table due years later, so the claim query works on a table of the full size.
        output.WriteLine($"Creating {options.Due:N0} applications with an open registration step ...");
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < options.Due; i = Interlocked.Increment(ref next))
            {
                var id = Guid.CreateVersion7();
                await commands.SubmitAsync(Samples.Application(id), Samples.Clerk, Samples.Context, cancellation);
                await commands.HandleAsync(id, null, Samples.CompletenessCheckPassed, Samples.Context, cancellation);
            }
        }, cancellation)));
        var due = await Count(bench, $"select count(*) from {table} where scope = 'register' and kind = 'warning'");
        await bench.ExecuteAsync($"""
            insert into {table} (application_id, scope, kind, level, agency, due_at, fire_at)
            select gen_random_uuid(), 'register', 'warning', 0, 'moic-enterprise-registration', '2031-01-01',
                   '2030-01-01'::timestamptz + (g * interval '1 second')
            from generate_series(1, @filler) g
            """, ("filler", Math.Max(0, options.Open - options.Due)));
        var open = await Count(bench, $"select count(*) from {table}");

        // The warnings come due at one instant of application time; the sweeper claims what is due strictly before now.
        var midnight = new DateTimeOffset(2024, 6, 13, 12, 0, 0, TimeSpan.FromHours(7));
        Task Arm() => bench.ExecuteAsync(
            $"update {table} set fire_at = @at, claimed_until = null where scope = 'register' and due_at < '2030-01-01'",
            ("at", midnight.ToUniversalTime()));
        await Arm();
        await bench.ExecuteAsync($"vacuum analyze {table}");
        clock.Now = midnight.AddMilliseconds(1);

        // Baseline: the sweeper's own claim, in the same batches, with nothing done per row.
        var sweeper = bench.Services.GetRequiredService<DeadlineSweeper>();
        var claimTimes = new List<double>();
        for (var round = 0; round < options.ClaimRounds; round++)
        {
            var watch = Stopwatch.StartNew();
            while ((await sweeper.ClaimAsync(Batch, TimeSpan.FromMinutes(5), cancellation)).Count > 0) { }
            claimTimes.Add(watch.Elapsed.TotalMilliseconds);
            await Arm();
        }

        // The sweep as a node runs it: claim, then fire each deadline through the command shell.
        var commitsBefore = await Commits(bench);
        var released = DateTimeOffset.UtcNow;
        var sweepWatch = Stopwatch.StartNew();
        while (await sweeper.SweepOnceAsync(Batch, Parallelism, TimeSpan.FromMinutes(5), cancellation) > 0) { }
        var sweepMs = sweepWatch.Elapsed.TotalMilliseconds;
        var lateness = await Lateness(bench, released);
        var commits = await Commits(bench) - commitsBefore;
        var claimMs = Statistics.Median(claimTimes);

        output.WriteLine();
        output.WriteLine("| deadlines due at once | open deadlines | raw claim (median ms) | sweep fires all (ms) | ratio " +
                         "| lateness p50 ms | p99 ms | max ms |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        output.WriteLine($"| {lateness.Count:N0} | {open:N0} | {claimMs:N0} | {sweepMs:N0} | {Statistics.Ratio(sweepMs, claimMs):N1}x | " +
                         $"{Statistics.Percentile(lateness, 0.5):N0} | {Statistics.Percentile(lateness, 0.99):N0} | " +
                         $"{lateness.DefaultIfEmpty(0).Max():N0} |");
        output.WriteLine($"{commits:N0} WAL flushes (durable commits) during the sweep: " +
                         $"{(double)commits / Math.Max(1, lateness.Count):N2} per deadline fired");

        var startup = await StartUpAsync(options, bench, workflowsPath, apiPath, output);
        var complete = lateness.Count == due && due == options.Due;
        if (!complete) output.WriteLine($"Only {lateness.Count:N0} of {options.Due:N0} due warnings were recorded.");

        Report.Print(output, new
        {
            benchmark = "deadlines",
            store = bench.Description,
            machine = Report.Machine,
            options,
            sweep = new
            {
                due,
                open,
                fired = lateness.Count,
                claimMedianMs = Report.Round(claimMs),
                sweepMs = Report.Round(sweepMs),
                walFlushes = commits,
                ratio = Statistics.Ratio(sweepMs, claimMs),
                latenessP50Ms = Report.Round(Statistics.Percentile(lateness, 0.5)),
                latenessP99Ms = Report.Round(Statistics.Percentile(lateness, 0.99)),
                latenessMaxMs = Report.Round(lateness.DefaultIfEmpty(0).Max()),
            },
            startup,
        });
        return complete ? 0 : 1;
    }

    private sealed record StartUp(double EmptyMedianMs, double EmptyMinMs, double EmptyMaxMs, double LoadedMedianMs, double LoadedMinMs,
        double LoadedMaxMs, double Ratio);

    /// <summary>
    /// The API process from launch until /health answers, on this database (every deadline in the future) and on an empty one.
    /// </summary>
    private static async Task<StartUp?> StartUpAsync(Options options, BenchStore bench, string workflowsPath, string apiPath,
        TextWriter output)
    {
        if (options.StartupRounds <= 0) return null;
        if (!bench.IsPrivate)
        {
            output.WriteLine("Start-up not measured: it needs a second, empty database, so only on the private cluster.");
            return null;
        }
        if (!File.Exists(apiPath))
        {
            output.WriteLine($"Start-up not measured: no API at {apiPath} (build this project in the same configuration).");
            return null;
        }
        var table = $"{WorkflowStore.Schema}.{OpenDeadlines.Table}";
        await bench.ExecuteAsync(
            $"update {table} set fire_at = '2030-01-01'::timestamptz + (random() * interval '365 days'), claimed_until = null");
        await bench.ExecuteAsync("create database workflow_empty");
        var empty = new NpgsqlConnectionStringBuilder(bench.ConnectionString) { Database = "workflow_empty" }.ConnectionString;
        await Start(apiPath, empty, workflowsPath);
        await Start(apiPath, bench.ConnectionString, workflowsPath);
        var emptyTimes = new List<double>();
        var loadedTimes = new List<double>();
        for (var round = 0; round < options.StartupRounds; round++)
        {
            emptyTimes.Add(await Start(apiPath, empty, workflowsPath));
            loadedTimes.Add(await Start(apiPath, bench.ConnectionString, workflowsPath));
        }
        var result = new StartUp(
            Report.Round(Statistics.Median(emptyTimes), 0), Report.Round(emptyTimes.Min(), 0), Report.Round(emptyTimes.Max(), 0),
            Report.Round(Statistics.Median(loadedTimes), 0), Report.Round(loadedTimes.Min(), 0), Report.Round(loadedTimes.Max(), 0),
            Statistics.Ratio(Statistics.Median(loadedTimes), Statistics.Median(emptyTimes)));
        output.WriteLine();
        output.WriteLine("| server start-up until /health answers | median ms | min ms | max ms |");
        output.WriteLine("|---|---:|---:|---:|");
        output.WriteLine($"| no open deadlines | {result.EmptyMedianMs:N0} | {result.EmptyMinMs:N0} | {result.EmptyMaxMs:N0} |");
        output.WriteLine($"| open deadlines | {result.LoadedMedianMs:N0} | {result.LoadedMinMs:N0} | {result.LoadedMaxMs:N0} |");
        output.WriteLine($"Ratio {result.Ratio:N2} ({options.StartupRounds} alternating starts each, after one warm-up start of each)");
        return result;
    }

    private static async Task<double> Start(string apiPath, string connectionString, string workflowsPath)
    {
        var port = 20000 + Random.Shared.Next(20000);
        var start = new ProcessStartInfo("dotnet", [apiPath]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__Workflow"] = connectionString;
        start.Environment["Auth__SigningKey"] = ApiProcess.SigningKey;
        // Outside Development the server refuses to start without its audit chain key (exit code 2).
        start.Environment["Audit__ChainKey"] = ApiProcess.ChainKey;
        start.Environment["Workflow__DefinitionsPath"] = workflowsPath;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        try
        {
            while (watch.Elapsed < TimeSpan.FromSeconds(60))
            {
                try
                {
                    if ((await http.GetAsync($"http://127.0.0.1:{port}/health")).IsSuccessStatusCode)
                        return watch.Elapsed.TotalMilliseconds;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                if (process.HasExited) throw new InvalidOperationException($"the API exited with code {process.ExitCode}");
                // The measurement itself: how soon the server answers, probed every 20 ms.
                await Task.Delay(20);
            }
            throw new TimeoutException("the API did not answer /health within a minute");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>How long after the release each warning was recorded (server commit time of its event).</summary>
    private static async Task<List<double>> Lateness(BenchStore bench, DateTimeOffset released)
    {
        await using var command = bench.Database.CreateCommand(
            $"select extract(epoch from (timestamp - @released)) * 1000 from {WorkflowStore.Schema}.mt_events " +
            "where type = 'deadline_warning_reached'");
        command.Parameters.AddWithValue("released", released);
        var values = new List<double>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) values.Add((double)reader.GetDecimal(0));
        return values;
    }

    /// <summary>WAL flushes of the server so far: one per durable commit, fewer when commits share one (PostgreSQL's statistics).</summary>
    private static async Task<long> Commits(BenchStore bench)
    {
        await bench.ExecuteAsync("select pg_stat_clear_snapshot()");
        return await Count(bench, "select wal_sync from pg_stat_wal");
    }

    private static async Task<long> Count(BenchStore bench, string sql)
    {
        await using var command = bench.Database.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
