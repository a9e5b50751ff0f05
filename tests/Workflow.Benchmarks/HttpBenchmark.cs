namespace Workflow.Benchmarks;

/// <summary>
/// End to end over HTTP: the API as a process of its own (bearer tokens, JSON, request log, access checks, the sweeper
/// running beside) driven by concurrent clients that submit, approve, read and list the inbox, beside raw single-row
/// INSERT+COMMIT on the same server in the same run at the same concurrency. Medians of rounds; every failed request is
/// counted, and a run with errors exits non-zero.
/// </summary>
public static class HttpBenchmark
{
    public sealed record Options(int Operations, int Rounds, int Warmup, IReadOnlyList<int> Clients, string Environment = "Production")
    {
        public static Options Full => new(2000, 3, 2000, [1, 8, 32]);
        public static Options Quick => new(20, 1, 10, [1, 2]);
    }

    /// <param name="ApiCpuMs">CPU time of the API process per operation (median of rounds).</param>
    /// <param name="DatabaseCpuMs">CPU time of the PostgreSQL server per operation; null on a server the runner did not start.</param>
    public sealed record Row(string Operation, int Clients, double OpsPerSecond, double RatioToRaw, double P50Ms, double P99Ms,
        double P999Ms, int Errors, double? ApiCpuMs = null, double? DatabaseCpuMs = null);

    public const string Raw = "raw INSERT+COMMIT";

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, string apiPath,
        TextWriter output, string? dataDirectory = null, CancellationToken cancellation = default)
    {
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation);
        await bench.CreateRawTableAsync();
        await using var api = await ApiProcess.StartAsync(apiPath, bench.ConnectionString, workflowsPath, options.Environment);
        using var client = new ApiClient(api.Address);
        var cpu = new CpuMeter(api.Id, bench.DataDirectory ?? dataDirectory);
        // The CPU each operation costs the API and the server, from readings before and after its run.
        async Task<Run> Metered(Func<Task<Run>> operation)
        {
            var before = cpu.Read();
            var run = await operation();
            var (apiMs, databaseMs) = CpuMeter.PerOperation(before, cpu.Read(), run.LatenciesMs.Length);
            return run with { ApiCpuMs = apiMs, DatabaseCpuMs = databaseMs };
        }
        output.WriteLine($"PostgreSQL: {bench.Description}; the API as a process ({options.Environment}) on the same machine");
        output.WriteLine($"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
                         $"{options.Operations} operations x {options.Rounds} rounds per row");

        // Warm-up until tiered compilation has settled in both processes.
        for (var done = 0; done < options.Warmup; done += 500)
        {
            var n = Math.Min(500, options.Warmup - done);
            await Load.Time(n, 4, _ => bench.RawCommitAsync(cancellation));
            var submitted = await Load.Time(n, 4, async _ => (await client.SubmitAsync(cancellation: cancellation)).Id);
            await Load.Time(n, 4, i => client.ApproveAsync(submitted.Ids[i], cancellation));
            await Load.Time(n, 4, i => client.ReadAsync(submitted.Ids[i], cancellation));
            await Load.Time(n, 4, async _ => { await client.InboxAsync(cancellation: cancellation); return Guid.Empty; });
        }

        var measured = new List<(string Operation, int Clients, List<Run> Runs)>();
        foreach (var clients in options.Clients)
        {
            var runs = new Dictionary<string, List<Run>>();
            void Add(string operation, Run run) =>
                (runs.TryGetValue(operation, out var list) ? list : runs[operation] = []).Add(run);
            for (var round = 0; round < options.Rounds; round++)
            {
                Add(Raw, await Metered(() => Load.Time(options.Operations, clients, _ => bench.RawCommitAsync(cancellation))));
                var submitted = await Metered(() => Load.Time(options.Operations, clients,
                    async _ => (await client.SubmitAsync(cancellation: cancellation)).Id, countErrors: true));
                Add("submit", submitted);
                var ids = submitted.Ids.Where(id => id != Guid.Empty).ToList();
                Add("approve", await Metered(() =>
                    Load.Time(ids.Count, clients, i => client.ApproveAsync(ids[i], cancellation), countErrors: true)));
                Add("read", await Metered(() => Load.Time(ids.Count, clients, i => client.ReadAsync(ids[i], cancellation), countErrors: true)));
                Add("inbox", await Metered(() => Load.Time(options.Operations, clients,
                    async _ => { await client.InboxAsync(cancellation: cancellation); return Guid.Empty; }, countErrors: true)));
            }
            measured.AddRange(runs.Select(r => (r.Key, clients, r.Value)));
        }

        var rows = Rows(measured);
        output.WriteLine();
        Print(output, rows);
        var resident = api.ResidentMiB();
        var applications = await Count(bench);
        output.WriteLine();
        output.WriteLine($"API process resident memory at the end: {resident:N0} MiB with {applications:N0} applications in the store");
        var errors = rows.Sum(r => r.Errors);
        if (errors > 0) output.WriteLine($"{errors:N0} requests failed.");
        await bench.DropRawTableAsync();

        Report.Print(output, new
        {
            benchmark = "http",
            store = bench.Description,
            machine = Report.Machine,
            options,
            rows,
            api = new { residentMiB = resident, applications },
            errors,
        });
        return errors == 0 ? 0 : 1;
    }

    /// <summary>Each operation's medians over its rounds, with its ratio to the raw rate at the same concurrency.</summary>
    public static List<Row> Rows(IEnumerable<(string Operation, int Clients, List<Run> Runs)> measured)
    {
        var medians = measured.Select(m => (m.Operation, m.Clients,
                PerSecond: Statistics.Median(m.Runs.Select(r => r.PerSecond)),
                P50: Statistics.Median(m.Runs.Select(r => Statistics.Percentile(r.LatenciesMs, 0.50))),
                P99: Statistics.Median(m.Runs.Select(r => Statistics.Percentile(r.LatenciesMs, 0.99))),
                P999: Statistics.Median(m.Runs.Select(r => Statistics.Percentile(r.LatenciesMs, 0.999))),
                Errors: m.Runs.Sum(r => r.Errors),
                ApiCpu: m.Runs.All(r => r.ApiCpuMs is not null) ? Statistics.Median(m.Runs.Select(r => r.ApiCpuMs!.Value)) : (double?)null,
                DatabaseCpu: m.Runs.All(r => r.DatabaseCpuMs is not null)
                    ? Statistics.Median(m.Runs.Select(r => r.DatabaseCpuMs!.Value))
                    : (double?)null))
            .ToList();
        double RawAt(int clients) => medians.FirstOrDefault(b => b.Operation == Raw && b.Clients == clients).PerSecond;
        return medians.Select(r => new Row(r.Operation, r.Clients, Report.Round(r.PerSecond, 0), Statistics.Ratio(r.PerSecond,
            RawAt(r.Clients)), Report.Round(r.P50), Report.Round(r.P99), Report.Round(r.P999), r.Errors,
            r.ApiCpu is { } api ? Report.Round(api, 3) : null, r.DatabaseCpu is { } database ? Report.Round(database, 3) : null)).ToList();
    }

    public static void Print(TextWriter output, IEnumerable<Row> rows)
    {
        output.WriteLine("| operation | clients | ops/s (median) | ratio to raw | p50 ms | p99 ms | p99.9 ms | errors " +
                         "| API CPU ms/op | PostgreSQL CPU ms/op |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            output.WriteLine($"| {r.Operation} | {r.Clients} | {r.OpsPerSecond:N0} | {r.RatioToRaw:P0} | {r.P50Ms:F2} | {r.P99Ms:F2} " +
                             $"| {r.P999Ms:F2} | {r.Errors:N0} | {r.ApiCpuMs?.ToString("F2") ?? "-"} | {r.DatabaseCpuMs?.ToString("F2") ?? "-"} |");
    }

    private static async Task<long> Count(BenchStore bench)
    {
        await using var command = bench.Database.CreateCommand(
            $"select count(*) from {Workflow.Store.WorkflowStore.Schema}.mt_streams");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
