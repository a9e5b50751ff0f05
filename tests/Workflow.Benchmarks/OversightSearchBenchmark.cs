using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Store;
using Workflow.Store.Oversight;

namespace Workflow.Benchmarks;

/// <summary>
/// The auditors' case search at scale: a store of many applications of several procedures, centres, statuses, periods
/// and lateness, searched by each criterion through the search the API uses, beside a hand-written SQL of the same page
/// (the total and the first 25 cases) and the search as it was before its indexes (JSON paths, the total beside every
/// row), in the same run on the same data. Then what the indexes cost a write: an approval's time with them and without
/// them, alternating, on the same store.
/// </summary>
public static class OversightSearchBenchmark
{
    /// <param name="Applications">Application documents in the store.</param>
    /// <param name="Reads">Searches per measurement.</param>
    /// <param name="Approvals">Approvals per measurement of the write cost.</param>
    public sealed record Options(int Applications, int Reads, int Rounds, int Approvals)
    {
        /// <summary>
        /// Searches per measurement of the query before its indexes, which reads every case each time (a few hundred
        /// milliseconds at 100,000): a tenth of the others, at least five, so the full size runs in minutes, not an hour.
        /// Its p99 rests on fewer samples; it is the baseline a hundred times slower, not a figure held to a target.
        /// </summary>
        public int BeforeReads => Math.Max(5, Reads / 10);

        public static Options Full => new(100_000, 200, 3, 300);
        public static Options Quick => new(300, 5, 1, 5);
    }

    public sealed record Row(string Search, int Total, double P50Ms, double P99Ms, double SqlP50Ms, double SqlP99Ms, double RatioToSql,
        double BeforeP50Ms, double BeforeP99Ms, double RatioToBefore);

    public sealed record WriteCost(int Approvals, double WithP50Ms, double WithP99Ms, double WithoutP50Ms, double WithoutP99Ms,
        double RatioP50);

    private const int PageSize = 25;
    private static readonly string Table = $"{WorkflowStore.Schema}.mt_doc_applicationdetails";
    private static readonly string[] Centres = ["VTE", "LPB", "SVK", "CPS", "XYB"];

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, TextWriter output,
        CancellationToken cancellation = default)
    {
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation);
        output.WriteLine($"PostgreSQL: {bench.Description}; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var procedures = bench.Catalog.Latest.Select(d => d.Id).Order(StringComparer.Ordinal).Take(4).ToArray();
        var agencies = bench.Catalog.Latest.Where(d => procedures.Contains(d.Id)).OrderBy(d => d.Id, StringComparer.Ordinal)
            .Select(d => d.Steps.Select(s => s.Agency).FirstOrDefault(a => a != "odsc") ?? "odsc").ToArray();

        // One real case through the command shell, then documents made from it with SQL, each with its own values.
        var template = Guid.CreateVersion7();
        await bench.Commands.SubmitAsync(Samples.Application(template), Samples.Clerk, Samples.Context, cancellation);
        await bench.Commands.HandleAsync(template, null, Samples.CompletenessCheckPassed, Samples.Context, cancellation);
        output.WriteLine($"Writing {options.Applications:N0} applications of {procedures.Length} procedures at {Centres.Length} " +
                         "centres over two years ...");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await FillAsync(bench, template, options.Applications, procedures, agencies);
        output.WriteLine($"Written in {watch.Elapsed.TotalSeconds:N1} s");

        var from = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.FromHours(7));
        // A number received at LPB in 2025 (three quarters into the two years), searched by its first 14 characters.
        var copy = options.Applications * 3 / 4 / 5 * 5 + 1;
        var tracking = $"lpb-2025-{copy:D7}"[..14];
        var searches = new (string Name, CaseCriteria Criteria)[]
        {
            ("newest first, no criterion", new()),
            ("tracking number from its start", new(TrackingNumber: tracking)),
            ("procedure", new(WorkflowId: procedures[1])),
            ("agency that held a step", new(Agency: agencies[2])),
            ("centre", new(Centre: "SVK")),
            ("status (withdrawn)", new(Status: ApplicationStatus.Withdrawn)),
            ("late", new(Lateness: LatenessFilter.Late)),
            ("late by the legal deadline", new(Lateness: LatenessFilter.CaseLate)),
            ("on time", new(Lateness: LatenessFilter.OnTime)),
            ("received in one month", new(From: from, To: from.AddMonths(1))),
            ("centre, late, one year", new(Centre: "LPB", Lateness: LatenessFilter.Late, From: from.AddMonths(-2), To: from.AddMonths(10))),
        };
        searches = [.. searches.Select(s => (s.Name, s.Criteria with { PageSize = PageSize }))];

        await ExplainAsync(bench, searches, output, cancellation);

        var search = bench.Services.GetRequiredService<CaseSearch>();
        var rows = new List<Row>();
        foreach (var (name, criteria) in searches)
        {
            var total = (await search.FindAsync(criteria, cancellation)).Total;
            var (sqlTotal, _) = await HandWrittenAsync(bench, criteria, cancellation);
            var (beforeTotal, _) = await BeforeAsync(bench, criteria, cancellation);
            if (sqlTotal != total || beforeTotal != total)
                throw new InvalidOperationException($"{name}: the search found {total}, the SQL {sqlTotal}, the earlier query {beforeTotal}");
            var readers = new Func<Task<Guid>>[]
            {
                async () => { await search.FindAsync(criteria, cancellation); return Guid.Empty; },
                async () => { await HandWrittenAsync(bench, criteria, cancellation); return Guid.Empty; },
                async () => { await BeforeAsync(bench, criteria, cancellation); return Guid.Empty; },
            };
            int Reads(int r) => r == 2 ? options.BeforeReads : options.Reads;
            // Warm-up of each (and the statements prepared), then rounds that alternate them.
            for (var r = 0; r < readers.Length; r++) await Load.Time(Math.Max(5, Reads(r) / 5), 1, _ => readers[r]());
            var runs = readers.Select(_ => new List<Run>()).ToArray();
            for (var round = 0; round < options.Rounds; round++)
                for (var r = 0; r < readers.Length; r++)
                    runs[r].Add(await Load.Time(Reads(r), 1, _ => readers[r]()));
            double P(int r, double p) => Report.Round(Statistics.Median(runs[r].Select(x => Statistics.Percentile(x.LatenciesMs, p))));
            rows.Add(new Row(name, total, P(0, 0.5), P(0, 0.99), P(1, 0.5), P(1, 0.99), Statistics.Ratio(P(0, 0.99), P(1, 0.99)),
                P(2, 0.5), P(2, 0.99), Statistics.Ratio(P(0, 0.99), P(2, 0.99))));
        }
        output.WriteLine();
        output.WriteLine($"Case search over {options.Applications:N0} applications, first page of {PageSize} with the total, " +
                         $"{options.Reads} searches x {options.Rounds} rounds ({options.BeforeReads} of the query before its indexes), " +
                         "one client (medians of rounds):");
        output.WriteLine();
        output.WriteLine("| search | total | p50 ms | p99 ms | SQL p50 | SQL p99 | p99 / SQL p99 | before p50 | before p99 | p99 / before p99 |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            output.WriteLine($"| {r.Search} | {r.Total:N0} | {r.P50Ms:F2} | {r.P99Ms:F2} | {r.SqlP50Ms:F2} | {r.SqlP99Ms:F2} | " +
                             $"{r.RatioToSql:N2} | {r.BeforeP50Ms:F2} | {r.BeforeP99Ms:F2} | {r.RatioToBefore:N2} |");

        var cost = await WriteCostAsync(bench, options, cancellation);
        output.WriteLine();
        output.WriteLine($"What the search's indexes cost a write: approving the completeness check of a new application, " +
                         $"{options.Approvals} approvals x {options.Rounds} rounds each way, alternating, one client:");
        output.WriteLine();
        output.WriteLine("| indexes | p50 ms | p99 ms |");
        output.WriteLine("|---|---:|---:|");
        output.WriteLine($"| with the search's indexes | {cost.WithP50Ms:F2} | {cost.WithP99Ms:F2} |");
        output.WriteLine($"| without them | {cost.WithoutP50Ms:F2} | {cost.WithoutP99Ms:F2} |");
        output.WriteLine($"with / without at p50: {cost.RatioP50:N2}");

        Report.Print(output, new
        {
            benchmark = "search",
            store = bench.Description,
            machine = Report.Machine,
            options,
            rows,
            writeCost = cost,
        });
        return 0;
    }

    /// <summary>
    /// Copies of the template's document with their own number, procedure, centre, status, day received (spread over 2024
    /// and 2025), agencies and lateness: about one in twelve has a breached step, one in seventeen missed its legal deadline.
    /// Only the document the search reads is written; the copies have no events.
    /// </summary>
    private static async Task FillAsync(BenchStore bench, Guid template, int applications, string[] procedures, string[] agencies)
    {
        const int chunk = 50_000;
        for (var first = 1; first <= applications; first += chunk)
            await bench.ExecuteAsync(
                $$"""
                insert into {{Table}}
                select r.* from generate_series(@first, @last) g
                cross join {{Table}} t
                cross join lateral (select
                    (@centres::text[])[g % 5 + 1] as centre,
                    (@procedures::text[])[g % @kinds + 1] as workflow,
                    (@agencies::text[])[g % @kinds + 1] as agency,
                    case when g % 97 = 0 then 'Withdrawn' when g % 31 = 0 then 'AwaitingCorrection' when g % 10 < 6 then 'Approved'
                         when g % 10 < 8 then 'InProgress' when g % 10 = 8 then 'Submitted' else 'Rejected' end as status,
                    timestamptz '2024-01-01 08:00+07' + (g::float8 / @count * 730) * interval '1 day' as submitted,
                    g % 17 = 0 as missed, g % 12 = 0 as breached) x
                cross join lateral jsonb_populate_record(null::{{Table}}, to_jsonb(t) || jsonb_build_object(
                    'id', gen_random_uuid(),
                    'tracking_number', x.centre || '-' || extract(year from x.submitted) || '-' || lpad(g::text, 7, '0'),
                    'workflow_id', x.workflow, 'centre', x.centre, 'status', x.status, 'clockmissed', x.missed,
                    'data', t.data || jsonb_build_object(
                        'trackingNumber', x.centre || '-' || extract(year from x.submitted) || '-' || lpad(g::text, 7, '0'),
                        'workflowId', x.workflow, 'centre', x.centre, 'status', x.status, 'submittedAt', x.submitted,
                        'agencies', jsonb_build_array('odsc', x.agency),
                        'breaches', case when x.breached then jsonb_build_array(jsonb_build_object('stepId', 'register',
                            'agency', x.agency, 'dueAt', x.submitted + interval '20 days', 'at', x.submitted + interval '21 days'))
                            else '[]'::jsonb end,
                        'clock', (t.data -> 'clock') || jsonb_build_object('missed', x.missed)))) r
                where t.id = @template
                """, ("first", first), ("last", Math.Min(applications, first + chunk - 1)), ("count", applications),
                ("centres", Centres), ("procedures", procedures), ("agencies", agencies), ("kinds", procedures.Length),
                ("template", template));
        await bench.ExecuteAsync($"vacuum analyze {Table}");
    }

    /// <summary>The first page as PostgreSQL plans it on this data, each search: the nodes that read the table.</summary>
    private static async Task ExplainAsync(BenchStore bench, (string Name, CaseCriteria Criteria)[] searches, TextWriter output,
        CancellationToken cancellation)
    {
        output.WriteLine("How each search reads the table (the page statement, then the total), on this data:");
        await using var connection = await bench.Database.OpenConnectionAsync(cancellation);
        foreach (var (name, criteria) in searches)
        {
            var nodes = new List<string>();
            foreach (var (sql, values) in CaseSearch.Statements(criteria).Reverse())
            {
                await using var explain = new NpgsqlCommand($"explain (costs off) {sql}", connection);
                foreach (var value in values) explain.Parameters.Add(new NpgsqlParameter { Value = value });
                await using var reader = await explain.ExecuteReaderAsync(cancellation);
                while (await reader.ReadAsync(cancellation))
                {
                    var line = reader.GetString(0).Trim().TrimStart('-', '>', ' ');
                    if (line.Contains("Scan") && !line.Contains("Function Scan")) nodes.Add(line);
                }
            }
            output.WriteLine($"    {name}: {string.Join("; ", nodes)}");
        }
    }

    /// <summary>
    /// The page as one would write it by hand on the same indexes: the total, then the ids and numbers of the page, in one
    /// round trip. The conditions are written here again, not taken from the search.
    /// </summary>
    private static async Task<(long Total, int Rows)> HandWrittenAsync(BenchStore bench, CaseCriteria c, CancellationToken cancellation)
    {
        var received = $"{WorkflowStore.Schema}.mt_immutable_timestamptz(data ->> 'submittedAt')";
        var where = new List<string>();
        var values = new List<object>();
        void Add(string condition, object? value = null)
        {
            if (value is not null) values.Add(value);
            where.Add(condition.Replace("$", $"${values.Count}"));
        }
        if (c.TrackingNumber is { } t) Add("upper(tracking_number) like $", t.ToUpperInvariant() + "%");
        if (c.WorkflowId is { } w) Add("workflow_id = $", w);
        if (c.Agency is { } a) Add("cast(data ->> 'agencies' as jsonb) ? $", a);
        if (c.Centre is { } centre) Add("centre = $", centre);
        if (c.Status is { } s) Add("status = $", s.ToString());
        if (c.From is { } from) Add($"{received} >= $", from.ToUniversalTime());
        if (c.To is { } to) Add($"{received} < $", to.ToUniversalTime());
        if (c.Lateness == LatenessFilter.Late) Add("(jsonb_array_length(data -> 'breaches') > 0 or clockmissed)");
        if (c.Lateness == LatenessFilter.CaseLate) Add("clockmissed");
        if (c.Lateness == LatenessFilter.OnTime) Add("jsonb_array_length(data -> 'breaches') = 0 and not clockmissed");
        var filter = where.Count == 0 ? "" : "where " + string.Join(" and ", where);
        await using var batch = bench.Database.CreateBatch();
        batch.BatchCommands.Add(Command($"select count(*) from {Table} {filter}", values));
        batch.BatchCommands.Add(Command(
            $"select id, tracking_number from {Table} {filter} order by {received} desc, tracking_number limit {PageSize}", values));
        await using var reader = await batch.ExecuteReaderAsync(cancellation);
        await reader.ReadAsync(cancellation);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(cancellation);
        var rows = 0;
        while (await reader.ReadAsync(cancellation)) rows++;
        return (total, rows);
    }

    /// <summary>The search as it was before its indexes: every criterion on the JSON, optional ones as "null or", the total beside each row.</summary>
    private static async Task<(long Total, int Rows)> BeforeAsync(BenchStore bench, CaseCriteria c, CancellationToken cancellation)
    {
        await using var command = bench.Database.CreateCommand($"""
            select d.id, d.data->>'trackingNumber', count(*) over ()
            from {Table} d
            where (@tracking::text is null or upper(d.data->>'trackingNumber') like upper(@tracking) || '%')
              and (@workflow::text is null or d.data->>'workflowId' = @workflow)
              and (@agency::text is null or d.data->'agencies' ? @agency)
              and (@centre::text is null or d.data->>'centre' = @centre)
              and (@status::text is null or d.data->>'status' = @status)
              and (@from::timestamptz is null or (d.data->>'submittedAt')::timestamptz >= @from)
              and (@to::timestamptz is null or (d.data->>'submittedAt')::timestamptz < @to)
              and (@lateness::text is null
                or (@lateness = 'late' and (jsonb_array_length(d.data->'breaches') > 0 or (d.data->'clock'->>'missed')::boolean))
                or (@lateness = 'case-late' and (d.data->'clock'->>'missed')::boolean)
                or (@lateness = 'on-time' and jsonb_array_length(d.data->'breaches') = 0
                    and not (d.data->'clock'->>'missed')::boolean))
            order by (d.data->>'submittedAt')::timestamptz desc, d.data->>'trackingNumber'
            limit {PageSize}
            """);
        command.Parameters.AddWithValue("tracking", (object?)c.TrackingNumber ?? DBNull.Value);
        command.Parameters.AddWithValue("workflow", (object?)c.WorkflowId ?? DBNull.Value);
        command.Parameters.AddWithValue("agency", (object?)c.Agency ?? DBNull.Value);
        command.Parameters.AddWithValue("centre", (object?)c.Centre ?? DBNull.Value);
        command.Parameters.AddWithValue("status", (object?)c.Status?.ToString() ?? DBNull.Value);
        command.Parameters.AddWithValue("lateness", (object?)c.Lateness ?? DBNull.Value);
        command.Parameters.AddWithValue("from", (object?)c.From?.ToUniversalTime() ?? DBNull.Value);
        command.Parameters.AddWithValue("to", (object?)c.To?.ToUniversalTime() ?? DBNull.Value);
        long total = 0;
        var rows = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            rows++;
            total = reader.GetInt64(2);
        }
        return (total, rows);
    }

    /// <summary>
    /// An approval's time with the search's indexes and without them, alternating rounds on the same store: the indexes are
    /// dropped and built again between rounds (their definitions read from the catalogue first), and always left built.
    /// The duplicated columns stay in both; what differs is the work of keeping the indexes.
    /// </summary>
    private static async Task<WriteCost> WriteCostAsync(BenchStore bench, Options options, CancellationToken cancellation)
    {
        var definitions = new List<string>();
        await using (var read = bench.Database.CreateCommand(
                         "select indexdef from pg_indexes where schemaname = @schema and tablename = 'mt_doc_applicationdetails' " +
                         "and indexname ~ '_idx_(tracking_number|workflow_id|centre|status|clockmissed|agencies|submitted_at|late)$'"))
        {
            read.Parameters.AddWithValue("schema", WorkflowStore.Schema);
            await using var reader = await read.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation)) definitions.Add(reader.GetString(0));
        }
        if (definitions.Count != 8) throw new InvalidOperationException($"expected the search's 8 indexes, found {definitions.Count}");
        var names = definitions.Select(d => d.Split(' ')[2]).ToList();

        var with = new List<Run>();
        var without = new List<Run>();
        await Approve(); // warm-up
        try
        {
            for (var round = 0; round < options.Rounds; round++)
            {
                with.Add(await Approve());
                foreach (var name in names) await bench.ExecuteAsync($"drop index {WorkflowStore.Schema}.{name}");
                without.Add(await Approve());
                foreach (var definition in definitions) await bench.ExecuteAsync(definition);
            }
        }
        finally
        {
            foreach (var definition in definitions) await bench.ExecuteAsync(definition.Replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"));
        }
        double P(List<Run> runs, double p) => Report.Round(Statistics.Median(runs.Select(r => Statistics.Percentile(r.LatenciesMs, p))));
        return new WriteCost(options.Approvals, P(with, 0.5), P(with, 0.99), P(without, 0.5), P(without, 0.99),
            Statistics.Ratio(P(with, 0.5), P(without, 0.5)));

        async Task<Run> Approve()
        {
            var ids = new Guid[options.Approvals];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = Guid.CreateVersion7();
                await bench.Commands.SubmitAsync(Samples.Application(ids[i]), Samples.Clerk, Samples.Context, cancellation);
            }
            return await Load.Time(ids.Length, 1, async i =>
            {
                await bench.Commands.HandleAsync(ids[i], null, Samples.CompletenessCheckPassed, Samples.Context, cancellation);
                return ids[i];
            });
        }
    }

    private static NpgsqlBatchCommand Command(string sql, IEnumerable<object> values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }
}
