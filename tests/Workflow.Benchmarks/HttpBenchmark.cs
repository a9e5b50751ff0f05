namespace Workflow.Benchmarks;

/// <summary>
/// End to end over HTTP: the API as a process of its own (bearer tokens, JSON, request log, access checks, the sweeper
/// running beside) driven by concurrent clients that submit, approve, read and list the inbox, beside raw single-row
/// INSERT+COMMIT on the same server in the same run at the same concurrency. Medians of rounds; every failed request is
/// counted, and a run with errors exits non-zero.
/// </summary>
public static class HttpBenchmark
{
    /// <param name="Statements">Also list each operation's statements on the server, from pg_stat_statements.</param>
    public sealed record Options(int Operations, int Rounds, int Warmup, IReadOnlyList<int> Clients, string Environment = "Production",
        bool Statements = false)
    {
        public static Options Full => new(2000, 3, 2000, [1, 8, 32]);
        public static Options Quick => new(20, 1, 10, [1, 2]);
    }

    /// <param name="ApiCpuMs">CPU time of the API process per operation (median of rounds).</param>
    /// <param name="DatabaseCpuMs">CPU time of the PostgreSQL server per operation; null on a server the runner did not start.</param>
    public sealed record Row(string Operation, int Clients, double OpsPerSecond, double RatioToRaw, double P50Ms, double P99Ms,
        double P999Ms, int Errors, double? ApiCpuMs = null, double? DatabaseCpuMs = null);

    public const string Raw = "raw INSERT+COMMIT";

    /// <summary>The targets of the commands: each one's rate as a share of the raw commit rate at the same concurrency.</summary>
    public static readonly IReadOnlyDictionary<string, double> Targets = new Dictionary<string, double>
    {
        ["approve"] = 0.15, ["submit"] = 0.20,
    };

    /// <summary>
    /// What the machine's cores allow a command at its target rate, against what it cost. <paramref name="BudgetMs"/> is the CPU
    /// one command may take in both processes together at that rate (the cores' milliseconds per second over the rate);
    /// <paramref name="FloorMs"/> is the least it could take with the API's part cut to that of the lightest request, a read
    /// of one document by its key: the server's CPU for the command plus the API's for a read. A floor above the budget means
    /// no change to the API alone reaches the target on these cores. The load runner's own CPU is left out, so the true
    /// room is smaller still.
    /// </summary>
    public sealed record Budget(string Operation, int Clients, double Target, double TargetPerSecond, double BudgetMs, double SpentMs,
        double DatabaseMs, double FloorMs)
    {
        public bool WithinReach => FloorMs <= BudgetMs;
    }

    /// <summary>The budget of each targeted command at each concurrency whose rows carry both processes' CPU.</summary>
    public static List<Budget> Budgets(IReadOnlyList<Row> rows, int cores) =>
        rows.Where(r => Targets.ContainsKey(r.Operation) && r is { ApiCpuMs: not null, DatabaseCpuMs: not null })
            .Select(r => (Command: r, Raw: rows.FirstOrDefault(b => b.Operation == Raw && b.Clients == r.Clients),
                Read: rows.FirstOrDefault(b => b.Operation == "read" && b.Clients == r.Clients)))
            .Where(t => t.Raw is { OpsPerSecond: > 0 } && t.Read?.ApiCpuMs is not null)
            .Select(t =>
            {
                var target = Targets[t.Command.Operation];
                var perSecond = target * t.Raw!.OpsPerSecond;
                return new Budget(t.Command.Operation, t.Command.Clients, target, Report.Round(perSecond, 0),
                    Report.Round(cores * 1000.0 / perSecond, 3), Report.Round(t.Command.ApiCpuMs!.Value + t.Command.DatabaseCpuMs!.Value, 3),
                    t.Command.DatabaseCpuMs!.Value, Report.Round(t.Command.DatabaseCpuMs!.Value + t.Read!.ApiCpuMs!.Value, 3));
            })
            .ToList();

    public static void Print(TextWriter output, IEnumerable<Budget> budgets)
    {
        output.WriteLine("What the cores allow each command at its target (CPU of the API and PostgreSQL per command, in ms; the " +
                         "load runner's own left out):");
        output.WriteLine("| operation | clients | target | ops/s at the target | CPU it may cost | CPU it cost | PostgreSQL's part " +
                         "| least possible (PostgreSQL's part + the API's for a read) | within reach |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var b in budgets)
            output.WriteLine($"| {b.Operation} | {b.Clients} | {b.Target:P0} of raw | {b.TargetPerSecond:N0} | {b.BudgetMs:F2} | {b.SpentMs:F2} " +
                             $"| {b.DatabaseMs:F2} | {b.FloorMs:F2} | {(b.WithinReach ? "yes" : "no")} |");
    }

    public static async Task<int> RunAsync(Options options, string workflowsPath, string? connectionString, string apiPath,
        TextWriter output, string? dataDirectory = null, CancellationToken cancellation = default)
    {
        await using var bench = await BenchStore.StartAsync(workflowsPath, connectionString, cancellation: cancellation);
        await bench.CreateRawTableAsync();
        await using var api = await ApiProcess.StartAsync(apiPath, bench.ConnectionString, workflowsPath, options.Environment);
        using var client = new ApiClient(api.Address);
        var cpu = new CpuMeter(api.Id, bench.DataDirectory ?? dataDirectory);
        var server = new ServerStatements(bench.Database);
        if (options.Statements && await server.InstallAsync() is { } refused)
        {
            output.WriteLine($"--statements needs pg_stat_statements loaded on the server: {refused}");
            return 2;
        }
        // Each operation's statements over its rounds, when asked for, with the number of operations they served.
        var statements = new Dictionary<(string Operation, int Clients), (List<ServerStatements.Statement> List, int Operations)>();
        // The CPU each operation costs the API and the server, from readings before and after its run.
        async Task<Run> Metered(string operation, int clients, Func<Task<Run>> measured)
        {
            if (options.Statements) await server.ResetAsync();
            var before = cpu.Read();
            var run = await measured();
            var (apiMs, databaseMs) = CpuMeter.PerOperation(before, cpu.Read(), run.LatenciesMs.Length);
            if (options.Statements)
            {
                var (list, count) = statements.GetValueOrDefault((operation, clients), ([], 0));
                list.AddRange(await server.ReadAsync());
                statements[(operation, clients)] = (list, count + run.LatenciesMs.Length);
            }
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
            async Task<Run> Add(string operation, Func<Task<Run>> measured)
            {
                var run = await Metered(operation, clients, measured);
                (runs.TryGetValue(operation, out var list) ? list : runs[operation] = []).Add(run);
                return run;
            }
            for (var round = 0; round < options.Rounds; round++)
            {
                await Add(Raw, () => Load.Time(options.Operations, clients, _ => bench.RawCommitAsync(cancellation)));
                var submitted = await Add("submit", () => Load.Time(options.Operations, clients,
                    async _ => (await client.SubmitAsync(cancellation: cancellation)).Id, countErrors: true));
                var ids = submitted.Ids.Where(id => id != Guid.Empty).ToList();
                await Add("approve", () => Load.Time(ids.Count, clients, i => client.ApproveAsync(ids[i], cancellation), countErrors: true));
                await Add("read", () => Load.Time(ids.Count, clients, i => client.ReadAsync(ids[i], cancellation), countErrors: true));
                await Add("inbox", () => Load.Time(options.Operations, clients,
                    async _ => { await client.InboxAsync(cancellation: cancellation); return Guid.Empty; }, countErrors: true));
            }
            measured.AddRange(runs.Select(r => (r.Key, clients, r.Value)));
        }

        var rows = Rows(measured);
        output.WriteLine();
        Print(output, rows);
        var budgets = Budgets(rows, Environment.ProcessorCount);
        if (budgets.Count > 0)
        {
            output.WriteLine();
            Print(output, budgets);
        }
        var summed = statements.ToDictionary(s => s.Key,
            s => (List: ServerStatements.Summed(s.Value.List), s.Value.Operations));
        if (options.Statements) output.WriteLine();
        foreach (var ((operation, clients), (list, operations)) in summed)
            ServerStatements.Print(output, operation, clients, list, operations);
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
            budgets,
            api = new { residentMiB = resident, applications },
            errors,
            statements = summed.Select(s => new
            {
                operation = s.Key.Operation, clients = s.Key.Clients, operations = s.Value.Operations,
                executionMs = Report.Round(s.Value.List.Sum(t => t.ExecutionMs) / Math.Max(1, s.Value.Operations), 3),
                planningMs = Report.Round(s.Value.List.Sum(t => t.PlanningMs) / Math.Max(1, s.Value.Operations), 3),
                calls = Report.Round(s.Value.List.Sum(t => (double)t.Calls) / Math.Max(1, s.Value.Operations)),
            }),
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
