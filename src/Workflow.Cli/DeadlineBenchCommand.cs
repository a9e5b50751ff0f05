using System.CommandLine;
using System.Diagnostics;
using System.Net.Http;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Workflow.Core.Applications;
using Workflow.Core.Definitions;
using Workflow.Store;
using Workflow.Store.Applications;
using Workflow.Store.Definitions;
using Workflow.Store.Postgres;

namespace Workflow.Cli;

/// <summary>
/// The deadline sweep under a midnight burst, and server start-up with many open deadlines, each beside a raw
/// baseline measured in the same run on the same server.
/// </summary>
public static class DeadlineBenchCommand
{
    /// <summary>A clock that stands still unless moved: the burst is released at one instant of application time.</summary>
    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    public static Command Create()
    {
        var open = new Option<int>("--open") { Description = "open deadlines in the table", DefaultValueFactory = _ => 100_000 };
        var due = new Option<int>("--due") { Description = "how many of them come due at the same instant", DefaultValueFactory = _ => 10_000 };
        var workflows = new Option<DirectoryInfo>("--workflows") { Description = "the workflows folder", DefaultValueFactory = _ => new DirectoryInfo("workflows") };
        var api = new Option<FileInfo>("--api") { Description = "the built API to time start-up with", DefaultValueFactory = _ => new FileInfo("src/Workflow.Api/bin/Release/net10.0/Workflow.Api.dll") };
        var command = new Command("bench-deadlines", "Benchmark the deadline sweep (a burst of due deadlines) and start-up with many open deadlines")
            { open, due, workflows, api };
        command.SetAction((parse, cancellation) => RunAsync(parse.GetValue(open), parse.GetValue(due), parse.GetValue(workflows)!.FullName,
            parse.GetValue(api)!, cancellation));
        return command;
    }

    private static async Task<int> RunAsync(int open, int due, string workflowsPath, FileInfo api, CancellationToken cancellation)
    {
        var catalog = WorkflowCatalog.Load(workflowsPath);
        await using var cluster = await PrivatePostgres.StartThrowawayAsync(durable: true);
        Console.WriteLine($"PostgreSQL: private cluster with durable commits; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var clock = new StoppedClock(new DateTimeOffset(2024, 6, 3, 9, 0, 0, TimeSpan.FromHours(7)));
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(Workflow.Store.Audit.ChainKey.Development)   // a throwaway database: the development chain key
            .AddWorkflowStore(cluster.ConnectionString, catalog);
        services.AddSingleton<TimeProvider>(clock);
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await provider.GetRequiredService<Workflow.Store.Audit.AuditChain>().InstallAsync(cancellation);
        await provider.GetRequiredService<PinnedDefinitions>().PublishLoadedAsync(clock, cancellation);
        var commands = provider.GetRequiredService<ApplicationCommands>();
        var database = provider.GetRequiredService<NpgsqlDataSource>();
        var table = $"{WorkflowStore.Schema}.{OpenDeadlines.Table}";

        // Real applications whose registration step's 75% warning is the deadline that comes due; the rest of the open
        // deadlines are rows of the same table due years later, so the claim query works on a table of the full size.
        Console.WriteLine($"Creating {due:N0} applications with an open registration step ...");
        var clerk = Statistics.Clerk;
        var data = Statistics.Enterprise();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < due; i = Interlocked.Increment(ref next))
            {
                var id = Guid.CreateVersion7();
                await commands.SubmitAsync(new NewApplication(id, "enterprise-registration", "VTE", "api", new Applicant("Bench"), data,
                    Statistics.Documents), clerk, new CommandContext("bench"), cancellation);
                await commands.HandleAsync(id, null, new DecideStep("intake", StepOutcome.Approve, "complete", null, clerk),
                    new CommandContext("bench"), cancellation);
            }
        }, cancellation)));
        await Execute(database, $"""
            insert into {table} (application_id, scope, kind, level, agency, due_at, fire_at)
            select gen_random_uuid(), 'register', 'warning', 0, 'moic-enterprise-registration', '2031-01-01', '2030-01-01'::timestamptz + (g * interval '1 second')
            from generate_series(1, {open - due}) g
            """);
        var midnight = new DateTimeOffset(2024, 6, 13, 12, 0, 0, TimeSpan.FromHours(7));
        async Task Arm() => await Execute(database, $"update {table} set fire_at = @at, claimed_until = null where scope = 'register' and due_at < '2030-01-01'",
            ("at", midnight.ToUniversalTime()));
        await Arm();
        await Execute(database, "vacuum analyze " + table);
        clock.Now = midnight;

        // Baseline: claim the same rows in the same batches, with nothing done per row.
        var rawTimes = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            var watch = Stopwatch.StartNew();
            while (await RawClaim(database, table, midnight, 500) > 0) { }
            rawTimes.Add(watch.Elapsed.TotalMilliseconds);
            await Arm();
        }

        // The sweep as a node runs it: claim, then fire each deadline through the command shell.
        var sweeper = provider.GetRequiredService<DeadlineSweeper>();
        var released = DateTimeOffset.UtcNow;
        var sweepWatch = Stopwatch.StartNew();
        while (await sweeper.SweepOnceAsync(500, 8, TimeSpan.FromMinutes(5), cancellation) > 0) { }
        var sweepMs = sweepWatch.Elapsed.TotalMilliseconds;
        var lateness = await Lateness(database, released);
        var fired = lateness.Count;

        Console.WriteLine();
        Console.WriteLine($"| deadlines due at once | open deadlines | raw claim (median ms) | sweep fires all (ms) | ratio | lateness p50 ms | p99 ms | max ms |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| {fired:N0} | {open:N0} | {Statistics.Median(rawTimes):N0} | {sweepMs:N0} | {sweepMs / Statistics.Median(rawTimes):N1}x | " +
                          $"{Statistics.Percentile(lateness, 0.5):N0} | {Statistics.Percentile(lateness, 0.99):N0} | {lateness.DefaultIfEmpty(0).Max():N0} |");

        if (!api.Exists)
        {
            Console.WriteLine($"Start-up not measured: build the API first (dotnet build -c Release src/Workflow.Api); looked for {api.FullName}");
            return fired == due ? 0 : 1;
        }
        // Start-up: the API process until /health answers, on this database (every open deadline in the future) and on an empty one.
        await Execute(database, $"update {table} set fire_at = '2030-01-01'::timestamptz + (random() * interval '365 days'), claimed_until = null");
        await Execute(database, "create database workflow_empty");
        var empty = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Database = "workflow_empty" }.ConnectionString;
        await StartUp(api, empty, workflowsPath);
        await StartUp(api, cluster.ConnectionString, workflowsPath);
        var emptyTimes = new List<double>();
        var loadedTimes = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            emptyTimes.Add(await StartUp(api, empty, workflowsPath));
            loadedTimes.Add(await StartUp(api, cluster.ConnectionString, workflowsPath));
        }
        Console.WriteLine();
        Console.WriteLine("| server start-up until /health answers | median ms | min ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine($"| no open deadlines | {Statistics.Median(emptyTimes):N0} | {emptyTimes.Min():N0} | {emptyTimes.Max():N0} |");
        Console.WriteLine($"| {open:N0} open deadlines | {Statistics.Median(loadedTimes):N0} | {loadedTimes.Min():N0} | {loadedTimes.Max():N0} |");
        Console.WriteLine($"Ratio {Statistics.Median(loadedTimes) / Statistics.Median(emptyTimes):N2} (5 alternating starts each, after one warm-up start of each)");
        return fired == due ? 0 : 1;
    }

    private static async Task<int> RawClaim(NpgsqlDataSource database, string table, DateTimeOffset now, int batch)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(
            $"""
             with due as (select application_id, scope from {table} where fire_at <= @now and claimed_until is null
                          order by fire_at limit @batch for update skip locked)
             update {table} t set claimed_until = @now + interval '1 minute' from due
             where t.application_id = due.application_id and t.scope = due.scope
             """, connection, transaction);
        command.Parameters.AddWithValue("now", now.ToUniversalTime());
        command.Parameters.AddWithValue("batch", batch);
        var claimed = await command.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
        return claimed;
    }

    /// <summary>How long after the release each warning was recorded (server commit time of its event).</summary>
    private static async Task<List<double>> Lateness(NpgsqlDataSource database, DateTimeOffset released)
    {
        await using var command = database.CreateCommand(
            $"select extract(epoch from (timestamp - @released)) * 1000 from {WorkflowStore.Schema}.mt_events where type = 'deadline_warning_reached'");
        command.Parameters.AddWithValue("released", released);
        var values = new List<double>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) values.Add((double)reader.GetDecimal(0));
        return values;
    }

    private static async Task<double> StartUp(FileInfo api, string connectionString, string workflowsPath)
    {
        var port = 20000 + Random.Shared.Next(20000);
        var start = new ProcessStartInfo("dotnet", [api.FullName]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__Workflow"] = connectionString;
        start.Environment["Auth__SigningKey"] = "bench-signing-key-0123456789-0123456789-0123456789";
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
                    if ((await http.GetAsync($"http://127.0.0.1:{port}/health")).IsSuccessStatusCode) return watch.Elapsed.TotalMilliseconds;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                if (process.HasExited) throw new InvalidOperationException($"the API exited with code {process.ExitCode}");
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

    private static async Task Execute(NpgsqlDataSource database, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = database.CreateCommand(sql);
        command.CommandTimeout = 600;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }
}
