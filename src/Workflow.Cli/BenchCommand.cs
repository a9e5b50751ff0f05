using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Store;
using Workflow.Store.Applications;
using Workflow.Store.Definitions;
using Workflow.Store.Postgres;

namespace Workflow.Cli;

/// <summary>
/// Throughput and latency of the command shell the API uses, beside raw single-row INSERT+COMMIT on the same server in
/// the same run. Prints medians of several rounds and ratios to the raw baseline, never absolute pass/fail.
/// </summary>
public static class BenchCommand
{
    private sealed record Measure(string Name, int Clients, double PerSecond, double P50, double P99);

    public static Command Create()
    {
        var count = new Option<int>("--operations") { Description = "operations per measurement", DefaultValueFactory = _ => 2000 };
        var rounds = new Option<int>("--rounds") { Description = "rounds per measurement; the table shows medians", DefaultValueFactory = _ => 3 };
        var memoryApps = new Option<int>("--memory-applications") { Description = "applications submitted before reading resident memory", DefaultValueFactory = _ => 10_000 };
        var workflows = new Option<DirectoryInfo>("--workflows") { Description = "the workflows folder", DefaultValueFactory = _ => new DirectoryInfo("workflows") };
        var connection = new Option<string?>("--connection") { Description = "PostgreSQL connection string; default: a private throwaway cluster" };
        var command = new Command("bench", "Benchmark submit-and-route and approve-step against raw INSERT+COMMIT")
            { count, rounds, memoryApps, workflows, connection };
        command.SetAction((parse, cancellation) => RunAsync(parse.GetValue(count), parse.GetValue(rounds), parse.GetValue(memoryApps),
            parse.GetValue(workflows)!.FullName, parse.GetValue(connection) ?? Environment.GetEnvironmentVariable("ConnectionStrings__Workflow"), cancellation));
        return command;
    }

    private static async Task<int> RunAsync(int operations, int rounds, int memoryApplications, string workflowsPath, string? connectionString,
        CancellationToken cancellation)
    {
        var catalog = WorkflowCatalog.Load(workflowsPath);
        await using var cluster = string.IsNullOrWhiteSpace(connectionString) ? await PrivatePostgres.StartThrowawayAsync(durable: true) : null;
        connectionString ??= cluster!.ConnectionString;
        Console.WriteLine($"PostgreSQL: {(cluster is null ? "configured server" : "private cluster with durable commits (fsync on), the same server for every row")}");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {operations} operations x {rounds} rounds per row");

        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(Workflow.Store.Audit.ChainKey.Development)   // a throwaway database: the development chain key
            .AddWorkflowStore(connectionString, catalog);
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await provider.GetRequiredService<Workflow.Store.Audit.AuditChain>().InstallAsync(cancellation);
        await provider.GetRequiredService<PinnedDefinitions>().PublishLoadedAsync(TimeProvider.System, cancellation);
        var commands = provider.GetRequiredService<ApplicationCommands>();
        var database = provider.GetRequiredService<NpgsqlDataSource>();
        var definition = catalog.Find("enterprise-registration")!;

        await using (var create = database.CreateCommand("CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, body jsonb NOT NULL)"))
            await create.ExecuteNonQueryAsync(cancellation);

        // Warm-up until tiered compilation has settled, so that the rows compare steady states: a server runs for weeks.
        for (var i = 0; i < 3; i++)
        {
            await Raw(database, 1000, 4);
            await Approve(commands, (await Submit(commands, 1000, 4)).Ids, 4);
        }

        var results = new List<Measure>();
        foreach (var clients in new[] { 1, 8 })
        {
            results.Add(Median($"raw INSERT+COMMIT", clients, await Repeat(rounds, () => Raw(database, operations, clients))));
            results.Add(Median("submit-and-route", clients, await Repeat(rounds, () => Submit(commands, operations, clients))));
            results.Add(Median("approve step", clients, await Repeat(rounds, async () =>
            {
                var ids = (await Submit(commands, operations, 8)).Ids;
                return await Approve(commands, ids, clients);
            })));
        }

        Console.WriteLine();
        Console.WriteLine("| operation | clients | ops/s (median) | ratio to raw | p50 ms | p99 ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var m in results)
        {
            var raw = results.First(r => r.Name.StartsWith("raw") && r.Clients == m.Clients);
            Console.WriteLine($"| {m.Name} | {m.Clients} | {m.PerSecond:N0} | {m.PerSecond / raw.PerSecond:P0} | {m.P50:F2} | {m.P99:F2} |");
        }

        var before = Resident();
        var submitted = 0;
        while (submitted < memoryApplications)
        {
            var batch = Math.Min(2000, memoryApplications - submitted);
            await Submit(commands, batch, 8);
            submitted += batch;
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Console.WriteLine();
        Console.WriteLine($"Resident memory: {before:N0} MiB before, {Resident():N0} MiB after {submitted:N0} more applications " +
                          $"(managed heap {GC.GetTotalMemory(false) / 1024 / 1024:N0} MiB)");
        return 0;

        async Task<Run> Submit(ApplicationCommands shell, int n, int clients)
        {
            var data = Statistics.Enterprise();
            return await Time(n, clients, async _ =>
            {
                var id = Guid.CreateVersion7();
                await shell.SubmitAsync(new NewApplication(id, definition.Id, "BEN", "api", new Applicant("Bench"), data,
                    Statistics.Documents), Statistics.Clerk, new CommandContext("bench"), cancellation);
                return id;
            });
        }

        async Task<Run> Approve(ApplicationCommands shell, IReadOnlyList<Guid> ids, int clients) =>
            await Time(ids.Count, clients, async i =>
            {
                await shell.HandleAsync(ids[i], null, new DecideStep("intake", StepOutcome.Approve, "complete", null, Statistics.Clerk),
                    new CommandContext("bench"), cancellation);
                return ids[i];
            });

        async Task<Run> Raw(NpgsqlDataSource db, int n, int clients) =>
            await Time(n, clients, async _ =>
            {
                await using var insert = db.CreateCommand("INSERT INTO bench_raw (body) VALUES (@body::jsonb)");
                insert.Parameters.AddWithValue("body", """{"type":"step_approved","reason":"complete"}""");
                await insert.ExecuteNonQueryAsync(cancellation);
                return Guid.Empty;
            });
    }

    private sealed record Run(double PerSecond, double[] LatenciesMs, IReadOnlyList<Guid> Ids);

    private static async Task<Run> Time(int n, int clients, Func<int, Task<Guid>> operation)
    {
        var latencies = new double[n];
        var ids = new Guid[n];
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < n; i = Interlocked.Increment(ref next))
            {
                var started = Stopwatch.GetTimestamp();
                ids[i] = await operation(i);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })));
        return new Run(n / total.Elapsed.TotalSeconds, latencies, ids);
    }

    private static async Task<List<Run>> Repeat(int rounds, Func<Task<Run>> measure)
    {
        var runs = new List<Run>();
        for (var r = 0; r < rounds; r++) runs.Add(await measure());
        return runs;
    }

    private static Measure Median(string name, int clients, List<Run> runs) => new(name, clients,
        Statistics.Median(runs.Select(r => r.PerSecond)),
        Statistics.Median(runs.Select(r => Statistics.Percentile(r.LatenciesMs, 0.50))),
        Statistics.Median(runs.Select(r => Statistics.Percentile(r.LatenciesMs, 0.99))));

    private static long Resident() => Process.GetCurrentProcess().WorkingSet64 / 1024 / 1024;
}
