using System.Net;
using System.Text.RegularExpressions;
using Marten;
using Workflow.Store;
using Workflow.Store.Applications;

namespace Workflow.Benchmarks;

/// <summary>
/// The desk and the citizen at scale: a store of many applications (issue 11: 100,000; issue 14: 1,000,000) in which one
/// agency has thousands of open steps. Each reader is measured beside the best hand-written SQL for the same page on the
/// same data and indexes, in the same run: the inbox query of the store (in process), the API's inbox over HTTP, the
/// desk page rendered on the server for a signed-in officer, and the citizen's tracking page.
/// </summary>
public static partial class InboxBenchmark
{
    /// <param name="Reads">Requests per measurement.</param>
    /// <param name="Readers">Concurrent readers of the inbox in the concurrent rows.</param>
    public sealed record Options(int Applications, int AgencySteps, int Reads, int Readers, int Rounds)
    {
        public static Options Full => new(100_000, 10_000, 1000, 20, 3);
        public static Options Quick => new(300, 100, 20, 4, 1);
    }

    public sealed record Row(string Reader, int Clients, double PerSecond, double P50Ms, double P99Ms, double RatioToSql, int Errors);

    public const string Sql = "hand-written SQL";
    private const int PageSize = 50;

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, string apiPath,
        TextWriter output, CancellationToken cancellation = default)
    {
        if (options.AgencySteps < 1 || options.Applications <= options.AgencySteps)
            throw new ArgumentException("the store needs more applications than the agency has open steps");
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation);
        output.WriteLine($"PostgreSQL: {bench.Description}; {Environment.ProcessorCount} cores, .NET {Environment.Version}");

        // Two real cases: one waiting at the ministry's registration, one at the centre's completeness check.
        var atAgency = Guid.CreateVersion7();
        var first = await bench.Commands.SubmitAsync(Samples.Application(atAgency), Samples.Clerk, Samples.Context, cancellation);
        await bench.Commands.HandleAsync(atAgency, null, Samples.CompletenessCheckPassed, Samples.Context, cancellation);
        var atCentre = Guid.CreateVersion7();
        await bench.Commands.SubmitAsync(Samples.Application(atCentre), Samples.Clerk, Samples.Context, cancellation);
        var before = await Count(bench, $"select count(*) from {WorkflowStore.Schema}.mt_doc_inboxitem where data ->> 'agency' = @agency");
        output.WriteLine($"Copying them into {options.Applications:N0} applications, {options.AgencySteps:N0} of them open at " +
                         $"{ApiClient.Agency} ...");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await ScaleStore.CopyAsync(bench, atAgency, 1, options.AgencySteps - 1, cancellation);
        await ScaleStore.CopyAsync(bench, atCentre, options.AgencySteps, options.Applications - options.AgencySteps - 1, cancellation);
        await ScaleStore.AnalyzeAsync(bench);
        var open = await Count(bench, $"select count(*) from {WorkflowStore.Schema}.mt_doc_inboxitem where data ->> 'agency' = @agency");
        var applications = await Count(bench, $"select count(*) from {WorkflowStore.Schema}.mt_streams");
        output.WriteLine($"{applications:N0} applications, {open - before + 1:N0} open at the agency (of {open:N0} in its inbox), " +
                         $"made in {watch.Elapsed.TotalSeconds:N0} s");

        await ExplainAsync(bench, output, cancellation);

        await using var api = await ApiProcess.StartAsync(apiPath, bench.ConnectionString, workflowsPath, "Development",
            new Dictionary<string, string> { ["Workflow__Tracking__PermitsPerMinute"] = "100000000" });
        using var client = new ApiClient(api.Address);
        using var desk = await DeskReader.SignInAsync(api.Address, $"{ApiClient.Agency}-officer-1");
        var tracking = ScaleStore.TrackingNumber(options.AgencySteps / 2);
        var query = new InboxQuery(ApiClient.Agency, null, null, null, 1, PageSize);

        Task<Guid> HandWritten() => HandWrittenPageAsync(bench, ApiClient.Agency, PageSize, cancellation);
        async Task<Guid> Store()
        {
            await using var session = bench.Store.QuerySession();
            var (total, items) = await AgencyInbox.PageAsync(session, query, cancellation);
            return items.Count == 0 || total == 0 ? throw new InvalidOperationException("an empty inbox") : items[0].ApplicationId;
        }
        async Task<Guid> Http() { await client.InboxAsync(1, PageSize, cancellation); return Guid.Empty; }
        async Task<Guid> Page() { await desk.ReadAsync("/desk", cancellation); return Guid.Empty; }
        Task<Guid> Track() => client.TrackAsync(tracking, first.AccessCode!, cancellation);

        var readers = new (string Name, int Clients, Func<Task<Guid>> Read)[]
        {
            (Sql, 1, HandWritten), ("inbox query of the store", 1, Store), ("API inbox, first page", 1, Http),
            ("desk page (server-rendered)", 1, Page), ("tracking page (POST /api/tracking)", 1, Track),
            (Sql, options.Readers, HandWritten), ("inbox query of the store", options.Readers, Store),
            ("API inbox, first page", options.Readers, Http),
        };
        // Warm-up of every reader, then rounds that alternate them, so that drift on a shared machine hits each alike.
        foreach (var (_, clients, read) in readers) await Load.Time(Math.Max(10, options.Reads / 5), clients, _ => read());
        var runs = readers.Select(_ => new List<Run>()).ToArray();
        for (var round = 0; round < options.Rounds; round++)
            for (var r = 0; r < readers.Length; r++)
                runs[r].Add(await Load.Time(options.Reads, readers[r].Clients, _ => readers[r].Read(), countErrors: true));

        var rows = new List<Row>();
        for (var r = 0; r < readers.Length; r++)
        {
            var p99 = Statistics.Median(runs[r].Select(x => Statistics.Percentile(x.LatenciesMs, 0.99)));
            var sql = Statistics.Median(runs[Array.FindIndex(readers, x => x.Name == Sql && x.Clients == readers[r].Clients)]
                .Select(x => Statistics.Percentile(x.LatenciesMs, 0.99)));
            rows.Add(new Row(readers[r].Name, readers[r].Clients, Report.Round(Statistics.Median(runs[r].Select(x => x.PerSecond)), 0),
                Report.Round(Statistics.Median(runs[r].Select(x => Statistics.Percentile(x.LatenciesMs, 0.5)))), Report.Round(p99),
                Statistics.Ratio(p99, sql), runs[r].Sum(x => x.Errors)));
        }
        output.WriteLine();
        output.WriteLine($"| reader | clients | reads/s (median) | p50 ms | p99 ms | p99 / SQL p99 | errors |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            output.WriteLine($"| {r.Reader} | {r.Clients} | {r.PerSecond:N0} | {r.P50Ms:F2} | {r.P99Ms:F2} | {r.RatioToSql:N2} " +
                             $"| {r.Errors} |");
        var errors = rows.Sum(r => r.Errors);
        if (errors > 0) output.WriteLine($"{errors:N0} reads failed.");

        Report.Print(output, new
        {
            benchmark = "inbox",
            store = bench.Description,
            machine = Report.Machine,
            options,
            applications,
            agencyOpenSteps = open,
            rows,
            errors,
        });
        return errors == 0 ? 0 : 1;
    }

    /// <summary>
    /// The best SQL for the same page: the total and the first page of the agency's open steps, earliest due first, in one
    /// round trip, on the indexes the store declares (the expressions are the ones its indexes are built on).
    /// </summary>
    private static async Task<Guid> HandWrittenPageAsync(BenchStore bench, string agency, int pageSize, CancellationToken cancellation)
    {
        var table = $"{WorkflowStore.Schema}.mt_doc_inboxitem";
        await using var batch = bench.Database.CreateBatch();
        batch.BatchCommands.Add(new($"select count(*) from {table} where data ->> 'agency' = $1")
        {
            Parameters = { new() { Value = agency } },
        });
        batch.BatchCommands.Add(new(
            $"select data from {table} where data ->> 'agency' = $1 " +
            $"order by {WorkflowStore.Schema}.mt_immutable_timestamptz(data ->> 'dueAt'), " +
            $"{WorkflowStore.Schema}.mt_immutable_timestamptz(data ->> 'openedAt'), id limit $2")
        {
            Parameters = { new() { Value = agency }, new() { Value = pageSize } },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellation);
        await reader.ReadAsync(cancellation);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(cancellation);
        var rows = 0;
        while (await reader.ReadAsync(cancellation))
        {
            rows++;
            using var document = System.Text.Json.JsonDocument.Parse(reader.GetString(0));
        }
        return total == 0 || rows == 0 ? throw new InvalidOperationException("an empty inbox") : Guid.Empty;
    }

    /// <summary>The page query as the store sends it, and PostgreSQL's plan for it on this data: the table's "why".</summary>
    private static async Task ExplainAsync(BenchStore bench, TextWriter output, CancellationToken cancellation)
    {
        await using var session = bench.Store.QuerySession();
        var command = AgencyInbox.InOrder(session.Query<InboxItem>().Where(i => i.Agency == ApiClient.Agency)).Take(PageSize)
            .ToCommand(Marten.Linq.FetchType.FetchMany);
        await using var connection = await bench.Database.OpenConnectionAsync(cancellation);
        command.Connection = connection;
        command.CommandText = "explain (analyze, costs off) " + command.CommandText;
        output.WriteLine($"The page as the store queries it, and its plan on this data:");
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation)) output.WriteLine($"    {reader.GetString(0)}");
    }

    private static async Task<long> Count(BenchStore bench, string sql)
    {
        await using var command = bench.Database.CreateCommand(sql);
        command.Parameters.AddWithValue("agency", ApiClient.Agency);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A signed-in person of the development workspace: the sign-in form with its antiforgery token, then cookies.</summary>
    private sealed partial class DeskReader(HttpClient http) : IDisposable
    {
        public static async Task<DeskReader> SignInAsync(Uri address, string person)
        {
            var http = new HttpClient(new SocketsHttpHandler
            {
                CookieContainer = new CookieContainer(), AllowAutoRedirect = false, MaxConnectionsPerServer = 64,
            }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
            var form = await http.GetStringAsync("/account/sign-in");
            var token = Token().Match(form);
            if (!token.Success) throw new InvalidOperationException("the sign-in page has no antiforgery token");
            using var answer = await http.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value), ["person"] = person,
            }));
            if (answer.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"sign-in answered {answer.StatusCode}");
            return new DeskReader(http);
        }

        public async Task ReadAsync(string path, CancellationToken cancellation)
        {
            using var answer = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellation);
            if (answer.StatusCode != HttpStatusCode.OK) throw new UnexpectedAnswer($"GET {path}", (int)answer.StatusCode);
            await answer.Content.CopyToAsync(Stream.Null, cancellation);
        }

        [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
        private static partial Regex Token();

        public void Dispose() => http.Dispose();
    }
}
