using System.Diagnostics;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events;
using Weasel.Core;
using Microsoft.Extensions.DependencyInjection;
using Workflow.Core.Applications;
using Workflow.Core.Statistics;
using Workflow.Store;
using Workflow.Store.Statistics;

namespace Workflow.Benchmarks;

/// <summary>
/// The statistics under load: the async projection fed a steady stream of events (its lag sampled every tick, beside
/// the rate written), the dashboard query over a year of applications (beside a raw read of the same rows), and the
/// public transparency page of a running API (beside its health check), each in the same run on the same server.
/// </summary>
public static class StatisticsBenchmark
{
    /// <param name="EventsPerSecond">The steady rate written while the daemon runs.</param>
    /// <param name="Applications">Case facts of one year for the dashboard query.</param>
    public sealed record Options(int EventsPerSecond, int Seconds, int Applications, int QueryRounds, int PageRequests)
    {
        public static Options Full => new(1000, 30, 1_000_000, 20, 500);
        public static Options Quick => new(200, 2, 300, 2, 5);
    }

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, string? apiPath,
        TextWriter output, CancellationToken cancellation = default)
    {
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation,
            statistics: true);
        output.WriteLine($"PostgreSQL: {bench.Description}; {Environment.ProcessorCount} cores, .NET {Environment.Version}");

        var projection = await ProjectionAsync(bench, options, cancellation);
        output.WriteLine();
        output.WriteLine("| async projection | events written | written per s | lag p50 s | lag p99 s | lag max s | caught up |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        output.WriteLine($"| {options.Seconds} s at {options.EventsPerSecond:N0} events/s | {projection.Written:N0} | " +
                         $"{projection.WrittenPerSecond:N0} | {projection.LagP50:N2} | {projection.LagP99:N2} | {projection.LagMax:N2} | " +
                         $"{(projection.CaughtUp ? "yes" : "no")} |");

        // What `workflow stats --check` does, on the generated history: every figure recomputed from the raw events.
        var reader = bench.Services.GetRequiredService<StatisticsReader>();
        var through = (await reader.ProgressAsync(cancellation)).Sequence;
        var today = Period.LocalDay(DateTimeOffset.UtcNow);
        var checkQuery = new StatisticsQuery(PeriodKind.Day, today.AddDays(-1), today.AddDays(1),
            By: [Dimensions.Centre, Dimensions.Agency]);
        var recomputed = Indicators.Compute(await reader.RecomputeAsync(through, cancellation), checkQuery, bench.Catalog.Calendars);
        var differences = Indicators.Differences(recomputed,
            await reader.IndicatorsAsync(checkQuery, bench.Catalog.Calendars, cancellation));
        var cases = recomputed.Sum(r => r.Received);
        output.WriteLine($"Check: {cases:N0} step visits recomputed from the raw events, " +
                         $"{differences.Count} difference(s) with the projection.");

        var dashboard = await DashboardAsync(bench, options, cancellation);
        output.WriteLine();
        output.WriteLine("| dashboard: a year by month, centre and procedure | applications | raw read p50 ms | facts loaded p50 ms " +
                         "| query p50 ms | query p99 ms | ratio (p50) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        output.WriteLine($"| {options.QueryRounds} rounds | {options.Applications:N0} | {dashboard.RawP50:N1} | {dashboard.LoadP50:N1} | " +
                         $"{dashboard.QueryP50:N1} | {dashboard.QueryP99:N1} | " +
                         $"{Statistics.Ratio(dashboard.QueryP50, dashboard.RawP50):N2} |");

        var page = string.IsNullOrEmpty(apiPath) ? null : await PageAsync(bench, options, workflowsPath, apiPath, cancellation);
        if (page is not null)
        {
            output.WriteLine();
            output.WriteLine("| transparency page (cached) | requests | /health p50 ms | page p50 ms | page p99 ms | ratio (p50) |");
            output.WriteLine("|---|---:|---:|---:|---:|---:|");
            output.WriteLine($"| sequential | {options.PageRequests:N0} | {page.HealthP50:N2} | {page.PageP50:N2} | {page.PageP99:N2} | " +
                             $"{Statistics.Ratio(page.PageP50, page.HealthP50):N2} |");
        }

        Report.Print(output, new
        {
            benchmark = "statistics",
            store = bench.Description,
            machine = Report.Machine,
            options,
            projection,
            check = new { visits = cases, differences = differences.Count },
            dashboard,
            dashboardRatio = Statistics.Ratio(dashboard.QueryP50, dashboard.RawP50),
            page,
        });
        return projection.CaughtUp && differences.Count == 0 ? 0 : 1;
    }

    public sealed record Projection(long Written, double WrittenPerSecond, double LagP50, double LagP99, double LagMax, bool CaughtUp);

    /// <summary>
    /// Copies of a real case (the submission and the completeness check) written by SQL every tick at the steady rate,
    /// while a daemon runs the statistics; the lag is the age of the oldest event the projection has not yet read.
    /// </summary>
    private static async Task<Projection> ProjectionAsync(BenchStore bench, Options options, CancellationToken cancellation)
    {
        var template = Guid.CreateVersion7();
        await bench.Commands.SubmitAsync(Samples.Application(template), Samples.Clerk, Samples.Context, cancellation);
        await bench.Commands.HandleAsync(template, null, Samples.CompletenessCheckPassed, Samples.Context, cancellation);
        var perCase = await Scalar(bench, $"select count(*) from {WorkflowStore.Schema}.mt_events where stream_id = @t", ("t", template));
        var casesPerTick = Math.Max(1, (int)Math.Round(options.EventsPerSecond * Tick.TotalSeconds / perCase));

        using var daemon = await bench.Store.BuildProjectionDaemonAsync();
        await daemon.StartAllAsync();
        var lags = new List<double>();
        var watch = Stopwatch.StartNew();
        long written = 0;
        for (var tick = 1; watch.Elapsed < TimeSpan.FromSeconds(options.Seconds); tick++)
        {
            await bench.ExecuteAsync(Copies, ("n", casesPerTick), ("template", template));
            written += casesPerTick * perCase;
            lags.Add(await LagAsync(bench));
            var wait = Tick * tick - watch.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellation);
        }
        var seconds = watch.Elapsed.TotalSeconds;
        var caughtUp = true;
        try
        {
            await bench.Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            caughtUp = false;
        }
        await daemon.StopAllAsync();
        return new Projection(written, Report.Round(written / seconds), Report.Round(Statistics.Median(lags)),
            Report.Round(Statistics.Percentile(lags, 0.99)), Report.Round(lags.DefaultIfEmpty(0).Max()), caughtUp);
    }

    private static readonly string Copies = $"""
        create temporary table bench_copies as select gen_random_uuid() as id from generate_series(1, @n);
        insert into {WorkflowStore.Schema}.mt_streams (id, type, version, tenant_id)
        select b.id, s.type, s.version, s.tenant_id from bench_copies b
        cross join (select * from {WorkflowStore.Schema}.mt_streams where id = @template) s;
        insert into {WorkflowStore.Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type,
                                                      headers, user_name, correlation_id, causation_id)
        select nextval('{WorkflowStore.Schema}.mt_events_sequence'), gen_random_uuid(), b.id, t.version,
               jsonb_set(t.data, array['applicationId'], to_jsonb(b.id::text), false), t.type, now(), t.tenant_id, t.mt_dotnet_type,
               t.headers, t.user_name, t.correlation_id, t.causation_id
        from bench_copies b cross join (select * from {WorkflowStore.Schema}.mt_events where stream_id = @template) t
        order by b.id, t.version;
        drop table bench_copies;
        """;

    private static async Task<double> LagAsync(BenchStore bench)
    {
        await using var command = bench.Database.CreateCommand($"""
            select coalesce(extract(epoch from clock_timestamp() - min(e.timestamp)), 0)::float8
            from {WorkflowStore.Schema}.mt_events e
            where e.seq_id > coalesce((select last_seq_id from {WorkflowStore.Schema}.mt_event_progression
                                       where name like '{CaseFactsProjection.ProjectionName}:%'), 0)
            """);
        return (double)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> Scalar(BenchStore bench, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = bench.Database.CreateCommand(sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <param name="LoadP50">Of the query: reading the case facts alone, before the calculator sums them.</param>
    public sealed record Dashboard(double RawP50, double QueryP50, double QueryP99, double LoadP50);

    /// <summary>
    /// A year of case facts (as the projection writes them) bulk-loaded, then the dashboard's question: every month of the
    /// year by centre and procedure, through the same reader the API uses; the baseline reads the same rows raw.
    /// </summary>
    private static async Task<Dashboard> DashboardAsync(BenchStore bench, Options options, CancellationToken cancellation)
    {
        var random = new Random(12);
        var year = new DateTimeOffset(2025, 1, 1, 1, 0, 0, TimeSpan.Zero);
        string[] centres = ["VTE", "LPB", "SVK", "CPS", "XKH"];
        var procedures = bench.Catalog.Latest.Select(d => d.Id).ToArray();
        const int batch = 20_000;
        for (var done = 0; done < options.Applications; done += batch)
        {
            var facts = Enumerable.Range(done, Math.Min(batch, options.Applications - done)).Select(i =>
            {
                var received = year.AddMinutes(random.Next(0, 364 * 24 * 60));
                var complete = received.AddHours(random.Next(1, 48));
                var decided = complete.AddHours(random.Next(24, 24 * 40));
                var due = complete.AddDays(random.Next(10, 30));
                var late = decided > due;
                var timeliness = new CaseTimeliness(due, false, late, false, late ? CaseTimeliness.Late : CaseTimeliness.OnTime);
                return new CaseFacts(Guid.CreateVersion7(), procedures[i % procedures.Length], centres[i % centres.Length],
                    i % 3 == 0 ? "web" : "counter", i % 2 == 0, received, timeliness, complete, late ? due : null, decided, decided,
                    Outcomes.Approved, random.Next(0, 3), i % 4 == 0 ? random.Next(1, 6) : null, decided.AddDays(1))
                {
                    Steps = [new StepVisit("intake", "odsc", received, received.AddDays(1), complete, Outcomes.Approved)],
                };
            }).ToList();
            await bench.Store.BulkInsertDocumentsAsync(facts, BulkInsertMode.InsertsOnly, batch, cancellation);
        }
        await bench.ExecuteAsync($"vacuum analyze {WorkflowStore.Schema}.mt_doc_casefacts");

        var reader = bench.Services.GetRequiredService<StatisticsReader>();
        var query = new StatisticsQuery(PeriodKind.Month, new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31));
        var raw = new List<double>();
        var timed = new List<double>();
        var loading = new List<double>();
        for (var round = 0; round < options.QueryRounds + 1; round++)
        {
            var watch = Stopwatch.StartNew();
            await Scalar(bench, $"select count(*) from (select data from {WorkflowStore.Schema}.mt_doc_casefacts) d");
            var rawMs = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            var loaded = await reader.FactsAsync(query, cancellation);
            loading.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            var report = await reader.ReportAsync(query, bench.Catalog.Calendars, cancellation);
            if (report.Rows.Sum(r => r.Received) != options.Applications)
                throw new InvalidOperationException($"the dashboard counted {report.Rows.Sum(r => r.Received)} applications");
            if (round == 0) continue;   // the first round warms both paths
            timed.Add(watch.Elapsed.TotalMilliseconds);
            raw.Add(rawMs);
        }
        return new Dashboard(Report.Round(Statistics.Median(raw)), Report.Round(Statistics.Median(timed)),
            Report.Round(Statistics.Percentile(timed, 0.99)), Report.Round(Statistics.Median(loading)));
    }

    public sealed record Page(double HealthP50, double PageP50, double PageP99);

    /// <summary>The API on the same database; the page is asked once to fill its cache, then timed against /health.</summary>
    private static async Task<Page> PageAsync(BenchStore bench, Options options, string workflowsPath, string apiPath,
        CancellationToken cancellation)
    {
        var port = 20000 + Random.Shared.Next(20000);
        var start = new ProcessStartInfo("dotnet", [apiPath]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__Workflow"] = bench.ConnectionString;
        start.Environment["Workflow__DefinitionsPath"] = workflowsPath;
        start.Environment["Workflow__Statistics__Daemon"] = "Disabled";
        start.Environment["Workflow__Statistics__PublicRefresh"] = "01:00:00";
        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync(cancellation);
        _ = process.StandardError.ReadToEndAsync(cancellation);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(120) };
        try
        {
            for (var ready = Stopwatch.StartNew(); ; await Task.Delay(100, cancellation))
            {
                if (process.HasExited) throw new InvalidOperationException($"the API exited with code {process.ExitCode}");
                if (ready.Elapsed > TimeSpan.FromSeconds(90)) throw new TimeoutException("the API did not start within 90 s");
                try
                {
                    if ((await http.GetAsync("/health", cancellation)).IsSuccessStatusCode) break;
                }
                catch (HttpRequestException) { }
            }
            (await http.GetAsync("/transparency", cancellation)).EnsureSuccessStatusCode();
            var health = new List<double>();
            var page = new List<double>();
            for (var i = 0; i < options.PageRequests; i++)
            {
                health.Add(await Timed(http, "/health", cancellation));
                page.Add(await Timed(http, "/transparency", cancellation));
            }
            return new Page(Report.Round(Statistics.Median(health)), Report.Round(Statistics.Median(page)),
                Report.Round(Statistics.Percentile(page, 0.99)));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static async Task<double> Timed(HttpClient http, string path, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(path, cancellation);
        await response.Content.ReadAsByteArrayAsync(cancellation);
        response.EnsureSuccessStatusCode();
        return watch.Elapsed.TotalMilliseconds;
    }
}
