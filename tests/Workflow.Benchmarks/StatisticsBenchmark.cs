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
    /// <param name="Applications">Case facts of one year for the dashboard query, and their running totals.</param>
    /// <param name="FactsApplications">How many of them are loaded first, to time the former path over the facts beside
    /// the totals at the same size (summing a year of facts takes seconds per 100,000 cases).</param>
    public sealed record Options(int EventsPerSecond, int Seconds, int Applications, int QueryRounds, int PageRequests,
        int FactsApplications = 100_000)
    {
        public static Options Full => new(1000, 30, 1_000_000, 20, 500);
        public static Options Quick => new(200, 2, 300, 2, 5, 100);
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
            await reader.IndicatorsAsync(checkQuery, cancellation));
        var cases = recomputed.Sum(r => r.Received);
        output.WriteLine($"Check: {cases:N0} step visits recomputed from the raw events, " +
                         $"{differences.Count} difference(s) with the projection.");

        var dashboard = await DashboardAsync(bench, options, cancellation);
        output.WriteLine();
        output.WriteLine($"Dashboard: {dashboard.Applications:N0} applications of 2025 (facts and running totals: {dashboard.Tallies:N0} " +
                         $"counters, loaded in {dashboard.LoadSeconds:N1} s); {options.QueryRounds} rounds after one to warm up.");
        output.WriteLine();
        output.WriteLine("| query | read from | applications | p50 ms | p99 ms | ratio to the facts (p50) |");
        output.WriteLine("|---|---|---:|---:|---:|---:|");
        void Line(string query, string from, int applications, Timing timing) =>
            output.WriteLine($"| {query} | {from} | {applications:N0} | {timing.P50:N1} | {timing.P99:N1} | " +
                             $"{Statistics.Ratio(timing.P50, dashboard.FactsYear.P50):N2} |");
        const string year = "a year by month, centre and procedure, with the index";
        Line(year, "facts (former path)", dashboard.FactsApplications, dashboard.FactsYear);
        Line(year, "running totals", dashboard.FactsApplications, dashboard.TotalsYearAtFactsSize);
        Line(year, "running totals", dashboard.Applications, dashboard.Year);
        Line("one centre by agency and step, a year by month", "running totals", dashboard.Applications, dashboard.DrillDown);
        Line("a month day by day, by centre and procedure", "running totals", dashboard.Applications, dashboard.Days);
        output.WriteLine($"Check: {dashboard.Rows:N0} rows and index entries of these queries summed from the totals, " +
                         $"{dashboard.Differences} difference(s) with Indicators.Compute over the same facts.");
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
            dashboardRatio = Statistics.Ratio(dashboard.TotalsYearAtFactsSize.P50, dashboard.FactsYear.P50),
            page,
        });
        return projection.CaughtUp && differences.Count == 0 && dashboard.Differences == 0 ? 0 : 1;
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

    public sealed record Timing(double P50, double P99);

    /// <param name="QueryP50">The year's dashboard from the totals at full size (what the API serves): the headline figure.</param>
    /// <param name="Rows">Rows and index entries compared with the calculator over the facts at the end.</param>
    public sealed record Dashboard(int Applications, long Tallies, double LoadSeconds, double QueryP50, Timing Year, Timing DrillDown,
        Timing Days, int FactsApplications, Timing FactsYear, Timing TotalsYearAtFactsSize, int Rows, int Differences);

    private static readonly DateOnly January = new(2025, 1, 1), December = new(2025, 12, 31);

    /// <summary>The dashboard's question: every month of the year by centre and procedure, and the quality index.</summary>
    private static readonly StatisticsQuery YearQuery = new(PeriodKind.Month, January, December);

    private static readonly StatisticsQuery DrillDownQuery = new(PeriodKind.Month, January, December, Centre: "VTE",
        By: [Dimensions.Agency, Dimensions.Step]);

    private static readonly StatisticsQuery DaysQuery = new(PeriodKind.Day, new DateOnly(2025, 6, 1), new DateOnly(2025, 6, 30));

    /// <summary>
    /// A year of case facts bulk-loaded with their running totals (made by the same code as the daemon's,
    /// <see cref="Tallies"/>), first <see cref="Options.FactsApplications"/> of them to time the former path (the calculator
    /// over every fact of the year) beside the totals, then the rest; then the dashboard, a drill-down and a month by day
    /// through the reader the API uses; at the end every figure of those queries compared with the calculator over the facts.
    /// </summary>
    private static async Task<Dashboard> DashboardAsync(BenchStore bench, Options options, CancellationToken cancellation)
    {
        var reader = bench.Services.GetRequiredService<StatisticsReader>();
        var calendars = bench.Catalog.Calendars;
        var generator = new YearOfFacts(bench.Catalog.Latest.Select(d => d.Id).ToArray(), new CentreCalendars(calendars));
        var rounds = Math.Max(1, options.QueryRounds);
        var first = Math.Min(options.FactsApplications, options.Applications);
        var load = Stopwatch.StartNew();
        var tallies = await generator.LoadAsync(bench, first, cancellation);
        var loadSeconds = load.Elapsed.TotalSeconds;

        async Task<IReadOnlyList<IndicatorRow>> FormerPath(StatisticsQuery query)
        {
            var facts = await reader.FactsAsync(query, cancellation);
            var whole = new Period(PeriodKind.Custom, query.From, query.To);
            var rows = Task.Run(() => Indicators.Compute(facts, query, calendars), cancellation);
            QualityIndex.Of(query.Touching(facts), whole, calendars);
            return await rows;
        }
        async Task<IReadOnlyList<IndicatorRow>> Totals(StatisticsQuery query) =>
            (await reader.ReportAsync(query, cancellation)).Rows;

        // Summing the facts takes seconds a round: a few rounds of it say enough.
        var factsYear = await TimeAsync(() => FormerPath(YearQuery), Math.Min(rounds, 5), first);
        var totalsAtFactsSize = await TimeAsync(() => Totals(YearQuery), rounds, first);

        load.Restart();
        tallies += await generator.LoadAsync(bench, options.Applications - first, cancellation);
        loadSeconds += load.Elapsed.TotalSeconds;
        await bench.ExecuteAsync($"vacuum analyze {WorkflowStore.Schema}.mt_doc_casefacts");
        await bench.ExecuteAsync($"vacuum analyze {WorkflowStore.Schema}.{CaseFactsProjection.Table}");

        var year = await TimeAsync(() => Totals(YearQuery), rounds, options.Applications);
        var drillDown = await TimeAsync(() => Totals(DrillDownQuery), rounds, null);
        var days = await TimeAsync(() => Totals(DaysQuery), rounds, null);

        // Every figure the totals gave against the calculator over the same facts.
        var compared = 0;
        var differences = 0;
        foreach (var query in new[] { YearQuery, DrillDownQuery, DaysQuery })
        {
            var facts = await reader.FactsAsync(query, cancellation);
            var report = await reader.ReportAsync(query, cancellation);
            var index = QualityIndex.Of(query.Touching(facts), new Period(PeriodKind.Custom, query.From, query.To), calendars);
            differences += Indicators.Differences(Indicators.Compute(facts, query, calendars), report.Rows, "facts", "totals").Count
                           + index.Except(report.Index).Count() + report.Index.Except(index).Count();
            compared += report.Rows.Count + report.Index.Count;
        }
        return new Dashboard(options.Applications, tallies, Report.Round(loadSeconds), year.P50, year, drillDown, days, first, factsYear,
            totalsAtFactsSize, compared, differences);
    }

    /// <summary>Medians and 99th percentiles of a query's rounds, after one round to warm up; each round's rows are checked.</summary>
    private static async Task<Timing> TimeAsync(Func<Task<IReadOnlyList<IndicatorRow>>> query, int rounds, int? received)
    {
        var timed = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            var rows = await query();
            var elapsed = watch.Elapsed.TotalMilliseconds;
            if (received is { } expected && rows.Sum(r => r.Received) != expected)
                throw new InvalidOperationException($"the dashboard counted {rows.Sum(r => r.Received)} applications, not {expected}");
            if (round > 0) timed.Add(elapsed);
        }
        return new Timing(Report.Round(Statistics.Median(timed)), Report.Round(Statistics.Percentile(timed, 0.99)));
    }

    /// <summary>
    /// Applications received through 2025 at five centres, each through the counter's intake step and, for half of them, a
    /// review at one of three ministries that is sometimes returned; decided within forty days, some late, a quarter rated.
    /// </summary>
    private sealed class YearOfFacts(string[] procedures, CentreCalendars calendars)
    {
        private static readonly DateTimeOffset Start = new(2025, 1, 1, 1, 0, 0, TimeSpan.Zero);
        private static readonly string[] Centres = ["VTE", "LPB", "SVK", "CPS", "XKH"];
        private static readonly string[] Ministries = ["moic", "mof", "mopwt"];
        private readonly Random _random = new(12);
        private int _made;

        private CaseFacts Next()
        {
            var i = _made++;
            var received = Start.AddMinutes(_random.Next(0, 364 * 24 * 60));
            var complete = received.AddHours(_random.Next(1, 48));
            var decided = complete.AddHours(_random.Next(24, 24 * 40));
            var due = complete.AddDays(_random.Next(10, 30));
            var late = decided > due;
            var timeliness = new CaseTimeliness(due, false, late, false, late ? CaseTimeliness.Late : CaseTimeliness.OnTime);
            var returned = _random.Next(0, 4) == 0;
            StepVisit[] steps = i % 2 == 0
                ? [new StepVisit("intake", "odsc", received, received.AddDays(1), complete, Outcomes.Approved)]
                :
                [
                    new StepVisit("intake", "odsc", received, received.AddDays(1), complete, Outcomes.Approved),
                    new StepVisit("review", Ministries[i % 3], complete, complete.AddDays(7), decided,
                        returned ? Outcomes.Returned : Outcomes.Approved),
                ];
            return new CaseFacts(Guid.CreateVersion7(), procedures[i % procedures.Length], Centres[i % Centres.Length],
                i % 3 == 0 ? "web" : "counter", i % 2 == 0, received, timeliness, complete, late ? due : null, decided, decided,
                Outcomes.Approved, returned ? 1 : _random.Next(0, 2) * 2, i % 4 == 0 ? _random.Next(1, 6) : null, decided.AddDays(1))
            {
                Steps = [.. steps],
            };
        }

        /// <summary>The next <paramref name="count"/> applications' facts bulk-inserted and their totals added; the counters written.</summary>
        public async Task<long> LoadAsync(BenchStore bench, int count, CancellationToken cancellation)
        {
            const int batch = 20_000;
            var sums = new TallySums();
            long written = 0;
            for (var done = 0; done < count; done += batch)
            {
                var facts = Enumerable.Range(0, Math.Min(batch, count - done)).Select(_ => Next()).ToList();
                await bench.Store.BulkInsertDocumentsAsync(facts, BulkInsertMode.InsertsOnly, batch, cancellation);
                sums.AddRange(Tallies.WithMonths(facts.SelectMany(f => Tallies.Of(f, calendars))));
                if (sums.Count > 1_000_000 || done + batch >= count)
                {
                    written += await WriteAsync(bench, sums.ToList(), cancellation);
                    sums = new TallySums();
                }
            }
            return written;
        }

        /// <summary>Adds the counters to the table as the daemon does (the same statement), a slice at a time.</summary>
        private static async Task<long> WriteAsync(BenchStore bench, IReadOnlyList<Tally> tallies, CancellationToken cancellation)
        {
            foreach (var slice in tallies.Chunk(100_000))
                await CaseFactsProjection.AddAsync(bench.Database, slice, WorkflowStore.Schema, cancellation);
            return tallies.Count;
        }
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
